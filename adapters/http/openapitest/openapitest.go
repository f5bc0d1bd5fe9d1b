// Package openapitest checks real HTTP exchanges against seatide's OpenAPI
// document, so tests fail when the document and the code drift apart. It is
// for tests only; the service never imports it.
package openapitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// Validator holds a loaded, valid document and its router. It is safe for
// concurrent use.
type Validator struct {
	Doc    *openapi3.T
	router routers.Router
	// envelopeFailure matches the answers the service gives to requests
	// outside the document: the v1 failure and http-error bodies.
	envelopeFailure *openapi3.Schema
	// problem is the v2 failure (RFC 9457 problem details).
	problem *openapi3.Schema
}

// New loads doc (YAML or JSON), checks that it is a valid OpenAPI 3
// document and builds its router. Loading takes a while: load once per test
// binary (a sync.OnceValues in the test package).
func New(doc []byte) (*Validator, error) {
	loader := openapi3.NewLoader()
	t, err := loader.LoadFromData(doc)
	if err != nil {
		return nil, fmt.Errorf("loading the OpenAPI document: %w", err)
	}
	if err := t.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("the OpenAPI document is not valid: %w", err)
	}
	router, err := legacy.NewRouter(t)
	if err != nil {
		return nil, fmt.Errorf("routing the OpenAPI document: %w", err)
	}
	schemas := t.Components.Schemas
	failure, httpErr := schemas["Failure"], schemas["HTTPError"]
	if failure == nil || httpErr == nil {
		return nil, errors.New("the OpenAPI document lacks the Failure or HTTPError schema")
	}
	problem := schemas["Problem"]
	if problem == nil {
		return nil, errors.New("the OpenAPI document lacks the Problem schema")
	}
	return &Validator{Doc: t, router: router, problem: problem.Value, envelopeFailure: &openapi3.Schema{
		OneOf: openapi3.SchemaRefs{failure, httpErr},
	}}, nil
}

// options are the validation options: every answer's status must be
// documented; a token's presence is all that can be checked from outside.
func options() *openapi3filter.Options {
	return &openapi3filter.Options{
		IncludeResponseStatus: true,
		AuthenticationFunc:    tokenPresent,
	}
}

func tokenPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	r := in.RequestValidationInput.Request
	switch in.SecuritySchemeName {
	case "bearerAuth":
		if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
			return nil
		}
		return errors.New("no bearer token")
	case "tokenQuery":
		if r.URL.Query().Get("token") != "" {
			return nil
		}
		return errors.New("no token query parameter")
	}
	return fmt.Errorf("unknown security scheme %q", in.SecuritySchemeName)
}

// Check validates one exchange: the request (with its body reqBody) and the
// answer (status, header, body). It returns nil when both fit the document.
//
// The service answers a request the document does not allow (a missing or
// ill-typed parameter, an unknown type) inside the v1 envelope, as the
// document says, and tests send such requests on purpose. So a request that
// does not fit is no mismatch when the answer is a refusal (a v1 failure or
// http-error body); it is one when the service accepted it ("ok"), which
// means the document is stricter than the code.
func (v *Validator) Check(req *http.Request, reqBody []byte, status int, header http.Header, body []byte) error {
	ctx := context.Background()
	req = req.Clone(ctx)
	req.Body = io.NopCloser(bytes.NewReader(reqBody))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(reqBody)), nil }
	req.ContentLength = int64(len(reqBody))
	route, pathParams, err := v.router.FindRoute(req)
	if err != nil {
		return v.checkUndocumented(req, status, header, body)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: pathParams, Route: route, Options: options()}
	reqErr := openapi3filter.ValidateRequest(ctx, in)
	// ValidateRequest may have consumed the body; the response check does
	// not read it again.
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header, Options: options()}
	stream := isEventStream(header)
	if stream {
		// kin-openapi has no decoder for a stream: the status and headers
		// are checked here, each message's data below.
		opts := options()
		opts.ExcludeResponseBody = true
		out.Options = opts
	}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return fmt.Errorf("the answer does not fit the document: %w", err)
	}
	if stream {
		if err := v.checkEventStream(route.Operation, status, body); err != nil {
			return fmt.Errorf("the event stream does not fit the document: %w", err)
		}
	}
	if reqErr != nil && !v.isRefusal(header, body) && !v.isProblem(status, header, body) {
		return fmt.Errorf("the request does not fit the document, yet was answered as accepted: %w", reqErr)
	}
	return nil
}

