package sqlstore_test

import (
	"testing"

	"github.com/seatidemc/seatide/adapters/sqlstore/sqltest"
	"github.com/seatidemc/seatide/ports/portstest"
)

func TestEventStore(t *testing.T) {
	sqltest.EachDriver(t, func(t *testing.T, driver string) {
		portstest.RunEventStoreTests(t, func(t *testing.T) portstest.EventStores {
			s := sqltest.Open(t, driver).Events()
			return portstest.EventStores{Events: s, Outbox: s}
		})
	})
}

func TestEventStoreSQLiteInMemory(t *testing.T) {
	portstest.RunEventStoreTests(t, func(t *testing.T) portstest.EventStores {
		s := openMemory(t).Events()
		return portstest.EventStores{Events: s, Outbox: s}
	})
}
