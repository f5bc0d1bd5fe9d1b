// Package portstest holds one contract suite per port. Every adapter runs the
// suite of the ports it implements from its own tests, so the in-memory store
// and each SQL dialect are held to the same documented behaviour.
package portstest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// userFixture is a store under test and the clock it stamps times with.
type userFixture struct {
	ports.UserStore
	clock *ManualClock
}

// RunUserStoreTests runs the ports.UserStore contract. newStore must return
// an empty store of its own for every call (the subtests run in parallel);
// it is called with the subtest's t, so it can register cleanups on it.
func RunUserStoreTests(t *testing.T, newStore func(t *testing.T, clock ports.Clock) ports.UserStore) {
	t.Helper()
	newFixture := func(t *testing.T) userFixture {
		clock := NewManualClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
		return userFixture{UserStore: newStore(t, clock), clock: clock}
	}
	runSuite(t, newFixture, []suiteCase[userFixture]{
		{"CreateAndGet", testUserCreateAndGet},
		{"CreateKeepsCreatedAt", testUserCreateKeepsCreatedAt},
		{"IDsAscend", testUserIDsAscend},
		{"LookupIgnoresCase", testUserLookupIgnoresCase},
		{"UsernameTakenIgnoringCase", testUserUsernameTaken},
		{"EmailTakenIgnoringCase", testUserEmailTaken},
		{"BothTakenNamesTheUsername", testUserBothTaken},
		{"NotFound", testUserNotFound},
		{"Update", testUserUpdate},
		{"UpdateRename", testUserUpdateRename},
		{"UpdateIntoTakenNameOrEmail", testUserUpdateConflict},
		{"UpdateFnErrorAborts", testUserUpdateFnError},
		{"Nickname", testUserNickname},
		{"ReturnsCopies", testUserReturnsCopies},
		{"TokenVersion", testUserTokenVersion},
		{"Delete", testUserDelete},
		{"ListPaging", testUserListPaging},
		{"Count", testUserCount},
		{"UTCTimes", testUserUTCTimes},
		{"ContextCancelled", testUserContextCancelled},
		{"ConcurrentCreateSameName", testUserConcurrentCreate},
		{"ConcurrentUpdatesSerialise", testUserConcurrentUpdate},
	})
}

// UserFixture returns a valid user named name, with email name@example.com,
// for tests of code built on a UserStore.
func UserFixture(name string) domain.User {
	return domain.User{
		Username:     name,
		Email:        name + "@example.com",
		Group:        domain.GroupStd,
		PasswordHash: "$test$" + name,
	}
}

func userCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func userMustCreate(t *testing.T, s ports.UserStore, u domain.User) domain.User {
	t.Helper()
	got, err := s.CreateUser(userCtx(t), u)
	if err != nil {
		t.Fatalf("CreateUser(%q): %v", u.Username, err)
	}
	return got
}

func userMustGet(t *testing.T, s ports.UserStore, name string) domain.User {
	t.Helper()
	got, err := s.UserByName(userCtx(t), name)
	if err != nil {
		t.Fatalf("UserByName(%q): %v", name, err)
	}
	return got
}

func userMustBe(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got error %v, want %v", what, err, want)
	}
	if got, wantCode := domain.ErrorCode(err), domain.ErrorCode(want); got != wantCode {
		t.Fatalf("%s: got code %q, want %q", what, got, wantCode)
	}
}

func userNick(s string) *string { return &s }

func userNickString(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%q", *p)
}

// userSame compares everything a store keeps, times at second precision
// (the contract's minimum) and in UTC.
func userSame(t *testing.T, what string, got, want domain.User) {
	t.Helper()
	var diffs []string
	check := func(field string, ok bool, g, w any) {
		if !ok {
			diffs = append(diffs, fmt.Sprintf("%s: got %v, want %v", field, g, w))
		}
	}
	check("ID", got.ID == want.ID, got.ID, want.ID)
	check("Username", got.Username == want.Username, got.Username, want.Username)
	check("Email", got.Email == want.Email, got.Email, want.Email)
	check("Group", got.Group == want.Group, got.Group, want.Group)
	check("Nickname", userNickString(got.Nickname) == userNickString(want.Nickname), userNickString(got.Nickname), userNickString(want.Nickname))
	check("PasswordHash", got.PasswordHash == want.PasswordHash, got.PasswordHash, want.PasswordHash)
	check("TokenVersion", got.TokenVersion == want.TokenVersion, got.TokenVersion, want.TokenVersion)
	check("CreatedAt", userSameTime(got.CreatedAt, want.CreatedAt), got.CreatedAt, want.CreatedAt)
	check("UpdatedAt", userSameTime(got.UpdatedAt, want.UpdatedAt), got.UpdatedAt, want.UpdatedAt)
	if len(diffs) > 0 {
		t.Fatalf("%s:\n\t%s", what, strings.Join(diffs, "\n\t"))
	}
}

