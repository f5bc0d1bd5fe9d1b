package users_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/throttle"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/users"
)

func TestRegisterBySignupMode(t *testing.T) {
	alex := users.NewUser{Username: "alex", Password: "alexpass1", Email: "alex@example.com"}
	tests := []struct {
		name        string
		mode        domain.SignupMode
		asAdmin     bool
		wantErr     error
		wantPending bool
	}{
		{"open: may spend at once", domain.SignupOpen, false, nil, false},
		{"approval: waits for an admin", domain.SignupApproval, false, nil, true},
		{"closed: refused", domain.SignupClosed, false, domain.ErrPermissionDenied, false},
		{"closed, by an admin: approved", domain.SignupClosed, true, nil, false},
		{"approval, by an admin: approved", domain.SignupApproval, true, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, users.Options{Signup: tt.mode})
			var actor *domain.User
			if tt.asAdmin {
				actor = f.admin
			}
			u, err := f.svc.Register(context.Background(), actor, alex)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Register = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if u.Pending != tt.wantPending {
				t.Errorf("Pending = %v, want %v", u.Pending, tt.wantPending)
			}
			// A pending account signs in, but may not spend.
			if _, err := f.svc.Login(context.Background(), "alex", "alexpass1"); err != nil {
				t.Fatalf("Login: %v", err)
			}
			stored, _ := f.store.UserByName(context.Background(), "alex")
			if got := domain.Allowed(&stored, domain.NeedPlay) == nil; got == tt.wantPending {
				t.Errorf("may spend = %v with Pending %v", got, tt.wantPending)
			}
		})
	}
}

func TestApproveThroughAlter(t *testing.T) {
	f := newFixture(t, users.Options{Signup: domain.SignupApproval})
	ctx := context.Background()
	if _, err := f.svc.Register(ctx, nil, users.NewUser{Username: "alex", Password: "alexpass1", Email: "alex@example.com"}); err != nil {
		t.Fatal(err)
	}
	yes := true
	if _, err := f.svc.Alter(ctx, f.member, "alex", users.Changes{Approved: &yes}); !errors.Is(err, domain.ErrPermissionDenied) {
		t.Fatalf("a member approving: %v", err)
	}
	u, err := f.svc.Alter(ctx, f.admin, "alex", users.Changes{Approved: &yes})
	if err != nil || u.Pending || domain.Allowed(&u, domain.NeedPlay) != nil {
		t.Fatalf("approved = %+v, %v", u, err)
	}
}

func TestSignupLimitedPerAddress(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	th := throttle.New(throttle.Options{Max: 2, Window: time.Hour, Now: func() time.Time { return clock }})
	f := newFixture(t, users.Options{Signup: domain.SignupApproval, SignupThrottle: th})
	ctx := domain.WithClientAddr(context.Background(), "203.0.113.7")
	for i, name := range []string{"alex1", "alex2"} {
		if _, err := f.svc.Register(ctx, nil, users.NewUser{Username: name, Password: "alexpass1", Email: name + "@example.com"}); err != nil {
			t.Fatalf("sign-up %d: %v", i, err)
		}
	}
	_, err := f.svc.Register(ctx, nil, users.NewUser{Username: "alex3", Password: "alexpass1", Email: "alex3@example.com"})
	if wait, ok := domain.RetryAfter(err); !ok || wait != 30*time.Minute {
		t.Fatalf("third sign-up from one address: %v, want a 30m wait", err)
	}
	other := domain.WithClientAddr(context.Background(), "198.51.100.9")
	if _, err := f.svc.Register(other, nil, users.NewUser{Username: "mei", Password: "meipass12", Email: "mei@example.com"}); err != nil {
		t.Fatalf("another address: %v", err)
	}
}

