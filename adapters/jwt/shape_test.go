package jwt_test

import (
	"context"
	"errors"
	"testing"

	"github.com/seatidemc/seatide/adapters/jwt"
	"github.com/seatidemc/seatide/domain"
)

// Only the exact token verifies: another spelling of its signature (padded,
// with a space or a line break) is refused, whether or not the exact token
// was checked (and remembered) first.
func TestOnlyTheExactSpellingVerifies(t *testing.T) {
	for _, first := range []bool{false, true} {
		s, _ := newService(t, jwt.Options{})
		tok := hs256("HS256", payload())
		if first {
			if _, err := s.Verify(context.Background(), tok); err != nil {
				t.Fatal(err)
			}
		}
		for _, bad := range []string{tok + "=", tok + "==", tok + " ", tok + "\n", " " + tok, tok[:len(tok)-1] + "+", "." + tok} {
			if _, err := s.Verify(context.Background(), bad); !errors.Is(err, domain.ErrTokenInvalid) {
				t.Errorf("%q (exact one checked first: %v): %v, want invalid", bad[len(bad)-4:], first, err)
			}
		}
	}
}
