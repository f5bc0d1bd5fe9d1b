package memstore

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// Backups is an in-memory ports.BackupStore; the zero value is ready.
type Backups struct {
	mu   sync.Mutex
	rows map[string]domain.Backup
}

var _ ports.BackupStore = (*Backups)(nil)

func (s *Backups) SaveBackup(ctx context.Context, b domain.Backup) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	if b.ID == "" || len(b.ID) > 64 {
		return domain.Invalid("id")
	}
	if b.CreatedAt.IsZero() {
		return domain.Invalid("created_at")
	}
	if b.UpdatedAt.IsZero() {
		b.UpdatedAt = b.CreatedAt
	}
	b.CreatedAt = b.CreatedAt.UTC().Truncate(time.Microsecond)
	b.UpdatedAt = b.UpdatedAt.UTC().Truncate(time.Microsecond)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rows == nil {
		s.rows = map[string]domain.Backup{}
	}
	s.rows[b.ID] = b
	return nil
}

func (s *Backups) Backup(ctx context.Context, id string) (domain.Backup, error) {
	if err := ctxErr(ctx); err != nil {
		return domain.Backup{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.rows[id]
	if !ok {
		return domain.Backup{}, domain.ErrNoBackup
	}
	return b, nil
}

func (s *Backups) Backups(ctx context.Context) ([]domain.Backup, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]domain.Backup, 0, len(s.rows))
	for _, b := range s.rows {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.After(out[j].CreatedAt)
		}
		return out[i].ID > out[j].ID
	})
	return out, nil
}

func (s *Backups) DeleteBackup(ctx context.Context, id string) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.rows[id]; !ok {
		return domain.ErrNoBackup
	}
	delete(s.rows, id)
	return nil
}