// checkUndocumented accepts an exchange on a path the document does not
// list only when it is the v1 unknown-route (or unknown-name) answer.
func (v *Validator) checkUndocumented(req *http.Request, status int, header http.Header, body []byte) error {
	if p := req.URL.Path; p != "/api" && !strings.HasPrefix(p, "/api/") {
		return fmt.Errorf("%s %s is not in the document", req.Method, p)
	}
	if strings.HasPrefix(req.URL.Path, "/api/v2/") || req.URL.Path == "/api/v2" {
		if (status == http.StatusNotFound || status == http.StatusMethodNotAllowed) && v.isProblem(status, header, body) {
			return nil
		}
		return fmt.Errorf("%s %s is not in the document, and its answer (HTTP %d) is not a v2 404 or 405 problem: %s",
			req.Method, req.URL.Path, status, body)
	}
	if status != http.StatusOK || !v.isRefusal(header, body) {
		return fmt.Errorf("%s %s is not in the document, and its answer (HTTP %d) is not a v1 refusal: %s",
			req.Method, req.URL.Path, status, body)
	}
	return nil
}

// isRefusal reports whether body is a v1 failure or http-error answer.
func (v *Validator) isRefusal(header http.Header, body []byte) bool {
	if mt, _, _ := mime.ParseMediaType(header.Get("Content-Type")); mt != "application/json" {
		return false
	}
	var val any
	if err := json.Unmarshal(body, &val); err != nil {
		return false
	}
	return v.envelopeFailure.VisitJSON(val) == nil
}

// isProblem reports whether the answer is a v2 refusal: a 4xx status with
// an RFC 9457 body whose status agrees.
func (v *Validator) isProblem(status int, header http.Header, body []byte) bool {
	if mt, _, _ := mime.ParseMediaType(header.Get("Content-Type")); mt != "application/problem+json" || status < 400 || status > 499 {
		return false
	}
	var val map[string]any
	if err := json.Unmarshal(body, &val); err != nil {
		return false
	}
	if n, ok := val["status"].(float64); !ok || int(n) != status {
		return false
	}
	return v.problem.VisitJSON(val) == nil
}

// Transport is an http.RoundTripper that checks every exchange it carries
// against the document and collects the mismatches. NewTransport reports
// them as test errors when the test ends.
type Transport struct {
	v    *Validator
	base http.RoundTripper

	mu   sync.Mutex
	errs []string
}

// NewTransport wraps base (nil: http.DefaultTransport). The mismatches it
// finds fail tb when tb ends. CORS preflight requests pass unchecked: they
// are not operations of the document.
func NewTransport(tb testing.TB, v *Validator, base http.RoundTripper) *Transport {
	if base == nil {
		base = http.DefaultTransport
	}
	tr := &Transport{v: v, base: base}
	tb.Cleanup(func() {
		for _, e := range tr.Errors() {
			tb.Errorf("OpenAPI: %s", e)
		}
	})
	return tr
}

// Errors returns the mismatches found so far.
func (tr *Transport) Errors() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string(nil), tr.errs...)
}

func (tr *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodOptions && req.Header.Get("Access-Control-Request-Method") != "" {
		return tr.base.RoundTrip(req)
	}
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = b
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	resp, err := tr.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err := tr.v.Check(req, reqBody, resp.StatusCode, resp.Header, body); err != nil {
		tr.mu.Lock()
		// The path only: a query may hold a token.
		tr.errs = append(tr.errs, fmt.Sprintf("%s %s: %v", req.Method, req.URL.Path, err))
		tr.mu.Unlock()
	}
	return resp, nil
}

func isEventStream(header http.Header) bool {
	mt, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	return mt == "text/event-stream"
}

// checkEventStream checks a text/event-stream body (as much of it as was
// read): it must be documented as such, every line must be a field the
// SSE format knows (id, event, data, retry) or a comment, and every data
// line must fit the schema the document names in the response's
// x-data-schema extension.
func (v *Validator) checkEventStream(op *openapi3.Operation, status int, body []byte) error {
	resp := op.Responses.Status(status)
	if resp == nil || resp.Value == nil || resp.Value.Content.Get("text/event-stream") == nil {
		return fmt.Errorf("HTTP %d is not documented as text/event-stream", status)
	}
	name, _ := resp.Value.Content.Get("text/event-stream").Extensions["x-data-schema"].(string)
	schema := v.Doc.Components.Schemas[name]
	if schema == nil {
		return fmt.Errorf("x-data-schema %q names no schema", name)
	}
	lines := strings.Split(string(body), "\n")
	lines = lines[:len(lines)-1] // after the last newline: empty, or a line the read cut
	for _, line := range lines {
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "", "id", "event", "retry":
		case "data":
			var val any
			if err := json.Unmarshal([]byte(value), &val); err != nil {
				return fmt.Errorf("data line is not JSON: %q", value)
			}
			if err := schema.Value.VisitJSON(val); err != nil {
				return fmt.Errorf("data %s: %w", value, err)
			}
		default:
			return fmt.Errorf("unknown field in line %q", line)
		}
	}
	return nil
}
