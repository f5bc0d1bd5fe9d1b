package app_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/seatidemc/seatide/adapters/sqlstore"
	"github.com/seatidemc/seatide/adapters/sqlstore/sqltest"
	"github.com/seatidemc/seatide/app"
	"github.com/seatidemc/seatide/domain"
)

// v1Source is the original service's data loaded into the local MariaDB.
type v1Source struct {
	from          string // DSN of the server, no database selected
	userDB, ecsDB string
}

// loadV1 creates two databases standing for the original's `user` and
// `ecs` (dropped when t ends) and fills them from testdata/legacyv1. Like
// every MariaDB test it skips when no server answers, and fails under CI=true.
func loadV1(t *testing.T) v1Source {
	t.Helper()
	names := make([]string, 2)
	var server *mysql.Config
	for i := range names {
		cfg, err := mysql.ParseDSN(sqltest.DSN(t, "mysql"))
		if err != nil {
			t.Fatal(err)
		}
		names[i], server = cfg.DBName, cfg
	}
	src := v1Source{userDB: names[0], ecsDB: names[1]}
	server.DBName = ""
	src.from = server.FormatDSN()

	loader := server.Clone()
	loader.MultiStatements = true
	db, err := sql.Open("mysql", loader.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	subst := strings.NewReplacer("{{user}}", src.userDB, "{{ecs}}", src.ecsDB)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, name := range []string{"schema.sql", "data.sql"} {
		text, err := os.ReadFile(filepath.Join("..", "testdata", "legacyv1", name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, subst.Replace(string(text))); err != nil {
			t.Fatalf("loading %s: %v", name, err)
		}
	}
	return src
}

// The summaries of the fixture, after the header lines.
const (
	v1FirstRun = `users:      read 9, %[1]s 5, skipped 4
  skipped, invalid username (seatide wants 3-20 of A-Z a-z 0-9 . _) (1): #6 "bad name"
  skipped, invalid email address (1): #7 "localuser"
  skipped, username taken by another account in the destination (1): #8 "Alex"
  skipped, email used by another account in the destination (1): #9 "mei2"
  note, group "vip" imported as std (1): #5 "vip_member"
instance:   read 1, %[1]s 1, skipped 0
history:    read 13, %[1]s 13, skipped 0
invocation: read 3, %[1]s 1, skipped 0
`
	v1SecondRun = `users:      read 9, %[1]s 0, skipped 9
  skipped, already imported (5): #1 "captain", #2 "alex", #3 "mei", #4 "old.timer", #5 "vip_member"
  skipped, invalid username (seatide wants 3-20 of A-Z a-z 0-9 . _) (1): #6 "bad name"
  skipped, invalid email address (1): #7 "localuser"
  skipped, username taken by another account in the destination (1): #8 "Alex"
  skipped, email used by another account in the destination (1): #9 "mei2"
instance:   read 1, %[1]s 0, skipped 1
  skipped, already imported (1): "i-uf6f0ah1onvc2ltyk9qz"
history:    read 13, %[1]s 0, skipped 13
  skipped, already imported (13): #1, #2, #3, #4, #5, #6, #7, #8 and 5 more
invocation: read 3, %[1]s 0, skipped 1
  skipped, already imported (1): "t-hz03pq4zb6yj1ku"
`
	dryRunLine = "import-v1: dry run, nothing was written\n"
	emptyLine  = "import-v1: the destination has no tables yet, so it is read as empty\n"
)

// v1History is ecs.history of the fixture as seatide keeps it: newest
// first, times moved from Asia/Shanghai to UTC.
var v1History = []struct{ by, action, instance, at string }{
	{"captain", "start", "i-uf6f0ah1onvc2ltyk9qz", "2021-08-11T11:00:00Z"},
	{"captain", "stop", "i-uf6f0ah1onvc2ltyk9qz", "2021-08-10T16:30:00Z"},
	{"alex", "init", "i-uf6f0ah1onvc2ltyk9qz", "2021-08-10T12:00:02Z"},
	{"alex", "create", "i-uf6f0ah1onvc2ltyk9qz", "2021-08-10T12:00:00Z"},
	{"captain", "delete", "i-uf6b9sd0c2xw7n5mq3ty", "2021-08-06T16:00:01Z"},
	{"captain", "stop", "i-uf6b9sd0c2xw7n5mq3ty", "2021-08-06T15:59:59Z"},
	{"captain", "init", "i-uf6b9sd0c2xw7n5mq3ty", "2021-08-06T10:30:13Z"},
	{"captain", "create", "i-uf6b9sd0c2xw7n5mq3ty", "2021-08-06T10:30:12Z"},
	{"_monitor", "udelete", "i-uf6a1rz3q4pk8m2wd0xe", "2021-08-03T18:10:00Z"},
	{"captain", "start", "i-uf6a1rz3q4pk8m2wd0xe", "2021-08-03T11:02:44Z"},
	{"captain", "stop", "i-uf6a1rz3q4pk8m2wd0xe", "2021-08-02T15:41:10Z"},
	{"captain", "init", "i-uf6a1rz3q4pk8m2wd0xe", "2021-08-02T11:00:05Z"},
	{"captain", "create", "i-uf6a1rz3q4pk8m2wd0xe", "2021-08-02T11:00:03Z"},
}

// TestImportV1 imports the fixture into each kind of database: a dry run
// on the empty database writes nothing, the import writes what the
// summary says, a second run (dry or not) adds nothing, and then the
// service lets the imported users log in with their old passwords and
// serves the imported instance and history.
func TestImportV1(t *testing.T) {
	sqltest.Require(t, "mysql")
	src := loadV1(t)
	header := fmt.Sprintf("import-v1: from databases %s and %s at %s (times read as Asia/Shanghai) into the %%s database\n",
		src.userDB, src.ecsDB, src.from)
	for _, driver := range sqltest.Drivers {
		t.Run(driver, func(t *testing.T) {
			sqltest.Require(t, driver)
			ctx := context.Background()
			dsn := sqltest.DSN(t, driver)
			cfg, err := app.LoadConfig("", []string{
				"SEATIDE_DATABASE_DRIVER=" + driver,
				"SEATIDE_DATABASE_DSN=" + dsn,
				"SEATIDE_DATABASE_AUTO_MIGRATE=true",
			})
			if err != nil {
				t.Fatal(err)
			}
			head := fmt.Sprintf(header, driver)
			run := func(dry bool) string {
				t.Helper()
				var out strings.Builder
				opts := app.ImportV1Options{UserDB: src.userDB, ECSDB: src.ecsDB, Timezone: "Asia/Shanghai", DryRun: dry}
				if err := app.ImportV1(ctx, cfg, src.from, opts, &out); err != nil {
					t.Fatalf("import (dry run %v): %v\n%s", dry, err, out.String())
				}
				return out.String()
			}
			steps := []struct {
				name string
				dry  bool
				want string
			}{
				{"dry run on an empty database", true, head + emptyLine + dryRunLine + fmt.Sprintf(v1FirstRun, "would write")},
				{"import", false, head + fmt.Sprintf(v1FirstRun, "written")},
				{"dry run after", true, head + dryRunLine + fmt.Sprintf(v1SecondRun, "would write")},
				{"import again", false, head + fmt.Sprintf(v1SecondRun, "written")},
			}
			for i, step := range steps {
				if got := run(step.dry); got != step.want {
					t.Fatalf("%s: got\n%s\nwant\n%s", step.name, got, step.want)
				}
				if i == 0 {
					assertUnmigrated(t, driver, dsn)
				}
			}
			checkImportedStore(t, driver, dsn)

			s := startService(t, func(c *app.Config) { c.Database = cfg.Database })
			checkImportedService(t, s)
		})
	}
}

// assertUnmigrated proves a dry run left the database without tables.
func assertUnmigrated(t *testing.T, driver, dsn string) {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), sqlstore.Config{Driver: driver, DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, err := db.MigrationVersion(context.Background()); err != nil || v != 0 {
		t.Fatalf("after a dry run: schema version %d, %v; want 0", v, err)
	}
}

// checkImportedStore reads what the import wrote straight from the store.
func checkImportedStore(t *testing.T, driver, dsn string) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, sqlstore.Config{Driver: driver, DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	users, err := db.Users().ListUsers(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	type brief struct {
		name, email string
		group       domain.Group
		nick        string
		created     string
		hashPrefix  string
	}
	var got []brief
	for _, u := range users {
		nick := "<nil>"
		if u.Nickname != nil {
			nick = *u.Nickname
		}
		got = append(got, brief{u.Username, u.Email, u.Group, nick, u.CreatedAt.UTC().Format(time.DateTime), u.PasswordHash[:strings.IndexByte(u.PasswordHash, '$')]})
	}
	want := []brief{
		{"captain", "captain@seatide.example", domain.GroupAdmin, "<nil>", "2021-07-30 13:04:11", "pbkdf2:sha256:260000"},
		{"alex", "alex@example.com", domain.GroupStd, "Alex", "2021-08-01 12:15:00", "pbkdf2:sha256:150000"},
		{"mei", "mei@example.com", domain.GroupStd, "小梅", "2021-08-01 16:30:59", "pbkdf2:sha256:260000"},
		{"old.timer", "old.timer@example.com", domain.GroupStd, "<nil>", "2021-08-02 03:00:00", "pbkdf2:sha256:1000"},
		{"vip_member", "vip@example.com", domain.GroupStd, "VIP", "2021-08-03 06:22:10", "pbkdf2:sha1:50000"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("users:\n got %v\nwant %v", got, want)
	}

	inst, err := db.Instances().Current(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if inst.ID != "i-uf6f0ah1onvc2ltyk9qz" || inst.PublicIP != "47.103.88.21" || inst.CreatedBy != "alex" || inst.OperationID != "v1-import-i-uf6f0ah1onvc2ltyk9qz" {
		t.Errorf("instance = %+v", inst)
	}
	op, err := db.Instances().Operation(ctx, inst.OperationID)
	if err != nil || op.Action != "import" || op.State != domain.OpSucceeded || op.InstanceID != inst.ID {
		t.Errorf("operation = %+v, %v", op, err)
	}
	instID, invokeID, err := db.Instances().LastInvocation(ctx)
	if err != nil || instID != "i-uf6f0ah1onvc2ltyk9qz" || invokeID != "t-hz03pq4zb6yj1ku" {
		t.Errorf("last invocation = %q, %q, %v", instID, invokeID, err)
	}

	hist, err := db.History().List(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != len(v1History) {
		t.Fatalf("history has %d rows, want %d", len(hist), len(v1History))
	}
	for i, e := range hist {
		w := v1History[i]
		source := fmt.Sprintf("v1:history:%d", len(v1History)-i)
		at := e.StartedAt.UTC().Format(time.RFC3339)
		if e.Actor != w.by || e.Action != w.action || e.InstanceID != w.instance || at != w.at ||
			!e.FinishedAt.Equal(e.StartedAt) || e.Result != "ok" || e.Source != source {
			t.Errorf("history[%d] = %+v, want %+v from %s", i, e, w, source)
		}
	}
}

// checkImportedService logs in as imported users with their v1 passwords
// and reads the imported history through the v1 routes. (The instance is
// checked in the store: the service's reconciler may already have cleared
// it, the simulated cloud not knowing it.)
func checkImportedService(t *testing.T, s *service) {
	t.Helper()
	for _, u := range []struct{ name, password string }{
		{"captain", "correct horse battery"},
		{"alex", "pass1234"},
		{"mei", "密码-ünïcode-1"},
		{"old.timer", "short"},
		{"vip_member", "abc12345"},
	} {
		tok := s.login(u.name, u.password)
		if _, body := s.do("POST", "/api/user/v1/auth", m{"type": "check", "username": u.name, "token": tok}); body != ok("null") {
			t.Errorf("%s: check: %s", u.name, body)
		}
		if _, body := s.do("POST", "/api/user/v1/auth", m{"type": "auth", "username": u.name, "password": u.password + "x"}); body != ng("Not verified.") {
			t.Errorf("%s: wrong password: %s", u.name, body)
		}
	}
	for _, name := range []string{"bad name", "localuser", "mei2"} {
		if _, body := s.do("POST", "/api/user/v1/auth", m{"type": "auth", "username": name, "password": "abc12345"}); body != ng("Not verified.") { // users.hide_unknown is on by default
			t.Errorf("%s (skipped): %s", name, body)
		}
	}
	captain := s.login("captain", "correct horse battery")
	vip := s.login("vip_member", "abc12345")
	for tok, want := range map[string]string{captain: "true", vip: "false"} {
		if _, body := s.do("POST", "/api/user/v1/auth", m{"type": "checkAdmin", "token": tok}); body != ok(want) {
			t.Errorf("checkAdmin: %s, want %s", body, want)
		}
	}
	if _, body := s.do("POST", "/api/user/v1/action", m{"type": "get", "username": "alex", "token": captain}); body != ok(userJSON(2, "alex", "alex@example.com", "std", `"Alex"`, "2021-08-01 12:15:00")) {
		t.Errorf("get alex: %s", body)
	}

	_, body := s.do("GET", "/api/ecs/v1/history?limit=50", nil, "Authorization", "Bearer "+captain)
	var env struct {
		Status string `json:"status"`
		Data   []struct {
			CreatedBy  string `json:"created_by"`
			Action     string `json:"action"`
			Instance   string `json:"instance"`
			Result     string `json:"result"`
			StartedAt  string `json:"started_at"`
			FinishedAt string `json:"finished_at"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &env); err != nil || env.Status != "ok" {
		t.Fatalf("history: %v: %.300s", err, body)
	}
	rows := env.Data
	if len(rows) == len(v1History)+1 && rows[0].CreatedBy == domain.MonitorActor && rows[0].Action == domain.ActionUDelete && rows[0].Instance == "i-uf6f0ah1onvc2ltyk9qz" {
		// The reconciler, which starts with the service, has found the
		// imported instance missing from the simulated cloud, as it should.
		rows = rows[1:]
	}
	if len(rows) != len(v1History) {
		t.Fatalf("history has %d rows, want %d: %.300s", len(rows), len(v1History), body)
	}
	for i, e := range rows {
		w := v1History[i]
		if e.CreatedBy != w.by || e.Action != w.action || e.Instance != w.instance || e.Result != "ok" || e.StartedAt != w.at || e.FinishedAt != w.at {
			t.Errorf("history[%d] = %+v, want %+v", i, e, w)
		}
	}
}

// TestImportV1Refuses covers what stops an import before it writes: each
// error names the cause, never the --from password, and the destination
// is not even created.
func TestImportV1Refuses(t *testing.T) {
	const secret = "s3cret-Pa55"
	local, err := mysql.ParseDSN(envOr(sqltest.MySQLEnv, sqltest.DefaultMySQLDSN))
	if err != nil {
		t.Fatal(err)
	}
	local.DBName = ""
	noPassword := local.Clone()
	local.Passwd = secret
	tests := []struct {
		name      string
		from      string
		opts      app.ImportV1Options
		needMySQL bool
		want      string // a substring of the error
	}{
		{"unknown time zone", "root:" + secret + "@tcp(127.0.0.1:1)/", app.ImportV1Options{Timezone: "Mars/Olympus_Mons"}, false, `--timezone "Mars/Olympus_Mons"`},
		{"unparsable DSN", "root:" + secret + "@tcp(127.0.0.1:3306", app.ImportV1Options{}, false, "--from: "},
		{"no server", "root:" + secret + "@tcp(127.0.0.1:1)/", app.ImportV1Options{}, false, "the v1 database at root:xxxxx@tcp(127.0.0.1:1)/: "},
		{"wrong password", local.FormatDSN(), app.ImportV1Options{}, true, "Access denied"},
		{"database name not an identifier", noPassword.FormatDSN(), app.ImportV1Options{UserDB: "user`x"}, true, `database name "user` + "`" + `x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.needMySQL {
				sqltest.Require(t, "mysql")
			}
			path := filepath.Join(t.TempDir(), "seatide.db")
			cfg, err := app.LoadConfig("", []string{"SEATIDE_DATABASE_DSN=" + path})
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			err = app.ImportV1(context.Background(), cfg, tt.from, tt.opts, &out)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
			if strings.Contains(err.Error()+out.String(), secret) {
				t.Errorf("the password leaked: %v\n%s", err, out.String())
			}
			if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the destination was touched: %v", err)
			}
		})
	}
}

// TestImportV1Source: a source without the v1 tables stops the import
// before anything is written, naming the table; a --from asking for raw
// times still reads them as times.
func TestImportV1Source(t *testing.T) {
	src := loadV1(t)
	tests := []struct {
		name string
		from string
		opts app.ImportV1Options
		want string // a substring of the error; "" for success
	}{
		{"user database swapped", src.from, app.ImportV1Options{UserDB: src.ecsDB, ECSDB: src.ecsDB}, "`" + src.ecsDB + "`.`data`"},
		{"ecs database swapped", src.from, app.ImportV1Options{UserDB: src.userDB, ECSDB: src.userDB}, "`" + src.userDB + "`.`status`"},
		{"parseTime=false", withParam(src.from, "parseTime=false"), app.ImportV1Options{UserDB: src.userDB, ECSDB: src.ecsDB, DryRun: true}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "seatide.db")
			cfg, err := app.LoadConfig("", []string{"SEATIDE_DATABASE_DSN=" + path})
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			err = app.ImportV1(context.Background(), cfg, tt.from, tt.opts, &out)
			if tt.want == "" {
				if err != nil || !strings.Contains(out.String(), "history:    read 13, would write 13") {
					t.Fatalf("err = %v\n%s", err, out.String())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one naming %s", err, tt.want)
			}
			if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the destination was touched: %v", err)
			}
		})
	}
}

// withParam adds a parameter to a MySQL DSN.
func withParam(dsn, param string) string {
	if strings.Contains(dsn, "?") {
		return dsn + "&" + param
	}
	return dsn + "?" + param
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
