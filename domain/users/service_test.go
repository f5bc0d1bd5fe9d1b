package users_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/memstore"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/users"
	"github.com/seatidemc/seatide/ports/portstest"
)

type fixture struct {
	svc    *users.Service
	store  *memstore.Store
	hasher *fakeHasher
	clock  *portstest.ManualClock
	admin  *domain.User
	member *domain.User
}

func newFixture(t *testing.T, opts users.Options) *fixture {
	t.Helper()
	clock := portstest.NewManualClock(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	f := &fixture{store: memstore.New(clock), hasher: &fakeHasher{}, clock: clock}
	f.svc = users.New(f.store, f.hasher, &fakeTokens{clock: clock}, clock, opts)
	ctx := context.Background()
	a, err := f.svc.CreateAccount(ctx, users.NewUser{Username: "admin", Password: "adminpass", Email: "admin@example.com"}, domain.GroupAdmin)
	if err != nil {
		t.Fatal(err)
	}
	m, err := f.svc.CreateAccount(ctx, users.NewUser{Username: "steve", Password: "stevepass", Email: "steve@example.com"}, domain.GroupStd)
	if err != nil {
		t.Fatal(err)
	}
	f.admin, f.member = &a, &m
	return f
}

func TestLogin(t *testing.T) {
	tests := []struct {
		name     string
		opts     users.Options
		user, pw string
		wantErr  error
	}{
		{"right password", users.Options{}, "steve", "stevepass", nil},
		{"name ignores case", users.Options{}, "Steve", "stevepass", nil},
		{"wrong password", users.Options{}, "steve", "nope", domain.ErrWrongPassword},
		{"unknown user", users.Options{}, "alex", "whatever", domain.ErrUserNotFound},
		{"unknown user hidden", users.Options{HideUnknownUsers: true}, "alex", "whatever", domain.ErrWrongPassword},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.opts)
			before := f.hasher.Verifies()
			tok, err := f.svc.Login(context.Background(), tt.user, tt.pw)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if f.hasher.Verifies() != before+1 {
				t.Errorf("made %d hash checks, want exactly 1 on every path (timing)", f.hasher.Verifies()-before)
			}
			if err == nil {
				if err := f.svc.Check(context.Background(), "steve", tok); err != nil {
					t.Errorf("fresh token does not check: %v", err)
				}
			}
		})
	}
}

