package memstore

import (
	"context"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

var _ ports.MinecraftNameStore = (*Store)(nil)

// minecraftNames are the Minecraft name bindings of a Store's users, kept
// under the Store's lock so that deleting a user drops its name at once.
type minecraftNames struct {
	byName map[string]int64                  // folded name -> user ID
	byUser map[int64]domain.MinecraftBinding // user ID -> binding (Username filled on read)
}

func (m *minecraftNames) drop(userID int64) {
	if b, ok := m.byUser[userID]; ok {
		delete(m.byName, domain.FoldName(b.Name))
		delete(m.byUser, userID)
	}
}

// BindMinecraftName implements ports.MinecraftNameStore.
func (s *Store) BindMinecraftName(ctx context.Context, username, name string) (domain.MinecraftBinding, error) {
	if err := ctxErr(ctx); err != nil {
		return domain.MinecraftBinding{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.lookup(username)
	if !ok {
		return domain.MinecraftBinding{}, domain.ErrUserNotFound
	}
	if s.mc.byName == nil {
		s.mc.byName, s.mc.byUser = map[string]int64{}, map[int64]domain.MinecraftBinding{}
	}
	if id, ok := s.mc.byName[domain.FoldName(name)]; ok && id != u.ID {
		return domain.MinecraftBinding{}, domain.ErrMinecraftNameTaken
	}
	s.mc.drop(u.ID)
	b := domain.MinecraftBinding{Name: name, UserID: u.ID, BoundAt: s.now()}
	s.mc.byName[domain.FoldName(name)] = u.ID
	s.mc.byUser[u.ID] = b
	b.Username = u.Username
	return b, nil
}

// MinecraftNameOf implements ports.MinecraftNameStore.
func (s *Store) MinecraftNameOf(ctx context.Context, username string) (domain.MinecraftBinding, error) {
	if err := ctxErr(ctx); err != nil {
		return domain.MinecraftBinding{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.lookup(username)
	if !ok {
		return domain.MinecraftBinding{}, domain.ErrUserNotFound
	}
	b, ok := s.mc.byUser[u.ID]
	if !ok {
		return domain.MinecraftBinding{}, domain.ErrNoMinecraftName
	}
	b.Username = u.Username
	return b, nil
}

// UnbindMinecraftName implements ports.MinecraftNameStore.
func (s *Store) UnbindMinecraftName(ctx context.Context, username string) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.lookup(username)
	if !ok {
		return domain.ErrUserNotFound
	}
	if _, ok := s.mc.byUser[u.ID]; !ok {
		return domain.ErrNoMinecraftName
	}
	s.mc.drop(u.ID)
	return nil
}

// UserByMinecraftName implements ports.MinecraftNameStore.
func (s *Store) UserByMinecraftName(ctx context.Context, name string) (domain.User, error) {
	if err := ctxErr(ctx); err != nil {
		return domain.User{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.mc.byName[domain.FoldName(name)]
	if !ok {
		return domain.User{}, domain.ErrNoMinecraftName
	}
	return clone(s.users[id]), nil
}
