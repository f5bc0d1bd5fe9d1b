package users

import (
	"context"
	"sync"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// DefaultKnownUsers bounds how many users one process keeps for token
// checks: every account of a small community.
const DefaultKnownUsers = 4096

// knownUsers keeps the users that token checks found, so that a check
// reads no user from the store. It trusts its copies for at most delay
// after a read of the store's users change stamp (ports.UserStore.UsersStamp)
// began: when the stamp has moved, every copy is dropped. So a deletion, a
// password change or a demotion made on any replica takes effect here
// within delay, at the cost of one one-row read per delay instead of one
// user read per check.
//
// Why a change can never hide for longer: a copy is used at time t only if
// the stamp read that began at r > t-delay found the stamp it was loaded
// under. A change committed before r moved the stamp that read saw; one
// committed after r is older than delay only after t. A copy loaded before
// a drop and stored after it is discarded (gen), so a drop is never undone.
type knownUsers struct {
	store ports.UserStore
	clock ports.Clock
	delay time.Duration
	max   int

	reading chan struct{} // one stamp read at a time; the others wait for it

	mu      sync.RWMutex
	users   map[string]domain.User // by domain.FoldName(username)
	gen     uint64                 // bumped whenever users is dropped
	stamp   int64
	read    bool      // stamp was read at least once
	trusted time.Time // users are trusted before this instant
}

func newKnownUsers(store ports.UserStore, clock ports.Clock, delay time.Duration, max int) *knownUsers {
	if max <= 0 {
		max = DefaultKnownUsers
	}
	return &knownUsers{
		store: store, clock: clock, delay: delay, max: max,
		reading: make(chan struct{}, 1),
		users:   make(map[string]domain.User),
	}
}

// user returns the user named name as the store had it at most delay ago.
// Store errors (ErrUserNotFound included) are returned as they are.
func (k *knownUsers) user(ctx context.Context, name string) (domain.User, error) {
	if err := k.fresh(ctx); err != nil {
		return domain.User{}, err
	}
	key := domain.FoldName(name)
	k.mu.RLock()
	u, ok := k.users[key]
	gen := k.gen
	k.mu.RUnlock()
	if ok {
		return cloneUser(u), nil
	}
	u, err := k.store.UserByName(ctx, name)
	if err != nil {
		return domain.User{}, err
	}
	k.mu.Lock()
	if k.gen == gen {
		if len(k.users) >= k.max {
			k.dropLocked()
		} else {
			k.users[key] = cloneUser(u)
		}
	}
	k.mu.Unlock()
	return u, nil
}

// fresh makes sure the copies are trusted now, reading the stamp when the
// last read began delay ago or more.
func (k *knownUsers) fresh(ctx context.Context) error {
	if k.trustedAt(k.clock.Now()) {
		return nil
	}
	select {
	case k.reading <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-k.reading }()
	begun := k.clock.Now()
	if k.trustedAt(begun) { // another caller read it while this one waited
		return nil
	}
	stamp, err := k.store.UsersStamp(ctx)
	if err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.read || stamp != k.stamp {
		k.dropLocked()
		k.stamp, k.read = stamp, true
	}
	k.trusted = begun.Add(k.delay)
	return nil
}

func (k *knownUsers) trustedAt(now time.Time) bool {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.read && now.Before(k.trusted)
}

// drop forgets every copy: this process changed a user and its own next
// check must not wait for the stamp to say so.
func (k *knownUsers) drop() {
	k.mu.Lock()
	k.dropLocked()
	k.mu.Unlock()
}

func (k *knownUsers) dropLocked() {
	clear(k.users)
	k.gen++
}

func cloneUser(u domain.User) domain.User {
	if u.Nickname != nil {
		n := *u.Nickname
		u.Nickname = &n
	}
	return u
}
