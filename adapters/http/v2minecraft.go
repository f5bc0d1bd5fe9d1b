package http

import (
	"context"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/seatidemc/seatide/domain"
)

// MinecraftNameService binds Minecraft player names to users, for the
// front door's wake on join; *frontdoor.Names provides it.
type MinecraftNameService interface {
	Bind(ctx context.Context, actor *domain.User, username, name string) (domain.MinecraftBinding, error)
	Get(ctx context.Context, actor *domain.User, username string) (domain.MinecraftBinding, error)
	Unbind(ctx context.Context, actor *domain.User, username string) error
}

// minecraftRoutes: the caller's own name under /me, anyone's (admins, or
// the user themself) under /users/{username}.
func (s *Server) minecraftRoutes(r chi.Router) {
	self := func(r *http.Request) string { return actorFrom(r.Context()).Username }
	named := func(r *http.Request) string { return chi.URLParam(r, "username") }
	for path, who := range map[string]func(*http.Request) string{"/me/minecraft": self, "/users/{username}/minecraft": named} {
		r.With(s.v2Auth).Get(path, s.v2GetMinecraft(who))
		r.With(s.v2Auth).Put(path, s.v2PutMinecraft(who))
		r.With(s.v2Auth).Delete(path, s.v2DeleteMinecraft(who))
	}
}

// v2Minecraft is a binding as v2 shows it.
type v2Minecraft struct {
	Name     string    `json:"name"`
	Username string    `json:"username"`
	BoundAt  time.Time `json:"bound_at"`
}

func toV2Minecraft(b domain.MinecraftBinding) v2Minecraft {
	return v2Minecraft{Name: b.Name, Username: b.Username, BoundAt: b.BoundAt.UTC()}
}

func (s *Server) v2GetMinecraft(who func(*http.Request) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, err := s.minecraft.Get(r.Context(), actorFrom(r.Context()), who(r))
		if err != nil {
			s.v2Failure(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toV2Minecraft(b))
	}
}

func (s *Server) v2PutMinecraft(who func(*http.Request) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Name *string `json:"name"`
		}
		if err := decodeJSON(r, &body); err != nil {
			s.v2Failure(w, r, err)
			return
		}
		if body.Name == nil {
			s.v2Failure(w, r, domain.Invalid("name"))
			return
		}
		b, err := s.minecraft.Bind(r.Context(), actorFrom(r.Context()), who(r), *body.Name)
		if err != nil {
			s.v2Failure(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toV2Minecraft(b))
	}
}

func (s *Server) v2DeleteMinecraft(who func(*http.Request) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := s.minecraft.Unbind(r.Context(), actorFrom(r.Context()), who(r)); err != nil {
			s.v2Failure(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}