func TestLoginThrottled(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	f := newFixture(t, users.Options{HideUnknownUsers: true,
		AccountThrottle: throttle.New(throttle.Options{Max: 3, Window: 15 * time.Minute, Now: clock}),
		AddressThrottle: throttle.New(throttle.Options{Max: 5, Window: 15 * time.Minute, Now: clock})})
	home := domain.WithClientAddr(context.Background(), "198.51.100.9")
	attacker := domain.WithClientAddr(context.Background(), "203.0.113.7")
	for range 3 {
		if _, err := f.svc.Login(attacker, "steve", "guess"); !errors.Is(err, domain.ErrWrongPassword) {
			t.Fatalf("guess: %v", err)
		}
	}
	before := f.hasher.Verifies()
	_, err := f.svc.Login(attacker, "steve", "stevepass") // even the right password waits
	if wait, ok := domain.RetryAfter(err); !ok || wait != 5*time.Minute || !errors.Is(err, domain.ErrTooManyAttempts) {
		t.Fatalf("fourth attempt: %v, want a 5m wait", err)
	}
	if f.hasher.Verifies() != before {
		t.Error("a throttled login still checked a password")
	}
	// The account waits from every address; the attacker's address is
	// limited on its own for other accounts too.
	if _, err := f.svc.Login(home, "steve", "stevepass"); !errors.Is(err, domain.ErrTooManyAttempts) {
		t.Fatalf("account throttle from home: %v", err)
	}
	for range 2 {
		_, _ = f.svc.Login(attacker, "nobody", "guess")
	}
	if _, err := f.svc.Login(attacker, "admin", "adminpass"); !errors.Is(err, domain.ErrTooManyAttempts) {
		t.Fatalf("address throttle: %v", err)
	}
	if _, err := f.svc.Login(home, "admin", "adminpass"); err != nil {
		t.Fatalf("another account from another address: %v", err)
	}
	now = now.Add(5 * time.Minute)
	if _, err := f.svc.Login(home, "steve", "stevepass"); err != nil {
		t.Fatalf("after the wait: %v", err)
	}
}

func TestHostileNames(t *testing.T) {
	f := newFixture(t, users.Options{})
	ctx := context.Background()
	for _, name := range []string{"ste\x00ve", "\xff\xfe", strings.Repeat("a", 200), ""} {
		if _, err := f.svc.Login(ctx, name, "x"); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("Login(%q) = %v, want invalid", name, err)
		}
		if _, err := f.svc.Get(ctx, f.admin, name); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("Get(%q) = %v, want invalid", name, err)
		}
	}
}

func TestHugePageIsEmpty(t *testing.T) {
	f := newFixture(t, users.Options{})
	list, err := f.svc.List(context.Background(), f.admin, 1<<62, 10)
	if err != nil || len(list) != 0 {
		t.Fatalf("List(huge page) = %v, %v; want an empty page", list, err)
	}
}

