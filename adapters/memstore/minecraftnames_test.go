package memstore_test

import (
	"testing"

	"github.com/seatidemc/seatide/adapters/memstore"
	"github.com/seatidemc/seatide/ports/portstest"
)

func TestMinecraftNameStore(t *testing.T) {
	portstest.RunMinecraftNameStoreTests(t, func(t *testing.T) portstest.NameStores {
		s := memstore.New(nil)
		return portstest.NameStores{Users: s, Names: s}
	})
}
