package portstest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// APITokenFixture is a user store and an API token store over the same data
// (a token belongs to a user, and goes with it).
type APITokenFixture struct {
	Users  ports.UserStore
	Tokens ports.APITokenStore
}

// RunAPITokenStoreTests runs the ports.APITokenStore contract, and the
// pending flag of ports.UserStore that came with it.
func RunAPITokenStoreTests(t *testing.T, newFixture func(t *testing.T) APITokenFixture) {
	t.Helper()
	runSuite(t, newFixture, []suiteCase[APITokenFixture]{
		{"CreateAndFindByHash", testTokenCreateAndFind},
		{"UnknownHash", testTokenUnknownHash},
		{"ListPerUser", testTokenList},
		{"ByIDAndDelete", testTokenByIDAndDelete},
		{"Touch", testTokenTouch},
		{"DeletingUserDeletesTokens", testTokenCascade},
		{"UserPendingStored", testUserPending},
	})
}

var tokenEpoch = time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC)

func tokenUser(t *testing.T, f APITokenFixture, name string) domain.User {
	t.Helper()
	u, err := f.Users.CreateUser(context.Background(), UserFixture(name))
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", name, err)
	}
	return u
}

func newToken(t *testing.T, f APITokenFixture, u domain.User, n int, scopes ...domain.Scope) domain.APIToken {
	t.Helper()
	tok, err := f.Tokens.CreateAPIToken(context.Background(), domain.APIToken{
		UserID: u.ID, Name: fmt.Sprintf("bot %d", n), Scopes: scopes, Hash: fmt.Sprintf("%064x", n*7919+int(u.ID)),
		UserVersion: u.TokenVersion, CreatedAt: tokenEpoch, ExpiresAt: tokenEpoch.Add(24 * time.Hour),
	})
	if err != nil {
		t.Fatalf("CreateAPIToken: %v", err)
	}
	if tok.ID == 0 {
		t.Fatal("CreateAPIToken returned no ID")
	}
	return tok
}

func testTokenCreateAndFind(t *testing.T, f APITokenFixture) {
	ctx := context.Background()
	u := tokenUser(t, f, "botowner")
	want := newToken(t, f, u, 1, domain.ScopeRead, domain.ScopePlay)
	got, gu, err := f.Tokens.APITokenByHash(ctx, want.Hash)
	if err != nil {
		t.Fatalf("APITokenByHash: %v", err)
	}
	if got.ID != want.ID || got.UserID != u.ID || got.Name != "bot 1" || got.Hash != want.Hash ||
		!slices.Equal(got.Scopes, []domain.Scope{domain.ScopeRead, domain.ScopePlay}) ||
		!got.CreatedAt.Equal(tokenEpoch) || !got.ExpiresAt.Equal(tokenEpoch.Add(24*time.Hour)) || !got.LastUsedAt.IsZero() {
		t.Errorf("APITokenByHash = %+v, want %+v", got, want)
	}
	if gu.ID != u.ID || gu.Username != "botowner" || gu.Group != domain.GroupStd || gu.TokenVersion != u.TokenVersion {
		t.Errorf("APITokenByHash user = %+v, want %+v", gu, u)
	}
	if got.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt not in UTC: %v", got.CreatedAt)
	}
}

func testTokenUnknownHash(t *testing.T, f APITokenFixture) {
	_, _, err := f.Tokens.APITokenByHash(context.Background(), fmt.Sprintf("%064x", 42))
	if !errors.Is(err, domain.ErrAPITokenNotFound) {
		t.Fatalf("APITokenByHash(unknown) = %v, want ErrAPITokenNotFound", err)
	}
}

func testTokenList(t *testing.T, f APITokenFixture) {
	ctx := context.Background()
	a, b := tokenUser(t, f, "alice"), tokenUser(t, f, "bob")
	a1 := newToken(t, f, a, 1, domain.ScopeRead)
	newToken(t, f, b, 2, domain.ScopePlay)
	a3 := newToken(t, f, a, 3, domain.ScopeRead)
	list, err := f.Tokens.APITokens(ctx, a.ID)
	if err != nil {
		t.Fatalf("APITokens: %v", err)
	}
	if len(list) != 2 || list[0].ID != a1.ID || list[1].ID != a3.ID {
		t.Fatalf("APITokens(alice) = %+v, want tokens %d and %d", list, a1.ID, a3.ID)
	}
	none, err := f.Tokens.APITokens(ctx, a.ID+b.ID+100)
	if err != nil || none == nil || len(none) != 0 {
		t.Fatalf("APITokens(nobody) = %v, %v; want an empty list", none, err)
	}
}

