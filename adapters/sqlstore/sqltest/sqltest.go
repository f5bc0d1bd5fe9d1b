// Package sqltest gives each test a database of its own on the local (or
// configured) servers, so test packages run in parallel and leave nothing
// behind.
//
// sqlite uses a file in t.TempDir(). mysql creates a database
// seatide_test_<random> and postgres a schema seatide_test_<random> (the DSN
// selects it with search_path), both dropped when the test ends. The servers
// are found through SEATIDE_TEST_MYSQL_DSN (default
// root@tcp(127.0.0.1:3306)/test) and SEATIDE_TEST_POSTGRES_DSN (default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable), whose accounts
// must be allowed to create and drop databases/schemas.
//
// When a server does not answer the test is skipped with a message saying
// how to start it; when the environment has CI=true it fails instead, so a
// CI run cannot pass by skipping its database tests.
package sqltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/seatidemc/seatide/adapters/sqlstore"
)

// Drivers lists the database.driver values, for table-driven tests.
var Drivers = []string{"sqlite", "mysql", "postgres"}

// Default server addresses, overridden by the environment variables.
const (
	DefaultMySQLDSN    = "root@tcp(127.0.0.1:3306)/test"
	DefaultPostgresDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

	MySQLEnv    = "SEATIDE_TEST_MYSQL_DSN"
	PostgresEnv = "SEATIDE_TEST_POSTGRES_DSN"
)

// Open returns a store on a fresh, migrated database of driver, closed and
// dropped when t ends.
func Open(t testing.TB, driver string) *sqlstore.DB {
	t.Helper()
	return OpenConfig(t, sqlstore.Config{Driver: driver})
}

// OpenConfig is Open with pool, timeout and clock settings from cfg; its
// Driver selects the server and its DSN is replaced by a fresh database's.
func OpenConfig(t testing.TB, cfg sqlstore.Config) *sqlstore.DB {
	t.Helper()
	cfg.DSN = DSN(t, cfg.Driver)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := sqlstore.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("sqltest: %v", err)
	}
	t.Cleanup(func() { db.Close() }) // runs before the drop registered by DSN
	if err := db.MigrateUp(ctx); err != nil {
		t.Fatalf("sqltest: %v", err)
	}
	return db
}

// DSN returns the DSN of a fresh, empty (not migrated) database of driver,
// dropped when t ends, for callers that open it themselves: an end-to-end
// test setting database.dsn, or a migration test.
func DSN(t testing.TB, driver string) string {
	t.Helper()
	skipShort(t, driver)
	switch driver {
	case "sqlite", "":
		return filepath.Join(t.TempDir(), "seatide.db")
	case "mysql":
		return mysqlDSN(t)
	case "postgres":
		return postgresDSN(t)
	}
	t.Fatalf("sqltest: unknown driver %q", driver)
	return ""
}

// skipShort skips a test on a database server under -short (make
// test-short): those are the slow tests, and need servers running. SQLite
// needs none and stays.
func skipShort(t testing.TB, driver string) {
	t.Helper()
	if testing.Short() && driver != "sqlite" && driver != "" {
		t.Skipf("%s: a database server test (skipped by -short)", driver)
	}
}

// unavailable skips t, or fails it under CI=true.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
		t.Fatalf("%s\n(CI=true: database tests must run, not skip)", msg)
	}
	t.Skip(msg)
}

func randomName(t testing.TB) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "seatide_test_" + hex.EncodeToString(b)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// Require skips t (fails it under CI=true) unless driver's server answers.
// Call it once before a suite whose every test would otherwise skip alone.
func Require(t testing.TB, driver string) {
	t.Helper()
	skipShort(t, driver)
	switch driver {
	case "sqlite", "":
	case "mysql":
		mysqlAdmin(t).Close()
	case "postgres":
		postgresAdmin(t).Close()
	default:
		t.Fatalf("sqltest: unknown driver %q", driver)
	}
}

