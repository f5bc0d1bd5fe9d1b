package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/sqlstore"
	"github.com/seatidemc/seatide/adapters/sqlstore/sqltest"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports/portstest"
)

var sqlDriverNames = map[string]string{"sqlite": "sqlite", "mysql": "mysql", "postgres": "pgx"}

// The schema refuses what the domain would never write; such a failure is a
// bug, reported as internal, never as a conflict or not found.
func TestSchemaProtectsData(t *testing.T) {
	sqltest.EachDriver(t, func(t *testing.T, driver string) {
		s := sqltest.Open(t, driver).Users()
		ctx := t.Context()
		for name, u := range map[string]func(u *domain.User){
			"unknown group":     func(u *domain.User) { u.Group = "root" },
			"empty username":    func(u *domain.User) { u.Username = "" },
			"username too long": func(u *domain.User) { u.Username = "abcdefghijklmnopqrstu" },
			"empty email":       func(u *domain.User) { u.Email = "" },
		} {
			in := portstest.UserFixture("valid")
			u(&in)
			_, err := s.CreateUser(ctx, in)
			if domain.ErrorCode(err) != domain.CodeInternal {
				t.Errorf("CreateUser with %s: %v (code %q), want an internal error", name, err, domain.ErrorCode(err))
			}
		}
		if n, err := s.CountUsers(ctx); err != nil || n != 0 {
			t.Fatalf("CountUsers = %d, %v; want 0", n, err)
		}
		if _, err := s.CreateUser(ctx, portstest.UserFixture("valid")); err != nil {
			t.Fatal(err)
		}
		_, err := s.UpdateUser(ctx, "valid", func(u *domain.User) error { u.Group = "root"; return nil })
		if domain.ErrorCode(err) != domain.CodeInternal {
			t.Fatalf("UpdateUser to an unknown group: %v, want an internal error", err)
		}
	})
}

// A query that outlives Config.QueryTimeout is abandoned and reported as
// unavailable, even though the caller's context has no deadline.
func TestQueryTimeout(t *testing.T) {
	sqltest.EachDriver(t, func(t *testing.T, driver string) {
		dsn := sqltest.DSN(t, driver)
		ctx := context.Background()
		db, err := sqlstore.Open(ctx, sqlstore.Config{Driver: driver, DSN: dsn, QueryTimeout: 300 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.MigrateUp(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Users().CreateUser(ctx, portstest.UserFixture("locked")); err != nil {
			t.Fatal(err)
		}

		// Another client holds the row (sqlite: the whole database) locked.
		norm, err := sqlstore.NormalizeDSN(driver, dsn)
		if err != nil {
			t.Fatal(err)
		}
		other, err := sql.Open(sqlDriverNames[driver], norm)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		tx, err := other.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		lock := "UPDATE users SET token_version = token_version + 1"
		if _, err := tx.ExecContext(ctx, lock); err != nil {
			t.Fatal(err)
		}

		start := time.Now()
		_, err = db.Users().UpdateUser(ctx, "locked", func(u *domain.User) error { u.TokenVersion = 7; return nil })
		elapsed := time.Since(start)
		if !errors.Is(err, sqlstore.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("UpdateUser on a locked row: %v (code %q), want unavailable matching context.DeadlineExceeded", err, domain.ErrorCode(err))
		}
		if domain.ErrorCode(err) != domain.CodeUnavailable {
			t.Fatalf("code %q, want %q", domain.ErrorCode(err), domain.CodeUnavailable)
		}
		if elapsed > 3*time.Second {
			t.Fatalf("UpdateUser gave up after %v, want about the 300ms query timeout", elapsed)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		u, err := db.Users().UserByName(ctx, "locked")
		if err != nil || u.TokenVersion != 0 {
			t.Fatalf("after the timeout: TokenVersion %d, %v; want 0", u.TokenVersion, err)
		}
	})
}
