package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// This file says what is wrong when the database cannot be reached, and
// how to fix it, instead of passing the driver's words on. No message
// repeats a DSN or a password.

// The DSN shapes each driver reads, for the messages.
const (
	mysqlShape    = "user:password@tcp(host:3306)/dbname, e.g. root@tcp(127.0.0.1:3306)/seatide"
	postgresShape = "postgres://user:password@host:5432/dbname?sslmode=disable, or host=... user=... dbname=..."
)

// badDSN explains a DSN the driver cannot read.
func badDSN(driver, dsn string) error {
	shape := mysqlShape
	if driver == "postgres" {
		shape = postgresShape
	}
	hint := ""
	switch {
	case strings.Contains(dsn, "://") && driver == "mysql":
		hint = " (the mysql driver reads no URL: drop the scheme and put the address in tcp(...))"
	case !strings.ContainsAny(dsn, "@=") && !strings.Contains(dsn, "://"):
		hint = " (this looks like a SQLite file: set database.dsn too when changing database.driver)"
	}
	return fmt.Errorf("sqlstore: database.dsn is not a %s DSN%s; write %s", driver, hint, shape)
}

// where is what a DSN points at: the server address, database and user.
type where struct{ addr, db, user string }

func whereOf(driver, dsn string) where {
	switch driver {
	case "mysql":
		if c, err := mysql.ParseDSN(dsn); err == nil {
			return where{c.Addr, c.DBName, c.User}
		}
	case "postgres":
		if c, err := pgx.ParseConfig(dsn); err == nil {
			return where{net.JoinHostPort(c.Host, strconv.Itoa(int(c.Port))), c.Database, c.User}
		}
	}
	return where{}
}

// Location says where a DSN points, for logs: the absolute file of a
// sqlite database, user@host:port/dbname of a server; never a password.
func Location(driver, dsn string) string {
	if driver == "sqlite" || driver == "" {
		path, _, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
		if sqliteInMemory(dsn) {
			return "in memory"
		}
		if abs, err := filepath.Abs(path); err == nil {
			return abs
		}
		return path
	}
	w := whereOf(driver, dsn)
	if w.addr == "" {
		return "(a DSN that does not parse)"
	}
	return w.user + "@" + w.addr + "/" + w.db
}

// unreachable explains a failed first contact with the database.
func unreachable(driver, dsn string, err error) error {
	if driver == "sqlite" {
		path, _, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
		if _, statErr := os.Stat(filepath.Dir(path)); errors.Is(statErr, os.ErrNotExist) {
			return fmt.Errorf("sqlstore: sqlite: the directory of database.dsn (%s) does not exist: create it, or choose another path", filepath.Dir(path))
		}
		return fmt.Errorf("sqlstore: sqlite: cannot open %s: %w", path, err)
	}
	w := whereOf(driver, dsn)
	var (
		myErr  *mysql.MySQLError
		pgErr  *pgconn.PgError
		dnsErr *net.DNSError
	)
	switch {
	case errors.As(err, &myErr) && myErr.Number == 1049, errors.As(err, &pgErr) && pgErr.Code == "3D000":
		create := "CREATE DATABASE " + w.db + ";"
		if driver == "mysql" {
			create = "CREATE DATABASE " + w.db + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
		}
		return fmt.Errorf("sqlstore: %s at %s has no database %q: create it with `%s` (or name another in database.dsn)",
			driver, w.addr, w.db, create)
	case errors.As(err, &myErr) && (myErr.Number == 1045 || myErr.Number == 1044),
		errors.As(err, &pgErr) && (pgErr.Code == "28P01" || pgErr.Code == "28000"):
		return fmt.Errorf("sqlstore: %s at %s refused user %q: check the user and password in database.dsn, and that the user may use database %q",
			driver, w.addr, w.user, w.db)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("sqlstore: no %s server listens at %s: start it, or fix the address in database.dsn", driver, w.addr)
	case errors.As(err, &dnsErr):
		return fmt.Errorf("sqlstore: %s: unknown host %q: fix the address in database.dsn", driver, dnsErr.Name)
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return fmt.Errorf("sqlstore: %s at %s does not answer in time: is it reachable from here? (database.query_timeout bounds the wait)", driver, w.addr)
	}
	return fmt.Errorf("sqlstore: %s at %s does not answer: %w", driver, w.addr, err)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
