package http

import (
	"context"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/instances"
)

// BackupService is what the world's backup routes need;
// *instances.Service provides it.
type BackupService interface {
	Backups(ctx context.Context, actor *domain.User) ([]domain.Backup, error)
	BackupNow(ctx context.Context, actor *domain.User) (domain.Backup, error)
	ChooseBackup(ctx context.Context, actor *domain.User, id string) (domain.Backup, error)
	RemoveBackup(ctx context.Context, actor *domain.User, id string) error
	// DeleteWorld deletes the instance; force releases it even when its
	// backup fails (POST /api/v2/instance/delete?force=true).
	DeleteWorld(ctx context.Context, actor *domain.User, force bool) error
}

var _ BackupService = (*instances.Service)(nil)

// v2Backup is a backup of the world as v2 shows it.
type v2Backup struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	SizeGiB   int       `json:"size_gib"`
	State     string    `json:"state"`
	Source    string    `json:"source"`
	Instance  string    `json:"instance"`
	// RestoreNext: an admin picked it for the next `new`.
	RestoreNext bool    `json:"restore_next"`
	Error       *string `json:"error"` // why it failed; null otherwise
}

func toV2Backup(b domain.Backup) v2Backup {
	return v2Backup{ID: b.ID, CreatedAt: b.CreatedAt.UTC(), SizeGiB: b.SizeGiB, State: string(b.State), Source: b.Source,
		Instance: b.InstanceID, RestoreNext: b.RestoreNext, Error: nonEmpty(b.Error)}
}

// backupRoutes are issue 16's block of v2Routes.
func (s *Server) backupRoutes(r chi.Router) {
	if s.backups == nil {
		return
	}
	r.With(s.v2Auth).Get("/backups", s.v2ListBackups)
	r.With(s.v2Auth).Post("/backups", s.v2CreateBackup)
	r.With(s.v2Auth).Post("/backups/{id}/restore", s.v2RestoreBackup)
	r.With(s.v2Auth).Delete("/backups/{id}", s.v2DeleteBackup)
}

// GET /api/v2/backups: every backup, newest first (any signed-in user).
func (s *Server) v2ListBackups(w http.ResponseWriter, r *http.Request) {
	list, err := s.backups.Backups(r.Context(), actorFrom(r.Context()))
	if err != nil {
		s.v2Failure(w, r, err)
		return
	}
	out := make([]v2Backup, 0, len(list))
	for _, b := range list {
		out = append(out, toV2Backup(b))
	}
	writeJSON(w, http.StatusOK, struct {
		Backups []v2Backup `json:"backups"`
	}{out})
}

// POST /api/v2/backups: back the running world up now (admin). The answer
// is the backup being made (202); GET /api/v2/backups shows it finish.
func (s *Server) v2CreateBackup(w http.ResponseWriter, r *http.Request) {
	b, err := s.backups.BackupNow(r.Context(), actorFrom(r.Context()))
	if err != nil {
		s.v2Failure(w, r, err)
		return
	}
	w.Header().Set("Location", v2Prefix+"/backups")
	writeJSON(w, http.StatusAccepted, toV2Backup(b))
}

// POST /api/v2/backups/{id}/restore: the next `new` restores this backup
// (admin); 409 when it is not ready.
func (s *Server) v2RestoreBackup(w http.ResponseWriter, r *http.Request) {
	b, err := s.backups.ChooseBackup(r.Context(), actorFrom(r.Context()), chi.URLParam(r, "id"))
	if err != nil {
		s.v2Failure(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toV2Backup(b))
}

// DELETE /api/v2/backups/{id}: the backup and its snapshot go (admin).
func (s *Server) v2DeleteBackup(w http.ResponseWriter, r *http.Request) {
	if err := s.backups.RemoveBackup(r.Context(), actorFrom(r.Context()), chi.URLParam(r, "id")); err != nil {
		s.v2Failure(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
