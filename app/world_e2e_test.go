package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/ecssim"
	"github.com/seatidemc/seatide/adapters/sqlstore/sqltest"
	"github.com/seatidemc/seatide/app"
	"github.com/seatidemc/seatide/ports/portstest"
)

// The world end to end (issue 16): through the v1 and v2 routes, the real
// SDK adapter and the simulator, whose fake Minecraft server's World lives
// on the data disk.

const zoneH, zoneI = "cn-hangzhou-h", "cn-hangzhou-i"

// worldService runs the service with the world on (the default), two
// zones, and only the monitor rounds a test makes.
func worldService(t *testing.T, driver string, change func(c *app.Config)) *service {
	t.Helper()
	return startService(t, func(c *app.Config) {
		instantCloud(c)
		c.ECS.Zone = []string{zoneH, zoneI}
		c.Reconcile.Interval, c.Reconcile.LeaseTTL = time.Hour, 3*time.Hour
		if driver != "sqlite" {
			auto := true
			c.Database.Driver, c.Database.DSN, c.Database.AutoMigrate = driver, sqltest.DSN(t, driver), &auto
		}
		if change != nil {
			change(c)
		}
	})
}

// v1 sends a v1 ECS action and waits for its background part.
func (s *service) v1(typ, token string) string {
	s.t.Helper()
	_, body := s.do("POST", "/api/ecs/v1/action", m{"type": typ, "token": token})
	s.app.Instances().Wait()
	return body
}

type backupView struct {
	ID          string    `json:"id"`
	CreatedAt   time.Time `json:"created_at"`
	SizeGiB     int       `json:"size_gib"`
	State       string    `json:"state"`
	Source      string    `json:"source"`
	Instance    string    `json:"instance"`
	RestoreNext bool      `json:"restore_next"`
	Error       *string   `json:"error"`
}

// backups reads GET /api/v2/backups with token.
func (s *service) backups(token string) []backupView {
	s.t.Helper()
	code, body := s.do("GET", "/api/v2/backups", nil, "Authorization", "Bearer "+token)
	var out struct{ Backups []backupView }
	if err := json.Unmarshal([]byte(body), &out); err != nil || code != 200 {
		s.t.Fatalf("backups: %d %s", code, body)
	}
	return out.Backups
}

// simMinecraft reads GET /_sim/minecraft over HTTP, as an operator would.
func simMinecraft(t *testing.T, sim *ecssim.Server) []ecssim.MinecraftView {
	t.Helper()
	resp, err := http.Get(sim.URL + "/_sim/minecraft")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list []ecssim.MinecraftView
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	return list
}

func setWorld(t *testing.T, sim *ecssim.Server, id, world string) {
	t.Helper()
	if err := sim.UpdateMinecraft(id, func(st *ecssim.MinecraftState) error { st.World = world; return nil }); err != nil {
		t.Fatal(err)
	}
}

// historyRows is the history, oldest first, as "actor:action:result".
func (s *service) historyRows(admin string) ([]string, []string) {
	s.t.Helper()
	_, body := s.do("GET", "/api/ecs/v1/history?limit=100", nil, "Authorization", "Bearer "+admin)
	var h struct {
		Data []struct {
			CreatedBy string `json:"created_by"`
			Action    string `json:"action"`
			Result    string `json:"result"`
			Detail    string `json:"detail"`
		}
	}
	if err := json.Unmarshal([]byte(body), &h); err != nil {
		s.t.Fatalf("history: %s", body)
	}
	var rows, details []string
	for i := len(h.Data) - 1; i >= 0; i-- {
		r := h.Data[i]
		rows = append(rows, r.CreatedBy+":"+r.Action+":"+r.Result)
		details = append(details, r.Detail)
	}
	return rows, details
}

// TestWorldSurvivesDelete: new -> World "W1" -> delete (a backup first) ->
// new in another zone -> /_sim/minecraft shows W1 on the new instance.
func TestWorldSurvivesDelete(t *testing.T) {
	sqltest.EachDriver(t, testWorldSurvivesDelete)
}

