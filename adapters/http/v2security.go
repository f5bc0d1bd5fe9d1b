package http

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/users"
)

// AccountService is what the v2 account routes need beyond UserService:
// the admin's user list and the API tokens of bots and scripts.
// *users.Service provides it.
type AccountService interface {
	Users(ctx context.Context, actor *domain.User, page, size int) ([]domain.User, error)
	MintAPIToken(ctx context.Context, actor *domain.User, n users.NewAPIToken) (domain.APIToken, string, error)
	APITokens(ctx context.Context, actor *domain.User) ([]domain.APIToken, error)
	RevokeAPIToken(ctx context.Context, actor *domain.User, id int64) error
}

var _ AccountService = (*users.Service)(nil)

// v2AccountRoutes: sign-in for scripts, the admin's approval of accounts,
// and API tokens (issue 17).
func (s *Server) v2AccountRoutes(r chi.Router) {
	r.Post("/sessions", s.v2Login)
	r.Group(func(r chi.Router) {
		r.Use(s.v2Auth)
		r.Get("/users", s.v2ListUsers)
		r.Patch("/users/{username}", s.v2PatchUser)
		r.Delete("/users/{username}", s.v2DeleteUser)
		r.Post("/tokens", s.v2MintToken)
		r.Get("/tokens", s.v2ListTokens)
		r.Delete("/tokens/{id}", s.v2RevokeToken)
	})
}

// POST /api/v2/sessions: a password for a login token, throttled like v1.
func (s *Server) v2Login(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.v2Failure(w, r, err)
		return
	}
	tok, err := s.users.Login(r.Context(), in.Username, in.Password)
	if err != nil {
		s.v2Failure(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, struct {
		Token string `json:"token"`
	}{tok})
}

// v2Account is a user as the admin's list shows it: whether it may spend.
type v2Account struct {
	v2User
	Approved bool `json:"approved"`
}

func toV2Account(u domain.User) v2Account { return v2Account{toV2User(u), u.Approved()} }

// GET /api/v2/users?page=0&size=50 (admin)
func (s *Server) v2ListUsers(w http.ResponseWriter, r *http.Request) {
	page, size := 0, 50
	for _, q := range []struct {
		name string
		v    *int
	}{{"page", &page}, {"size", &size}} {
		if raw := r.URL.Query().Get(q.name); raw != "" {
			n, err := strconv.Atoi(raw)
			if err != nil {
				s.v2Failure(w, r, domain.Invalid(q.name))
				return
			}
			*q.v = n
		}
	}
	list, err := s.accounts.Users(r.Context(), actorFrom(r.Context()), page, size)
	if err != nil {
		if domain.ErrorCode(err) == domain.CodeInvalid {
			err = domain.Invalid(map[string]string{"page": "page", "pagin": "size"}[firstField(err)])
		}
		s.v2Failure(w, r, err)
		return
	}
	out := make([]v2Account, 0, len(list))
	for _, u := range list {
		out = append(out, toV2Account(u))
	}
	writeJSON(w, http.StatusOK, struct {
		Users []v2Account `json:"users"`
		Page  int         `json:"page"`
		Size  int         `json:"size"`
	}{out, page, size})
}

func firstField(err error) string {
	if f := domain.ErrorFields(err); len(f) > 0 {
		return f[0]
	}
	return ""
}

// PATCH /api/v2/users/{username} {"approved": true, "group": "std"} (admin)
func (s *Server) v2PatchUser(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Approved *bool   `json:"approved"`
		Group    *string `json:"group"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.v2Failure(w, r, err)
		return
	}
	c := users.Changes{Approved: in.Approved}
	if in.Group != nil {
		g := domain.Group(*in.Group)
		c.Group = &g
	}
	u, err := s.users.Alter(r.Context(), actorFrom(r.Context()), chi.URLParam(r, "username"), c)
	if err != nil {
		s.v2Failure(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toV2Account(u))
}

// DELETE /api/v2/users/{username} (admin)
func (s *Server) v2DeleteUser(w http.ResponseWriter, r *http.Request) {
	if _, err := s.users.Delete(r.Context(), actorFrom(r.Context()), []string{chi.URLParam(r, "username")}); err != nil {
		s.v2Failure(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// v2Token is an API token as listed: never its secret, which only the
// answer that minted it carries.
type v2Token struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Scopes     []string   `json:"scopes"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

func toV2Token(t domain.APIToken) v2Token {
	out := v2Token{ID: t.ID, Name: t.Name, Scopes: make([]string, 0, len(t.Scopes)), CreatedAt: t.CreatedAt.UTC(),
		ExpiresAt: t.ExpiresAt.UTC()}
	for _, sc := range t.Scopes {
		out.Scopes = append(out.Scopes, string(sc))
	}
	if !t.LastUsedAt.IsZero() {
		at := t.LastUsedAt.UTC()
		out.LastUsedAt = &at
	}
	return out
}

// POST /api/v2/tokens {"name", "scopes", "expires_in"}: the token once.
func (s *Server) v2MintToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name      string   `json:"name"`
		Scopes    []string `json:"scopes"`
		ExpiresIn *int64   `json:"expires_in"` // seconds
	}
	if err := decodeJSON(r, &in); err != nil {
		s.v2Failure(w, r, err)
		return
	}
	n := users.NewAPIToken{Name: in.Name, Scopes: in.Scopes}
	if in.ExpiresIn != nil {
		if *in.ExpiresIn <= 0 || *in.ExpiresIn > int64(domain.APITokenTTLMax/time.Second) {
			s.v2Failure(w, r, domain.Invalid("expires_in"))
			return
		}
		n.ExpiresIn = time.Duration(*in.ExpiresIn) * time.Second
	}
	t, secret, err := s.accounts.MintAPIToken(r.Context(), actorFrom(r.Context()), n)
	if err != nil {
		s.v2Failure(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, struct {
		v2Token
		Token string `json:"token"`
	}{toV2Token(t), secret})
}

// GET /api/v2/tokens: the caller's tokens, with their last use.
func (s *Server) v2ListTokens(w http.ResponseWriter, r *http.Request) {
	list, err := s.accounts.APITokens(r.Context(), actorFrom(r.Context()))
	if err != nil {
		s.v2Failure(w, r, err)
		return
	}
	out := make([]v2Token, 0, len(list))
	for _, t := range list {
		out = append(out, toV2Token(t))
	}
	writeJSON(w, http.StatusOK, struct {
		Tokens []v2Token `json:"tokens"`
	}{out})
}

// DELETE /api/v2/tokens/{id}: revoke (one's own; an admin, anyone's).
func (s *Server) v2RevokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		s.v2Failure(w, r, domain.ErrAPITokenNotFound)
		return
	}
	if err := s.accounts.RevokeAPIToken(r.Context(), actorFrom(r.Context()), id); err != nil {
		s.v2Failure(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
