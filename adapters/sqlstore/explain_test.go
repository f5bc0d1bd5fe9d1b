package sqlstore_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/seatidemc/seatide/adapters/sqlstore"
	"github.com/seatidemc/seatide/adapters/sqlstore/sqltest"
)

// TestDSNMistakesExplained: a DSN of the wrong shape gets the shape the
// driver wants, never the driver's own words (`default addr for network
// '.' unknown`).
func TestDSNMistakesExplained(t *testing.T) {
	tests := []struct {
		name, driver, dsn string
		want              []string
	}{
		{"sqlite file given to mysql", "mysql", "./seatide.db", []string{"looks like a SQLite file", "root@tcp(127.0.0.1:3306)/seatide"}},
		{"a mysql URL", "mysql", "mysql://root:pw@127.0.0.1:3306/seatide", []string{"reads no URL", "user:password@tcp(host:3306)/dbname"}},
		{"sqlite file given to postgres", "postgres", "./seatide.db", []string{"looks like a SQLite file", "postgres://user:password@host:5432/dbname"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sqlstore.NormalizeDSN(tt.driver, tt.dsn)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v, want it to say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "pw") {
				t.Errorf("err = %v repeats the password", err)
			}
		})
	}
}

func TestUnreachableExplained(t *testing.T) {
	ctx := context.Background()
	t.Run("nothing listens", func(t *testing.T) {
		_, err := sqlstore.Open(ctx, sqlstore.Config{Driver: "mysql", DSN: "root@tcp(127.0.0.1:1)/seatide"})
		if err == nil || !strings.Contains(err.Error(), "no mysql server listens at 127.0.0.1:1") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("sqlite directory missing", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "absent")
		_, err := sqlstore.Open(ctx, sqlstore.Config{Driver: "sqlite", DSN: filepath.Join(dir, "seatide.db")})
		if err == nil || !strings.Contains(err.Error(), "the directory of database.dsn ("+dir+") does not exist") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("mysql database missing", func(t *testing.T) {
		sqltest.Require(t, "mysql")
		cfg, err := mysql.ParseDSN(sqltest.DSN(t, "mysql"))
		if err != nil {
			t.Fatal(err)
		}
		cfg.DBName = "seatide_absent_db"
		_, err = sqlstore.Open(ctx, sqlstore.Config{Driver: "mysql", DSN: cfg.FormatDSN()})
		if err == nil || !strings.Contains(err.Error(), "CREATE DATABASE seatide_absent_db CHARACTER SET utf8mb4") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("postgres database missing", func(t *testing.T) {
		sqltest.Require(t, "postgres")
		_, err := sqlstore.Open(ctx, sqlstore.Config{Driver: "postgres",
			DSN: "postgres://postgres@127.0.0.1:5432/seatide_absent_db?sslmode=disable"})
		if err == nil || !strings.Contains(err.Error(), "CREATE DATABASE seatide_absent_db;") {
			t.Errorf("err = %v", err)
		}
	})
}