func userSameTime(a, b time.Time) bool {
	return a.Location() == time.UTC && b.Location() == time.UTC &&
		a.Truncate(time.Second).Equal(b.Truncate(time.Second))
}

func testUserCreateAndGet(t *testing.T, s userFixture) {
	in := UserFixture("Alice")
	in.Group = domain.GroupAdmin
	in.Nickname = userNick("Ally")
	in.TokenVersion = 3
	got := userMustCreate(t, s, in)
	if got.ID <= 0 {
		t.Fatalf("CreateUser: ID = %d, want > 0", got.ID)
	}
	if !got.CreatedAt.Equal(s.clock.Now()) {
		t.Fatalf("CreatedAt = %v, want the store's clock, %v", got.CreatedAt, s.clock.Now())
	}
	if !got.UpdatedAt.Equal(got.CreatedAt) {
		t.Fatalf("UpdatedAt = %v, want CreatedAt %v on a new user", got.UpdatedAt, got.CreatedAt)
	}
	want := in
	want.ID, want.CreatedAt, want.UpdatedAt = got.ID, got.CreatedAt, got.UpdatedAt
	userSame(t, "CreateUser result", got, want)
	userSame(t, "UserByName", userMustGet(t, s, "Alice"), want)
}

func testUserCreateKeepsCreatedAt(t *testing.T, s userFixture) {
	in := UserFixture("imported")
	in.CreatedAt = time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	got := userMustCreate(t, s, in)
	if !got.CreatedAt.Equal(in.CreatedAt) {
		t.Fatalf("CreateUser: CreatedAt = %v, want %v", got.CreatedAt, in.CreatedAt)
	}
	if g := userMustGet(t, s, "imported").CreatedAt; !g.Equal(in.CreatedAt) {
		t.Fatalf("UserByName: CreatedAt = %v, want %v", g, in.CreatedAt)
	}
}

func testUserIDsAscend(t *testing.T, s userFixture) {
	var last int64
	for i := range 5 {
		u := userMustCreate(t, s, UserFixture(fmt.Sprintf("user%d", i)))
		if u.ID <= last {
			t.Fatalf("user%d: ID %d after %d, want ascending", i, u.ID, last)
		}
		last = u.ID
	}
}

func testUserLookupIgnoresCase(t *testing.T, s userFixture) {
	want := userMustCreate(t, s, UserFixture("MixedCase"))
	for _, name := range []string{"MixedCase", "mixedcase", "MIXEDCASE", "mIxEdCaSe"} {
		got := userMustGet(t, s, name)
		if got.ID != want.ID || got.Username != "MixedCase" {
			t.Fatalf("UserByName(%q) = %d %q, want %d %q (stored spelling)", name, got.ID, got.Username, want.ID, "MixedCase")
		}
	}
	if _, err := s.UserByName(userCtx(t), "MixedCas"); !errors.Is(err, domain.ErrUserNotFound) {
		t.Fatalf("UserByName of a prefix: got %v, want not found", err)
	}
}

func testUserUsernameTaken(t *testing.T, s userFixture) {
	userMustCreate(t, s, UserFixture("bob"))
	for _, name := range []string{"bob", "BOB", "Bob"} {
		u := UserFixture(name)
		u.Email = "other-" + strings.ToLower(name) + "@example.com"
		_, err := s.CreateUser(userCtx(t), u)
		userMustBe(t, "CreateUser("+name+")", err, domain.ErrUsernameTaken)
	}
	if n, err := s.CountUsers(userCtx(t)); err != nil || n != 1 {
		t.Fatalf("CountUsers = %d, %v; want 1", n, err)
	}
}