func TestRenameEndsTokens(t *testing.T) {
	f := newFixture(t, users.Options{})
	ctx := context.Background()
	tok, err := f.svc.Login(ctx, "steve", "stevepass")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"steve2", "steve"} {
		if _, err := f.svc.Alter(ctx, f.admin, map[string]string{"steve2": "steve", "steve": "steve2"}[name], users.Changes{Username: &name}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.Authenticate(ctx, tok); !errors.Is(err, domain.ErrTokenInvalid) {
		t.Fatalf("token after rename and rename back: %v, want invalid", err)
	}
}

func TestProtectedPasswordOnlyByItsHolder(t *testing.T) {
	f := newFixture(t, users.Options{})
	ctx := context.Background()
	other, err := f.svc.CreateAccount(ctx, users.NewUser{Username: "admin2", Password: "admin2pass", Email: "a2@example.com"}, domain.GroupAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.ChangePassword(ctx, &other, "admin", "takenover1"); !errors.Is(err, domain.ErrProtectedAccount) {
		t.Fatalf("another admin changing admin's password: %v", err)
	}
	if err := f.svc.ChangePassword(ctx, f.admin, "admin", "newadminpass"); err != nil {
		t.Fatalf("admin changing its own password: %v", err)
	}
}

func TestAPITokenScopes(t *testing.T) {
	f := newFixture(t, users.Options{APITokens: nil})
	if _, _, err := f.svc.MintAPIToken(context.Background(), f.member, users.NewAPIToken{Name: "bot", Scopes: []string{"read"}}); !errors.Is(err, domain.ErrPermissionDenied) {
		t.Fatalf("no token store: %v", err)
	}
	f = newFixture(t, users.Options{})
	f.svc = users.New(f.store, f.hasher, &fakeTokens{clock: f.clock}, f.clock, users.Options{APITokens: f.store})
	ctx := context.Background()
	tests := []struct {
		name    string
		actor   *domain.User
		in      users.NewAPIToken
		wantErr error
	}{
		{"member, play", f.member, users.NewAPIToken{Name: "discord bot", Scopes: []string{"play"}}, nil},
		{"member, admin", f.member, users.NewAPIToken{Name: "x", Scopes: []string{"admin"}}, domain.ErrPermissionDenied},
		{"admin, admin", f.admin, users.NewAPIToken{Name: "ops", Scopes: []string{"admin", "read"}}, nil},
		{"no scopes", f.member, users.NewAPIToken{Name: "x"}, domain.ErrInvalid},
		{"unknown scope", f.member, users.NewAPIToken{Name: "x", Scopes: []string{"root"}}, domain.ErrInvalid},
		{"no name", f.member, users.NewAPIToken{Scopes: []string{"read"}}, domain.ErrInvalid},
		{"too long", f.member, users.NewAPIToken{Name: "x", Scopes: []string{"read"}, ExpiresIn: 400 * 24 * time.Hour}, domain.ErrInvalid},
		{"anonymous", nil, users.NewAPIToken{Name: "x", Scopes: []string{"read"}}, domain.ErrPermissionDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, secret, err := f.svc.MintAPIToken(ctx, tt.actor, tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Mint = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if !users.IsAPIToken(secret) || users.IsAPIToken(secret+"=") || users.IsAPIToken(secret[:len(secret)-1]) {
				t.Fatalf("token %q has not the API token shape", secret)
			}
			u, err := f.svc.Authenticate(ctx, secret)
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			if u.ID != tt.actor.ID || u.TokenID == 0 {
				t.Errorf("authenticated as %+v", u)
			}
			// A token cannot mint another.
			if _, _, err := f.svc.MintAPIToken(ctx, &u, users.NewAPIToken{Name: "y", Scopes: []string{"read"}}); !errors.Is(err, domain.ErrPermissionDenied) {
				t.Errorf("token minting a token: %v", err)
			}
		})
	}
	// Scope limits what the token's user may do.
	_, play, _ := f.svc.MintAPIToken(ctx, f.admin, users.NewAPIToken{Name: "play", Scopes: []string{"play"}})
	u, err := f.svc.Authenticate(ctx, play)
	if err != nil {
		t.Fatal(err)
	}
	if u.IsAdmin() || domain.Allowed(&u, domain.NeedPlay) != nil || domain.Allowed(&u, domain.NeedAdminRead) != nil {
		t.Errorf("an admin's play token: IsAdmin %v, play %v, admin read %v", u.IsAdmin(), domain.Allowed(&u, domain.NeedPlay), domain.Allowed(&u, domain.NeedAdminRead))
	}
	if _, err := f.svc.Delete(ctx, &u, []string{"steve"}); !errors.Is(err, domain.ErrPermissionDenied) {
		t.Errorf("a play token deleting a user: %v", err)
	}
	// Expiry, password change and revocation end it.
	list, err := f.svc.APITokens(ctx, f.admin)
	if err != nil || len(list) != 2 { // "ops" and "play"; the member's are its own
		t.Fatalf("APITokens = %v, %v", list, err)
	}
	if err := f.svc.RevokeAPIToken(ctx, f.member, list[0].ID); !errors.Is(err, domain.ErrAPITokenNotFound) {
		t.Errorf("a member revoking an admin's token: %v", err)
	}
	if err := f.svc.RevokeAPIToken(ctx, f.admin, u.TokenID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(ctx, play); !errors.Is(err, domain.ErrTokenInvalid) {
		t.Errorf("revoked token: %v", err)
	}
	_, read, _ := f.svc.MintAPIToken(ctx, f.member, users.NewAPIToken{Name: "short", Scopes: []string{"read"}, ExpiresIn: time.Hour})
	f.clock.Add(time.Hour)
	if _, err := f.svc.Authenticate(ctx, read); !errors.Is(err, domain.ErrTokenExpired) {
		t.Errorf("expired token: %v", err)
	}
	_, read, _ = f.svc.MintAPIToken(ctx, f.member, users.NewAPIToken{Name: "pw", Scopes: []string{"read"}})
	if err := f.svc.ChangePassword(ctx, f.admin, "steve", "newstevepass"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(ctx, read); !errors.Is(err, domain.ErrTokenInvalid) {
		t.Errorf("token after a password change: %v", err)
	}
}
