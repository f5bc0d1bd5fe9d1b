package memstore

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

var _ ports.APITokenStore = (*Store)(nil)

func cloneToken(t domain.APIToken) domain.APIToken {
	t.Scopes = slices.Clone(t.Scopes)
	return t
}

// dropTokensOf deletes a user's tokens, as the SQL stores' foreign key
// does; the caller holds mu.
func (s *Store) dropTokensOf(userID int64) {
	for id, t := range s.tokens {
		if t.UserID == userID {
			delete(s.tokens, id)
		}
	}
}

// CreateAPIToken implements ports.APITokenStore.
func (s *Store) CreateAPIToken(ctx context.Context, t domain.APIToken) (domain.APIToken, error) {
	if err := ctxErr(ctx); err != nil {
		return domain.APIToken{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[t.UserID]; !ok {
		return domain.APIToken{}, domain.ErrUserNotFound
	}
	if s.tokens == nil {
		s.tokens = make(map[int64]domain.APIToken)
	}
	for _, o := range s.tokens {
		if o.Hash == t.Hash {
			return domain.APIToken{}, domain.Errorf(domain.CodeConflict, "API token hash already stored")
		}
	}
	s.nextTokenID++
	t = cloneToken(t)
	t.ID = s.nextTokenID
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.now()
	}
	t.CreatedAt = t.CreatedAt.UTC().Truncate(time.Microsecond)
	t.ExpiresAt = t.ExpiresAt.UTC().Truncate(time.Microsecond)
	t.LastUsedAt = time.Time{}
	s.tokens[t.ID] = t
	return cloneToken(t), nil
}

// APITokenByHash implements ports.APITokenStore.
func (s *Store) APITokenByHash(ctx context.Context, hash string) (domain.APIToken, domain.User, error) {
	if err := ctxErr(ctx); err != nil {
		return domain.APIToken{}, domain.User{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		if t.Hash == hash {
			u, ok := s.users[t.UserID]
			if !ok {
				break
			}
			return cloneToken(t), clone(u), nil
		}
	}
	return domain.APIToken{}, domain.User{}, domain.ErrAPITokenNotFound
}

// APITokens implements ports.APITokenStore.
func (s *Store) APITokens(ctx context.Context, userID int64) ([]domain.APIToken, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []domain.APIToken{}
	for _, t := range s.tokens {
		if t.UserID == userID {
			out = append(out, cloneToken(t))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// APITokenByID implements ports.APITokenStore.
func (s *Store) APITokenByID(ctx context.Context, id int64) (domain.APIToken, error) {
	if err := ctxErr(ctx); err != nil {
		return domain.APIToken{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[id]
	if !ok {
		return domain.APIToken{}, domain.ErrAPITokenNotFound
	}
	return cloneToken(t), nil
}

// DeleteAPIToken implements ports.APITokenStore.
func (s *Store) DeleteAPIToken(ctx context.Context, id int64) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tokens[id]; !ok {
		return domain.ErrAPITokenNotFound
	}
	delete(s.tokens, id)
	return nil
}

// TouchAPIToken implements ports.APITokenStore.
func (s *Store) TouchAPIToken(ctx context.Context, id int64, at time.Time) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[id]
	if !ok {
		return domain.ErrAPITokenNotFound
	}
	t.LastUsedAt = at.UTC().Truncate(time.Microsecond)
	s.tokens[id] = t
	return nil
}
