package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/seatidemc/seatide/adapters/sqlstore"
	"github.com/seatidemc/seatide/adapters/sqlstore/sqltest"
)

// deadlock makes two transactions on dsn wait for each other's row and
// returns the error of the one the server aborts.
func deadlock(t *testing.T, driver, dsn string) error {
	t.Helper()
	ctx := t.Context()
	norm, err := sqlstore.NormalizeDSN(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open(sqlDriverNames[driver], norm)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, stmt := range []string{"CREATE TABLE deadlock (id INT PRIMARY KEY, n INT NOT NULL)", "INSERT INTO deadlock VALUES (1, 0), (2, 0)"} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	var txs [2]*sql.Tx
	for i := range txs {
		if txs[i], err = db.BeginTx(ctx, nil); err != nil {
			t.Fatal(err)
		}
		defer txs[i].Rollback()
		if _, err := txs[i].ExecContext(ctx, "UPDATE deadlock SET n = n + 1 WHERE id = "+[]string{"1", "2"}[i]); err != nil {
			t.Fatal(err)
		}
	}
	// Each now wants the other's row: whichever asks second closes the cycle.
	errs := make(chan error, 2)
	for i, tx := range txs {
		go func() {
			_, err := tx.ExecContext(ctx, "UPDATE deadlock SET n = n + 1 WHERE id = "+[]string{"2", "1"}[i])
			if err != nil {
				_ = tx.Rollback() // lets the other through
			}
			errs <- err
		}()
	}
	var aborted []error
	for range txs {
		if err := <-errs; err != nil {
			aborted = append(aborted, err)
		}
	}
	if len(aborted) != 1 {
		t.Fatalf("%d transactions aborted (%v), want 1", len(aborted), aborted)
	}
	return aborted[0]
}

// A transaction the server aborted is run again, a few times at most; any
// other failure, or one after the context ended, is returned at once. The
// abort is a real deadlock, so the codes retried are the ones servers send.
func TestInTxRetry(t *testing.T) {
	for _, driver := range []string{"mysql", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			db := sqltest.Open(t, driver)
			aborted := deadlock(t, driver, sqltest.DSN(t, driver))
			if !db.TxAborted(aborted) {
				t.Fatalf("deadlock %v not recognised as an aborted transaction", aborted)
			}
			other := errors.New("not a deadlock")
			if db.TxAborted(other) || db.TxAborted(context.Canceled) {
				t.Fatal("unrelated errors recognised as aborted transactions")
			}
			for _, tc := range []struct {
				name      string
				fail      func(call int, cancel context.CancelFunc) error
				wantCalls int
				wantErr   error
			}{
				{"succeeds", func(int, context.CancelFunc) error { return nil }, 1, nil},
				{"aborted once", func(call int, _ context.CancelFunc) error {
					if call == 1 {
						return aborted
					}
					return nil
				}, 2, nil},
				{"aborted every time", func(int, context.CancelFunc) error { return aborted }, sqlstore.TxAttempts, aborted},
				{"other error", func(int, context.CancelFunc) error { return other }, 1, other},
				{"context ended", func(_ int, cancel context.CancelFunc) error { cancel(); return aborted }, 1, aborted},
			} {
				ctx, cancel := context.WithCancel(t.Context())
				calls := 0
				err := db.InTxRetry(ctx, func(*sql.Tx) error {
					calls++
					return tc.fail(calls, cancel)
				})
				cancel()
				if calls != tc.wantCalls || !errors.Is(err, tc.wantErr) {
					t.Errorf("%s: %d calls, %v; want %d, %v", tc.name, calls, err, tc.wantCalls, tc.wantErr)
				}
			}
		})
	}
}
