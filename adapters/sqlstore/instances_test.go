package sqlstore_test

import (
	"testing"

	"github.com/seatidemc/seatide/adapters/sqlstore"
	"github.com/seatidemc/seatide/adapters/sqlstore/sqltest"
	"github.com/seatidemc/seatide/ports"
	"github.com/seatidemc/seatide/ports/portstest"
)

// Each subtest gets a database of its own (see sqltest).
func TestInstanceStore(t *testing.T) {
	for _, driver := range sqltest.Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			sqltest.Require(t, driver)
			portstest.RunInstanceStoreTests(t, func(t *testing.T) ports.InstanceStore {
				return sqltest.Open(t, driver).Instances()
			})
		})
	}
}

func TestHistoryStore(t *testing.T) {
	for _, driver := range sqltest.Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			sqltest.Require(t, driver)
			portstest.RunHistoryStoreTests(t, func(t *testing.T) ports.HistoryStore {
				return sqltest.Open(t, driver).History()
			})
		})
	}
}

// openMemory opens a migrated in-memory sqlite database (one connection,
// kept open) for t.
func openMemory(t *testing.T) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(t.Context(), sqlstore.Config{Driver: "sqlite", DSN: ":memory:"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.MigrateUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestInstanceStoreSQLiteInMemory(t *testing.T) {
	portstest.RunInstanceStoreTests(t, func(t *testing.T) ports.InstanceStore { return openMemory(t).Instances() })
}

func TestHistoryStoreSQLiteInMemory(t *testing.T) {
	portstest.RunHistoryStoreTests(t, func(t *testing.T) ports.HistoryStore { return openMemory(t).History() })
}