// testUserBothTaken: a sign-up whose username and email both exist (on
// two different accounts, or one) is refused for the username on every
// store, as v1 answered "Username already exists.".
func testUserBothTaken(t *testing.T, s userFixture) {
	userMustCreate(t, s, UserFixture("dave"))
	userMustCreate(t, s, UserFixture("erin"))
	for _, tc := range []struct{ name, email string }{
		{"dave", "dave@example.com"}, // one account has both
		{"DAVE", "erin@example.com"}, // two accounts
	} {
		u := UserFixture(tc.name)
		u.Email = tc.email
		_, err := s.CreateUser(userCtx(t), u)
		userMustBe(t, "CreateUser("+tc.name+", "+tc.email+")", err, domain.ErrUsernameTaken)
	}
}

func testUserEmailTaken(t *testing.T, s userFixture) {
	userMustCreate(t, s, UserFixture("carol"))
	for _, email := range []string{"carol@example.com", "CAROL@Example.COM"} {
		u := UserFixture("someone")
		u.Email = email
		_, err := s.CreateUser(userCtx(t), u)
		userMustBe(t, "CreateUser with email "+email, err, domain.ErrEmailTaken)
	}
	// The failed attempts must not have reserved the name.
	userMustCreate(t, s, UserFixture("someone"))
}

func testUserNotFound(t *testing.T, s userFixture) {
	ctx := userCtx(t)
	userMustCreate(t, s, UserFixture("present"))
	_, err := s.UserByName(ctx, "absent")
	userMustBe(t, "UserByName", err, domain.ErrUserNotFound)
	called := false
	_, err = s.UpdateUser(ctx, "absent", func(*domain.User) error { called = true; return nil })
	userMustBe(t, "UpdateUser", err, domain.ErrUserNotFound)
	if called {
		t.Fatal("UpdateUser called fn for a missing user")
	}
	userMustBe(t, "DeleteUser", s.DeleteUser(ctx, "absent"), domain.ErrUserNotFound)
}

func testUserUpdate(t *testing.T, s userFixture) {
	orig := userMustCreate(t, s, UserFixture("dave"))
	s.clock.Add(2 * time.Second) // so UpdatedAt visibly moves at second precision
	got, err := s.UpdateUser(userCtx(t), "DAVE", func(u *domain.User) error {
		userSame(t, "fn argument", *u, orig)
		u.Email = "dave@example.org"
		u.Group = domain.GroupAdmin
		u.Nickname = userNick("Davy")
		u.PasswordHash = "$test$new"
		u.TokenVersion++
		u.ID = 999                                                // ignored
		u.CreatedAt = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) // ignored
		return nil
	})
	if err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	want := orig
	want.Email, want.Group, want.Nickname = "dave@example.org", domain.GroupAdmin, userNick("Davy")
	want.PasswordHash, want.TokenVersion = "$test$new", orig.TokenVersion+1
	if !got.UpdatedAt.After(orig.UpdatedAt) {
		t.Fatalf("UpdatedAt = %v, want after %v", got.UpdatedAt, orig.UpdatedAt)
	}
	want.UpdatedAt = got.UpdatedAt
	userSame(t, "UpdateUser result", got, want)
	userSame(t, "UserByName after update", userMustGet(t, s, "dave"), want)
	// The old email is free again.
	u := UserFixture("dave2")
	u.Email = "dave@example.com"
	userMustCreate(t, s, u)
}

func testUserUpdateRename(t *testing.T, s userFixture) {
	orig := userMustCreate(t, s, UserFixture("erin"))
	got, err := s.UpdateUser(userCtx(t), "erin", func(u *domain.User) error { u.Username = "Erin"; return nil })
	if err != nil || got.Username != "Erin" {
		t.Fatalf("rename to a case variant of itself: %q, %v", got.Username, err)
	}
	got, err = s.UpdateUser(userCtx(t), "erin", func(u *domain.User) error { u.Username = "erin_new"; return nil })
	if err != nil || got.Username != "erin_new" || got.ID != orig.ID {
		t.Fatalf("rename: %q id %d, %v", got.Username, got.ID, err)
	}
	_, err = s.UserByName(userCtx(t), "erin")
	userMustBe(t, "old name after rename", err, domain.ErrUserNotFound)
	if g := userMustGet(t, s, "ERIN_NEW"); g.ID != orig.ID {
		t.Fatalf("new name has ID %d, want %d", g.ID, orig.ID)
	}
	again := UserFixture("erin") // the old name is free again
	again.Email = "erin2@example.com"
	userMustCreate(t, s, again)
}