func TestLoginUpgradesLegacyHash(t *testing.T) {
	f := newFixture(t, users.Options{})
	ctx := context.Background()
	if _, err := f.store.UpdateUser(ctx, "steve", func(u *domain.User) error { u.PasswordHash = "legacy$old"; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Login(ctx, "steve", "old"); err != nil {
		t.Fatalf("legacy login: %v", err)
	}
	u, _ := f.store.UserByName(ctx, "steve")
	if u.PasswordHash != "fake$old" {
		t.Errorf("hash after login = %q, want it upgraded", u.PasswordHash)
	}
}

func TestAuthenticate(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		after   func(t *testing.T, f *fixture)
		wantErr error
	}{
		{"valid", func(*testing.T, *fixture) {}, nil},
		{"expired after 7 days", func(_ *testing.T, f *fixture) { f.clock.Add(users.TokenTTL) }, domain.ErrTokenExpired},
		{"still valid just before", func(_ *testing.T, f *fixture) { f.clock.Add(users.TokenTTL - time.Second) }, nil},
		{"password changed", func(t *testing.T, f *fixture) {
			if err := f.svc.ChangePassword(ctx, f.admin, "steve", "newpassword"); err != nil {
				t.Fatal(err)
			}
		}, domain.ErrTokenInvalid},
		{"user deleted", func(t *testing.T, f *fixture) {
			if _, err := f.svc.Delete(ctx, f.admin, []string{"steve"}); err != nil {
				t.Fatal(err)
			}
		}, domain.ErrTokenInvalid},
		{"user deleted and name taken again", func(t *testing.T, f *fixture) {
			if _, err := f.svc.Delete(ctx, f.admin, []string{"steve"}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.Register(ctx, nil, users.NewUser{Username: "steve", Password: "otherpass", Email: "s2@example.com"}); err != nil {
				t.Fatal(err)
			}
		}, domain.ErrTokenInvalid},
		{"renamed", func(t *testing.T, f *fixture) {
			name := "steve2"
			if _, err := f.svc.Alter(ctx, f.admin, "steve", users.Changes{Username: &name}); err != nil {
				t.Fatal(err)
			}
		}, domain.ErrTokenInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, users.Options{OpenSignup: true})
			tok, err := f.svc.Login(ctx, "steve", "stevepass")
			if err != nil {
				t.Fatal(err)
			}
			tt.after(t, f)
			if _, err := f.svc.Authenticate(ctx, tok); !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
	t.Run("garbage and empty", func(t *testing.T) {
		f := newFixture(t, users.Options{})
		for _, tok := range []string{"", "garbage"} {
			if _, err := f.svc.Authenticate(ctx, tok); !errors.Is(err, domain.ErrTokenInvalid) {
				t.Errorf("%q: err = %v", tok, err)
			}
		}
	})
}

func TestGroupReadFromStore(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, users.Options{})
	tok, _ := f.svc.Login(ctx, "steve", "stevepass")
	g := domain.GroupAdmin
	if _, err := f.svc.Alter(ctx, f.admin, "steve", users.Changes{Group: &g}); err != nil {
		t.Fatal(err)
	}
	u, err := f.svc.Authenticate(ctx, tok)
	if err != nil || !u.IsAdmin() {
		t.Fatalf("promotion not seen at once: %v %v", u.Group, err)
	}
}

func TestCheckNamesTheTokenOwner(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, users.Options{})
	tok, _ := f.svc.Login(ctx, "steve", "stevepass")
	if err := f.svc.Check(ctx, "admin", tok); !errors.Is(err, domain.ErrTokenInvalid) {
		t.Errorf("token checked for another name: %v", err)
	}
}

func TestRegister(t *testing.T) {
	tests := []struct {
		name    string
		open    bool
		actor   func(f *fixture) *domain.User
		in      users.NewUser
		wantErr error
		fields  []string
	}{
		{"open sign-up", true, anon, users.NewUser{"alex", "alexpass", "alex@example.com"}, nil, nil},
		{"closed, anonymous", false, anon, users.NewUser{"alex", "alexpass", "alex@example.com"}, domain.ErrPermissionDenied, nil},
		{"closed, member", false, member, users.NewUser{"alex", "alexpass", "alex@example.com"}, domain.ErrPermissionDenied, nil},
		{"closed, admin", false, admin, users.NewUser{"alex", "alexpass", "alex@example.com"}, nil, nil},
		{"taken name", true, anon, users.NewUser{"STEVE", "alexpass", "alex@example.com"}, domain.ErrUsernameTaken, nil},
		{"taken email", true, anon, users.NewUser{"alex", "alexpass", "Steve@example.com"}, domain.ErrEmailTaken, nil},
		{"short name", true, anon, users.NewUser{"al", "alexpass", "alex@example.com"}, domain.ErrInvalid, []string{"username"}},
		{"long name", true, anon, users.NewUser{"abcdefghijklmnopqrstu", "alexpass", "alex@example.com"}, domain.ErrInvalid, []string{"username"}},
		{"bad chars", true, anon, users.NewUser{"al ex", "alexpass", "alex@example.com"}, domain.ErrInvalid, []string{"username"}},
		{"short password", true, anon, users.NewUser{"alex", "short", "alex@example.com"}, domain.ErrInvalid, []string{"password"}},
		{"bad email", true, anon, users.NewUser{"alex", "alexpass", "not-an-email"}, domain.ErrInvalid, []string{"email"}},
		{"all bad", true, anon, users.NewUser{"a", "b", "c"}, domain.ErrInvalid, []string{"username", "password", "email"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, users.Options{OpenSignup: tt.open})
			u, err := f.svc.Register(context.Background(), tt.actor(f), tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got := domain.ErrorFields(err); tt.fields != nil && !equal(got, tt.fields) {
				t.Errorf("fields = %v, want %v", got, tt.fields)
			}
			if err == nil && u.Group != domain.GroupStd {
				t.Errorf("new user group = %q, want std", u.Group)
			}
		})
	}
}

func anon(*fixture) *domain.User     { return nil }
func member(f *fixture) *domain.User { return f.member }
func admin(f *fixture) *domain.User  { return f.admin }

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestAdminOnly proves every admin action refuses anonymous and std callers.
func TestAdminOnly(t *testing.T) {
	ctx := context.Background()
	actions := map[string]func(f *fixture, actor *domain.User) error{
		"get":    func(f *fixture, a *domain.User) error { _, err := f.svc.Get(ctx, a, "steve"); return err },
		"list":   func(f *fixture, a *domain.User) error { _, err := f.svc.List(ctx, a, 0, 10); return err },
		"delete": func(f *fixture, a *domain.User) error { _, err := f.svc.Delete(ctx, a, []string{"steve"}); return err },
		"alter": func(f *fixture, a *domain.User) error {
			n := "nick"
			_, err := f.svc.Alter(ctx, a, "steve", users.Changes{Nickname: &n})
			return err
		},
		"changepasswd": func(f *fixture, a *domain.User) error { return f.svc.ChangePassword(ctx, a, "steve", "password9") },
	}
	for name, act := range actions {
		for _, who := range []struct {
			name  string
			actor func(*fixture) *domain.User
			want  error
		}{{"anonymous", anon, domain.ErrPermissionDenied}, {"member", member, domain.ErrPermissionDenied}, {"admin", admin, nil}} {
			t.Run(name+"/"+who.name, func(t *testing.T) {
				f := newFixture(t, users.Options{})
				if err := act(f, who.actor(f)); !errors.Is(err, who.want) {
					t.Errorf("err = %v, want %v", err, who.want)
				}
			})
		}
	}
}

func TestOpenReads(t *testing.T) {
	f := newFixture(t, users.Options{OpenReads: true})
	list, err := f.svc.List(context.Background(), nil, 0, 10)
	if err != nil || len(list) != 2 {
		t.Fatalf("open list: %d users, %v", len(list), err)
	}
}

func TestList(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, users.Options{OpenSignup: true})
	for _, n := range []string{"u001", "u002", "u003"} {
		if _, err := f.svc.Register(ctx, nil, users.NewUser{n, "password", n + "@example.com"}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		page, size int
		want       []string
		wantErr    error
	}{
		{0, 2, []string{"admin", "steve"}, nil},
		{1, 2, []string{"u001", "u002"}, nil},
		{2, 2, []string{"u003"}, nil},
		{3, 2, nil, nil},
		{-1, 2, nil, domain.ErrInvalid},
		{0, 0, nil, domain.ErrInvalid},
		{0, 101, nil, domain.ErrInvalid},
	}
	for _, tt := range tests {
		got, err := f.svc.List(ctx, f.admin, tt.page, tt.size)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("page %d size %d: err = %v", tt.page, tt.size, err)
			continue
		}
		var names []string
		for _, u := range got {
			names = append(names, u.Username)
		}
		if !equal(names, tt.want) {
			t.Errorf("page %d size %d: %v, want %v", tt.page, tt.size, names, tt.want)
		}
	}
}

