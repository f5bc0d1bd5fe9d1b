package sqlstore_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/sqlstore"
	"github.com/seatidemc/seatide/adapters/sqlstore/sqltest"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
	"github.com/seatidemc/seatide/ports/portstest"
)

// Each subtest gets a database of its own (see sqltest).
func TestInstanceStore(t *testing.T) {
	sqltest.EachDriver(t, func(t *testing.T, driver string) {
		portstest.RunInstanceStoreTests(t, func(t *testing.T) ports.InstanceStore {
			return sqltest.Open(t, driver).Instances()
		})
	})
}

func TestHistoryStore(t *testing.T) {
	sqltest.EachDriver(t, func(t *testing.T, driver string) {
		portstest.RunHistoryStoreTests(t, func(t *testing.T) ports.HistoryStore {
			return sqltest.Open(t, driver).History()
		})
	})
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

// Values the domain would never write are refused by every dialect's schema
// alike (sqlite by CHECKs, the others by column types in strict mode), as
// internal errors, and leave nothing behind.
func TestInstanceSchemaProtectsData(t *testing.T) {
	validOp := func() domain.Operation {
		return domain.Operation{ID: "op-1", Action: "new", Step: "create", State: domain.OpRunning,
			StartedBy: "alice", StartedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	}
	sqltest.EachDriver(t, func(t *testing.T, driver string) {
		db := sqltest.Open(t, driver)
		s, h := db.Instances(), db.History()
		ctx := t.Context()
		for _, tc := range []struct {
			name string
			call func() error
		}{
			{"unknown operation state", func() error {
				op := validOp()
				op.State = "paused"
				return s.SaveOperation(ctx, op)
			}},
			{"empty operation id", func() error {
				op := validOp()
				op.ID = ""
				return s.SaveOperation(ctx, op)
			}},
			{"operation id too long", func() error {
				op := validOp()
				op.ID = strings.Repeat("x", 65)
				return s.SaveOperation(ctx, op)
			}},
			{"instance naming an unrecorded operation", func() error {
				_, err := s.Claim(ctx, domain.Instance{OperationID: "op-elsewhere"}, validOp())
				return err
			}},
			{"instance id too long", func() error {
				_, err := s.Claim(ctx, domain.Instance{ID: strings.Repeat("i", 65)}, validOp())
				return err
			}},
			{"history detail too long", func() error {
				_, err := h.Append(ctx, domain.HistoryEntry{Detail: strings.Repeat("d", 1001)})
				return err
			}},
			{"history source too long", func() error {
				_, err := h.Append(ctx, domain.HistoryEntry{Source: strings.Repeat("s", 129)})
				return err
			}},
		} {
			if err := tc.call(); domain.ErrorCode(err) != domain.CodeInternal {
				t.Errorf("%s: %v (code %q), want an internal error", tc.name, err, domain.ErrorCode(err))
			}
		}
		if _, err := s.Current(ctx); !errors.Is(err, domain.ErrNoInstance) {
			t.Errorf("Current after refused claims: %v, want ErrNoInstance", err)
		}
		if _, err := s.LastOperation(ctx); !errors.Is(err, domain.ErrNoOperation) {
			t.Errorf("LastOperation after refused writes: %v, want ErrNoOperation", err)
		}
		if l, err := h.List(ctx, 0, 10); err != nil || len(l) != 0 {
			t.Errorf("History after refused appends = %d entries, %v; want none", len(l), err)
		}
	})
}
