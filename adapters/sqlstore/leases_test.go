package sqlstore_test

import (
	"testing"

	"github.com/seatidemc/seatide/adapters/sqlstore"
	"github.com/seatidemc/seatide/adapters/sqlstore/sqltest"
	"github.com/seatidemc/seatide/ports"
	"github.com/seatidemc/seatide/ports/portstest"
)

// Each subtest gets a database of its own (see sqltest), on the suite's
// clock: expiry is judged by the store's clock, not the database's.
func TestLeaseStore(t *testing.T) {
	sqltest.EachDriver(t, func(t *testing.T, driver string) {
		portstest.RunLeaseStoreTests(t, func(t *testing.T, clock ports.Clock) ports.LeaseStore {
			return sqltest.OpenConfig(t, sqlstore.Config{Driver: driver, Clock: clock}).Leases()
		})
	})
}

func TestLeaseStoreSQLiteInMemory(t *testing.T) {
	portstest.RunLeaseStoreTests(t, func(t *testing.T, clock ports.Clock) ports.LeaseStore {
		db, err := sqlstore.Open(t.Context(), sqlstore.Config{Driver: "sqlite", DSN: ":memory:", Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.MigrateUp(t.Context()); err != nil {
			t.Fatal(err)
		}
		return db.Leases()
	})
}