func testWorldSurvivesDelete(t *testing.T, driver string) {
	s := worldService(t, driver, nil)
	sim := s.app.Simulator()
	admin, steve := s.login("admin", "admin-password"), s.login("steve", "steve-password")

	if got := s.v1("new", steve); got != ok("null") {
		t.Fatalf("new: %s", got)
	}
	first := simInstances(t, sim)
	if len(first) != 1 || first[0].ZoneId != zoneH || len(first[0].Disks) != 2 || first[0].Disks[1].Size != 20 {
		t.Fatalf("first instance: %+v", first)
	}
	setWorld(t, sim, first[0].InstanceId, "W1")

	if got := s.v1("delete", admin); got != ok("null") {
		t.Fatalf("delete: %s", got)
	}
	if _, body := s.do("GET", "/api/ecs/v1/operation?token="+steve, nil); !strings.Contains(body, `"action": "delete", "step": "done", "state": "succeeded", "error": null`) {
		t.Fatalf("delete operation: %s", body)
	}
	if left := simInstances(t, sim); len(left) != 0 {
		t.Fatalf("left in the cloud: %+v", left)
	}
	bs := s.backups(steve)
	if len(bs) != 1 || bs[0].State != "ready" || bs[0].Source != "delete" || bs[0].SizeGiB != 20 || bs[0].Instance != first[0].InstanceId {
		t.Fatalf("backups after delete: %+v", bs)
	}

	// The first zone runs out: the next new lands in the other one, and
	// the world comes back from the snapshot there (snapshots are regional).
	sim.SetStock(zoneH, "ecs.g6.large", false)
	if got := s.v1("new", steve); got != ok("null") {
		t.Fatalf("second new: %s", got)
	}
	second := simInstances(t, sim)
	if len(second) != 1 || second[0].ZoneId != zoneI {
		t.Fatalf("second instance: %+v", second)
	}
	mc := simMinecraft(t, sim)
	if len(mc) != 1 || mc[0].InstanceId != second[0].InstanceId || mc[0].World != "W1" {
		t.Fatalf("/_sim/minecraft after the second new: %+v", mc)
	}
	rows, details := s.historyRows(admin)
	want := "steve:create:ok steve:init:ok admin:backup:ok admin:delete:ok steve:create:ok steve:init:ok"
	if got := strings.Join(rows, " "); got != want {
		t.Errorf("history:\n got %s\nwant %s", got, want)
	}
	if !strings.HasPrefix(details[3], "world kept in backup "+bs[0].ID) || details[4] != "world restored from backup "+bs[0].ID+" (snapshot "+sim.Snapshots()[0].SnapshotId+")" {
		t.Errorf("history details: %q", details)
	}
}

// TestWorldBackupRefusesRelease: a save script that fails, a snapshot that
// fails, the snapshot quota reached: each delete is refused with its
// reason, and nothing is deleted.
func TestWorldBackupRefusesRelease(t *testing.T) {
	s := worldService(t, "sqlite", nil)
	sim := s.app.Simulator()
	admin := s.login("admin", "admin-password")
	if got := s.v1("new", admin); got != ok("null") {
		t.Fatalf("new: %s", got)
	}
	id := simInstances(t, sim)[0].InstanceId
	setWorld(t, sim, id, "W1")

	tests := []struct {
		name   string
		break_ func()
		reason string
	}{
		{"failing save script", func() { sim.SetCommandResult(ecssim.CommandResult{ExitCode: 1}) },
			"refused: the save script ended Failed (exit code 1); nothing deleted"},
		{"failing snapshot", func() { sim.SetCommandResult(ecssim.CommandResult{}); sim.FailSnapshots(1) },
			"refused: the snapshot failed in the cloud; nothing deleted"},
		{"snapshot quota", func() { sim.SetSnapshotQuota(1) },
			"refused: the snapshot quota is reached; nothing deleted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.break_()
			if got := s.v1("delete", admin); got != ok("null") {
				t.Fatalf("delete: %s", got)
			}
			_, body := s.do("GET", "/api/ecs/v1/operation?token="+admin, nil)
			reason := strings.TrimSuffix(strings.TrimPrefix(tt.reason, "refused: "), "; nothing deleted")
			if !strings.Contains(body, `"action": "delete", "step": "done", "state": "failed", "error": "failed_precondition"`) ||
				!strings.Contains(body, `"reason": "`+reason+`"`) {
				t.Fatalf("operation: %s, want the reason %q", body, reason)
			}
			rows, details := s.historyRows(admin)
			if last := rows[len(rows)-1]; last != "admin:delete:failed_precondition" || details[len(details)-1] != tt.reason {
				t.Fatalf("last history row %s %q, want %q", last, details[len(details)-1], tt.reason)
			}
			if left := simInstances(t, sim); len(left) != 1 || left[0].InstanceId != id || left[0].Status != "Running" {
				t.Fatalf("the instance must stay: %+v", left)
			}
			if _, body := s.do("GET", "/api/ecs/v1/describe/status", nil); !strings.Contains(body, id) {
				t.Fatalf("the record must stay: %s", body)
			}
		})
	}
	for _, b := range s.backups(admin) {
		if b.State != "failed" || b.Error == nil {
			t.Errorf("backup %+v, want failed with a reason", b)
		}
	}
	// A failed backup cannot be restored.
	bs := s.backups(admin)
	if code, body := s.do("POST", "/api/v2/backups/"+bs[0].ID+"/restore", nil, "Authorization", "Bearer "+admin); code != 409 ||
		!strings.Contains(body, "failed-precondition") {
		t.Errorf("restoring a failed backup: %d %s", code, body)
	}
}

