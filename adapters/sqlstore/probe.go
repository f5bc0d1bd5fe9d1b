package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"errors"
	"strings"
)

// probePayload is large enough (8 KiB) that writing it needs new pages, as
// real writes do: a full disk or a database at its size limit refuses it.
var probePayload = strings.Repeat("p", 8<<10)

// WriteProbe reports whether the database takes writes now: a readiness
// check, since a database that answers reads while every write fails (a
// full disk) must not look ready. On MariaDB and PostgreSQL it inserts a
// row into readiness_probe and rolls it back, which takes the locks and
// writes the logs a real write does, leaving nothing. SQLite writes its
// file only when a transaction commits, so there the row (one, replaced
// each time) is committed.
func (db *DB) WriteProbe(ctx context.Context) error {
	ctx, cancel := db.ctx(ctx)
	defer cancel()
	d := db.d
	var b [8]byte
	_, _ = rand.Read(b[:])
	id := int64(binary.BigEndian.Uint64(b[:]) >> 2)
	if d.name == "sqlite" {
		id = 1
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, d.q(d.upsert("readiness_probe", "id", "id", "written_at", "payload")), id, d.timeArg(db.now()), probePayload)
		if err != nil {
			return err
		}
		if d.name == "sqlite" {
			return nil
		}
		return errRollback
	})
	if err == nil || err == errRollback {
		return nil
	}
	return db.otherError(ctx, err, "write probe")
}

// errRollback ends the probe's transaction without keeping its row.
var errRollback = errors.New("sqlstore: probe rolled back")

// PageCount is SQLite's page_count (0 elsewhere): tests pin
// max_page_count to it to make a database that cannot grow.
func (db *DB) PageCount(ctx context.Context) (int, error) {
	if db.d.name != "sqlite" {
		return 0, nil
	}
	var n int
	err := db.sql.QueryRowContext(ctx, "PRAGMA page_count").Scan(&n)
	return n, err
}