func testUserUpdateConflict(t *testing.T, s userFixture) {
	userMustCreate(t, s, UserFixture("frank"))
	orig := userMustCreate(t, s, UserFixture("grace"))
	_, err := s.UpdateUser(userCtx(t), "grace", func(u *domain.User) error { u.Username = "FRANK"; return nil })
	userMustBe(t, "rename into a taken name", err, domain.ErrUsernameTaken)
	_, err = s.UpdateUser(userCtx(t), "grace", func(u *domain.User) error { u.Email = "Frank@example.com"; return nil })
	userMustBe(t, "change into a taken email", err, domain.ErrEmailTaken)
	userSame(t, "user after failed updates", userMustGet(t, s, "grace"), orig)
}

func testUserUpdateFnError(t *testing.T, s userFixture) {
	orig := userMustCreate(t, s, UserFixture("heidi"))
	errStop := errors.New("stop right there")
	_, err := s.UpdateUser(userCtx(t), "heidi", func(u *domain.User) error {
		u.Email = "changed@example.com"
		u.Username = "changed"
		u.TokenVersion = 42
		return errStop
	})
	if err != errStop {
		t.Fatalf("UpdateUser: got %v, want fn's error unchanged", err)
	}
	userSame(t, "user after aborted update", userMustGet(t, s, "heidi"), orig)
	_, err = s.UpdateUser(userCtx(t), "heidi", func(*domain.User) error { return domain.ErrPermissionDenied })
	userMustBe(t, "UpdateUser with a domain error from fn", err, domain.ErrPermissionDenied)
}

func testUserNickname(t *testing.T, s userFixture) {
	userMustCreate(t, s, UserFixture("ivan"))
	if g := userMustGet(t, s, "ivan"); g.Nickname != nil {
		t.Fatalf("Nickname = %s, want nil", userNickString(g.Nickname))
	}
	withNick := UserFixture("judy")
	withNick.Nickname = userNick("Júdy ☃") // not just ASCII
	userMustCreate(t, s, withNick)
	if g := userMustGet(t, s, "judy"); userNickString(g.Nickname) != userNickString(withNick.Nickname) {
		t.Fatalf("Nickname = %s, want %s", userNickString(g.Nickname), userNickString(withNick.Nickname))
	}
	if _, err := s.UpdateUser(userCtx(t), "judy", func(u *domain.User) error { u.Nickname = nil; return nil }); err != nil {
		t.Fatal(err)
	}
	if g := userMustGet(t, s, "judy"); g.Nickname != nil {
		t.Fatalf("Nickname after clearing = %s, want nil", userNickString(g.Nickname))
	}
	if _, err := s.UpdateUser(userCtx(t), "ivan", func(u *domain.User) error { u.Nickname = userNick("Vanya"); return nil }); err != nil {
		t.Fatal(err)
	}
	if g := userMustGet(t, s, "ivan"); userNickString(g.Nickname) != `"Vanya"` {
		t.Fatalf("Nickname after setting = %s, want \"Vanya\"", userNickString(g.Nickname))
	}
}

func testUserReturnsCopies(t *testing.T, s userFixture) {
	in := UserFixture("kate")
	in.Nickname = userNick("K")
	got := userMustCreate(t, s, in)
	*in.Nickname = "changed by caller"
	*got.Nickname = "changed by caller"
	g := userMustGet(t, s, "kate")
	*g.Nickname = "changed by caller"
	var kept *string
	if _, err := s.UpdateUser(userCtx(t), "kate", func(u *domain.User) error { kept = u.Nickname; return nil }); err != nil {
		t.Fatal(err)
	}
	*kept = "changed after fn"
	list, err := s.ListUsers(userCtx(t), 0, 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("ListUsers = %d users, %v", len(list), err)
	}
	*list[0].Nickname = "changed in list"
	if g := userMustGet(t, s, "kate"); userNickString(g.Nickname) != `"K"` {
		t.Fatalf("stored nickname = %s, want \"K\": the store shares memory with callers", userNickString(g.Nickname))
	}
}

