package sqlstore_test

import (
	"testing"

	"github.com/seatidemc/seatide/adapters/sqlstore/sqltest"
	"github.com/seatidemc/seatide/ports/portstest"
)

func TestMinecraftNameStore(t *testing.T) {
	sqltest.EachDriver(t, func(t *testing.T, driver string) {
		portstest.RunMinecraftNameStoreTests(t, func(t *testing.T) portstest.NameStores {
			db := sqltest.Open(t, driver)
			return portstest.NameStores{Users: db.Users(), Names: db.MinecraftNames()}
		})
	})
}
