package sqlstore_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/sqlstore"
	"github.com/seatidemc/seatide/adapters/sqlstore/sqltest"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/users"
	"github.com/seatidemc/seatide/ports/portstest"
)

// plainHasher stands in for argon2id: these tests are about the database.
type plainHasher struct{}

func (plainHasher) Hash(_ context.Context, pw string) (string, error) { return "plain$" + pw, nil }
func (plainHasher) Verify(_ context.Context, hash, pw string) (bool, bool, error) {
	return hash == "plain$"+pw, false, nil
}

// listTokens is a token service shared by the replicas (as one secret is):
// a token is the index of its claims.
type listTokens struct {
	mu     sync.Mutex
	issued []domain.TokenClaims
}

func (l *listTokens) Issue(_ context.Context, c domain.TokenClaims) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.issued = append(l.issued, c)
	return strconv.Itoa(len(l.issued) - 1), nil
}

func (l *listTokens) Verify(_ context.Context, tok string) (domain.TokenClaims, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	i, err := strconv.Atoi(tok)
	if err != nil || i < 0 || i >= len(l.issued) {
		return domain.TokenClaims{}, domain.ErrTokenInvalid
	}
	return l.issued[i], nil
}

// Two replicas, each with its own pool on one shared database: a deletion,
// a password change or a demotion made on one reaches the other's token
// checks within users.revocation_delay (a manual clock moves; nothing
// sleeps), while before that the other answers from its own copies.
func TestRevocationAcrossReplicas(t *testing.T) {
	const delay = time.Second
	std := domain.GroupStd
	changes := []struct {
		name    string
		change  func(ctx context.Context, b *users.Service, admin *domain.User) error
		wantErr error // nil: the token still works, without admin rights
	}{
		{"deleted", func(ctx context.Context, b *users.Service, admin *domain.User) error {
			_, err := b.Delete(ctx, admin, []string{"steve"})
			return err
		}, domain.ErrTokenInvalid},
		{"password changed", func(ctx context.Context, b *users.Service, admin *domain.User) error {
			return b.ChangePassword(ctx, admin, "steve", "another-password")
		}, domain.ErrTokenInvalid},
		{"demoted", func(ctx context.Context, b *users.Service, admin *domain.User) error {
			_, err := b.Alter(ctx, admin, "steve", users.Changes{Group: &std})
			return err
		}, nil},
	}
	sqltest.EachDriver(t, func(t *testing.T, driver string) {
		for _, tt := range changes {
			t.Run(tt.name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				clock := portstest.NewManualClock(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
				dsn := sqltest.DSN(t, driver)
				tokens := &listTokens{}
				replica := func() *users.Service {
					db, err := sqlstore.Open(ctx, sqlstore.Config{Driver: driver, DSN: dsn, Clock: clock})
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { db.Close() })
					if err := db.MigrateUp(ctx); err != nil {
						t.Fatal(err)
					}
					return users.New(db.Users(), plainHasher{}, tokens, clock, users.Options{RevocationDelay: delay})
				}
				a, b := replica(), replica()
				admin, err := b.CreateAccount(ctx, users.NewUser{Username: "admin", Password: "admin-password", Email: "admin@example.com"}, domain.GroupAdmin)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := b.CreateAccount(ctx, users.NewUser{Username: "steve", Password: "steve-password", Email: "steve@example.com"}, domain.GroupAdmin); err != nil {
					t.Fatal(err)
				}
				tok, err := a.Login(ctx, "steve", "steve-password")
				if err != nil {
					t.Fatal(err)
				}
				if u, err := a.Authenticate(ctx, tok); err != nil || !u.IsAdmin() {
					t.Fatalf("before the change: %+v, %v", u, err)
				}

				if err := tt.change(ctx, b, &admin); err != nil {
					t.Fatal(err)
				}
				// b itself knows at once.
				if u, err := b.Authenticate(ctx, tok); !errors.Is(err, tt.wantErr) || u.IsAdmin() {
					t.Fatalf("on the replica that made the change: %+v, %v; want %v and no admin", u, err, tt.wantErr)
				}
				// a answers from its copy until the delay is over: the check
				// read no user row.
				clock.Add(delay - time.Millisecond)
				if u, err := a.Authenticate(ctx, tok); err != nil || !u.IsAdmin() {
					t.Fatalf("within the delay the other replica read the database: %+v, %v", u, err)
				}
				clock.Add(time.Millisecond)
				u, err := a.Authenticate(ctx, tok)
				if !errors.Is(err, tt.wantErr) || u.IsAdmin() {
					t.Fatalf("one delay after the change: %+v, %v; want %v and no admin", u, err, tt.wantErr)
				}
				if tt.wantErr == nil && !strings.EqualFold(u.Username, "steve") {
					t.Fatalf("got user %q", u.Username)
				}
			})
		}
	})
}
