package sqlstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/go-sql-driver/mysql"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/seatidemc/seatide/domain"
)

// ErrUnavailable matches the errors returned, wrapping the cause, when the
// database is unreachable, busy past the query timeout, or the caller's
// context ended first: retrying later may help. errors.Is also matches the
// context error in the chain.
var ErrUnavailable = domain.Errorf(domain.CodeUnavailable, "database unavailable")

// otherError translates a failure no store claimed: unavailable when it is
// about time or the connection, internal otherwise. what names the operation
// for logs; neither it nor the driver's text reaches clients.
func (db *DB) otherError(ctx context.Context, err error, what string) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		// The driver's own error for an interrupted query varies; the
		// context's says what happened.
		if !errors.Is(err, ctxErr) {
			err = errors.Join(ctxErr, err)
		}
		return domain.Wrap(ErrUnavailable, err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) {
		return domain.Wrap(ErrUnavailable, err)
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return domain.Wrap(ErrUnavailable, err)
	}
	var sqliteErr *sqlite.Error
	if errors.As(err, &sqliteErr) && (sqliteErr.Code()&0xff == sqlite3.SQLITE_BUSY || sqliteErr.Code()&0xff == sqlite3.SQLITE_LOCKED) {
		return domain.Wrap(ErrUnavailable, err)
	}
	if outage(err) {
		return domain.Wrap(ErrUnavailable, err)
	}
	return domain.Internal(err, what)
}

// outage reports a failure of the database server rather than of the
// statement: a connection an administrator or a restart killed, a server
// shutting down or refusing connections, a full disk. Retrying later helps.
func outage(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08 connection exception; 57P01 admin shutdown (e.g.
		// pg_terminate_backend), 57P02 crash shutdown, 57P03 cannot connect
		// now; class 53 insufficient resources (53100 disk full).
		c := pgErr.Code
		return strings.HasPrefix(c, "08") || strings.HasPrefix(c, "53") || c == "57P01" || c == "57P02" || c == "57P03"
	}
	var myErr *mysql.MySQLError
	if errors.As(err, &myErr) {
		switch myErr.Number {
		case 1927, // ER_CONNECTION_KILLED: KILL of our connection
			1053, // ER_SERVER_SHUTDOWN
			1040, // ER_CON_COUNT_ERROR: too many connections
			1021, // ER_DISK_FULL
			1114: // ER_RECORD_FILE_FULL: the table is full
			return true
		}
	}
	var sqliteErr *sqlite.Error
	if errors.As(err, &sqliteErr) {
		switch sqliteErr.Code() & 0xff {
		case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN:
			return true
		}
	}
	var pgConnErr *pgconn.ConnectError
	return errors.As(err, &pgConnErr)
}
