package portstest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// TokensLifetime is the token lifetime the suite issues with, the domain's.
const TokensLifetime = 7 * 24 * time.Hour

// tokensStart is the suite's starting time: not on a whole second, to check
// that implementations cope with sub-second times.
var tokensStart = time.Date(2025, 3, 1, 12, 0, 0, 500_000_000, time.UTC)

// RunTokenServiceTests runs the ports.TokenService contract. newTokens is
// called once per subtest (the subtests run in parallel) and must return a
// service that reads the time only from clock; the suite moves that clock.
// Implementations may allow a skew of up to a minute around expiry.
func RunTokenServiceTests(t *testing.T, newTokens func(t *testing.T, clock ports.Clock) ports.TokenService) {
	t.Helper()
	type fixture struct {
		s ports.TokenService
		c *ManualClock
	}
	newFixture := func(t *testing.T) fixture {
		c := NewManualClock(tokensStart)
		return fixture{newTokens(t, c), c}
	}
	on := func(run func(*testing.T, ports.TokenService, *ManualClock)) func(*testing.T, fixture) {
		return func(t *testing.T, f fixture) { run(t, f.s, f.c) }
	}
	runSuite(t, newFixture, []suiteCase[fixture]{
		{"RoundTrip", on(testTokensRoundTrip)},
		{"AdminAndLargeVersion", on(testTokensAdminLargeVersion)},
		{"ZeroUserIDAndVersion", on(testTokensVersionZero)},
		{"TokensKeepTheirOwnClaims", on(testTokensOwnClaims)},
		{"ValidUntilExpiry", on(testTokensValidUntilExpiry)},
		{"Expired", on(testTokensExpired)},
		{"Tampered", on(testTokensTampered)},
		{"TamperedAndExpired", on(testTokensTamperedAndExpired)},
		{"Garbage", on(testTokensGarbage)},
		{"Concurrent", on(testTokensConcurrent)},
	})
}

// tokensClaims returns claims as the domain makes them at the clock's time;
// the user ID is derived from the name, so that it differs between users.
func tokensClaims(c *ManualClock, sub string, g domain.Group, ver int64) domain.TokenClaims {
	now := c.Now()
	return domain.TokenClaims{
		UserID: int64(len(sub))*1000 + int64(sub[0]), Subject: sub, Group: g, Version: ver,
		IssuedAt: now, ExpiresAt: now.Add(TokensLifetime),
	}
}

func tokensMustIssue(t *testing.T, s ports.TokenService, c domain.TokenClaims) string {
	t.Helper()
	tok, err := s.Issue(context.Background(), c)
	if err != nil {
		t.Fatalf("Issue(%+v): %v", c, err)
	}
	if tok == "" {
		t.Fatalf("Issue(%+v) gave an empty token", c)
	}
	return tok
}

// tokensMustVerify checks that tok verifies to want (times to the second).
func tokensMustVerify(t *testing.T, s ports.TokenService, tok string, want domain.TokenClaims) {
	t.Helper()
	got, err := s.Verify(context.Background(), tok)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	sameTime := func(a, b time.Time) bool { return a.Truncate(time.Second).Equal(b.Truncate(time.Second)) }
	if got.UserID != want.UserID || got.Subject != want.Subject || got.Group != want.Group || got.Version != want.Version ||
		!sameTime(got.IssuedAt, want.IssuedAt) || !sameTime(got.ExpiresAt, want.ExpiresAt) {
		t.Fatalf("Verify = %+v, want %+v (times to the second)", got, want)
	}
}

// tokensMustFail checks that Verify fails with want, and not with the other
// token error.
func tokensMustFail(t *testing.T, s ports.TokenService, tok string, want *domain.Error) {
	t.Helper()
	got, err := s.Verify(context.Background(), tok)
	if !errors.Is(err, want) {
		t.Fatalf("Verify(%.60q) = (%+v, %v), want %v", tok, got, err, want)
	}
	other := domain.ErrTokenExpired
	if want == domain.ErrTokenExpired {
		other = domain.ErrTokenInvalid
	}
	if errors.Is(err, other) {
		t.Fatalf("Verify(%.60q) error %v also matches %v", tok, err, other)
	}
	if got != (domain.TokenClaims{}) {
		t.Errorf("Verify(%.60q) failed but returned claims %+v", tok, got)
	}
}

func testTokensRoundTrip(t *testing.T, s ports.TokenService, c *ManualClock) {
	claims := tokensClaims(c, "alice", domain.GroupStd, 3)
	tokensMustVerify(t, s, tokensMustIssue(t, s, claims), claims)
}

func testTokensAdminLargeVersion(t *testing.T, s ports.TokenService, c *ManualClock) {
	claims := tokensClaims(c, "admin", domain.GroupAdmin, 1<<40+7)
	claims.UserID = 1<<40 + 9
	tokensMustVerify(t, s, tokensMustIssue(t, s, claims), claims)
}