func testTokenByIDAndDelete(t *testing.T, f APITokenFixture) {
	ctx := context.Background()
	u := tokenUser(t, f, "carol")
	tok := newToken(t, f, u, 1, domain.ScopeAdmin)
	got, err := f.Tokens.APITokenByID(ctx, tok.ID)
	if err != nil || got.Hash != tok.Hash {
		t.Fatalf("APITokenByID = %+v, %v", got, err)
	}
	if err := f.Tokens.DeleteAPIToken(ctx, tok.ID); err != nil {
		t.Fatalf("DeleteAPIToken: %v", err)
	}
	if err := f.Tokens.DeleteAPIToken(ctx, tok.ID); !errors.Is(err, domain.ErrAPITokenNotFound) {
		t.Errorf("second DeleteAPIToken = %v, want ErrAPITokenNotFound", err)
	}
	if _, err := f.Tokens.APITokenByID(ctx, tok.ID); !errors.Is(err, domain.ErrAPITokenNotFound) {
		t.Errorf("APITokenByID(deleted) = %v, want ErrAPITokenNotFound", err)
	}
	if _, _, err := f.Tokens.APITokenByHash(ctx, tok.Hash); !errors.Is(err, domain.ErrAPITokenNotFound) {
		t.Errorf("APITokenByHash(deleted) = %v, want ErrAPITokenNotFound", err)
	}
}

func testTokenTouch(t *testing.T, f APITokenFixture) {
	ctx := context.Background()
	u := tokenUser(t, f, "dave")
	tok := newToken(t, f, u, 1, domain.ScopeRead)
	at := tokenEpoch.Add(time.Hour + 250*time.Microsecond)
	if err := f.Tokens.TouchAPIToken(ctx, tok.ID, at); err != nil {
		t.Fatalf("TouchAPIToken: %v", err)
	}
	got, err := f.Tokens.APITokenByID(ctx, tok.ID)
	if err != nil || !got.LastUsedAt.Equal(at) {
		t.Fatalf("after touch LastUsedAt = %v (%v), want %v", got.LastUsedAt, err, at)
	}
	if err := f.Tokens.TouchAPIToken(ctx, tok.ID+1000, at); !errors.Is(err, domain.ErrAPITokenNotFound) {
		t.Errorf("TouchAPIToken(missing) = %v, want ErrAPITokenNotFound", err)
	}
}

func testTokenCascade(t *testing.T, f APITokenFixture) {
	ctx := context.Background()
	u := tokenUser(t, f, "erin")
	tok := newToken(t, f, u, 1, domain.ScopeRead)
	if err := f.Users.DeleteUser(ctx, "erin"); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if _, _, err := f.Tokens.APITokenByHash(ctx, tok.Hash); !errors.Is(err, domain.ErrAPITokenNotFound) {
		t.Errorf("token of a deleted user: %v, want ErrAPITokenNotFound", err)
	}
	if list, err := f.Tokens.APITokens(ctx, u.ID); err != nil || len(list) != 0 {
		t.Errorf("tokens of a deleted user = %v, %v; want none", list, err)
	}
}

func testUserPending(t *testing.T, f APITokenFixture) {
	ctx := context.Background()
	in := UserFixture("frank")
	in.Pending = true
	if _, err := f.Users.CreateUser(ctx, in); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	got, err := f.Users.UserByName(ctx, "frank")
	if err != nil || !got.Pending {
		t.Fatalf("UserByName = %+v, %v; want pending", got, err)
	}
	got, err = f.Users.UpdateUser(ctx, "frank", func(u *domain.User) error { u.Pending = false; return nil })
	if err != nil || got.Pending {
		t.Fatalf("UpdateUser(approve) = %+v, %v", got, err)
	}
	if got, _ = f.Users.UserByName(ctx, "frank"); got.Pending {
		t.Error("approval not stored")
	}
}
