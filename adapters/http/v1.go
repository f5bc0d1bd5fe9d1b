package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
)

// envelope is the v1 answer. Field order is the wire order; an ok answer
// always carries data (even null), a failure never does.
type envelope struct {
	Status  string `json:"status"`
	Data    any    `json:"data,omitempty"`
	Msg     string `json:"msg,omitempty"`
	hasData bool
}

func (e envelope) MarshalJSON() ([]byte, error) {
	if e.hasData {
		return marshalNoHTMLEscape(struct {
			Status string `json:"status"`
			Data   any    `json:"data"`
		}{e.Status, e.Data})
	}
	return marshalNoHTMLEscape(struct {
		Status string `json:"status"`
		Msg    string `json:"msg"`
	}{e.Status, e.Msg})
}

// marshalNoHTMLEscape is json.Marshal without turning <, > and & into
// \u003c, \u003e and \u0026: Python's json.dumps writes them as they are,
// and the outer encoder keeps what a Marshaler returns.
func marshalNoHTMLEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// httpError is the body of the v1 unknown-route, unauthorised and crash
// answers, which the web UI's health check reads.
type httpError struct {
	Error  string `json:"error"`
	Code   int    `json:"code"`
	Status string `json:"status"`
}

// writePython writes v as the original service did, with HTTP 200 unless
// told otherwise.
func writePython(w http.ResponseWriter, code int, v any) {
	body, err := marshalPython(v)
	if err != nil { // only our own types reach here: a bug
		body = []byte(`{"status": "error", "msg": "Request error."}` + "\n")
	}
	if o, ok := w.(interface{ setOutcome(string) }); ok {
		o.setOutcome(outcomeOf(v))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

// outcomeOf is the status an envelope carries, for logs and metrics.
func outcomeOf(v any) string {
	switch v := v.(type) {
	case envelope:
		return v.Status
	case httpError:
		return v.Status
	}
	return ""
}

// writeV1 writes a v1 envelope: always HTTP 200, the client reads status.
func writeV1(w http.ResponseWriter, e envelope) { writePython(w, http.StatusOK, e) }

func writeOK(w http.ResponseWriter, data any) {
	writeV1(w, envelope{Status: "ok", Data: data, hasData: true})
}

// maxBody bounds what a v1 request may send; the largest real one is a
// short list of usernames.
const maxBody = 1 << 20

// params are a v1 request's parameters: the form body first, then a JSON
// body (parsed whatever its content type), then, for GETs, the query.
type params struct {
	form  url.Values
	json  map[string]json.RawMessage
	query url.Values
	// bearer is the token from an Authorization header, if any.
	bearer string
}

var errParse = errors.New("request body is neither a form nor a JSON object")

func readParams(r *http.Request) (params, error) {
	p := params{query: r.URL.Query()}
	if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		p.bearer = strings.TrimSpace(h[7:])
	}
	if r.Body == nil || r.Method == http.MethodGet {
		return p, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return p, errParse
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return p, nil
	}
	mt, mp, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/x-www-form-urlencoded":
		// curl -d '{...}' labels JSON as a form; the original still read it.
		if trimmed := bytes.TrimSpace(body); trimmed[0] == '{' && json.Unmarshal(trimmed, &p.json) == nil {
			return p, nil
		}
		if p.form, err = url.ParseQuery(string(body)); err != nil {
			return p, errParse
		}
		return p, nil
	case "multipart/form-data":
		form, err := multipart.NewReader(bytes.NewReader(body), mp["boundary"]).ReadForm(maxBody)
		if err != nil {
			return p, errParse
		}
		p.form = form.Value
		_ = form.RemoveAll()
		return p, nil
	}
	if err := json.Unmarshal(body, &p.json); err != nil {
		return p, errParse
	}
	return p, nil
}

// raw returns a parameter as JSON text, or nil when absent or null. Form
// and query values are JSON-quoted strings.
func (p params) raw(name string) json.RawMessage {
	if vs, ok := p.form[name]; ok && len(vs) > 0 {
		b, _ := json.Marshal(vs[0])
		return b
	}
	if v, ok := p.json[name]; ok && string(v) != "null" {
		return v
	}
	if vs, ok := p.query[name]; ok && len(vs) > 0 {
		b, _ := json.Marshal(vs[0])
		return b
	}
	return nil
}

// str returns a parameter as text: strings as they are, numbers and
// booleans as written. Absent, null, objects and lists give "".
func (p params) str(name string) string {
	raw := p.raw(name)
	if raw == nil {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	if c := raw[0]; c == '{' || c == '[' {
		return ""
	}
	return string(raw)
}

// decode reads a structured parameter (a list or an object) into v. It
// arrives as JSON in a JSON body, or as JSON text inside a form field.
// It reports false when absent, and an error when it does not fit v.
func (p params) decode(name string, v any) (bool, error) {
	raw := p.raw(name)
	if raw == nil {
		return false, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		raw = json.RawMessage(s)
	}
	return true, json.Unmarshal(raw, v)
}

// token is the caller's token: a Bearer header wins over the body or query.
func (p params) token() string {
	if p.bearer != "" {
		return p.bearer
	}
	return p.str("token")
}

// missing names the required parameters that are absent or empty.
func (p params) missing(names ...string) []string {
	var out []string
	for _, n := range names {
		if strings.TrimSpace(p.str(n)) == "" && !p.has(n) {
			out = append(out, n)
		}
	}
	return out
}

// has reports whether a structured parameter (list or object) is present.
func (p params) has(name string) bool {
	raw := p.raw(name)
	return raw != nil && (raw[0] == '[' || raw[0] == '{')
}