func testTokensVersionZero(t *testing.T, s ports.TokenService, c *ManualClock) {
	claims := tokensClaims(c, "bob.b_1", domain.GroupStd, 0)
	claims.UserID = 0
	tokensMustVerify(t, s, tokensMustIssue(t, s, claims), claims)
}

func testTokensOwnClaims(t *testing.T, s ports.TokenService, c *ManualClock) {
	a := tokensClaims(c, "alice", domain.GroupStd, 1)
	b := tokensClaims(c, "bob", domain.GroupAdmin, 2)
	ta, tb := tokensMustIssue(t, s, a), tokensMustIssue(t, s, b)
	if ta == tb {
		t.Fatalf("different claims gave the same token")
	}
	tokensMustVerify(t, s, ta, a)
	tokensMustVerify(t, s, tb, b)
}

func testTokensValidUntilExpiry(t *testing.T, s ports.TokenService, c *ManualClock) {
	claims := tokensClaims(c, "alice", domain.GroupStd, 1)
	tok := tokensMustIssue(t, s, claims)
	for _, at := range []time.Time{claims.IssuedAt.Add(time.Hour), claims.ExpiresAt.Add(-time.Minute)} {
		c.Set(at)
		tokensMustVerify(t, s, tok, claims)
	}
}

func testTokensExpired(t *testing.T, s ports.TokenService, c *ManualClock) {
	claims := tokensClaims(c, "alice", domain.GroupStd, 1)
	tok := tokensMustIssue(t, s, claims)
	for _, at := range []time.Time{claims.ExpiresAt.Add(time.Minute + time.Second), claims.ExpiresAt.Add(365 * 24 * time.Hour)} {
		c.Set(at)
		tokensMustFail(t, s, tok, domain.ErrTokenExpired)
		_, err := s.Verify(context.Background(), tok)
		if domain.ErrorCode(err) != domain.CodeExpired {
			t.Errorf("expired token: code %q, want %q", domain.ErrorCode(err), domain.CodeExpired)
		}
	}
}

// tokensTamper returns tok with one character changed at each of several
// places. It avoids the last character before a '.' and at the end: in
// base64url those may carry unused bits, so changing them may change nothing.
func tokensTamper(tok string) []string {
	var out []string
	for _, i := range []int{0, 1, len(tok) / 4, len(tok) / 3, len(tok) / 2, 2 * len(tok) / 3, len(tok) - 3} {
		for i > 0 && (i >= len(tok)-1 || tok[i+1] == '.' || tok[i] == '.') {
			i--
		}
		b := []byte(tok)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		if string(b) != tok {
			out = append(out, string(b))
		}
	}
	return append(out, tok+"A", tok[:len(tok)-4], " "+tok)
}

func testTokensTampered(t *testing.T, s ports.TokenService, c *ManualClock) {
	tok := tokensMustIssue(t, s, tokensClaims(c, "alice", domain.GroupStd, 1))
	for _, bad := range tokensTamper(tok) {
		tokensMustFail(t, s, bad, domain.ErrTokenInvalid)
	}
}

// testTokensTamperedAndExpired: a forged token is invalid, never merely
// expired, whatever its claimed expiry.
func testTokensTamperedAndExpired(t *testing.T, s ports.TokenService, c *ManualClock) {
	claims := tokensClaims(c, "alice", domain.GroupStd, 1)
	tok := tokensMustIssue(t, s, claims)
	c.Set(claims.ExpiresAt.Add(24 * time.Hour))
	for _, bad := range tokensTamper(tok) {
		tokensMustFail(t, s, bad, domain.ErrTokenInvalid)
	}
}

func testTokensGarbage(t *testing.T, s ports.TokenService, _ *ManualClock) {
	for _, bad := range []string{
		"", " ", "garbage", ".", "..", "a.b.c", "a.b.c.d.e", "{}", `{"alg":"none"}`,
		"eyJhbGciOiJIUzI1NiJ9..", "eyJhbGciOiJIUzI1NiJ9.e30.", "eyJhbGciOiJIUzI1NiJ9.e30.AAAA",
		strings.Repeat("A", 100_000), strings.Repeat("a.", 10_000),
	} {
		tokensMustFail(t, s, bad, domain.ErrTokenInvalid)
	}
}

func testTokensConcurrent(t *testing.T, s ports.TokenService, c *ManualClock) {
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			claims := tokensClaims(c, "user"+strings.Repeat("x", i), domain.GroupStd, int64(i))
			tok, err := s.Issue(context.Background(), claims)
			if err != nil {
				t.Error(err)
				return
			}
			got, err := s.Verify(context.Background(), tok)
			if err != nil || got.Subject != claims.Subject || got.UserID != claims.UserID || got.Version != claims.Version {
				t.Errorf("concurrent round trip: %+v, %v", got, err)
			}
		}()
	}
	wg.Wait()
}
