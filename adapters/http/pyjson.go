package http

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// marshalPython encodes v as the original Flask-RESTful service did, with
// Python's json.dumps defaults: ", " and ": " separators, non-ASCII escaped
// as \uXXXX (surrogate pairs above the BMP), no HTML escaping, and a final
// newline. Old clients compare some answers byte for byte.
func marshalPython(v any) ([]byte, error) {
	var compact bytes.Buffer
	enc := json.NewEncoder(&compact)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	src := bytes.TrimRight(compact.Bytes(), "\n")
	out := make([]byte, 0, len(src)+len(src)/8+1)
	inString, escaped := false, false
	for i := 0; i < len(src); {
		c := src[i]
		if c >= utf8.RuneSelf { // only inside strings: Go's encoder emits raw UTF-8
			r, size := utf8.DecodeRune(src[i:])
			out = appendPythonEscape(out, r)
			i += size
			continue
		}
		out = append(out, c)
		i++
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && (c == ',' || c == ':'):
			out = append(out, ' ')
		}
	}
	return append(out, '\n'), nil
}

func appendPythonEscape(out []byte, r rune) []byte {
	if r > 0xFFFF {
		r -= 0x10000
		return fmt.Appendf(out, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
	}
	return fmt.Appendf(out, `\u%04x`, r)
}
