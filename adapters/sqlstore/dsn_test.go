package sqlstore_test

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"

	"github.com/seatidemc/seatide/adapters/sqlstore"
	"github.com/seatidemc/seatide/adapters/sqlstore/sqltest"
)

func TestNormalizeSQLiteDSN(t *testing.T) {
	const added = "_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_txlock=immediate"
	for _, tc := range []struct{ in, want string }{
		{"seatide.db", "seatide.db?" + added},
		{"/var/lib/seatide/seatide.db", "/var/lib/seatide/seatide.db?" + added},
		{"file:seatide.db", "file:seatide.db?" + added},
		{"file:seatide.db?mode=rwc", "file:seatide.db?mode=rwc&" + added},
		// The operator's own settings win, in either spelling.
		{"x.db?_pragma=busy_timeout(100)", "x.db?_pragma=busy_timeout(100)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_txlock=immediate"},
		{"x.db?_pragma=journal_mode%3DDELETE", "x.db?_pragma=journal_mode%3DDELETE&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_txlock=immediate"},
		{"x.db?_busy_timeout=1&_fk=0&_journal=TRUNCATE&_txlock=deferred", "x.db?_busy_timeout=1&_fk=0&_journal=TRUNCATE&_txlock=deferred"},
	} {
		got, err := sqlstore.NormalizeDSN("sqlite", tc.in)
		if err != nil || got != tc.want {
			t.Errorf("NormalizeDSN(sqlite, %q)\n got  %q, %v\n want %q", tc.in, got, err, tc.want)
		}
	}
	if _, err := sqlstore.NormalizeDSN("sqlite", ""); err == nil {
		t.Error("empty sqlite DSN accepted")
	}
}

func TestNormalizeMySQLDSN(t *testing.T) {
	type want struct {
		parseTime bool
		loc       string
		timeZone  string
		collation string
		dbName    string
		addr      string
		user      string
		passwd    string
		sqlMode   string
	}
	const strict = "CONCAT(@@sql_mode, ',STRICT_ALL_TABLES')"
	for _, tc := range []struct {
		in   string
		want want
	}{
		{"root@tcp(127.0.0.1:3306)/seatide",
			want{true, "UTC", "'+00:00'", "utf8mb4_unicode_ci", "seatide", "127.0.0.1:3306", "root", "", strict}},
		{"app:s3cr%t@tcp(db:3307)/seatide?timeout=5s",
			want{true, "UTC", "'+00:00'", "utf8mb4_unicode_ci", "seatide", "db:3307", "app", "s3cr%t", strict}},
		// Explicit settings are kept.
		{"root@tcp(127.0.0.1:3306)/seatide?parseTime=false&loc=Local&time_zone=%27%2B08%3A00%27&collation=utf8mb4_bin&sql_mode=%27ANSI%27",
			want{false, "Local", "'+08:00'", "utf8mb4_bin", "seatide", "127.0.0.1:3306", "root", "", "'ANSI'"}},
	} {
		got, err := sqlstore.NormalizeDSN("mysql", tc.in)
		if err != nil {
			t.Errorf("NormalizeDSN(mysql, %q): %v", tc.in, err)
			continue
		}
		cfg, err := mysql.ParseDSN(got)
		if err != nil {
			t.Errorf("NormalizeDSN(mysql, %q) = %q, which does not parse: %v", tc.in, got, err)
			continue
		}
		g := want{cfg.ParseTime, cfg.Loc.String(), cfg.Params["time_zone"], cfg.Collation, cfg.DBName, cfg.Addr, cfg.User, cfg.Passwd, cfg.Params["sql_mode"]}
		if g != tc.want {
			t.Errorf("NormalizeDSN(mysql, %q) = %q\n got  %+v\n want %+v", tc.in, got, g, tc.want)
		}
	}
	if _, err := sqlstore.NormalizeDSN("mysql", "not a dsn"); err == nil {
		t.Error("bad mysql DSN accepted")
	}
}

func TestNormalizePostgresDSN(t *testing.T) {
	for _, tc := range []struct {
		in, wantTZ, wantDB string
	}{
		{"postgres://postgres@127.0.0.1:5432/seatide", "UTC", "seatide"},
		{"postgresql://app:pw@db/seatide?sslmode=disable", "UTC", "seatide"},
		{"postgres://postgres@127.0.0.1/seatide?timezone=Asia%2FShanghai", "Asia/Shanghai", "seatide"},
		{"host=127.0.0.1 user=postgres dbname=seatide", "UTC", "seatide"},
		{"host=127.0.0.1 dbname=seatide timezone=Europe/Paris", "Europe/Paris", "seatide"},
	} {
		got, err := sqlstore.NormalizeDSN("postgres", tc.in)
		if err != nil {
			t.Errorf("NormalizeDSN(postgres, %q): %v", tc.in, err)
			continue
		}
		cfg, err := pgx.ParseConfig(got)
		if err != nil {
			t.Errorf("NormalizeDSN(postgres, %q) = %q, which does not parse: %v", tc.in, got, err)
			continue
		}
		if cfg.RuntimeParams["timezone"] != tc.wantTZ || cfg.Database != tc.wantDB {
			t.Errorf("NormalizeDSN(postgres, %q) = %q: timezone %q, database %q; want %q, %q",
				tc.in, got, cfg.RuntimeParams["timezone"], cfg.Database, tc.wantTZ, tc.wantDB)
		}
	}
}

func TestNormalizeDSNErrorsHidePasswords(t *testing.T) {
	for _, tc := range []struct{ driver, dsn string }{
		{"mysql", "root:hunter2@tcp(127.0.0.1:3306/seatide"},
		{"postgres", "postgres://u:hunter2@[::1/x"},
		{"oracle", "u/hunter2@db"},
	} {
		_, err := sqlstore.NormalizeDSN(tc.driver, tc.dsn)
		if err == nil {
			t.Errorf("NormalizeDSN(%s, %q) accepted a bad DSN", tc.driver, tc.dsn)
		} else if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("NormalizeDSN(%s): error shows the password: %v", tc.driver, err)
		}
	}
}

// The settings added to a mysql DSN take effect on the server.
func TestMySQLSessionSettings(t *testing.T) {
	dsn, err := sqlstore.NormalizeDSN("mysql", sqltest.DSN(t, "mysql"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode, zone, collation string
	err = db.QueryRowContext(t.Context(), "SELECT @@SESSION.sql_mode, @@SESSION.time_zone, @@SESSION.collation_connection").Scan(&mode, &zone, &collation)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(mode, "STRICT_ALL_TABLES") || zone != "+00:00" || collation != "utf8mb4_unicode_ci" {
		t.Fatalf("session sql_mode %q, time_zone %q, collation %q; want STRICT_ALL_TABLES, +00:00, utf8mb4_unicode_ci", mode, zone, collation)
	}
}
