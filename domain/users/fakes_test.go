package users_test

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// fakeHasher "hashes" by prefixing; "legacy$" hashes verify but ask for a rehash.
type fakeHasher struct {
	mu       sync.Mutex
	verifies int
}

var _ ports.PasswordHasher = (*fakeHasher)(nil)

func (h *fakeHasher) Hash(_ context.Context, pw string) (string, error) { return "fake$" + pw, nil }

func (h *fakeHasher) Verify(_ context.Context, hash, pw string) (bool, bool, error) {
	h.mu.Lock()
	h.verifies++
	h.mu.Unlock()
	switch {
	case hash == "fake$"+pw:
		return true, false, nil
	case hash == "legacy$"+pw:
		return true, true, nil
	}
	return false, false, nil
}

func (h *fakeHasher) Verifies() int { h.mu.Lock(); defer h.mu.Unlock(); return h.verifies }

// fakeTokens keeps issued claims in a map; a token is its index.
type fakeTokens struct {
	mu     sync.Mutex
	clock  ports.Clock
	issued []domain.TokenClaims
}

var _ ports.TokenService = (*fakeTokens)(nil)

func (f *fakeTokens) Issue(_ context.Context, c domain.TokenClaims) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.issued = append(f.issued, c)
	return fmt.Sprintf("tok-%d", len(f.issued)-1), nil
}

func (f *fakeTokens) Verify(_ context.Context, tok string) (domain.TokenClaims, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var i int
	if _, err := fmt.Sscanf(tok, "tok-%d", &i); err != nil || !strings.HasPrefix(tok, "tok-") || i < 0 || i >= len(f.issued) {
		return domain.TokenClaims{}, domain.ErrTokenInvalid
	}
	c := f.issued[i]
	if !f.clock.Now().Before(c.ExpiresAt) {
		return domain.TokenClaims{}, domain.ErrTokenExpired
	}
	return c, nil
}
