package sqlstore_test

import (
	"testing"

	"github.com/seatidemc/seatide/adapters/sqlstore/sqltest"
	"github.com/seatidemc/seatide/ports"
	"github.com/seatidemc/seatide/ports/portstest"
)

// Each subtest gets a database of its own (see sqltest).
func TestUserStore(t *testing.T) {
	for _, driver := range sqltest.Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			sqltest.Require(t, driver)
			portstest.RunUserStoreTests(t, func(t *testing.T) ports.UserStore {
				return sqltest.Open(t, driver).Users()
			})
		})
	}
}
