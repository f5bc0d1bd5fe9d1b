package http

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// v2Server answers the token "good" as steve, "old" as expired and any
// other token as forged.
func v2Server() *Server {
	steve := domain.User{ID: 7, Username: "steve", Email: "steve@example.com", Group: domain.GroupStd,
		CreatedAt: time.Date(2026, 11, 24, 14, 30, 0, 0, time.UTC)}
	return New(Options{Users: &fakeUsers{AuthenticateFn: func(_ context.Context, t string) (domain.User, error) {
		switch t {
		case "good":
			return steve, nil
		case "old":
			return domain.User{}, domain.ErrTokenExpired
		}
		return domain.User{}, domain.ErrTokenInvalid
	}}})
}

func TestV2Foundation(t *testing.T) {
	tests := []struct {
		name, method, path, auth string
		status                   int
		problemType              string // "" for a success
		body                     string // a success body, compared whole
		wwwAuthenticate          bool
	}{
		{name: "me", method: "GET", path: "/api/v2/me", auth: "Bearer good", status: 200,
			body: `{"id":7,"username":"steve","email":"steve@example.com","group":"std","nickname":null,"created_at":"2026-11-24T14:30:00Z","approved":true}`},
		{name: "me, scheme in lower case", method: "GET", path: "/api/v2/me", auth: "bearer good", status: 200,
			body: `{"id":7,"username":"steve","email":"steve@example.com","group":"std","nickname":null,"created_at":"2026-11-24T14:30:00Z","approved":true}`},
		{name: "no token", method: "GET", path: "/api/v2/me", status: 401, problemType: "unauthenticated", wwwAuthenticate: true},
		{name: "token in the URL is not a token", method: "GET", path: "/api/v2/me?token=good", status: 401,
			problemType: "unauthenticated", wwwAuthenticate: true},
		{name: "empty bearer", method: "GET", path: "/api/v2/me", auth: "Bearer ", status: 401, problemType: "unauthenticated", wwwAuthenticate: true},
		{name: "basic auth", method: "GET", path: "/api/v2/me", auth: "Basic Z29vZDp4", status: 401, problemType: "unauthenticated", wwwAuthenticate: true},
		{name: "forged", method: "GET", path: "/api/v2/me", auth: "Bearer forged", status: 401, problemType: "unauthenticated", wwwAuthenticate: true},
		{name: "expired", method: "GET", path: "/api/v2/me", auth: "Bearer old", status: 401, problemType: "expired", wwwAuthenticate: true},
		{name: "unknown resource", method: "GET", path: "/api/v2/nothing", auth: "Bearer good", status: 404, problemType: "not-found"},
		{name: "the prefix alone", method: "GET", path: "/api/v2", status: 404, problemType: "not-found"},
		{name: "method not allowed", method: "DELETE", path: "/api/v2/me", auth: "Bearer good", status: 405, problemType: "method-not-allowed"},
	}
	srv := v2Server()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if got := rec.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", got)
			}
			if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q, want nosniff", got)
			}
			if got := rec.Header().Get("WWW-Authenticate") != ""; got != tt.wwwAuthenticate {
				t.Errorf("WWW-Authenticate present %v, want %v", got, tt.wwwAuthenticate)
			}
			if tt.problemType == "" {
				if got := strings.TrimSpace(rec.Body.String()); got != tt.body {
					t.Errorf("body\n%s\nwant\n%s", got, tt.body)
				}
				checkOpenAPI(t, req, "", rec)
				return
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("Content-Type %q, want application/problem+json", ct)
			}
			var p problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
				t.Fatal(err)
			}
			if p.Type != problemTypeBase+tt.problemType || p.Status != tt.status || p.Title == "" ||
				p.Instance != req.URL.Path {
				t.Errorf("problem %+v, want type %s, status %d, instance %s", p, tt.problemType, tt.status, req.URL.Path)
			}
			if strings.Contains(rec.Body.String(), "good") || strings.Contains(rec.Body.String(), "forged") {
				t.Errorf("the answer repeats the token: %s", rec.Body)
			}
			if tt.path == "/api/v2/me" {
				checkOpenAPI(t, req, "", rec)
			}
		})
	}
}

