package memstore_test

import (
	"testing"

	"github.com/seatidemc/seatide/adapters/memstore"
	"github.com/seatidemc/seatide/ports/portstest"
)

func TestAPITokenStore(t *testing.T) {
	portstest.RunAPITokenStoreTests(t, func(t *testing.T) portstest.APITokenFixture {
		s := memstore.New(nil)
		return portstest.APITokenFixture{Users: s, Tokens: s}
	})
}
