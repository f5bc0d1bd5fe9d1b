package http

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/users"
)

// fakeUsers is a function-field fake: each test sets what it needs; an
// unset method panics, which the server must turn into a v1 answer.
type fakeUsers struct {
	LoginFn        func(ctx context.Context, username, password string) (string, error)
	AuthenticateFn func(ctx context.Context, token string) (domain.User, error)
	CheckFn        func(ctx context.Context, username, token string) error
}

var _ UserService = (*fakeUsers)(nil)

func (f *fakeUsers) Login(ctx context.Context, u, p string) (string, error) {
	return f.LoginFn(ctx, u, p)
}
func (f *fakeUsers) Authenticate(ctx context.Context, t string) (domain.User, error) {
	return f.AuthenticateFn(ctx, t)
}
func (f *fakeUsers) Check(ctx context.Context, u, t string) error { return f.CheckFn(ctx, u, t) }
func (f *fakeUsers) Register(context.Context, *domain.User, users.NewUser) (domain.User, error) {
	panic("unexpected Register")
}
func (f *fakeUsers) Get(context.Context, *domain.User, string) (domain.User, error) {
	panic("unexpected Get")
}
func (f *fakeUsers) List(context.Context, *domain.User, int, int) ([]domain.User, error) {
	panic("unexpected List")
}
func (f *fakeUsers) Count(context.Context) (int, error) { panic("boom") }
func (f *fakeUsers) Delete(context.Context, *domain.User, []string) (users.DeleteResult, error) {
	panic("unexpected Delete")
}
func (f *fakeUsers) Alter(context.Context, *domain.User, string, users.Changes) (domain.User, error) {
	panic("unexpected Alter")
}
func (f *fakeUsers) ChangePassword(context.Context, *domain.User, string, string) error {
	panic("unexpected ChangePassword")
}
func (f *fakeUsers) MayManage(actor *domain.User) error {
	if actor == nil || !actor.IsAdmin() {
		return domain.ErrPermissionDenied
	}
	return nil
}

func multipartBody(t *testing.T, fields map[string]string) (string, *bytes.Buffer) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), &b
}

// TestParameterSources proves a login reads its parameters from every body
// the original accepted, and that a Bearer header names the token.
func TestParameterSources(t *testing.T) {
	mpType, mpBody := multipartBody(t, map[string]string{"type": "auth", "username": "steve", "password": "pw"})
	tests := []struct {
		name        string
		contentType string
		body        string
		want        string
	}{
		{"json", "application/json", `{"type":"auth","username":"steve","password":"pw"}`, `{"status": "ok", "data": "tok"}` + "\n"},
		{"json without content type", "", `{"type":"auth","username":"steve","password":"pw"}`, `{"status": "ok", "data": "tok"}` + "\n"},
		{"form", "application/x-www-form-urlencoded", "type=auth&username=steve&password=pw", `{"status": "ok", "data": "tok"}` + "\n"},
		{"json labelled as a form (curl -d)", "application/x-www-form-urlencoded", `{"type":"auth","username":"steve","password":"pw"}`, `{"status": "ok", "data": "tok"}` + "\n"},
		{"multipart", mpType, mpBody.String(), `{"status": "ok", "data": "tok"}` + "\n"},
		{"broken json", "application/json", `{"type":`, `{"status": "error", "msg": "Parse error."}` + "\n"},
		{"json list", "application/json", `["auth"]`, `{"status": "error", "msg": "Parse error."}` + "\n"},
		{"empty body", "application/json", ``, `{"status": "error", "msg": "Not enough argument. Details: type"}` + "\n"},
		{"null type", "application/json", `{"type":null}`, `{"status": "error", "msg": "Not enough argument. Details: type"}` + "\n"},
	}
	srv := New(Options{Users: &fakeUsers{LoginFn: func(_ context.Context, u, p string) (string, error) {
		if u != "steve" || p != "pw" {
			return "", domain.ErrWrongPassword
		}
		return "tok", nil
	}}})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/api/user/v1/auth", strings.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || rec.Body.String() != tt.want {
				t.Errorf("got %d %q, want 200 %q", rec.Code, rec.Body.String(), tt.want)
			}
		})
	}
}

