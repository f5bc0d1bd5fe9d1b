// Package memstore keeps seatide's data in memory. It is safe for concurrent
// use and passes the same contract suites (ports/portstest) as the SQL
// stores, so services can be tested against it without a database.
package memstore

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

var _ ports.UserStore = (*Store)(nil)

// ErrUnavailable wraps the context's error when a call comes with a context
// that has already ended, as the SQL stores do (same code and message, so
// errors.Is matches either store's sentinel).
var ErrUnavailable = domain.Errorf(domain.CodeUnavailable, "database unavailable")

func ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return domain.Wrap(ErrUnavailable, err)
	}
	return nil
}

// Store is an in-memory ports.UserStore. The zero value is not usable; call New.
type Store struct {
	clock ports.Clock

	mu          sync.Mutex
	nextID      int64
	users       map[int64]domain.User     // by ID
	byName      map[string]int64          // folded username -> ID
	byMail      map[string]int64          // folded email -> ID
	mc          minecraftNames            // Minecraft name bindings (minecraftnames.go)
	tokens      map[int64]domain.APIToken // by ID; made on first use (apitokens.go)
	nextTokenID int64
	stamp       int64 // bumped by every user write (UsersStamp)
}

// New returns an empty store stamping times with clock (ports.SystemClock
// when nil).
func New(clock ports.Clock) *Store {
	if clock == nil {
		clock = ports.SystemClock{}
	}
	return &Store{
		clock:  clock,
		nextID: 1,
		users:  make(map[int64]domain.User),
		byName: make(map[string]int64),
		byMail: make(map[string]int64),
	}
}

// now is the clock's time in UTC, cut to microseconds like the SQL stores.
func (s *Store) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// clone returns a copy sharing no memory with u, without the fields that
// describe a credential rather than the account (they are not stored).
func clone(u domain.User) domain.User {
	u.Scope, u.TokenID = "", 0
	if u.Nickname != nil {
		n := *u.Nickname
		u.Nickname = &n
	}
	return u
}

// CreateUser implements ports.UserStore.
func (s *Store) CreateUser(ctx context.Context, u domain.User) (domain.User, error) {
	if err := ctxErr(ctx); err != nil {
		return domain.User{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byName[domain.FoldName(u.Username)]; ok {
		return domain.User{}, domain.ErrUsernameTaken
	}
	if _, ok := s.byMail[domain.FoldName(u.Email)]; ok {
		return domain.User{}, domain.ErrEmailTaken
	}
	u = clone(u)
	u.ID = s.nextID
	s.nextID++
	now := s.now()
	if u.CreatedAt.IsZero() {
		u.CreatedAt = now
	} else {
		u.CreatedAt = u.CreatedAt.UTC().Truncate(time.Microsecond)
	}
	u.UpdatedAt = now
	s.put(u)
	s.stamp++
	return clone(u), nil
}

func (s *Store) put(u domain.User) {
	s.users[u.ID] = u
	s.byName[domain.FoldName(u.Username)] = u.ID
	s.byMail[domain.FoldName(u.Email)] = u.ID
}

func (s *Store) remove(u domain.User) {
	delete(s.users, u.ID)
	delete(s.byName, domain.FoldName(u.Username))
	delete(s.byMail, domain.FoldName(u.Email))
}

// lookup finds a user by name; the caller holds mu.
func (s *Store) lookup(username string) (domain.User, bool) {
	id, ok := s.byName[domain.FoldName(username)]
	if !ok {
		return domain.User{}, false
	}
	return s.users[id], true
}

// UserByName implements ports.UserStore.
func (s *Store) UserByName(ctx context.Context, username string) (domain.User, error) {
	if err := ctxErr(ctx); err != nil {
		return domain.User{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.lookup(username)
	if !ok {
		return domain.User{}, domain.ErrUserNotFound
	}
	return clone(u), nil
}

// UpdateUser implements ports.UserStore. fn runs on a copy under the store's
// lock, so it must not call back into the store.
func (s *Store) UpdateUser(ctx context.Context, username string, fn func(u *domain.User) error) (domain.User, error) {
	if err := ctxErr(ctx); err != nil {
		return domain.User{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.lookup(username)
	if !ok {
		return domain.User{}, domain.ErrUserNotFound
	}
	u := clone(old)
	if err := fn(&u); err != nil {
		return domain.User{}, err
	}
	u = clone(u) // fn may have kept a pointer to the nickname
	u.ID, u.CreatedAt = old.ID, old.CreatedAt
	if id, ok := s.byName[domain.FoldName(u.Username)]; ok && id != old.ID {
		return domain.User{}, domain.ErrUsernameTaken
	}
	if id, ok := s.byMail[domain.FoldName(u.Email)]; ok && id != old.ID {
		return domain.User{}, domain.ErrEmailTaken
	}
	u.UpdatedAt = s.now()
	s.remove(old)
	s.put(u)
	s.stamp++
	return clone(u), nil
}

// DeleteUser implements ports.UserStore.
func (s *Store) DeleteUser(ctx context.Context, username string) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.lookup(username)
	if !ok {
		return domain.ErrUserNotFound
	}
	s.remove(u)
	s.mc.drop(u.ID)
	s.dropTokensOf(u.ID)
	s.stamp++
	return nil
}

// ListUsers implements ports.UserStore. A negative offset counts as zero and
// a limit below one gives an empty list.
func (s *Store) ListUsers(ctx context.Context, offset, limit int) ([]domain.User, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]int64, 0, len(s.users))
	for id := range s.users {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	offset = max(offset, 0)
	out := []domain.User{}
	for i := offset; i < len(ids) && len(out) < limit; i++ {
		out = append(out, clone(s.users[ids[i]]))
	}
	return out, nil
}

// CountUsers implements ports.UserStore.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	if err := ctxErr(ctx); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.users), nil
}

// UsersStamp implements ports.UserStore.
func (s *Store) UsersStamp(ctx context.Context) (int64, error) {
	if err := ctxErr(ctx); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stamp, nil
}