func testUserTokenVersion(t *testing.T, s userFixture) {
	in := UserFixture("leo")
	in.TokenVersion = 1 << 40
	userMustCreate(t, s, in)
	if g := userMustGet(t, s, "leo"); g.TokenVersion != 1<<40 {
		t.Fatalf("TokenVersion = %d, want %d", g.TokenVersion, int64(1)<<40)
	}
	got, err := s.UpdateUser(userCtx(t), "leo", func(u *domain.User) error { u.TokenVersion++; return nil })
	if err != nil || got.TokenVersion != 1<<40+1 {
		t.Fatalf("UpdateUser: TokenVersion %d, %v", got.TokenVersion, err)
	}
	if g := userMustGet(t, s, "leo"); g.TokenVersion != 1<<40+1 {
		t.Fatalf("TokenVersion after bump = %d", g.TokenVersion)
	}
}

func testUserDelete(t *testing.T, s userFixture) {
	userMustCreate(t, s, UserFixture("mallory"))
	keep := userMustCreate(t, s, UserFixture("niaj"))
	if err := s.DeleteUser(userCtx(t), "MALLORY"); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	_, err := s.UserByName(userCtx(t), "mallory")
	userMustBe(t, "UserByName after delete", err, domain.ErrUserNotFound)
	userMustBe(t, "second DeleteUser", s.DeleteUser(userCtx(t), "mallory"), domain.ErrUserNotFound)
	userSame(t, "other user", userMustGet(t, s, "niaj"), keep)
	again := userMustCreate(t, s, UserFixture("mallory")) // name and email are free
	if again.ID <= keep.ID {
		t.Fatalf("recreated user got ID %d, want above %d", again.ID, keep.ID)
	}
}

func testUserListPaging(t *testing.T, s userFixture) {
	ctx := userCtx(t)
	if l, err := s.ListUsers(ctx, 0, 10); err != nil || len(l) != 0 {
		t.Fatalf("ListUsers on an empty store = %d users, %v", len(l), err)
	}
	// Names in reverse alphabetical order, so ordering by name would show.
	names := []string{"zed", "yan", "xia", "wes", "vic"}
	var ids []int64
	for _, n := range names {
		ids = append(ids, userMustCreate(t, s, UserFixture(n)).ID)
	}
	for _, tc := range []struct {
		offset, limit int
		want          []string
	}{
		{0, 2, names[0:2]},
		{2, 2, names[2:4]},
		{4, 2, names[4:5]},
		{5, 2, nil},
		{0, 100, names},
		{1, 3, names[1:4]},
		{0, 0, nil},
	} {
		got, err := s.ListUsers(ctx, tc.offset, tc.limit)
		if err != nil {
			t.Fatalf("ListUsers(%d, %d): %v", tc.offset, tc.limit, err)
		}
		var gotNames []string
		for i, u := range got {
			gotNames = append(gotNames, u.Username)
			if u.ID != ids[tc.offset+i] {
				t.Fatalf("ListUsers(%d, %d)[%d].ID = %d, want %d", tc.offset, tc.limit, i, u.ID, ids[tc.offset+i])
			}
			if u.Email != u.Username+"@example.com" || u.CreatedAt.IsZero() || u.PasswordHash == "" {
				t.Fatalf("ListUsers(%d, %d)[%d] = %+v, fields missing", tc.offset, tc.limit, i, u)
			}
		}
		if strings.Join(gotNames, ",") != strings.Join(tc.want, ",") {
			t.Fatalf("ListUsers(%d, %d) = %v, want %v", tc.offset, tc.limit, gotNames, tc.want)
		}
	}
}

func testUserCount(t *testing.T, s userFixture) {
	ctx := userCtx(t)
	for i := range 3 {
		if n, err := s.CountUsers(ctx); err != nil || n != i {
			t.Fatalf("CountUsers = %d, %v; want %d", n, err, i)
		}
		userMustCreate(t, s, UserFixture(fmt.Sprintf("count%d", i)))
	}
	if err := s.DeleteUser(ctx, "count1"); err != nil {
		t.Fatal(err)
	}
	if n, err := s.CountUsers(ctx); err != nil || n != 2 {
		t.Fatalf("CountUsers after delete = %d, %v; want 2", n, err)
	}
}

