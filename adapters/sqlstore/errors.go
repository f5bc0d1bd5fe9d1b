package sqlstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"net"

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
	return domain.Internal(err, what)
}
