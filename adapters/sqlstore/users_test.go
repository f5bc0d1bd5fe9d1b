package sqlstore_test

import (
	"testing"

	"github.com/seatidemc/seatide/adapters/sqlstore"
	"github.com/seatidemc/seatide/adapters/sqlstore/sqltest"
	"github.com/seatidemc/seatide/ports"
	"github.com/seatidemc/seatide/ports/portstest"
)

// Each subtest gets a database of its own (see sqltest).
func TestUserStore(t *testing.T) {
	sqltest.EachDriver(t, func(t *testing.T, driver string) {
		portstest.RunUserStoreTests(t, func(t *testing.T, clock ports.Clock) ports.UserStore {
			return sqltest.OpenConfig(t, sqlstore.Config{Driver: driver, Clock: clock}).Users()
		})
	})
}

// An in-memory sqlite database works too (one connection, kept open).
func TestUserStoreSQLiteInMemory(t *testing.T) {
	portstest.RunUserStoreTests(t, func(t *testing.T, clock ports.Clock) ports.UserStore {
		db, err := sqlstore.Open(t.Context(), sqlstore.Config{Driver: "sqlite", DSN: ":memory:", Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.MigrateUp(t.Context()); err != nil {
			t.Fatal(err)
		}
		return db.Users()
	})
}
