package http

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/seatidemc/seatide/domain"
)

// TestUserActionOrder pins the order of v1's refusals on the admin actions:
// token, then the type, then the service's admin rule, and only then the
// arguments. A member who leaves an argument out is refused, not told
// which argument is missing.
func TestUserActionOrder(t *testing.T) {
	const (
		denied  = `{"status": "ng", "msg": "Permission denied."}` + "\n"
		invalid = `{"status": "error", "msg": "Invalid action."}` + "\n"
	)
	srv := New(Options{Users: &fakeUsers{AuthenticateFn: func(_ context.Context, tok string) (domain.User, error) {
		if tok == "admin" {
			return domain.User{Username: "admin", Group: domain.GroupAdmin}, nil
		}
		return domain.User{Username: "steve", Group: domain.GroupStd}, nil
	}}})
	tests := []struct{ name, body, want string }{
		{"no type", `{"token":"steve"}`, `{"status": "error", "msg": "Not enough argument. Details: type"}` + "\n"},
		{"unknown type", `{"type":"fly","token":"steve"}`, invalid},
		{"no token", `{"type":"get","username":"x"}`, `{"status": "error", "msg": "Not enough argument. Details: token"}` + "\n"},
		{"member, arguments missing", `{"type":"get","token":"steve"}`, denied},
		{"member, delete without a list", `{"type":"delete","token":"steve"}`, denied},
		{"admin, arguments missing", `{"type":"alter","token":"admin"}`, `{"status": "error", "msg": "Not enough argument. Details: username, toAlter"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/user/v1/action", strings.NewReader(tt.body)))
			if rec.Code != http.StatusOK || rec.Body.String() != tt.want {
				t.Errorf("got %d %q, want 200 %q", rec.Code, rec.Body.String(), tt.want)
			}
		})
	}
}
