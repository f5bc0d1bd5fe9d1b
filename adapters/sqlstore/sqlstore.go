// Package sqlstore keeps seatide's data in SQLite (modernc.org/sqlite, the
// default), MySQL/MariaDB (go-sql-driver/mysql) or PostgreSQL (pgx through
// database/sql), with hand-written SQL shared by the three and the few
// differences kept in one dialect value.
//
// Each store lives in its own file (users.go, ...) with its queries and one
// function translating driver errors into the domain errors its port
// documents; anything unexpected becomes domain.Internal, whose text is for
// logs only. The schema is in the migrations package, applied with goose.
//
// Every query runs under a deadline: the caller's context, cut to
// Config.QueryTimeout. Times are written and read in UTC.
package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"

	_ "github.com/go-sql-driver/mysql" // database/sql driver "mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"

	"github.com/seatidemc/seatide/ports"
)

// DefaultQueryTimeout bounds each query (or transaction) when
// Config.QueryTimeout is zero.
const DefaultQueryTimeout = 5 * time.Second

// Config selects and tunes the database; it mirrors the database.* settings.
type Config struct {
	// Driver is "sqlite" (the default when empty), "mysql" or "postgres".
	Driver string
	// DSN is in the driver's own form: a file path or file: URI for sqlite,
	// user:pass@tcp(host:3306)/db for mysql, postgres://user@host/db (or
	// key=value pairs) for postgres. Settings the store relies on are added
	// when absent; see NormalizeDSN.
	DSN string

	// Pool limits; zero keeps database/sql's default (unlimited open
	// connections, 2 idle, no lifetime limits).
	MaxOpenConns    int
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
	ConnMaxIdleTime time.Duration

	// QueryTimeout bounds every query or transaction (DefaultQueryTimeout
	// when zero). Migrations run under the caller's context only.
	QueryTimeout time.Duration

	// Clock stamps CreatedAt/UpdatedAt (ports.SystemClock when nil).
	Clock ports.Clock
}

// DB is an open database. Its stores (Users, ...) share the pool.
type DB struct {
	sql     *sql.DB
	d       *dialect
	clock   ports.Clock
	timeout time.Duration

	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt // hot queries, prepared once
}

// Open connects to the database described by cfg and checks that it
// answers. It does not migrate; call MigrateUp (or check MigrationsPending)
// next.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	if cfg.Driver == "" {
		cfg.Driver = "sqlite"
	}
	d, ok := dialects[cfg.Driver]
	if !ok {
		return nil, fmt.Errorf("sqlstore: unknown database driver %q (want sqlite, mysql or postgres)", cfg.Driver)
	}
	dsn, err := NormalizeDSN(cfg.Driver, cfg.DSN)
	if err != nil {
		return nil, err
	}
	sqlDB, err := sql.Open(d.driverName, dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open %s: %w", d.name, err)
	}
	if cfg.MaxOpenConns > 0 {
		sqlDB.SetMaxOpenConns(cfg.MaxOpenConns)
	}
	if cfg.MaxIdleConns > 0 {
		sqlDB.SetMaxIdleConns(cfg.MaxIdleConns)
	}
	if cfg.ConnMaxLifetime > 0 {
		sqlDB.SetConnMaxLifetime(cfg.ConnMaxLifetime)
	}
	if cfg.ConnMaxIdleTime > 0 {
		sqlDB.SetConnMaxIdleTime(cfg.ConnMaxIdleTime)
	}
	if d.name == "sqlite" && sqliteInMemory(cfg.DSN) {
		// Every connection to :memory: is a database of its own: keep one,
		// forever.
		sqlDB.SetMaxOpenConns(1)
		sqlDB.SetMaxIdleConns(1)
		sqlDB.SetConnMaxLifetime(0)
		sqlDB.SetConnMaxIdleTime(0)
	}
	db := &DB{sql: sqlDB, d: d, clock: cfg.Clock, timeout: cfg.QueryTimeout}
	if db.clock == nil {
		db.clock = ports.SystemClock{}
	}
	if db.timeout <= 0 {
		db.timeout = DefaultQueryTimeout
	}
	pctx, cancel := db.ctx(ctx)
	defer cancel()
	if err := sqlDB.PingContext(pctx); err != nil {
		sqlDB.Close()
		return nil, unreachable(d.name, dsn, err)
	}
	return db, nil
}

// sqliteInMemory reports a DSN whose database lives in one connection.
func sqliteInMemory(dsn string) bool {
	path, query, _ := strings.Cut(dsn, "?")
	return path == ":memory:" || path == "file::memory:" || strings.Contains(query, "mode=memory")
}

// Driver returns the dialect in use: "sqlite", "mysql" or "postgres".
func (db *DB) Driver() string { return db.d.name }

// Ping checks that the database answers within the query timeout.
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := db.ctx(ctx)
	defer cancel()
	if err := db.sql.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlstore: %s does not answer: %w", db.d.name, err)
	}
	return nil
}

// Close closes the pool; stores from this DB stop working.
func (db *DB) Close() error {
	db.stmtMu.Lock()
	for _, st := range db.stmts {
		_ = st.Close()
	}
	db.stmts = nil
	db.stmtMu.Unlock()
	return db.sql.Close()
}

// prepared returns query prepared once for this DB (database/sql prepares
// it again on each connection as needed). Hot lookups use it: a token check
// reads its user, and parsing that SELECT each time was a quarter of it.
// A failed prepare is not remembered.
func (db *DB) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	db.stmtMu.Lock()
	defer db.stmtMu.Unlock()
	if st, ok := db.stmts[query]; ok {
		return st, nil
	}
	st, err := db.sql.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if db.stmts == nil {
		db.stmts = make(map[string]*sql.Stmt)
	}
	db.stmts[query] = st
	return st, nil
}

// ctx derives the deadline every query runs under.
func (db *DB) ctx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, db.timeout)
}

// now is the clock's time as the database will keep it.
func (db *DB) now() time.Time { return db.clock.Now().UTC().Truncate(time.Microsecond) }

// inTx runs fn in a transaction under one deadline, committing when fn
// returns nil. fn's error is returned as is.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// txAttempts bounds inTxRetry: contention on one row resolves within a few
// rounds, and a store that keeps deadlocking should say so.
const txAttempts = 5

// inTxRetry is inTx, run again when the database aborted the transaction
// for a deadlock or serialization failure (see dialect.txAborted). fn must
// start afresh each time.
func (db *DB) inTxRetry(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var err error
	for range txAttempts {
		if err = db.inTx(ctx, fn); err == nil || !db.d.txAborted(err) || ctx.Err() != nil {
			return err
		}
	}
	return err
}
