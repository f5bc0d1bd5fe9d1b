package http

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/seatidemc/seatide/adapters/http/openapitest"
	"github.com/seatidemc/seatide/adapters/memstore"
)

// openAPI loads and validates the document once for the whole test binary.
var openAPI = sync.OnceValues(func() (*openapitest.Validator, error) {
	return openapitest.New(OpenAPI())
})

func loadOpenAPI(t *testing.T) *openapitest.Validator {
	t.Helper()
	v, err := openAPI()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// checkOpenAPI fails t when an exchange served through a recorder does not
// fit the document, so the handler tests check the document too.
func checkOpenAPI(t *testing.T, req *http.Request, reqBody string, rec *httptest.ResponseRecorder) {
	t.Helper()
	if err := loadOpenAPI(t).Check(req, []byte(reqBody), rec.Code, rec.Header(), rec.Body.Bytes()); err != nil {
		t.Errorf("OpenAPI: %s %s: %v", req.Method, req.URL.Path, err)
	}
}

// fullServer is the router with every service present, so it serves every
// route it can.
func fullServer() *Server {
	return New(Options{Users: &fakeUsers{}, Instances: fakeInstances{}, Billing: &fakeBillingSvc{}, Minecraft: &fakeNames{}, Accounts: fakeAccounts{}, Backups: &fakeBackups{},
		Events:   hubOver(&memstore.Events{}, 1),
		Settings: func() any { return map[string]any{} },
		Metrics:  http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Header().Set("Content-Type", "text/plain") })})
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	v := loadOpenAPI(t)
	if v.Doc.OpenAPI[:2] != "3." {
		t.Errorf("openapi %q, want 3.x", v.Doc.OpenAPI)
	}
}

// TestOpenAPIDocumentsEveryRoute: every route the router serves is in the
// document and every documented operation is served, except the ones
// listed below on purpose.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	// Documented but not served yet: routes other engineers are adding
	// (issue 10 and its siblings). Each is reported; once one is served the
	// test fails until it is taken off this list, so the list only shrinks.
	notYetServed := []string{}
	// Documented on purpose though no route serves it: the unknown-route
	// answer that the v1 web UI probes as its health check.
	notFoundAnswers := []string{"GET /api"}

	v := loadOpenAPI(t)
	var documented []string
	for path, item := range v.Doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	sort.Strings(documented)

	// A served route matches a documented operation when the methods agree
	// and the path fits the route's pattern: describe/{name} is documented
	// name by name, each with its own answer.
	var served []string
	if err := chi.Walk(fullServer().router, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		served = append(served, method+" "+route)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sort.Strings(served)
	matches := func(route, op string) bool {
		rs, os := strings.Split(route, "/"), strings.Split(op, "/")
		if len(rs) != len(os) {
			return false
		}
		for i := range rs {
			if rs[i] != os[i] && !(strings.HasPrefix(rs[i], "{") && os[i] != "") {
				return false
			}
		}
		return true
	}

	for _, route := range served {
		if !slices.ContainsFunc(documented, func(op string) bool { return matches(route, op) }) {
			t.Errorf("%s is served but not in adapters/http/openapi.yaml: document it", route)
		}
	}
	for _, op := range documented {
		isServed := slices.ContainsFunc(served, func(route string) bool { return matches(route, op) })
		switch {
		case slices.Contains(notYetServed, op) && isServed:
			t.Errorf("%s is served now: remove it from notYetServed in %s", op, "adapters/http/openapi_test.go")
		case slices.Contains(notYetServed, op):
			t.Logf("documented, not served yet: %s", op)
		case slices.Contains(notFoundAnswers, op) && isServed:
			t.Errorf("%s is a route now: remove it from notFoundAnswers", op)
		case slices.Contains(notFoundAnswers, op):
		case !isServed:
			t.Errorf("%s is in the document but not served: remove it, or list it in notYetServed with why", op)
		}
	}
	for _, op := range append(slices.Clone(notYetServed), notFoundAnswers...) {
		if !slices.Contains(documented, op) {
			t.Errorf("%s is listed as an exception but not in the document", op)
		}
	}
}