func testUserUTCTimes(t *testing.T, s userFixture) {
	zone := time.FixedZone("UTC+8", 8*3600)
	in := UserFixture("olivia")
	in.CreatedAt = time.Date(2021, 6, 7, 20, 30, 40, 0, zone)
	check := func(what string, u domain.User) {
		t.Helper()
		if u.CreatedAt.Location() != time.UTC || u.UpdatedAt.Location() != time.UTC {
			t.Fatalf("%s: times %v / %v, want UTC", what, u.CreatedAt, u.UpdatedAt)
		}
		if !u.CreatedAt.Equal(in.CreatedAt) {
			t.Fatalf("%s: CreatedAt = %v, want the instant %v", what, u.CreatedAt, in.CreatedAt)
		}
	}
	check("CreateUser", userMustCreate(t, s, in))
	check("UserByName", userMustGet(t, s, "olivia"))
	u, err := s.UpdateUser(userCtx(t), "olivia", func(u *domain.User) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	check("UpdateUser", u)
	l, err := s.ListUsers(userCtx(t), 0, 1)
	if err != nil || len(l) != 1 {
		t.Fatalf("ListUsers: %d, %v", len(l), err)
	}
	check("ListUsers", l[0])
}

func testUserContextCancelled(t *testing.T, s userFixture) {
	userMustCreate(t, s, UserFixture("peggy"))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	mustCancel := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, context.Canceled) || domain.ErrorCode(err) != domain.CodeUnavailable {
			t.Fatalf("%s with a cancelled context: got %v (code %q), want code %q matching context.Canceled",
				what, err, domain.ErrorCode(err), domain.CodeUnavailable)
		}
	}
	_, err := s.CreateUser(ctx, UserFixture("quentin"))
	mustCancel("CreateUser", err)
	_, err = s.UserByName(ctx, "peggy")
	mustCancel("UserByName", err)
	_, err = s.UpdateUser(ctx, "peggy", func(u *domain.User) error { u.TokenVersion++; return nil })
	mustCancel("UpdateUser", err)
	mustCancel("DeleteUser", s.DeleteUser(ctx, "peggy"))
	_, err = s.ListUsers(ctx, 0, 10)
	mustCancel("ListUsers", err)
	_, err = s.CountUsers(ctx)
	mustCancel("CountUsers", err)
	if n, err := s.CountUsers(userCtx(t)); err != nil || n != 1 {
		t.Fatalf("CountUsers = %d, %v; want 1 (nothing changed)", n, err)
	}
	if g := userMustGet(t, s, "peggy"); g.TokenVersion != 0 {
		t.Fatalf("TokenVersion = %d, want 0 (nothing changed)", g.TokenVersion)
	}
}

func testUserConcurrentCreate(t *testing.T, s userFixture) {
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			u := UserFixture("race")
			if i%2 == 1 {
				u.Username = "RACE"
			}
			u.Email = fmt.Sprintf("race%d@example.com", i)
			_, errs[i] = s.CreateUser(userCtx(t), u)
		})
	}
	wg.Wait()
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case errors.Is(err, domain.ErrUsernameTaken):
		default:
			t.Errorf("creator %d: %v, want success or ErrUsernameTaken", i, err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d creators won, want exactly 1", wins)
	}
	if c, err := s.CountUsers(userCtx(t)); err != nil || c != 1 {
		t.Fatalf("CountUsers = %d, %v; want 1", c, err)
	}
}

func testUserConcurrentUpdate(t *testing.T, s userFixture) {
	userMustCreate(t, s, UserFixture("counter"))
	const n = 8
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if _, err := s.UpdateUser(userCtx(t), "counter", func(u *domain.User) error { u.TokenVersion++; return nil }); err != nil {
				t.Errorf("UpdateUser: %v", err)
			}
		})
	}
	wg.Wait()
	if g := userMustGet(t, s, "counter"); g.TokenVersion != n {
		t.Fatalf("TokenVersion = %d after %d concurrent increments: updates were lost", g.TokenVersion, n)
	}
}
