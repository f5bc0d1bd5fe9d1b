package sqlstore_test

import (
	"testing"

	"github.com/seatidemc/seatide/adapters/sqlstore/sqltest"
	"github.com/seatidemc/seatide/ports/portstest"
)

func TestAPITokenStore(t *testing.T) {
	sqltest.EachDriver(t, func(t *testing.T, driver string) {
		portstest.RunAPITokenStoreTests(t, func(t *testing.T) portstest.APITokenFixture {
			db := sqltest.Open(t, driver)
			return portstest.APITokenFixture{Users: db.Users(), Tokens: db.APITokens()}
		})
	})
}
