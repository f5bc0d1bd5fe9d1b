package app_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/seatidemc/seatide/adapters/sqlstore/sqltest"
	"github.com/seatidemc/seatide/app"
)

// TestDatabaseOutageUnderNew kills every database connection of the
// service, again and again for two seconds, while a `new` is finishing in
// the background (MariaDB: KILL; PostgreSQL: pg_terminate_backend). The
// steps that cannot be recorded are retried until the database answers;
// the operation ends, and the slot works again: the server can be deleted
// and a new one made.
func TestDatabaseOutageUnderNew(t *testing.T) {
	for _, driver := range []string{"mysql", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			sqltest.Require(t, driver)
			dsn := sqltest.DSN(t, driver)
			var (
				adminDSN, sqlDriver, kill, lock string
				arg                             any
			)
			switch driver {
			case "mysql":
				c, err := mysql.ParseDSN(dsn)
				if err != nil {
					t.Fatal(err)
				}
				adminDSN, sqlDriver = envOr(sqltest.MySQLEnv, sqltest.DefaultMySQLDSN), "mysql"
				kill, arg = "SELECT id FROM information_schema.PROCESSLIST WHERE db = ? AND id <> CONNECTION_ID()", c.DBName
				lock = "LOCK TABLES " + c.DBName + ".operations WRITE, " + c.DBName + ".current_instance WRITE"
			case "postgres":
				b := make([]byte, 6)
				_, _ = rand.Read(b)
				tag := "seatide_outage_" + hex.EncodeToString(b)
				dsn += "&application_name=" + tag
				adminDSN, sqlDriver = envOr(sqltest.PostgresEnv, sqltest.DefaultPostgresDSN), "pgx"
				kill, arg = "SELECT pg_terminate_backend(pid)::int FROM pg_stat_activity WHERE application_name = $1", tag
				schema := dsn[strings.Index(dsn, "search_path=")+len("search_path="):]
				schema = schema[:strings.IndexAny(schema+"&", "& ")]
				lock = "LOCK TABLE " + schema + ".operations, " + schema + ".current_instance IN ACCESS EXCLUSIVE MODE"
			}
			killer, err := sql.Open(sqlDriver, adminDSN)
			if err != nil {
				t.Fatal(err)
			}
			defer killer.Close()
			on := true
			s := startService(t, func(c *app.Config) {
				c.Database = app.DatabaseConfig{Driver: driver, DSN: dsn, AutoMigrate: &on, MaxOpenConns: 4, MaxIdleConns: 2,
					ConnMaxLifetime: time.Minute, QueryTimeout: 2 * time.Second}
				c.Sim.TransitionTime = time.Second
				c.World.Enabled = false // delete at once, so new can follow (the world makes delete an operation)
			})
			admin := s.login("admin", "admin-password")
			if _, body := s.do("POST", "/api/ecs/v1/action", m{"type": "new", "token": admin}); body != ok("null") {
				t.Fatalf("new: %s", body)
			}

			// The outage: for two seconds the service's tables are locked
			// (its queries time out) and every connection it has or opens
			// is killed.
			holder, err := killer.Conn(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer holder.Close()
			if driver == "postgres" {
				_, err = holder.ExecContext(context.Background(), "BEGIN")
			}
			if err == nil {
				_, err = holder.ExecContext(context.Background(), lock)
			}
			if err != nil {
				t.Fatalf("locking the tables: %v", err)
			}
			killed := 0
			end := time.Now().Add(2 * time.Second)
			tick := time.NewTicker(10 * time.Millisecond)
			for time.Now().Before(end) {
				killed += killAll(t, killer, driver, kill, arg)
				<-tick.C
			}
			tick.Stop()
			unlock := "UNLOCK TABLES"
			if driver == "postgres" {
				unlock = "COMMIT"
			}
			if _, err := holder.ExecContext(context.Background(), unlock); err != nil {
				t.Fatal(err)
			}
			s.app.Instances().Wait() // the operation ends: it does not hang
			_, body := s.do("GET", "/api/ecs/v1/operation?token="+admin, nil)
			var op struct {
				Data struct {
					State string  `json:"state"`
					Step  string  `json:"step"`
					Error *string `json:"error"`
				} `json:"data"`
			}
			if err := json.Unmarshal([]byte(body), &op); err != nil || op.Data.State != "succeeded" {
				t.Fatalf("after the outage the operation is %s", body)
			}
			t.Logf("%d connections killed during the operation; it ended %s at step %s", killed, op.Data.State, op.Data.Step)
			if killed == 0 {
				t.Fatal("no connection was killed: the outage did not happen")
			}
			// The slot is usable again.
			if _, body := s.do("POST", "/api/ecs/v1/action", m{"type": "delete", "token": admin}); body != ok("null") {
				t.Fatalf("delete after the outage: %s", body)
			}
			if _, body := s.do("POST", "/api/ecs/v1/action", m{"type": "new", "token": admin}); body != ok("null") {
				t.Fatalf("new after the outage: %s", body)
			}
			s.app.Instances().Wait()
		})
	}
}

func killAll(t *testing.T, db *sql.DB, driver, query string, arg any) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rows, err := db.QueryContext(ctx, query, arg)
	if err != nil {
		t.Fatalf("listing connections: %v", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if driver == "postgres" {
		return len(ids) // pg_terminate_backend already did it
	}
	n := 0
	for _, id := range ids {
		if _, err := db.ExecContext(ctx, "KILL "+strconv.FormatInt(id, 10)); err == nil || strings.Contains(err.Error(), "Unknown thread") {
			n++
		}
	}
	return n
}
