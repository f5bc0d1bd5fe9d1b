package app

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"
)

// This file turns configuration mistakes into sentences that name where the
// value came from (the file or the SEATIDE_ variable), the key, the value
// and what was expected: never the decoder's or the YAML library's text.

// configSources knows where each key's value came from.
type configSources struct {
	v    *viper.Viper
	path string            // the file read, or ""
	env  map[string]string // key -> the SEATIDE_ variable that set it
}

// of names where key's value came from: the variable, the file, or "" for a
// default.
func (s configSources) of(key string) string {
	if name, ok := s.env[key]; ok {
		return name
	}
	if s.path != "" && s.v.InConfig(key) {
		return s.path
	}
	return ""
}

// at prefixes msg (which starts with key) with where key came from.
func (s configSources) at(key, msg string) string {
	if src := s.of(key); src != "" {
		return src + ": " + msg
	}
	return msg
}

// place prefixes a check's error, which starts with "key: ", with where
// that key came from. Errors stay matchable with errors.Is.
func (s configSources) place(err error) error {
	key, _, ok := strings.Cut(err.Error(), ":")
	if !ok || strings.ContainsAny(key, " ,") {
		return err
	}
	if src := s.of(key); src != "" {
		return fmt.Errorf("%s: %w", src, err)
	}
	return err
}

// readFileError explains why the configuration file could not be read.
func readFileError(path string, err error) error {
	var parse viper.ConfigParseError
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("config file %s: not found (give --config a path that exists, or leave it out)", path)
	case errors.As(err, &parse):
		msg := strings.TrimPrefix(errors.Unwrap(parse).Error(), "yaml: ")
		return fmt.Errorf("config file %s: not valid YAML: %s", path, msg)
	}
	var pathErr *os.PathError
	if errors.As(err, &pathErr) {
		return fmt.Errorf("config file %s: %v", path, pathErr.Err)
	}
	var ext viper.UnsupportedConfigError
	if errors.As(err, &ext) {
		return fmt.Errorf("config file %s: name it .yml or .yaml (or .json, .toml)", path)
	}
	return fmt.Errorf("config file %s: %w", path, err)
}

// unknownKeys refuses keys seatide does not have, with the closest known
// one as a hint. known holds every key of defaults().
func (s configSources) unknownKeys(known map[string]any) error {
	var msgs []string
	for _, key := range s.v.AllKeys() {
		if _, ok := known[key]; ok || underKnownKey(key, known) || isSection(key, known) {
			continue
		}
		msg := fmt.Sprintf("unknown key %q", key)
		if near := nearestKey(key, known); near != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", near)
		}
		msgs = append(msgs, s.at(key, msg))
	}
	if len(msgs) == 0 {
		return nil
	}
	sort.Strings(msgs)
	return errors.New(strings.Join(msgs, "\n"))
}

// underKnownKey is true for "a.b.c" when "a.b" is a key: a map where a
// value belongs, which the type check explains better.
func underKnownKey(key string, known map[string]any) bool {
	for i := len(key) - 1; i > 0; i-- {
		if key[i] == '.' {
			if _, ok := known[key[:i]]; ok {
				return true
			}
		}
	}
	return false
}

// isSection is true for "database" (a value where keys belong, which the
// type check explains).
func isSection(key string, known map[string]any) bool {
	for k := range known {
		if strings.HasPrefix(k, key+".") {
			return true
		}
	}
	return false
}

// nearestKey is the known key within two edits of key, or with the same
// last part under another section; "" when none is close.
func nearestKey(key string, known map[string]any) string {
	best, bestDist := "", 3
	last := key[strings.LastIndexByte(key, '.')+1:]
	for k := range known {
		d := editDistance(key, k)
		if k[strings.LastIndexByte(k, '.')+1:] == last && d > 2 {
			d = 2
		}
		if d < bestDist || d == bestDist && k < best {
			best, bestDist = k, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// decodeError explains each value that did not fit its key's type.
func (s configSources) decodeError(err error) error {
	var msgs []string
	for _, de := range leafDecodeErrors(err) {
		key, _, _ := strings.Cut(de.Name(), "[") // "ecs.zone[0]": the list is the value
		msg := s.at(key, fmt.Sprintf("%s: %s is not %s", key, showValue(s.v.Get(key)), expected(key)))
		if !slices.Contains(msgs, msg) {
			msgs = append(msgs, msg)
		}
	}
	if len(msgs) == 0 { // not the decoder's: nothing better to say
		return fmt.Errorf("configuration: %w", err)
	}
	sort.Strings(msgs)
	return errors.New(strings.Join(msgs, "\n"))
}

// leafDecodeErrors walks the joined errors mapstructure returns and keeps
// the innermost DecodeErrors, whose names are full keys.
func leafDecodeErrors(err error) []*mapstructure.DecodeError {
	var out []*mapstructure.DecodeError
	var walk func(error) bool
	walk = func(e error) bool {
		found := false
		if de, ok := e.(*mapstructure.DecodeError); ok {
			if !walk(de.Unwrap()) && de.Name() != "" {
				out = append(out, de)
			}
			return true
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, inner := range u.Unwrap() {
				found = walk(inner) || found
			}
		case interface{ Unwrap() error }:
			if inner := u.Unwrap(); inner != nil {
				found = walk(inner)
			}
		}
		return found
	}
	walk(err)
	return out
}

func showValue(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("%q", x)
	case nil:
		return "empty"
	}
	return fmt.Sprintf("%v", v)
}

var durationType = reflect.TypeFor[time.Duration]()

// expected describes the type of key's field in Config.
func expected(key string) string {
	t := reflect.TypeFor[Config]()
	for part := range strings.SplitSeq(key, ".") {
		f, ok := fieldByTag(t, part)
		if !ok {
			return "a value this key takes"
		}
		t = f
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == durationType:
		return "a duration: write it like 30s, 5m or 1h30m"
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() == reflect.Int || t.Kind() == reflect.Int64:
		return "a whole number"
	case t.Kind() == reflect.String:
		return "text"
	case t.Kind() == reflect.Slice:
		return "a list of text (or one value, or comma-separated values)"
	case t.Kind() == reflect.Struct:
		return fmt.Sprintf("a section of keys (%s.*)", key)
	}
	return "a " + t.String()
}

func fieldByTag(t reflect.Type, tag string) (reflect.Type, bool) {
	if t.Kind() != reflect.Struct {
		return nil, false
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if name, _, _ := strings.Cut(f.Tag.Get("mapstructure"), ","); name == tag {
			return f.Type, true
		}
	}
	return nil, false
}