func TestBearerWinsOverBodyToken(t *testing.T) {
	var seen string
	srv := New(Options{Users: &fakeUsers{CheckFn: func(_ context.Context, _, tok string) error { seen = tok; return nil }}})
	req := httptest.NewRequest(http.MethodPost, "/api/user/v1/auth", strings.NewReader(`{"type":"check","username":"steve","token":"body"}`))
	req.Header.Set("Authorization", "Bearer header")
	srv.ServeHTTP(httptest.NewRecorder(), req)
	if seen != "header" {
		t.Errorf("token used = %q, want the Bearer one", seen)
	}
}

func TestHTTPErrors(t *testing.T) {
	srv := New(Options{Users: &fakeUsers{}})
	tests := []struct {
		name, method, path string
		wantCode           int
		wantBody           string
	}{
		{"api health probe", "GET", "/api", 200, `{"error": "NOT_FOUND", "code": 404, "status": "http-error"}` + "\n"},
		{"unknown api route", "GET", "/api/user/v1/nothing", 200, `{"error": "NOT_FOUND", "code": 404, "status": "http-error"}` + "\n"},
		{"wrong method under api", "GET", "/api/user/v1/auth", 200, `{"error": "NOT_FOUND", "code": 404, "status": "http-error"}` + "\n"},
		{"outside api", "GET", "/nothing", 404, `{"error": "NOT_FOUND", "code": 404, "status": "http-error"}` + "\n"},
		{"handler panic", "GET", "/api/user/v1/get/count", 200, `{"error": "INTERNAL_SERVER_ERROR", "code": 500, "status": "http-error"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			if rec.Code != tt.wantCode || rec.Body.String() != tt.wantBody {
				t.Errorf("got %d %q, want %d %q", rec.Code, rec.Body.String(), tt.wantCode, tt.wantBody)
			}
			if rec.Header().Get("X-Request-Id") == "" {
				t.Error("no X-Request-Id on the answer")
			}
		})
	}
}

func TestCORS(t *testing.T) {
	srv := New(Options{Users: &fakeUsers{CheckFn: func(context.Context, string, string) error { return nil }},
		AllowedOrigins: []string{"https://ui.example"}})
	tests := []struct {
		name, method, origin string
		wantAllow            string
	}{
		{"preflight allowed", http.MethodOptions, "https://ui.example", "https://ui.example"},
		{"preflight other origin", http.MethodOptions, "https://evil.example", ""},
		{"post allowed", http.MethodPost, "https://ui.example", "https://ui.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "/api/user/v1/auth", strings.NewReader(`{"type":"check","username":"a","token":"b"}`))
			req.Header.Set("Origin", tt.origin)
			if tt.method == http.MethodOptions {
				req.Header.Set("Access-Control-Request-Method", "POST")
				req.Header.Set("Access-Control-Request-Headers", "content-type")
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if got := rec.Header().Get("Access-Control-Allow-Origin"); got != tt.wantAllow {
				t.Errorf("Allow-Origin = %q, want %q", got, tt.wantAllow)
			}
			if tt.method == http.MethodOptions && rec.Code >= 300 {
				t.Errorf("preflight answered %d", rec.Code)
			}
		})
	}
}

func TestRequestIDFromCaller(t *testing.T) {
	srv := New(Options{Users: &fakeUsers{}})
	for _, tt := range []struct{ sent, want string }{{"abc-123", "abc-123"}, {"bad id\n", ""}} {
		req := httptest.NewRequest("GET", "/api", nil)
		req.Header.Set("X-Request-Id", tt.sent)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		got := rec.Header().Get("X-Request-Id")
		if tt.want != "" && got != tt.want || tt.want == "" && (got == tt.sent || got == "") {
			t.Errorf("sent %q, answered %q", tt.sent, got)
		}
	}
}