func TestDelete(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		names   []string
		want    users.DeleteResult
		wantErr error
	}{
		{"one", []string{"steve"}, users.DeleteResult{Deleted: 1}, nil},
		{"one missing", []string{"alex"}, users.DeleteResult{}, domain.ErrUserNotFound},
		{"several, one missing", []string{"steve", "alex"}, users.DeleteResult{Deleted: 1, Missing: []string{"alex"}}, nil},
		{"duplicates once", []string{"steve", "STEVE"}, users.DeleteResult{Deleted: 1}, nil},
		{"list with admin", []string{"steve", "Admin"}, users.DeleteResult{}, domain.ErrProtectedAccount},
		{"empty", nil, users.DeleteResult{}, domain.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, users.Options{})
			got, err := f.svc.Delete(ctx, f.admin, tt.names)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got.Deleted != tt.want.Deleted || !equal(got.Missing, tt.want.Missing) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if errors.Is(err, domain.ErrProtectedAccount) {
				if _, err := f.store.UserByName(ctx, "steve"); err != nil {
					t.Errorf("a refused list still deleted steve")
				}
			}
		})
	}
}

func TestAlter(t *testing.T) {
	ctx := context.Background()
	str := func(s string) *string { return &s }
	grp := func(g domain.Group) *domain.Group { return &g }
	tests := []struct {
		name    string
		target  string
		c       users.Changes
		check   func(u domain.User) bool
		wantErr error
	}{
		{"rename", "steve", users.Changes{Username: str("alex")}, func(u domain.User) bool { return u.Username == "alex" }, nil},
		{"rename into taken", "steve", users.Changes{Username: str("ADMIN")}, nil, domain.ErrUsernameTaken},
		{"promote", "steve", users.Changes{Group: grp(domain.GroupAdmin)}, func(u domain.User) bool { return u.IsAdmin() }, nil},
		{"bad group", "steve", users.Changes{Group: grp("root")}, nil, domain.ErrInvalid},
		{"nickname", "steve", users.Changes{Nickname: str("Stevie")}, func(u domain.User) bool { return u.Nickname != nil && *u.Nickname == "Stevie" }, nil},
		{"clear nickname", "steve", users.Changes{ClearNickname: true}, func(u domain.User) bool { return u.Nickname == nil }, nil},
		{"bad email", "steve", users.Changes{Email: str("nope")}, nil, domain.ErrInvalid},
		{"email taken", "steve", users.Changes{Email: str("ADMIN@example.com")}, nil, domain.ErrEmailTaken},
		{"admin account", "Admin", users.Changes{Nickname: str("x")}, nil, domain.ErrProtectedAccount},
		{"missing user", "alex", users.Changes{Nickname: str("x")}, nil, domain.ErrUserNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, users.Options{})
			u, err := f.svc.Alter(ctx, f.admin, tt.target, tt.c)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.check != nil && !tt.check(u) {
				t.Errorf("change not applied: %+v", u)
			}
		})
	}
}

func TestChangePassword(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, users.Options{})
	if err := f.svc.ChangePassword(ctx, f.admin, "steve", "short"); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("short password: %v", err)
	}
	if err := f.svc.ChangePassword(ctx, f.admin, "alex", "longenough"); !errors.Is(err, domain.ErrUserNotFound) {
		t.Errorf("missing user: %v", err)
	}
	if err := f.svc.ChangePassword(ctx, f.admin, "steve", "longenough"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Login(ctx, "steve", "stevepass"); !errors.Is(err, domain.ErrWrongPassword) {
		t.Errorf("old password still works: %v", err)
	}
	if _, err := f.svc.Login(ctx, "steve", "longenough"); err != nil {
		t.Errorf("new password: %v", err)
	}
}
