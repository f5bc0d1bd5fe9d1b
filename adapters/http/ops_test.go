package http

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/domain"
)

func TestHealthz(t *testing.T) {
	// A failing check must not touch liveness.
	srv := New(Options{Users: &fakeUsers{}, Checks: []Check{{"database", func(context.Context) error { return errors.New("down") }}}})
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != 200 || rec.Body.String() != `{"status":"ok"}`+"\n" || rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("got %d %q %q", rec.Code, rec.Body.String(), rec.Header().Get("Content-Type"))
	}
}

func TestReadyz(t *testing.T) {
	ok := func(context.Context) error { return nil }
	tests := []struct {
		name     string
		checks   []Check
		wantCode int
		want     string
		noLeak   string
	}{
		{"no checks", nil, 200, `{"status":"ready","checks":{}}`, ""},
		{"all ok", []Check{{"database", ok}, {"migrations", ok}, {"cloud", ok}}, 200,
			`{"status":"ready","checks":{"cloud":"ok","database":"ok","migrations":"ok"}}`, ""},
		{"domain error shows its message", []Check{{"database", ok},
			{"migrations", func(context.Context) error {
				return domain.Wrap(domain.Errorf(domain.CodeUnavailable, "schema version 3, want 4"), errors.New("secret detail"))
			}}}, 503,
			`{"status":"not ready","checks":{"database":"ok","migrations":"schema version 3, want 4"}}`, "secret detail"},
		{"foreign error is hidden", []Check{{"database", func(context.Context) error {
			return errors.New("dial tcp db.internal:3306: password=hunter2")
		}}}, 503, `{"status":"not ready","checks":{"database":"failed"}}`, "hunter2"},
		{"hung check times out", []Check{{"database", func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		}}}, 503, `{"status":"not ready","checks":{"database":"timed out"}}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			srv := New(Options{Users: &fakeUsers{}, Checks: tt.checks, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodGet, "/readyz", nil)
			if tt.name == "hung check times out" {
				// The route's own timeout is 2s; a shorter request deadline
				// ends the check sooner, the same way.
				ctx, cancel := context.WithTimeout(req.Context(), 50*time.Millisecond)
				defer cancel()
				req = req.WithContext(ctx)
			}
			srv.ServeHTTP(rec, req)
			if rec.Code != tt.wantCode || rec.Body.String() != tt.want+"\n" {
				t.Errorf("got %d %q, want %d %q", rec.Code, rec.Body.String(), tt.wantCode, tt.want)
			}
			if tt.noLeak != "" && strings.Contains(rec.Body.String(), tt.noLeak) {
				t.Errorf("answer leaks %q", tt.noLeak)
			}
			if tt.wantCode != 200 && !strings.Contains(logs.String(), "not ready") {
				t.Errorf("the failure was not logged: %s", logs.String())
			}
		})
	}
}

type observed struct {
	route, method string
	status        int
	outcome       string
}

func TestObserveRequestByRoutePattern(t *testing.T) {
	var mu sync.Mutex
	var got []observed
	var logs bytes.Buffer
	srv := New(Options{
		Users:     &fakeUsers{CheckFn: func(context.Context, string, string) error { return nil }},
		Instances: fakeInstances{},
		Logger:    slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Metrics:   http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("m 1\n")) }),
		ObserveRequest: func(route, method string, status int, outcome string, elapsed time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, observed{route, method, status, outcome})
		},
	})
	tests := []struct {
		method, path, body string
		want               observed
	}{
		{"POST", "/api/user/v1/auth", `{"type":"check","username":"a","token":"b"}`, observed{"/api/user/v1/auth", "POST", 200, "ok"}},
		// A handler panic answers as v1 did: HTTP 200 with an http-error body.
		{"GET", "/api/user/v1/get/count", "", observed{"/api/user/v1/get/count", "GET", 200, "http-error"}},
		{"GET", "/api/ecs/v1/describe/ip-of-some-server", "", observed{"/api/ecs/v1/describe/{name}", "GET", 200, "error"}},
		{"GET", "/api/user/v1/no/such/thing", "", observed{UnmatchedRoute, "GET", 200, "http-error"}},
		{"GET", "/random/path/12345", "", observed{UnmatchedRoute, "GET", 404, "http-error"}},
		{"BREW", "/api/user/v1/auth", "", observed{UnmatchedRoute, "OTHER", 200, "http-error"}},
		{"GET", "/healthz", "", observed{"/healthz", "GET", 200, "2xx"}},
		{"GET", "/metrics", "", observed{"/metrics", "GET", 200, "2xx"}},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
		req.Header.Set("X-Request-Id", "req-"+tt.method)
		srv.ServeHTTP(httptest.NewRecorder(), req)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != len(tests) {
		t.Fatalf("observed %d requests, want %d: %+v", len(got), len(tests), got)
	}
	for i, tt := range tests {
		if got[i] != tt.want {
			t.Errorf("%s %s: observed %+v, want %+v", tt.method, tt.path, got[i], tt.want)
		}
	}
	// Every request line names its request id.
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if m["msg"] == "request" && (m["request_id"] == nil || !strings.HasPrefix(m["request_id"].(string), "req-")) {
			t.Errorf("request line without the request id: %s", line)
		}
	}
}

// The id reaches the services through the context, as domain reads it.
func TestRequestIDReachesServices(t *testing.T) {
	var seen string
	srv := New(Options{Users: &fakeUsers{CheckFn: func(ctx context.Context, _, _ string) error {
		seen = domain.RequestIDFrom(ctx)
		return nil
	}}})
	req := httptest.NewRequest(http.MethodPost, "/api/user/v1/auth", strings.NewReader(`{"type":"check","username":"a","token":"b"}`))
	req.Header.Set("X-Request-Id", "caller-7")
	srv.ServeHTTP(httptest.NewRecorder(), req)
	if seen != "caller-7" {
		t.Errorf("service saw request id %q", seen)
	}
}
