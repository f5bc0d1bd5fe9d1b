package users_test

import (
	"context"
	"errors"
	"testing"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/users"
)

// FuzzTokenParsing: any string offered as a token (login or API) is
// refused with a token error, or accepted only when it is exactly a token
// the service issued; nothing panics.
func FuzzTokenParsing(f *testing.F) {
	f.Add("tok-0")
	f.Add("seatide_" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("seatide_" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		fx := newFixture(t, users.Options{})
		fx.svc = users.New(fx.store, fx.hasher, &fakeTokens{clock: fx.clock}, fx.clock, users.Options{APITokens: fx.store})
		_ = users.IsAPIToken(tok)
		u, err := fx.svc.Authenticate(context.Background(), tok)
		if err == nil {
			if tok != "tok-0" && tok != "tok-1" {
				t.Fatalf("%q authenticated as %+v", tok, u)
			}
			return
		}
		if !errors.Is(err, domain.ErrTokenInvalid) && !errors.Is(err, domain.ErrTokenExpired) {
			t.Fatalf("%q: %v, want a token error", tok, err)
		}
	})
}