// TestWorldSpotReclaimHop: reclaim while playing -> a snapshot within the
// notice -> hop to the next offer -> W1 back; history shows reclaim, never
// udelete.
func TestWorldSpotReclaimHop(t *testing.T) {
	sqltest.EachDriver(t, func(t *testing.T, driver string) {
		s := worldService(t, driver, func(c *app.Config) {
			c.ECS.SpotStrategy = "SpotAsPriceGo"
			c.World.OnReclaim = "hop"
		})
		ctx := context.Background()
		sim := s.app.Simulator()
		admin, steve := s.login("admin", "admin-password"), s.login("steve", "steve-password")
		if got := s.v1("new", steve); got != ok("null") {
			t.Fatalf("new: %s", got)
		}
		old := simInstances(t, sim)[0]
		setWorld(t, sim, old.InstanceId, "W1")
		if err := sim.UpdateMinecraft(old.InstanceId, func(st *ecssim.MinecraftState) error { st.OnlinePlayers = 3; return nil }); err != nil {
			t.Fatal(err)
		}
		reclaimed := time.Now()
		if err := sim.ReclaimSpot(old.InstanceId); err != nil {
			t.Fatal(err)
		}
		rep, err := s.app.Instances().Reconcile(ctx)
		if err != nil || rep.Reclaimed != old.InstanceId || len(rep.Problems) != 0 {
			t.Fatalf("reconcile: %+v %v", rep, err)
		}
		s.app.Instances().Wait()

		snaps := sim.Snapshots()
		if len(snaps) != 1 || snaps[0].World != "W1" || snaps[0].Status != "accomplished" {
			t.Fatalf("snapshots: %+v", snaps)
		}
		// Taken within the notice (the simulator's default 5m).
		if at, err := time.Parse(time.RFC3339, snaps[0].CreationTime); err != nil || at.After(reclaimed.Add(5*time.Minute)) {
			t.Fatalf("snapshot at %s, reclaim at %s: %v", snaps[0].CreationTime, reclaimed, err)
		}
		now := simInstances(t, sim)
		if len(now) != 1 || now[0].InstanceId == old.InstanceId || now[0].ZoneId != zoneI {
			t.Fatalf("after the hop: %+v", now)
		}
		mc := simMinecraft(t, sim)
		if len(mc) != 1 || mc[0].World != "W1" {
			t.Fatalf("/_sim/minecraft after the hop: %+v", mc)
		}
		if bs := s.backups(steve); len(bs) != 1 || bs[0].Source != "reclaim" || bs[0].State != "ready" {
			t.Fatalf("backups: %+v", bs)
		}
		// A later round changes nothing, and writes no udelete.
		if _, err := s.app.Instances().Reconcile(ctx); err != nil {
			t.Fatal(err)
		}
		rows, _ := s.historyRows(admin)
		want := "steve:create:ok steve:init:ok _monitor:backup:ok _monitor:reclaim:ok _monitor:create:ok _monitor:hop:ok _monitor:init:ok"
		if got := strings.Join(rows, " "); got != want {
			t.Errorf("history:\n got %s\nwant %s", got, want)
		}
	})
}

