package jwt_test

import (
	"context"
	"errors"
	"testing"

	"github.com/seatidemc/seatide/adapters/jwt"
	"github.com/seatidemc/seatide/domain"
)

// FuzzVerify: any string offered as a login token verifies only when it is
// exactly a token the service signed; everything else is a token error,
// never a panic.
func FuzzVerify(f *testing.F) {
	good := hs256("HS256", payload())
	f.Add(good)
	f.Add(good + "=")
	f.Add(hs256("none", payload()))
	f.Add("a.b.c")
	f.Add("..")
	f.Fuzz(func(t *testing.T, tok string) {
		s, _ := newService(t, jwt.Options{})
		c, err := s.Verify(context.Background(), tok)
		if err == nil {
			if tok != good || c.Subject != "alice" {
				t.Fatalf("%q verified as %+v", tok, c)
			}
			return
		}
		if !errors.Is(err, domain.ErrTokenInvalid) && !errors.Is(err, domain.ErrTokenExpired) {
			t.Fatalf("%q: %v", tok, err)
		}
	})
}
