package http

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzV1Params: whatever a client sends as a v1 body, with whatever
// content type, the reader answers parameters or errParse, and never
// panics; every accessor is safe on what it read.
func FuzzV1Params(f *testing.F) {
	f.Add("application/json", `{"type": "auth", "username": "steve", "password": "x"}`, "token=abc")
	f.Add("application/x-www-form-urlencoded", `type=create&username=steve&usernames=["a","b"]`, "")
	f.Add("application/x-www-form-urlencoded", `{"type": "delete", "usernames": ["a"]}`, "")
	f.Add("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\nauth\r\n--x--\r\n", "")
	f.Add("text/plain", `{"toAlter": {"nickname": null}, "token": 7}`, "page=9223372036854775807&pagin=10")
	f.Add("", "\x00\xff{", "token=%00")
	f.Fuzz(func(t *testing.T, ctype, body, query string) {
		r := httptest.NewRequest("POST", "/api/user/v1/action", strings.NewReader(body))
		r.URL.RawQuery = query
		r.Header.Set("Content-Type", ctype)
		p, err := readParams(r)
		if err != nil {
			return
		}
		for _, name := range []string{"type", "username", "usernames", "toAlter", "token", "page"} {
			_ = p.str(name)
			_ = p.has(name)
			var v any
			_, _ = p.decode(name, &v)
		}
		_ = p.missing("type", "username")
		_ = p.token()
	})
}

// FuzzPythonJSON: the Python-style writer turns any value the handlers
// could hold into JSON that decodes back to the same value, with only
// ASCII bytes (json.dumps' ensure_ascii).
func FuzzPythonJSON(f *testing.F) {
	f.Add("steve", "Not verified.", int64(7))
	f.Add("\u00e9\U0001F600<>&", "\x00\x1f\u2028", int64(-1))
	f.Add("\xff\xfe", `"\`, int64(9223372036854775807))
	f.Fuzz(func(t *testing.T, s1, s2 string, n int64) {
		v := map[string]any{"status": "ok", "data": []any{s1, map[string]any{"msg": s2, "n": n}, nil, true}}
		out, err := marshalPython(v)
		if err != nil {
			t.Fatalf("marshalPython: %v", err)
		}
		for _, c := range out {
			if c >= 0x80 {
				t.Fatalf("non-ASCII byte in %q", out)
			}
		}
		var back, want any
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("output is not JSON: %v\n%s", err, out)
		}
		ref, _ := json.Marshal(v)
		_ = json.Unmarshal(ref, &want)
		if a, b := mustJSON(back), mustJSON(want); a != b {
			t.Fatalf("round trip changed the value:\n%s\n%s", a, b)
		}
		if !utf8.Valid(out) {
			t.Fatal("invalid UTF-8")
		}
	})
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
