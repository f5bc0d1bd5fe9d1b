package http

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// fakeNames binds names in a map and lets only the user themself or an
// admin touch a binding, as frontdoor.Names does.
type fakeNames struct{ byUser map[string]string }

var boundAt = time.Date(2026, 12, 5, 1, 0, 0, 0, time.UTC)

func (f *fakeNames) allowed(actor *domain.User, username string) error {
	if actor.IsAdmin() || actor.Username == username {
		return nil
	}
	return domain.ErrPermissionDenied
}

func (f *fakeNames) Bind(_ context.Context, actor *domain.User, username, name string) (domain.MinecraftBinding, error) {
	if err := f.allowed(actor, username); err != nil {
		return domain.MinecraftBinding{}, err
	}
	if err := domain.ValidateMinecraftName(name); err != nil {
		return domain.MinecraftBinding{}, err
	}
	for u, n := range f.byUser {
		if strings.EqualFold(n, name) && u != username {
			return domain.MinecraftBinding{}, domain.ErrMinecraftNameTaken
		}
	}
	f.byUser[username] = name
	return domain.MinecraftBinding{Name: name, Username: username, BoundAt: boundAt}, nil
}

func (f *fakeNames) Get(_ context.Context, actor *domain.User, username string) (domain.MinecraftBinding, error) {
	if err := f.allowed(actor, username); err != nil {
		return domain.MinecraftBinding{}, err
	}
	n, ok := f.byUser[username]
	if !ok {
		return domain.MinecraftBinding{}, domain.ErrNoMinecraftName
	}
	return domain.MinecraftBinding{Name: n, Username: username, BoundAt: boundAt}, nil
}

func (f *fakeNames) Unbind(_ context.Context, actor *domain.User, username string) error {
	if err := f.allowed(actor, username); err != nil {
		return err
	}
	if _, ok := f.byUser[username]; !ok {
		return domain.ErrNoMinecraftName
	}
	delete(f.byUser, username)
	return nil
}

// TestV2MinecraftRoutes runs one sequence: each step sees what the earlier
// ones bound.
func TestV2MinecraftRoutes(t *testing.T) {
	users := map[string]domain.User{
		"steve": {ID: 1, Username: "steve", Group: domain.GroupStd},
		"alex":  {ID: 2, Username: "alex", Group: domain.GroupStd},
		"root":  {ID: 3, Username: "root", Group: domain.GroupAdmin},
	}
	srv := New(Options{Users: &fakeUsers{AuthenticateFn: func(_ context.Context, tok string) (domain.User, error) {
		if u, ok := users[tok]; ok {
			return u, nil
		}
		return domain.User{}, domain.ErrTokenInvalid
	}}, Minecraft: &fakeNames{byUser: map[string]string{}}})
	const bound = `{"name":"Steve","username":"steve","bound_at":"2026-12-05T01:00:00Z"}`
	steps := []struct {
		name, token, method, path, body string
		status                          int
		want                            string // a success body, or the problem type
		documented                      bool   // the request fits the document (bad input does not)
	}{
		{"none yet", "steve", "GET", "/api/v2/me/minecraft", "", 404, "not-found", true},
		{"bind", "steve", "PUT", "/api/v2/me/minecraft", `{"name": "Steve"}`, 200, bound, true},
		{"get", "steve", "GET", "/api/v2/me/minecraft", "", 200, bound, true},
		{"taken by another, in another case", "alex", "PUT", "/api/v2/me/minecraft", `{"name": "STEVE"}`, 409, "conflict", true},
		{"too short", "alex", "PUT", "/api/v2/me/minecraft", `{"name": "ab"}`, 400, "invalid", false},
		{"too long", "alex", "PUT", "/api/v2/me/minecraft", `{"name": "abcdefghijklmnopq"}`, 400, "invalid", false},
		{"a space", "alex", "PUT", "/api/v2/me/minecraft", `{"name": "St eve"}`, 400, "invalid", false},
		{"no name", "alex", "PUT", "/api/v2/me/minecraft", `{}`, 400, "invalid", false},
		{"unknown field", "alex", "PUT", "/api/v2/me/minecraft", `{"name": "Alex", "uuid": "x"}`, 400, "invalid", false},
		{"another user's, as a member", "alex", "GET", "/api/v2/users/steve/minecraft", "", 403, "forbidden", true},
		{"another user's, as an admin", "root", "GET", "/api/v2/users/steve/minecraft", "", 200, bound, true},
		{"an admin binds for alex", "root", "PUT", "/api/v2/users/alex/minecraft", `{"name": "Alex"}`, 200,
			`{"name":"Alex","username":"alex","bound_at":"2026-12-05T01:00:00Z"}`, true},
		{"no token", "", "GET", "/api/v2/me/minecraft", "", 401, "unauthenticated", true},
		{"unbind", "steve", "DELETE", "/api/v2/me/minecraft", "", 204, "", true},
		{"unbind again", "steve", "DELETE", "/api/v2/me/minecraft", "", 404, "not-found", true},
	}
	for _, st := range steps {
		req := httptest.NewRequest(st.method, st.path, strings.NewReader(st.body))
		if st.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if st.token != "" {
			req.Header.Set("Authorization", "Bearer "+st.token)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != st.status {
			t.Fatalf("%s: status %d, want %d: %s", st.name, rec.Code, st.status, rec.Body)
		}
		got := strings.TrimSpace(rec.Body.String())
		switch {
		case st.status < 300 && got != st.want:
			t.Errorf("%s: body %s, want %s", st.name, got, st.want)
		case st.status >= 400 && !strings.Contains(got, `"type":"`+problemTypeBase+st.want+`"`):
			t.Errorf("%s: problem %s, want type %s", st.name, got, st.want)
		}
		if st.documented {
			checkOpenAPI(t, req, st.body, rec)
		}
	}
}
