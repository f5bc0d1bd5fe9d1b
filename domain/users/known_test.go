package users_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/memstore"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/users"
	"github.com/seatidemc/seatide/ports"
	"github.com/seatidemc/seatide/ports/portstest"
)

// countingStore counts the reads a token check may cost, and can fail the
// stamp read.
type countingStore struct {
	ports.UserStore
	byName, stamps atomic.Int64
	stampErr       error
}

func (c *countingStore) UserByName(ctx context.Context, name string) (domain.User, error) {
	c.byName.Add(1)
	return c.UserStore.UserByName(ctx, name)
}

func (c *countingStore) UsersStamp(ctx context.Context) (int64, error) {
	c.stamps.Add(1)
	if c.stampErr != nil {
		return 0, c.stampErr
	}
	return c.UserStore.UsersStamp(ctx)
}

const delay = time.Second

// replicas are two services sharing one store, as two processes share one
// database, each with its own copies of the users.
type replicas struct {
	a, b   *users.Service
	storeA *countingStore
	clock  *portstest.ManualClock
	admin  *domain.User
}

func newReplicas(t *testing.T) *replicas {
	t.Helper()
	clock := portstest.NewManualClock(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	shared := memstore.New(clock)
	tokens := &fakeTokens{clock: clock}
	r := &replicas{storeA: &countingStore{UserStore: shared}, clock: clock}
	opts := users.Options{RevocationDelay: delay}
	r.a = users.New(r.storeA, &fakeHasher{}, tokens, clock, opts)
	r.b = users.New(shared, &fakeHasher{}, tokens, clock, opts)
	ctx := context.Background()
	admin, err := r.b.CreateAccount(ctx, users.NewUser{Username: "admin", Password: "adminpass", Email: "admin@example.com"}, domain.GroupAdmin)
	if err != nil {
		t.Fatal(err)
	}
	r.admin = &admin
	for _, n := range []users.NewUser{
		{Username: "steve", Password: "stevepass", Email: "steve@example.com"},
		{Username: "alex", Password: "alexpass", Email: "alex@example.com"},
	} {
		if _, err := r.b.CreateAccount(ctx, n, domain.GroupAdmin); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func (r *replicas) login(t *testing.T, name, pw string) string {
	t.Helper()
	tok, err := r.a.Login(context.Background(), name, pw)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// Changes made on replica b reach replica a's checks within the delay, and
// not a moment later; a's checks meanwhile read no user from the store.
func TestRevocationReachesOtherReplicaWithinDelay(t *testing.T) {
	demote := domain.GroupStd
	tests := []struct {
		name   string
		change func(ctx context.Context, r *replicas) error
		// wantErr is what a's check says once the delay is over; nil
		// means the token still works but the user is no admin.
		wantErr error
	}{
		{"deleted", func(ctx context.Context, r *replicas) error {
			_, err := r.b.Delete(ctx, r.admin, []string{"steve"})
			return err
		}, domain.ErrTokenInvalid},
		{"password changed", func(ctx context.Context, r *replicas) error {
			return r.b.ChangePassword(ctx, r.admin, "steve", "newpassword")
		}, domain.ErrTokenInvalid},
		{"demoted", func(ctx context.Context, r *replicas) error {
			_, err := r.b.Alter(ctx, r.admin, "steve", users.Changes{Group: &demote})
			return err
		}, nil},
		{"changed in the store directly (command line)", func(ctx context.Context, r *replicas) error {
			_, err := r.storeA.UserStore.UpdateUser(ctx, "steve", func(u *domain.User) error { u.TokenVersion++; return nil })
			return err
		}, domain.ErrTokenInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			r := newReplicas(t)
			steve, alex := r.login(t, "steve", "stevepass"), r.login(t, "alex", "alexpass")
			reads := r.storeA.byName.Load() // the logins' own reads
			for range 100 {
				for _, tok := range []string{steve, alex} {
					if u, err := r.a.Authenticate(ctx, tok); err != nil || !u.IsAdmin() {
						t.Fatalf("before the change: %+v, %v", u, err)
					}
				}
			}
			if got := r.storeA.byName.Load() - reads; got != 2 {
				t.Errorf("200 checks of 2 users read %d users from the store, want 2", got)
			}
			if got := r.storeA.stamps.Load(); got != 1 {
				t.Errorf("200 checks within the delay read the stamp %d times, want 1", got)
			}

			r.clock.Add(delay / 2)
			if err := tt.change(ctx, r); err != nil {
				t.Fatal(err)
			}
			// Within the delay a may still accept: that is the promise's slack.
			r.clock.Add(delay / 2)
			u, err := r.a.Authenticate(ctx, steve)
			if !errors.Is(err, tt.wantErr) || tt.wantErr == nil && u.IsAdmin() {
				t.Fatalf("one delay after the change: %+v, %v; want %v and no admin", u, err, tt.wantErr)
			}
			if u, err := r.a.Authenticate(ctx, alex); err != nil || !u.IsAdmin() {
				t.Fatalf("an unchanged user lost access: %+v, %v", u, err)
			}
		})
	}
}

// A change made through a replica takes effect on that replica's next check.
func TestRevocationOnOwnReplicaIsImmediate(t *testing.T) {
	ctx := context.Background()
	r := newReplicas(t)
	steve := r.login(t, "steve", "stevepass")
	if _, err := r.a.Authenticate(ctx, steve); err != nil {
		t.Fatal(err)
	}
	if err := r.a.ChangePassword(ctx, r.admin, "steve", "newpassword"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.a.Authenticate(ctx, steve); !errors.Is(err, domain.ErrTokenInvalid) {
		t.Fatalf("got %v, want ErrTokenInvalid with no time passed", err)
	}
}

// When the stamp cannot be read, a check fails rather than trust old copies.
func TestRevocationStampUnreadableFailsClosed(t *testing.T) {
	ctx := context.Background()
	r := newReplicas(t)
	steve := r.login(t, "steve", "stevepass")
	if _, err := r.a.Authenticate(ctx, steve); err != nil {
		t.Fatal(err)
	}
	r.storeA.stampErr = domain.Internal(errors.New("database gone"), "stamp")
	r.clock.Add(delay)
	if _, err := r.a.Authenticate(ctx, steve); err == nil || errors.Is(err, domain.ErrTokenInvalid) {
		t.Fatalf("got %v, want the store's error", err)
	}
}

// With no delay every check reads its user, as before the copies existed.
func TestRevocationDelayZeroReadsEveryTime(t *testing.T) {
	ctx := context.Background()
	clock := portstest.NewManualClock(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	store := &countingStore{UserStore: memstore.New(clock)}
	svc := users.New(store, &fakeHasher{}, &fakeTokens{clock: clock}, clock, users.Options{})
	if _, err := svc.CreateAccount(ctx, users.NewUser{Username: "steve", Password: "stevepass", Email: "steve@example.com"}, domain.GroupStd); err != nil {
		t.Fatal(err)
	}
	tok, err := svc.Login(ctx, "steve", "stevepass")
	if err != nil {
		t.Fatal(err)
	}
	before := store.byName.Load()
	for range 3 {
		if _, err := svc.Authenticate(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	if got := store.byName.Load() - before; got != 3 || store.stamps.Load() != 0 {
		t.Errorf("3 checks: %d user reads, %d stamp reads; want 3 and 0", got, store.stamps.Load())
	}
}