// admin connects to a server as its administrator, or skips saying
// whether the server is down or only the database the tests start from is
// missing.
func admin(t testing.TB, name, sqlDriver, dsn, addr, dbName, envName, hint string) *sql.DB {
	t.Helper()
	db, err := sql.Open(sqlDriver, dsn)
	if err != nil {
		t.Fatalf("sqltest: %s: %v", name, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		if noDatabase(err) {
			unavailable(t, "%s: the server at %s answers but has no database %q, which the tests connect to before "+
				"creating their own: create it with `CREATE DATABASE %s;`, or point %s at another", name, addr, dbName, dbName, envName)
		}
		unavailable(t, "%s: no server at %s (%s): %v", name, addr, hint, err)
	}
	return db
}

// noDatabase reports the server's "unknown database" answer.
func noDatabase(err error) bool {
	var myErr *mysql.MySQLError
	var pgErr *pgconn.PgError
	return errors.As(err, &myErr) && myErr.Number == 1049 || errors.As(err, &pgErr) && pgErr.Code == "3D000"
}

func mysqlAdminConfig(t testing.TB) *mysql.Config {
	t.Helper()
	cfg, err := mysql.ParseDSN(envOr(MySQLEnv, DefaultMySQLDSN))
	if err != nil {
		t.Fatalf("sqltest: %s: %v", MySQLEnv, err)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 3 * time.Second
	}
	return cfg
}

func mysqlAdmin(t testing.TB) *sql.DB {
	t.Helper()
	cfg := mysqlAdminConfig(t)
	return admin(t, "mysql", "mysql", cfg.FormatDSN(), cfg.Addr, cfg.DBName, MySQLEnv,
		"start it with `sudo service mariadb start`, or point "+MySQLEnv+" at one")
}

func postgresAdmin(t testing.TB) *sql.DB {
	t.Helper()
	src := envOr(PostgresEnv, DefaultPostgresDSN)
	pc, err := pgx.ParseConfig(src)
	if err != nil {
		t.Fatalf("sqltest: %s: %v", PostgresEnv, err)
	}
	addr := net.JoinHostPort(pc.Host, strconv.Itoa(int(pc.Port)))
	return admin(t, "postgres", "pgx", src, addr, pc.Database, PostgresEnv,
		"start it with `sudo service postgresql start`, or point "+PostgresEnv+" at one")
}

func mysqlDSN(t testing.TB) string {
	t.Helper()
	cfg := mysqlAdminConfig(t)
	db := mysqlAdmin(t)
	defer db.Close()
	name := randomName(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatalf("sqltest: mysql: create database: %v", err)
	}
	t.Cleanup(func() { dropWith(t, "mysql", cfg.FormatDSN(), "DROP DATABASE IF EXISTS "+name) })
	cfg.DBName = name
	return cfg.FormatDSN()
}

func postgresDSN(t testing.TB) string {
	t.Helper()
	src := envOr(PostgresEnv, DefaultPostgresDSN)
	db := postgresAdmin(t)
	defer db.Close()
	name := randomName(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("sqltest: postgres: create schema: %v", err)
	}
	t.Cleanup(func() { dropWith(t, "pgx", src, "DROP SCHEMA IF EXISTS "+name+" CASCADE") })
	return withSearchPath(t, src, name)
}

// withSearchPath selects schema in a postgres DSN of either form.
func withSearchPath(t testing.TB, dsn, schema string) string {
	u, err := url.Parse(dsn)
	if err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}

func dropWith(t testing.TB, driver, dsn, stmt string) {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Errorf("sqltest: cleanup: %v", err)
		return
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		t.Errorf("sqltest: cleanup %q: %v", stmt, err)
	}
}

// EachDriver runs fn as a parallel subtest named after each driver, once
// Require has found its server.
func EachDriver(t *testing.T, fn func(t *testing.T, driver string)) {
	t.Helper()
	for _, driver := range Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			Require(t, driver)
			fn(t, driver)
		})
	}
}