// TestOpenAPIServedAnswers checks the answers of the routes that have no
// end-to-end test of their own against the document: the document itself
// and the not-found answer the web UI probes.
func TestOpenAPIServedAnswers(t *testing.T) {
	v := loadOpenAPI(t)
	srv := httptest.NewServer(fullServer())
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: openapitest.NewTransport(t, v, nil)}

	tests := []struct {
		path, wantType, wantBody string
	}{
		{"/api/openapi.yaml", "application/yaml", openAPIYAML},
		{"/api", "application/json", `{"error": "NOT_FOUND", "code": 404, "status": "http-error"}` + "\n"},
		{"/api/ecs/v1/describe/nope", "application/json", `{"status": "error", "msg": "Invalid action."}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := client.Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != tt.wantType || string(body) != tt.wantBody {
				t.Errorf("HTTP %d %s %.200q, want 200 %s %.200q", resp.StatusCode, resp.Header.Get("Content-Type"), body, tt.wantType, tt.wantBody)
			}
		})
	}
}

// TestOpenAPICatchesDrift proves the checks can fail: answers that differ
// from the document in shape, text, header or status are reported.
func TestOpenAPICatchesDrift(t *testing.T) {
	v := loadOpenAPI(t)
	get := func(path string) *http.Request { return httptest.NewRequest(http.MethodGet, path, nil) }
	post := func(path, body string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		return r
	}
	jsonHeader := func(id string) http.Header {
		h := http.Header{"Content-Type": {"application/json"}}
		if id != "" {
			h.Set("X-Request-Id", id)
		}
		return h
	}
	tests := []struct {
		name    string
		req     *http.Request
		reqBody string
		status  int
		header  http.Header
		body    string
		wantErr bool
	}{
		{"count as documented", get("/api/user/v1/get/count"), "", 200, jsonHeader("r1"), `{"status": "ok", "data": 2}`, false},
		{"count as a string", get("/api/user/v1/get/count"), "", 200, jsonHeader("r1"), `{"status": "ok", "data": "2"}`, true},
		{"no request id", get("/api/user/v1/get/count"), "", 200, jsonHeader(""), `{"status": "ok", "data": 2}`, true},
		{"HTTP 404", get("/api/user/v1/get/count"), "", 404, jsonHeader("r1"), `{"status": "ok", "data": 2}`, true},
		{"ok without data", get("/api/ecs/v1/describe/available"), "", 200, jsonHeader("r1"), `{"status": "ok"}`, true},
		{"failure with data", get("/api/ecs/v1/describe/available"), "", 200, jsonHeader("r1"), `{"status": "ng", "msg": "Request error.", "data": null}`, true},
		{"a text that is not v1's", get("/api/ecs/v1/describe/status"), "", 200, jsonHeader("r1"), `{"status": "ng", "msg": "No instance."}`, true},
		{"a v1 text with details", get("/api/ecs/v1/describe/status"), "", 200, jsonHeader("r1"), `{"status": "ng", "msg": "Request error. Details: The cloud is throttling requests."}`, false},
		{"user with a password", post("/api/user/v1/action", `{"type":"get","username":"a"}`), `{"type":"get","username":"a"}`, 200, jsonHeader("r1"),
			`{"status": "ok", "data": {"id": 1, "created_at": "2026-01-01 00:00:00", "username": "a", "email": "a@b", "group": "std", "nickname": null, "password": "x"}}`, true},
		{"bad request refused", post("/api/user/v1/auth", `{"type":"nope"}`), `{"type":"nope"}`, 200, jsonHeader("r1"), `{"status": "error", "msg": "Invalid action."}`, false},
		{"bad request accepted", post("/api/user/v1/auth", `{"type":"nope"}`), `{"type":"nope"}`, 200, jsonHeader("r1"), `{"status": "ok", "data": null}`, true},
		{"unknown route refused", get("/api/nope"), "", 200, jsonHeader("r1"), `{"error": "NOT_FOUND", "code": 404, "status": "http-error"}`, false},
		{"unknown route answered", get("/api/nope"), "", 200, jsonHeader("r1"), `{"status": "ok", "data": null}`, true},
		{"outside /api", get("/nope"), "", 404, jsonHeader("r1"), `{"error": "NOT_FOUND", "code": 404, "status": "http-error"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := v.Check(tt.req, []byte(tt.reqBody), tt.status, tt.header, []byte(tt.body))
			if (err != nil) != tt.wantErr {
				t.Errorf("Check = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}
