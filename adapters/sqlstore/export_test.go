package sqlstore

import (
	"context"
	"database/sql"
)

// Hooks for the external tests of unexported rules.

// TxAttempts is how many times InTxRetry runs a transaction at most.
const TxAttempts = txAttempts

// TxAborted reports whether db would run a transaction failing with err again.
func (db *DB) TxAborted(err error) bool { return db.d.txAborted(err) }

// InTxRetry is inTxRetry.
func (db *DB) InTxRetry(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return db.inTxRetry(ctx, fn)
}
