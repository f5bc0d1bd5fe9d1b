package sqlstore_test

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/sqlstore"
	"github.com/seatidemc/seatide/adapters/sqlstore/sqltest"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports/portstest"
)

func TestMigrateRoundTrip(t *testing.T) {
	sqltest.EachDriver(t, func(t *testing.T, driver string) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		db, err := sqlstore.Open(ctx, sqlstore.Config{Driver: driver, DSN: sqltest.DSN(t, driver)})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()

		status := func(want ...string) {
			t.Helper()
			var b bytes.Buffer
			if err := db.MigrateStatus(ctx, &b); err != nil {
				t.Fatalf("MigrateStatus: %v", err)
			}
			for _, re := range want {
				if !regexp.MustCompile(re).Match(b.Bytes()) {
					t.Fatalf("MigrateStatus output lacks %q:\n%s", re, b.String())
				}
			}
		}
		pending := func(want bool) {
			t.Helper()
			got, err := db.MigrationsPending(ctx)
			if err != nil || got != want {
				t.Fatalf("MigrationsPending = %v, %v; want %v", got, err, want)
			}
		}
		version := func(want int64) {
			t.Helper()
			got, err := db.MigrationVersion(ctx)
			if err != nil || got != want {
				t.Fatalf("MigrationVersion = %d, %v; want %d", got, err, want)
			}
		}

		pending(true)
		version(0)
		if latest, err := db.LatestMigration(ctx); err != nil || latest != 11 {
			t.Fatalf("LatestMigration = %d, %v; want 11", latest, err)
		}
		status(`(?m)^VERSION\s+STATE`, `(?m)^1\s+pending\s+-\s+00001_users\.sql$`,
			`(?m)^2\s+pending\s+-\s+00002_instances\.sql$`, `(?m)^3\s+pending\s+-\s+00003_leases\.sql$`,
			`(?m)^4\s+pending\s+-\s+00004_cost_ledger\.sql$`,
			`(?m)^5\s+pending\s+-\s+00005_history_api_request_id\.sql$`,
			`(?m)^6\s+pending\s+-\s+00006_signup_approval_api_tokens\.sql$`,
			`(?m)^7\s+pending\s+-\s+00007_events\.sql$`,
			`(?m)^8\s+pending\s+-\s+00008_backups\.sql$`,
			`(?m)^10\s+pending\s+-\s+00010_minecraft_names\.sql$`,
			`(?m)^11\s+pending\s+-\s+00011_users_stamp\.sql$`)

		if err := db.Migrate(ctx, "up", nil); err != nil {
			t.Fatalf("migrate up: %v", err)
		}
		pending(false)
		version(11)
		status(`(?m)^1\s+applied\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+00001_users\.sql$`,
			`(?m)^2\s+applied\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+00002_instances\.sql$`,
			`(?m)^3\s+applied\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+00003_leases\.sql$`,
			`(?m)^4\s+applied\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+00004_cost_ledger\.sql$`,
			`(?m)^5\s+applied\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+00005_history_api_request_id\.sql$`,
			`(?m)^6\s+applied\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+00006_signup_approval_api_tokens\.sql$`,
			`(?m)^7\s+applied\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+00007_events\.sql$`,
			`(?m)^8\s+applied\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+00008_backups\.sql$`,
			`(?m)^10\s+applied\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+00010_minecraft_names\.sql$`,
			`(?m)^11\s+applied\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+00011_users_stamp\.sql$`)
		if err := db.MigrateUp(ctx); err != nil {
			t.Fatalf("second migrate up (nothing to do): %v", err)
		}
		// Fill every table, so that down must drop them with rows in.
		if _, err := db.Users().CreateUser(ctx, portstest.UserFixture("alice")); err != nil {
			t.Fatalf("CreateUser after up: %v", err)
		}
		op := domain.Operation{ID: "op-1", Action: "new", Step: "create", State: domain.OpRunning, StartedAt: time.Now()}
		if _, err := db.Instances().Claim(ctx, domain.Instance{OperationID: op.ID}, op); err != nil {
			t.Fatalf("Claim after up: %v", err)
		}
		if err := db.Instances().SaveInvocation(ctx, "i-1", "t-1"); err != nil {
			t.Fatalf("SaveInvocation after up: %v", err)
		}
		if _, err := db.History().Append(ctx, domain.HistoryEntry{Action: domain.ActionCreate, Source: "v1:history:1"}); err != nil {
			t.Fatalf("Append after up: %v", err)
		}
		if _, _, err := db.Leases().Acquire(ctx, "monitors", "p1", time.Minute); err != nil {
			t.Fatalf("Acquire after up: %v", err)
		}

		if _, err := db.Ledger().Begin(ctx, domain.CostInterval{InstanceID: "i-1", Start: time.Now(), Price: 1, Currency: "CNY"}); err != nil {
			t.Fatalf("Begin after up: %v", err)
		}

		if _, err := db.Ledger().Begin(ctx, domain.CostInterval{InstanceID: "i-1", Product: domain.ProductDisk, Start: time.Now(), Price: 1, Currency: "CNY"}); err != nil {
			t.Fatalf("Begin a disk after up: %v", err)
		}
		alice, err := db.Users().UserByName(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.APITokens().CreateAPIToken(ctx, domain.APIToken{UserID: alice.ID, Name: "bot", Scopes: []domain.Scope{domain.ScopeRead},
			Hash: strings.Repeat("a", 64), ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatalf("CreateAPIToken after up: %v", err)
		}
		if _, err := db.Events().Append(ctx, domain.NewEvent(domain.EventPlayerJoined, time.Now(), "", "i-1", domain.EventData{}), []string{"a"}); err != nil {
			t.Fatalf("Append event after up: %v", err)
		}
		if _, err := db.MinecraftNames().BindMinecraftName(ctx, "alice", "Steve"); err != nil {
			t.Fatalf("BindMinecraftName after up: %v", err)
		}

		if err := db.Backups().SaveBackup(ctx, domain.Backup{ID: "bk-1", Source: domain.BackupManual,
			State: domain.BackupReady, CreatedAt: time.Now()}); err != nil {
			t.Fatalf("SaveBackup after up: %v", err)
		}

		// Down goes one step at a time, newest first.
		if err := db.Migrate(ctx, "down", nil); err != nil {
			t.Fatalf("migrate down (users stamp): %v", err)
		}
		version(10)
		if _, err := db.Users().UsersStamp(ctx); domain.ErrorCode(err) != domain.CodeInternal {
			t.Fatalf("UsersStamp after down: %v, want an internal error (no users_stamp table)", err)
		}
		if err := db.Migrate(ctx, "down", nil); err != nil {
			t.Fatalf("migrate down (minecraft names): %v", err)
		}
		version(9)
		if _, err := db.MinecraftNames().MinecraftNameOf(ctx, "alice"); domain.ErrorCode(err) != domain.CodeInternal {
			t.Fatalf("MinecraftNameOf after down: %v, want an internal error (no table)", err)
		}
		if err := db.Migrate(ctx, "down", nil); err != nil {
			t.Fatalf("migrate down (cost products): %v", err)
		}
		version(8)
		if _, _, err := db.Ledger().Running(ctx, "i-1", domain.ProductInstance); domain.ErrorCode(err) != domain.CodeInternal {
			t.Fatalf("Running after down: %v, want an internal error (no product column)", err)
		}
		if err := db.Migrate(ctx, "down", nil); err != nil {
			t.Fatalf("migrate down (backups): %v", err)
		}
		version(7)
		if _, err := db.Backups().Backups(ctx); domain.ErrorCode(err) != domain.CodeInternal {
			t.Fatalf("Backups after down: %v, want an internal error (no table)", err)
		}
		if err := db.Migrate(ctx, "down", nil); err != nil {
			t.Fatalf("migrate down (events): %v", err)
		}
		version(6)
		if _, err := db.Events().After(ctx, 0, 10); domain.ErrorCode(err) != domain.CodeInternal {
			t.Fatalf("Events after down: %v, want an internal error (no table)", err)
		}
		if err := db.Migrate(ctx, "down", nil); err != nil {
			t.Fatalf("migrate down (signup approval, api tokens): %v", err)
		}
		version(5)
		if n, err := db.Users().CountUsers(ctx); err != nil || n != 1 {
			t.Fatalf("users after down 6: %d, %v", n, err)
		}
		if err := db.Migrate(ctx, "down", nil); err != nil {
			t.Fatalf("migrate down (history api_request_id): %v", err)
		}
		version(4)
		if _, err := db.History().List(ctx, 0, 10); domain.ErrorCode(err) != domain.CodeInternal {
			t.Fatalf("History after down: %v, want an internal error (no api_request_id column)", err)
		}
		if err := db.Migrate(ctx, "down", nil); err != nil {
			t.Fatalf("migrate down (ledger): %v", err)
		}
		version(3)
		if _, _, err := db.Ledger().Running(ctx, "i-1", domain.ProductInstance); domain.ErrorCode(err) != domain.CodeInternal {
			t.Fatalf("Running after down: %v, want an internal error (no table)", err)
		}
		if err := db.Migrate(ctx, "down", nil); err != nil {
			t.Fatalf("migrate down (leases): %v", err)
		}
		pending(true)
		version(2)
		if _, err := db.Leases().Get(ctx, "monitors"); domain.ErrorCode(err) != domain.CodeInternal {
			t.Fatalf("Get lease after down: %v, want an internal error (no table)", err)
		}
		if _, err := db.Instances().Current(ctx); err != nil {
			t.Fatalf("Current after one down: %v (instances untouched)", err)
		}
		if err := db.Migrate(ctx, "down", nil); err != nil {
			t.Fatalf("migrate down (instances): %v", err)
		}
		version(1)
		if _, err := db.Instances().Current(ctx); domain.ErrorCode(err) != domain.CodeInternal {
			t.Fatalf("Current after down: %v, want an internal error (no table)", err)
		}
		if _, err := db.History().List(ctx, 0, 10); domain.ErrorCode(err) != domain.CodeInternal {
			t.Fatalf("History after down: %v, want an internal error (no table)", err)
		}
		if n, err := db.Users().CountUsers(ctx); err != nil || n != 1 {
			t.Fatalf("CountUsers after one down = %d, %v; want 1 (users untouched)", n, err)
		}
		if err := db.Migrate(ctx, "down", nil); err != nil {
			t.Fatalf("migrate down (users): %v", err)
		}
		version(0)
		if _, err := db.Users().CountUsers(ctx); domain.ErrorCode(err) != domain.CodeInternal {
			t.Fatalf("CountUsers after down: %v, want an internal error (no table)", err)
		}

		// Down removed everything up made (indexes included), so up works again.
		if err := db.MigrateUp(ctx); err != nil {
			t.Fatalf("migrate up again: %v", err)
		}
		version(11)
		if n, err := db.Users().CountUsers(ctx); err != nil || n != 0 {
			t.Fatalf("CountUsers after down+up = %d, %v; want 0", n, err)
		}
		if _, err := db.Instances().LastOperation(ctx); !errors.Is(err, domain.ErrNoOperation) {
			t.Fatalf("LastOperation after down+up: %v, want ErrNoOperation", err)
		}
		if _, err := db.History().Append(ctx, domain.HistoryEntry{Action: domain.ActionCreate, Source: "v1:history:1"}); err != nil {
			t.Fatalf("Append of the same source after down+up: %v", err)
		}
		if _, err := db.Leases().Get(ctx, "monitors"); !errors.Is(err, domain.ErrNoLease) {
			t.Fatalf("Get lease after down+up: %v, want ErrNoLease", err)
		}
		if err := db.Migrate(ctx, "sideways", nil); err == nil {
			t.Fatal("Migrate accepted an unknown command")
		}
	})
}
