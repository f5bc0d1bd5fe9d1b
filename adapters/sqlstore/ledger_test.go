package sqlstore_test

import (
	"testing"

	"github.com/seatidemc/seatide/adapters/sqlstore/sqltest"
	"github.com/seatidemc/seatide/ports"
	"github.com/seatidemc/seatide/ports/portstest"
)

func TestLedgerStore(t *testing.T) {
	sqltest.EachDriver(t, func(t *testing.T, driver string) {
		portstest.RunLedgerStoreTests(t, func(t *testing.T) ports.LedgerStore { return sqltest.Open(t, driver).Ledger() })
	})
}

func TestLedgerStoreSQLiteInMemory(t *testing.T) {
	portstest.RunLedgerStoreTests(t, func(t *testing.T) ports.LedgerStore { return openMemory(t).Ledger() })
}

func TestBackupStore(t *testing.T) {
	sqltest.EachDriver(t, func(t *testing.T, driver string) {
		portstest.RunBackupStoreTests(t, func(t *testing.T) ports.BackupStore { return sqltest.Open(t, driver).Backups() })
	})
}
