package http

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/seatidemc/seatide/domain"
)

// The v2 API is seatide's own resource API: real HTTP status codes, RFC 9457
// problem+json failures (v2problem.go), JSON bodies, Bearer tokens only (a
// token in a URL ends up in logs and browser history), every route in
// openapi.yaml. v1 stays frozen beside it.

const v2Prefix = "/api/v2"

func isV2(r *http.Request) bool {
	return r.URL.Path == v2Prefix || strings.HasPrefix(r.URL.Path, v2Prefix+"/")
}

// v2Routes mounts the v2 resources. Each issue's routes go in their own
// block so that parallel work merges cleanly.
func (s *Server) v2Routes(r chi.Router) {
	r.Use(v2Headers)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.markUnmatched(r)
		writeProblem(w, r, http.StatusNotFound, "not-found", "Not found.", "No such resource: "+r.URL.Path)
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, http.StatusMethodNotAllowed, "method-not-allowed", "Method not allowed.",
			r.Method+" is not allowed on "+r.URL.Path)
	})

	// The signed-in caller.
	r.With(s.v2Auth).Get("/me", s.v2Me)

	// The console's cookie session (v2session.go).
	r.Post("/session", s.v2SignIn)
	r.Delete("/session", s.v2SignOut)

	// The game server (v2instance.go).
	if s.instances != nil {
		r.Group(func(r chi.Router) {
			r.Use(s.v2Auth)
			r.Get("/instance", s.v2Instance)
			r.Post("/instance/{action}", s.v2InstanceAction)
			r.Get("/server", s.v2Server)
			r.Get("/history", s.v2History)
			r.Get("/cost", s.v2Cost)
			r.Get("/price", s.v2Price)
		})
	}
	if s.billing != nil {
		r.With(s.v2Auth).Get("/account", s.v2Account)
	}

	// The console's settings page (admin): the effective configuration,
	// secrets hidden, as app gives it.
	if s.settings != nil {
		r.With(s.v2Auth).Get("/settings", s.v2Settings)
	}

	// Sign-in for scripts, approval of accounts, API tokens (issue 17).
	if s.accounts != nil {
		s.v2AccountRoutes(r)
	}

	// The world's backups (issue 16).
	s.backupRoutes(r)

	// Events and notifications (issue 18).
	if s.events != nil {
		r.With(s.v2Auth).Get("/events", s.v2Events)
	}
	r.With(s.v2Auth).Get("/webhooks", s.v2Webhooks)

	// Minecraft names for the front door's wake on join (issue 19).
	if s.minecraft != nil {
		s.minecraftRoutes(r)
	}
}

// v2Headers keeps v2 answers out of shared caches and stops browsers from
// guessing their type: they carry account data.
func v2Headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

const actorKey ctxKey = iota + 100

// v2Auth requires a Bearer token and puts the caller in the context.
func (s *Server) v2Auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearerToken(r)
		if !ok {
			var csrfOK bool
			if token, csrfOK = sessionToken(r); !csrfOK {
				writeProblem(w, r, http.StatusForbidden, "csrf", "Permission denied.",
					"A signed-in page must send its X-CSRF-Token with this request.")
				return
			}
			ok = token != ""
		}
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="seatide"`)
			writeProblem(w, r, http.StatusUnauthorized, "unauthenticated", "Sign in first.",
				"Send the token as Authorization: Bearer <token>, or sign in with POST /api/v2/session.")
			return
		}
		u, err := s.users.Authenticate(r.Context(), token)
		if err != nil {
			s.v2Failure(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), actorKey, &u)))
	})
}

// actorFrom returns the caller that v2Auth put in the context; nil on
// routes that do not require one.
func actorFrom(ctx context.Context) *domain.User {
	u, _ := ctx.Value(actorKey).(*domain.User)
	return u
}

func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if len(h) < 7 || !strings.EqualFold(h[:7], "bearer ") {
		return "", false
	}
	t := strings.TrimSpace(h[7:])
	return t, t != ""
}

// errBody is a v2 request body that is not the JSON object the route takes.
var errBody = domain.Errorf(domain.CodeInvalid, "the body must be a JSON object of the documented shape")

// decodeJSON reads a v2 request body into v: JSON only, bounded, unknown
// fields refused (a typo must not be silently ignored).
func decodeJSON(r *http.Request, v any) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return domain.WithFields(errBody, "Content-Type")
	}
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var unknown *json.UnmarshalTypeError
		if errors.As(err, &unknown) && unknown.Field != "" {
			return domain.WithFields(errBody, unknown.Field)
		}
		return errBody
	}
	if _, err := dec.Token(); err != io.EOF {
		return errBody
	}
	return nil
}

// v2User is a user as v2 shows it.
type v2User struct {
	ID        int64     `json:"id"`
	Username  string    `json:"username"`
	Email     string    `json:"email"`
	Group     string    `json:"group"`
	Nickname  *string   `json:"nickname"`
	CreatedAt time.Time `json:"created_at"`
}

func toV2User(u domain.User) v2User {
	return v2User{ID: u.ID, Username: u.Username, Email: u.Email, Group: string(u.Group), Nickname: u.Nickname,
		CreatedAt: u.CreatedAt.UTC()}
}

// v2Me answers GET /api/v2/me: who the token belongs to.
func (s *Server) v2Me(w http.ResponseWriter, r *http.Request) {
	// With approval (users.signup), the caller's page explains why it may
	// not spend yet.
	writeJSON(w, http.StatusOK, toV2Account(*actorFrom(r.Context())))
}

// GET /api/v2/settings (admin): the effective configuration with secrets
// hidden. Admin-only is a rule of this route alone: the configuration is
// not a domain object, and app hides the secrets before it gets here.
func (s *Server) v2Settings(w http.ResponseWriter, r *http.Request) {
	if !actorFrom(r.Context()).IsAdmin() {
		s.v2Failure(w, r, domain.ErrPermissionDenied)
		return
	}
	writeJSON(w, http.StatusOK, s.settings())
}