// TestWorldScheduledBackups: on a manual clock, a backup every 6h while
// running and retention keeping 4: after 3 days exactly the 4 newest stay,
// in the cloud and in the list.
func TestWorldScheduledBackups(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	clock := portstest.NewManualClock(start)
	s := worldService(t, "sqlite", func(c *app.Config) {
		c.Clock = clock
		c.World.BackupEvery, c.World.Keep = 6*time.Hour, 4
	})
	sim := s.app.Simulator()
	admin := s.login("admin", "admin-password")
	if got := s.v1("new", admin); got != ok("null") {
		t.Fatalf("new: %s", got)
	}
	taken := 0
	for h := 1; h <= 72; h++ {
		clock.Set(start.Add(time.Duration(h) * time.Hour))
		_, did, err := s.app.Instances().ScheduledBackup(ctx)
		if err != nil {
			t.Fatalf("hour %d: %v", h, err)
		}
		if did != (h%6 == 0) {
			t.Fatalf("hour %d: backup %v", h, did)
		}
		if did {
			taken++
		}
	}
	if taken != 12 {
		t.Fatalf("%d scheduled backups in 3 days, want 12", taken)
	}
	var got []string
	for _, b := range s.backups(admin) {
		if b.State != "ready" || b.Source != "schedule" {
			t.Errorf("backup %+v", b)
		}
		got = append(got, b.CreatedAt.Sub(start).String())
	}
	if want := "72h0m0s 66h0m0s 60h0m0s 54h0m0s"; strings.Join(got, " ") != want {
		t.Errorf("kept %v, want %s", got, want)
	}
	if n := len(sim.Snapshots()); n != 4 {
		t.Errorf("%d snapshots in the cloud, want 4", n)
	}
}

// TestRestartDuringDelete stops the process running a delete in the
// middle of its backup (its operation left at that step), starts another
// on the same database and cloud, and checks that after its
// reconciliation: no instance (so no disk) is left, exactly one snapshot
// holds W1, and its backup is ready.
func TestRestartDuringDelete(t *testing.T) {
	steps := []struct {
		name  string
		block string // the cloud call the first process is stopped in
	}{
		{"saving", "DescribeInvocationResults"},
		{"before the snapshot", "CreateSnapshot"},
		{"between snapshot and delete", "DeleteInstance"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			var blocking sync.Once
			reached := make(chan struct{})
			armed := make(chan struct{})
			sim, err := ecssim.Start("127.0.0.1:0", ecssim.Options{NoDelay: true, Minecraft: &ecssim.MinecraftOptions{},
				OnCall: func(action string) {
					select {
					case <-armed:
						if action == st.block {
							blocking.Do(func() { close(reached) })
						}
					default:
					}
				}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(sim.Close)
			dsn := sharedDSN(t, "sqlite")
			a := startServiceConfig(t, replicaConfig(t, "sqlite", dsn, sim))
			admin := a.login("admin", "admin-password")
			if got := a.v1("new", admin); got != ok("null") {
				t.Fatalf("new: %s", got)
			}
			id := simInstances(t, sim)[0].InstanceId
			setWorld(t, sim, id, "W1")

			sim.SetLatency(st.block, time.Hour) // the call hangs: the process is stopped in it
			close(armed)
			if _, body := a.do("POST", "/api/ecs/v1/action", m{"type": "delete", "token": admin}); body != ok("null") {
				t.Fatalf("delete: %s", body)
			}
			<-reached
			a.stop()
			sim.SetLatency(st.block, 0)

			b := runService(t, replicaConfig(t, "sqlite", dsn, sim))
			if _, err := b.app.Instances().Reconcile(ctx); err != nil {
				t.Fatal(err)
			}
			b.app.Instances().Wait()
			rep, err := b.app.Instances().Reconcile(ctx)
			if err != nil || len(rep.Orphans) != 0 || rep.Adopted != "" || rep.Resumed != "" {
				t.Errorf("second reconciliation: %+v %v", rep, err)
			}
			if left := simInstances(t, sim); len(left) != 0 {
				t.Fatalf("left in the cloud (with its disks): %+v", left)
			}
			snaps := sim.Snapshots()
			if len(snaps) != 1 || snaps[0].World != "W1" || snaps[0].Status != "accomplished" {
				t.Fatalf("snapshots: %+v", snaps)
			}
			bs := b.backups(admin)
			if len(bs) != 1 || bs[0].State != "ready" {
				t.Fatalf("backups: %+v", bs)
			}
			op, err := b.app.Instances().LastOperation(ctx)
			if err != nil || op.Action != "delete" || op.State != "succeeded" {
				t.Errorf("operation after take-over: %+v %v", op, err)
			}
		})
	}
}
