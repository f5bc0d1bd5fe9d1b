package app

import (
	"reflect"
	"regexp"
	"strings"
	"time"
)

// secretKeys are the configuration keys whose values never leave the
// process: shown as "(hidden)" when set, "" when not.
var secretKeys = map[string]bool{
	"secret": true, "password": true, "access_key_id": true, "access_key_secret": true,
}

// dsnSecret finds the password inside a DSN: user:PASSWORD@ (mysql and
// URL forms) or password=PASSWORD (PostgreSQL keyword form).
var dsnSecret = regexp.MustCompile(`(:)[^:@/]*(@)|(password=)\S*`)

// Settings is the effective configuration as the console's settings page
// shows it: every key by its configuration name, secrets hidden.
func (c Config) Settings() map[string]any {
	return settingsOf(reflect.ValueOf(c)).(map[string]any)
}

func settingsOf(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Struct:
		out := map[string]any{}
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			key, _, _ := strings.Cut(f.Tag.Get("mapstructure"), ",")
			if key == "" || key == "-" || !f.IsExported() {
				continue
			}
			fv := v.Field(i)
			switch {
			case secretKeys[key] || strings.Contains(key, "secret"):
				out[key] = hidden(fv)
			case key == "dsn":
				out[key] = dsnSecret.ReplaceAllString(fv.String(), "$1$3***$2")
			default:
				out[key] = settingsOf(fv)
			}
		}
		return out
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return settingsOf(v.Elem())
	case reflect.Slice:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = settingsOf(v.Index(i))
		}
		return out
	case reflect.Map:
		out := map[string]any{}
		for _, k := range v.MapKeys() {
			out[k.String()] = settingsOf(v.MapIndex(k))
		}
		return out
	}
	if d, ok := v.Interface().(time.Duration); ok {
		return d.String()
	}
	return v.Interface()
}

func hidden(v reflect.Value) string {
	if v.IsZero() {
		return ""
	}
	return "(hidden)"
}
