package portstest

import (
	"errors"
	"sync"
	"testing"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// NameStores is a ports.MinecraftNameStore and the user store whose users
// it binds (one database, or one in-memory store).
type NameStores struct {
	Users ports.UserStore
	Names ports.MinecraftNameStore
}

// RunMinecraftNameStoreTests runs the ports.MinecraftNameStore contract;
// newStores must return empty stores of their own for every call.
func RunMinecraftNameStoreTests(t *testing.T, newStores func(t *testing.T) NameStores) {
	t.Helper()
	runSuite(t, newStores, []suiteCase[NameStores]{
		{"BindGetLookup", testNameBindGetLookup},
		{"UniqueIgnoringCase", testNameUniqueIgnoringCase},
		{"RebindReplaces", testNameRebindReplaces},
		{"Unbind", testNameUnbind},
		{"UnknownUser", testNameUnknownUser},
		{"DeletingTheUserDropsTheName", testNameUserDeleted},
		{"ConcurrentBindSameName", testNameConcurrentBind},
	})
}

func nameUsers(t *testing.T, s NameStores, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := s.Users.CreateUser(userCtx(t), UserFixture(n)); err != nil {
			t.Fatalf("creating %s: %v", n, err)
		}
	}
}

func testNameBindGetLookup(t *testing.T, s NameStores) {
	ctx := userCtx(t)
	nameUsers(t, s, "alice")
	if _, err := s.Names.MinecraftNameOf(ctx, "alice"); !errors.Is(err, domain.ErrNoMinecraftName) {
		t.Fatalf("before binding: %v, want ErrNoMinecraftName", err)
	}
	b, err := s.Names.BindMinecraftName(ctx, "ALICE", "Steve_1")
	if err != nil {
		t.Fatal(err)
	}
	if b.Name != "Steve_1" || b.Username != "alice" || b.UserID == 0 || b.BoundAt.IsZero() {
		t.Fatalf("bound %+v", b)
	}
	got, err := s.Names.MinecraftNameOf(ctx, "Alice")
	if err != nil || got.Name != "Steve_1" || got.UserID != b.UserID || got.Username != "alice" {
		t.Fatalf("get: %+v, %v", got, err)
	}
	u, err := s.Names.UserByMinecraftName(ctx, "sTEVE_1")
	if err != nil || u.Username != "alice" || u.ID != b.UserID {
		t.Fatalf("lookup ignoring case: %+v, %v", u, err)
	}
	if _, err := s.Names.UserByMinecraftName(ctx, "Alex"); !errors.Is(err, domain.ErrNoMinecraftName) {
		t.Fatalf("unbound name: %v, want ErrNoMinecraftName", err)
	}
}

func testNameUniqueIgnoringCase(t *testing.T, s NameStores) {
	ctx := userCtx(t)
	nameUsers(t, s, "alice", "bob")
	if _, err := s.Names.BindMinecraftName(ctx, "alice", "Steve"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Names.BindMinecraftName(ctx, "bob", "STEVE"); !errors.Is(err, domain.ErrMinecraftNameTaken) {
		t.Fatalf("another user, same name in another case: %v, want ErrMinecraftNameTaken", err)
	}
	if _, err := s.Names.MinecraftNameOf(ctx, "bob"); !errors.Is(err, domain.ErrNoMinecraftName) {
		t.Fatalf("bob after the refusal: %v, want ErrNoMinecraftName", err)
	}
	// The holder may change the case of its own name.
	if b, err := s.Names.BindMinecraftName(ctx, "alice", "STEVE"); err != nil || b.Name != "STEVE" {
		t.Fatalf("own name in another case: %+v, %v", b, err)
	}
}

func testNameRebindReplaces(t *testing.T, s NameStores) {
	ctx := userCtx(t)
	nameUsers(t, s, "alice", "bob")
	if _, err := s.Names.BindMinecraftName(ctx, "alice", "Steve"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Names.BindMinecraftName(ctx, "alice", "Alex"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Names.UserByMinecraftName(ctx, "Steve"); !errors.Is(err, domain.ErrNoMinecraftName) {
		t.Fatalf("the old name after a rebind: %v, want ErrNoMinecraftName", err)
	}
	if _, err := s.Names.BindMinecraftName(ctx, "bob", "Steve"); err != nil {
		t.Fatalf("the freed name, for another user: %v", err)
	}
}

func testNameUnbind(t *testing.T, s NameStores) {
	ctx := userCtx(t)
	nameUsers(t, s, "alice")
	if err := s.Names.UnbindMinecraftName(ctx, "alice"); !errors.Is(err, domain.ErrNoMinecraftName) {
		t.Fatalf("unbind with none: %v, want ErrNoMinecraftName", err)
	}
	if _, err := s.Names.BindMinecraftName(ctx, "alice", "Steve"); err != nil {
		t.Fatal(err)
	}
	if err := s.Names.UnbindMinecraftName(ctx, "Alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Names.UserByMinecraftName(ctx, "Steve"); !errors.Is(err, domain.ErrNoMinecraftName) {
		t.Fatalf("after unbind: %v", err)
	}
}

func testNameUnknownUser(t *testing.T, s NameStores) {
	ctx := userCtx(t)
	if _, err := s.Names.BindMinecraftName(ctx, "ghost", "Steve"); !errors.Is(err, domain.ErrUserNotFound) {
		t.Fatalf("bind: %v, want ErrUserNotFound", err)
	}
	if _, err := s.Names.MinecraftNameOf(ctx, "ghost"); !errors.Is(err, domain.ErrUserNotFound) {
		t.Fatalf("get: %v, want ErrUserNotFound", err)
	}
	if err := s.Names.UnbindMinecraftName(ctx, "ghost"); !errors.Is(err, domain.ErrUserNotFound) {
		t.Fatalf("unbind: %v, want ErrUserNotFound", err)
	}
}

func testNameUserDeleted(t *testing.T, s NameStores) {
	ctx := userCtx(t)
	nameUsers(t, s, "alice")
	if _, err := s.Names.BindMinecraftName(ctx, "alice", "Steve"); err != nil {
		t.Fatal(err)
	}
	if err := s.Users.DeleteUser(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Names.UserByMinecraftName(ctx, "Steve"); !errors.Is(err, domain.ErrNoMinecraftName) {
		t.Fatalf("the name of a deleted user: %v, want ErrNoMinecraftName", err)
	}
	// A new account of the same username does not inherit it.
	nameUsers(t, s, "alice")
	if _, err := s.Names.MinecraftNameOf(ctx, "alice"); !errors.Is(err, domain.ErrNoMinecraftName) {
		t.Fatalf("a new alice: %v, want ErrNoMinecraftName", err)
	}
}

func testNameConcurrentBind(t *testing.T, s NameStores) {
	ctx := userCtx(t)
	users := []string{"u1", "u2", "u3", "u4", "u5", "u6"}
	nameUsers(t, s, users...)
	var wg sync.WaitGroup
	errs := make([]error, len(users))
	for i, u := range users {
		wg.Go(func() { _, errs[i] = s.Names.BindMinecraftName(ctx, u, "Steve") })
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, domain.ErrMinecraftNameTaken):
			t.Errorf("%s: %v, want nil or ErrMinecraftNameTaken", users[i], err)
		}
	}
	if won != 1 {
		t.Fatalf("%d users got the name, want 1", won)
	}
}