// TestV2FailureHidesInternals: a domain error's message is the detail; an
// internal error's cause never leaves the process.
func TestV2FailureHidesInternals(t *testing.T) {
	tests := []struct {
		err        error
		status     int
		detail     string
		fields     []string
		wantLogged bool
	}{
		{domain.Invalid("name"), 400, "Invalid argument.", []string{"name"}, false},
		{domain.ErrPermissionDenied, 403, "Permission denied.", nil, false},
		{domain.ErrInstanceExists, 409, "", nil, false},
		{domain.Internal(errSecret, "reading the store"), 500, "", nil, true},
		{errSecret, 500, "", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			var logs strings.Builder
			srv := New(Options{Users: &fakeUsers{}, Logger: newTestLogger(&logs)})
			req := httptest.NewRequest("GET", "/api/v2/x", nil)
			rec := httptest.NewRecorder()
			srv.v2Failure(rec, req, tt.err)
			var p problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
				t.Fatal(err)
			}
			if rec.Code != tt.status || p.Status != tt.status {
				t.Errorf("status %d/%d, want %d", rec.Code, p.Status, tt.status)
			}
			if tt.detail != "" && p.Detail != tt.detail {
				t.Errorf("detail %q, want %q", p.Detail, tt.detail)
			}
			if strings.Join(p.Fields, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("fields %v, want %v", p.Fields, tt.fields)
			}
			if strings.Contains(rec.Body.String(), "s3cret") {
				t.Errorf("the cause leaked: %s", rec.Body)
			}
			if got := strings.Contains(logs.String(), "s3cret"); got != tt.wantLogged {
				t.Errorf("cause logged %v, want %v: %s", got, tt.wantLogged, logs.String())
			}
		})
	}
}

var errSecret = &secretErr{}

type secretErr struct{}

func (*secretErr) Error() string { return "dsn root:s3cret@tcp(db)" }

func TestDecodeJSON(t *testing.T) {
	type body struct {
		Name string `json:"name"`
	}
	tests := []struct {
		name, contentType, body string
		ok                      bool
	}{
		{"object", "application/json", `{"name": "x"}`, true},
		{"with charset", "application/json; charset=utf-8", `{"name": "x"}`, true},
		{"unknown field", "application/json", `{"nmae": "x"}`, false},
		{"form", "application/x-www-form-urlencoded", `name=x`, false},
		{"two objects", "application/json", `{"name": "x"}{"name": "y"}`, false},
		{"wrong type", "application/json", `{"name": 1}`, false},
		{"not json", "application/json", `{`, false},
		{"empty", "application/json", ``, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/api/v2/x", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.contentType)
			var b body
			err := decodeJSON(req, &b)
			if (err == nil) != tt.ok {
				t.Fatalf("err %v, want ok %v", err, tt.ok)
			}
			if err != nil && domain.ErrorCode(err) != domain.CodeInvalid {
				t.Errorf("code %s, want invalid", domain.ErrorCode(err))
			}
		})
	}
}

var _ http.Handler = (*Server)(nil)

func newTestLogger(w *strings.Builder) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

// TestConsoleRoute: the console answers page paths; API paths and the
// operational routes never reach it, even when not served here.
func TestConsoleRoute(t *testing.T) {
	console := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("console")) })
	srv := New(Options{Users: &fakeUsers{}, Console: console})
	tests := []struct {
		path        string
		wantConsole bool
	}{
		{"/", true}, {"/history", true}, {"/assets/index.js", true},
		{"/api/nothing", false}, {"/api/v2/nothing", false}, {"/metrics", false}, {"/healthz", false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.path, nil))
			if got := rec.Body.String() == "console"; got != tt.wantConsole {
				t.Errorf("served by the console %v, want %v: %d %s", got, tt.wantConsole, rec.Code, rec.Body)
			}
		})
	}
}
