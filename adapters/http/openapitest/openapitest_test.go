package openapitest_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/seatidemc/seatide/adapters/http/openapitest"
)

const doc = `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /api/count:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                oneOf:
                  - type: object
                    required: [status, data]
                    additionalProperties: false
                    properties:
                      status: {type: string, enum: [ok]}
                      data: {type: integer}
                  - $ref: '#/components/schemas/Failure'
                  - $ref: '#/components/schemas/HTTPError'
components:
  schemas:
    Failure:
      type: object
      required: [status, msg]
      properties:
        status: {type: string, enum: [ng, error]}
        msg: {type: string}
    HTTPError:
      type: object
      required: [error, code, status]
      properties:
        error: {type: string}
        code: {type: integer}
        status: {type: string, enum: [http-error]}
    Problem:
      type: object
      required: [type, title, status]
      properties:
        type: {type: string}
        title: {type: string}
        status: {type: integer}
`

// recorder is a testing.TB whose errors and cleanups the test reads.
type recorder struct {
	testing.TB
	errs     []string
	cleanups []func()
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }

// TestTransportReportsMismatches proves the transport passes answers
// through unchanged and fails the test at its end for each mismatch.
func TestTransportReportsMismatches(t *testing.T) {
	v, err := openapitest.New([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	answers := map[string]string{
		"/api/count":   `{"status": "ok", "data": "2"}`, // a string where the document says integer
		"/api/nothing": `{"error": "NOT_FOUND", "code": 404, "status": "http-error"}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, answers[r.URL.Path])
	}))
	t.Cleanup(srv.Close)

	rec := &recorder{TB: t}
	client := &http.Client{Transport: openapitest.NewTransport(rec, v, nil)}
	for path, want := range answers {
		resp, err := client.Get(srv.URL + path + "?token=secret")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != want {
			t.Errorf("%s: the caller read %q, want %q", path, body, want)
		}
	}
	if len(rec.errs) != 0 {
		t.Fatalf("reported before the test ended: %v", rec.errs)
	}
	for _, f := range rec.cleanups {
		f()
	}
	if len(rec.errs) != 1 || !strings.Contains(rec.errs[0], "GET /api/count") || !strings.Contains(rec.errs[0], "must be an integer") {
		t.Errorf("reported %q, want one mismatch for GET /api/count", rec.errs)
	}
	for _, e := range rec.errs {
		if strings.Contains(e, "secret") {
			t.Errorf("a report shows the query's token: %s", e)
		}
	}
}
