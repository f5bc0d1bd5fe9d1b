package instances_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/memstore"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/instances"
	"github.com/seatidemc/seatide/ports"
	"github.com/seatidemc/seatide/ports/portstest"
)

// recordingCloud remembers the spec of every create.
type recordingCloud struct {
	*fakeCloud
	mu      sync.Mutex
	specs   []ports.InstanceSpec
	scripts []string
}

func (c *recordingCloud) RunInstance(ctx context.Context, sp ports.InstanceSpec, tok string) (string, string, error) {
	c.mu.Lock()
	c.specs = append(c.specs, sp)
	c.mu.Unlock()
	return c.fakeCloud.RunInstance(ctx, sp, tok)
}

func (c *recordingCloud) RunCommand(ctx context.Context, id, script, tok string) (string, string, error) {
	c.mu.Lock()
	c.scripts = append(c.scripts, script)
	c.mu.Unlock()
	return c.fakeCloud.RunCommand(ctx, id, script, tok)
}

func (c *recordingCloud) ran(script string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, s := range c.scripts {
		if s == script {
			n++
		}
	}
	return n
}

func (c *recordingCloud) lastSpec() ports.InstanceSpec {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.specs[len(c.specs)-1]
}

// fakeSnaps gives every instance of the fake cloud a 20 GiB data disk and
// makes snapshots that are accomplished at once (or failed, on demand).
type fakeSnaps struct {
	cloud *fakeCloud
	mu    sync.Mutex
	snaps map[string]*ports.Snapshot
	order []string
	fail  bool
}

func (f *fakeSnaps) DataDisk(ctx context.Context, id string) (ports.DataDisk, error) {
	if _, err := f.cloud.DescribeInstance(ctx, id); err != nil {
		return ports.DataDisk{}, err
	}
	return ports.DataDisk{ID: "d-" + id, Category: "cloud_essd", SizeGiB: 20}, nil
}

func (f *fakeSnaps) CreateSnapshot(_ context.Context, disk, _, tok string) (string, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if sn, ok := f.snaps["tok:"+tok]; ok {
		return sn.ID, "req", nil
	}
	st := ports.SnapshotAccomplished
	if f.fail {
		st = ports.SnapshotFailed
	}
	sn := &ports.Snapshot{ID: fmt.Sprintf("s-%d", len(f.order)+1), DiskID: disk, Status: st, Progress: 100, SizeGiB: 20}
	f.snaps[sn.ID], f.snaps["tok:"+tok] = sn, sn
	f.order = append(f.order, sn.ID)
	return sn.ID, "req-snap", nil
}

func (f *fakeSnaps) DescribeSnapshot(_ context.Context, id string) (ports.Snapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	sn, ok := f.snaps[id]
	if !ok {
		return ports.Snapshot{}, domain.ErrCloudNotFound
	}
	return *sn, nil
}

func (f *fakeSnaps) DeleteSnapshot(_ context.Context, id string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.snaps[id]; !ok {
		return "", domain.ErrCloudNotFound
	}
	delete(f.snaps, id)
	return "req-del", nil
}

func (f *fakeSnaps) kept() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, id := range f.order {
		if _, ok := f.snaps[id]; ok {
			out = append(out, id)
		}
	}
	return out
}

type worldFixture struct {
	svc     *instances.Service
	cloud   *recordingCloud
	snaps   *fakeSnaps
	backups *memstore.Backups
	ledger  *memstore.Ledger
	history *memstore.History
	clock   *portstest.ManualClock
	probe   *fakeProbe
	sink    *recordingSink
}

var worldT0 = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func newWorldFixture(t *testing.T, change func(*instances.Config)) *worldFixture {
	t.Helper()
	clock := portstest.NewManualClock(worldT0)
	fc := newFakeCloud()
	f := &worldFixture{cloud: &recordingCloud{fakeCloud: fc}, snaps: &fakeSnaps{cloud: fc, snaps: map[string]*ports.Snapshot{}},
		backups: &memstore.Backups{}, ledger: &memstore.Ledger{}, history: &memstore.History{}, clock: clock,
		probe: &fakeProbe{}, sink: &recordingSink{}}
	cfg := instances.Config{
		Offers:       []instances.Offer{{Zone: "cn-h", InstanceType: "ecs.g6.large"}, {Zone: "cn-i", InstanceType: "ecs.g6.large"}},
		Spec:         ports.InstanceSpec{DataDisk: &ports.Disk{Category: "cloud_essd", Size: 20}},
		PollInterval: time.Millisecond, WaitTimeout: time.Second, AgentTimeout: time.Second,
		World: instances.WorldConfig{Enabled: true, SaveScript: "save", Keep: 2, SnapshotPrice: 120_000}, // 0.12 per GiB-month
	}
	if change != nil {
		change(&cfg)
	}
	f.svc = instances.New(instances.Deps{Cloud: f.cloud, Store: memstore.NewInstances(clock), History: f.history,
		Leases: memstore.NewLeases(clock), Ledger: f.ledger, Clock: clock, Snapshots: f.snaps, Backups: f.backups,
		Probe: f.probe, Events: f.sink}, cfg)
	t.Cleanup(f.svc.Close)
	return f
}

func (f *worldFixture) lastHistory(t *testing.T) domain.HistoryEntry {
	t.Helper()
	list, err := f.history.List(context.Background(), 0, 1)
	if err != nil || len(list) != 1 {
		t.Fatalf("history %v %v", list, err)
	}
	return list[0]
}

// Retention keeps the newest Keep ready backups, and the ledger counts
// each snapshot's storage from ready to deletion at 0.12 x 20 GiB / 720 an
// hour.
func TestWorldRetentionAndStorageLedger(t *testing.T) {
	ctx := context.Background()
	f := newWorldFixture(t, func(c *instances.Config) { c.World.BackupEvery = 6 * time.Hour })
	if err := f.svc.Create(ctx, admin); err != nil {
		t.Fatal(err)
	}
	f.svc.Wait()
	for h := 1; h <= 24; h++ {
		f.clock.Set(worldT0.Add(time.Duration(h) * time.Hour))
		if _, _, err := f.svc.ScheduledBackup(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := strings.Join(f.snaps.kept(), " "), "s-3 s-4"; got != want {
		t.Fatalf("snapshots kept %q, want %q", got, want)
	}
	list, _ := f.backups.Backups(ctx)
	if len(list) != 2 || list[0].SnapshotID != "s-4" || list[1].SnapshotID != "s-3" {
		t.Fatalf("backups %+v", list)
	}
	ivs, err := f.ledger.Intervals(ctx, worldT0, worldT0.Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	spans := map[string]string{}
	for _, iv := range ivs {
		if !strings.HasPrefix(iv.InstanceID, "s-") {
			continue
		}
		if iv.Price != 3333 { // 120_000 x 20 / 720 millionths
			t.Errorf("%s at %v an hour", iv.InstanceID, iv.Price)
		}
		end := "open"
		if !iv.End.IsZero() {
			end = iv.End.Sub(worldT0).String()
		}
		spans[iv.InstanceID] = iv.Start.Sub(worldT0).String() + ".." + end
	}
	want := map[string]string{"s-1": "6h0m0s..18h0m0s", "s-2": "12h0m0s..24h0m0s", "s-3": "18h0m0s..open", "s-4": "24h0m0s..open"}
	if fmt.Sprint(spans) != fmt.Sprint(want) {
		t.Errorf("storage intervals %v, want %v", spans, want)
	}
}

// A failed backup refuses the delete, unless an admin forces it or
// world.require_backup is off; a picked backup is the next create's disk.
func TestWorldForceOptionalAndRestorePick(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		optional bool
		force    bool
		deleted  bool
	}{
		{"refused", false, false, false},
		{"admin forces", false, true, true},
		{"backup optional", true, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newWorldFixture(t, func(c *instances.Config) { c.World.BackupOptional = tc.optional })
			if err := f.svc.Create(ctx, admin); err != nil {
				t.Fatal(err)
			}
			f.svc.Wait()
			f.snaps.mu.Lock()
			f.snaps.fail = true
			f.snaps.mu.Unlock()
			if err := f.svc.DeleteWorld(ctx, admin, tc.force); err != nil {
				t.Fatal(err)
			}
			f.svc.Wait()
			if got := f.cloud.count() == 0; got != tc.deleted {
				t.Fatalf("deleted %v, want %v", got, tc.deleted)
			}
			h := f.lastHistory(t)
			wantDetail := "refused: the snapshot failed in the cloud; nothing deleted"
			if tc.deleted {
				wantDetail = "released without a backup: the snapshot failed in the cloud"
			}
			if h.Action != domain.ActionDelete || h.Detail != wantDetail {
				t.Fatalf("history %+v, want detail %q", h, wantDetail)
			}
			op, _ := f.svc.LastOperation(ctx)
			if (op.State == domain.OpSucceeded) != tc.deleted {
				t.Fatalf("operation %+v", op)
			}
		})
	}

	t.Run("restore pick", func(t *testing.T) {
		f := newWorldFixture(t, func(c *instances.Config) { c.World.Keep = 5 })
		if err := f.svc.Create(ctx, admin); err != nil {
			t.Fatal(err)
		}
		f.svc.Wait()
		if spec := f.cloud.lastSpec(); spec.DataDisk == nil || spec.DataDisk.Snapshot != "" {
			t.Fatalf("first create: %+v, want an empty data disk", spec.DataDisk)
		}
		older, err := f.svc.BackupNow(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		f.svc.Wait()
		f.clock.Add(time.Hour)
		if err := f.svc.Delete(ctx, admin); err != nil {
			t.Fatal(err)
		}
		f.svc.Wait()
		if _, err := f.svc.ChooseBackup(ctx, member, older.ID); !errors.Is(err, domain.ErrPermissionDenied) {
			t.Fatalf("a member picks: %v", err)
		}
		if _, err := f.svc.ChooseBackup(ctx, admin, older.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Create(ctx, member); err != nil {
			t.Fatal(err)
		}
		f.svc.Wait()
		if spec := f.cloud.lastSpec(); spec.DataDisk.Snapshot != "s-1" || spec.DataDisk.Size != 20 {
			t.Fatalf("restored from %+v, want the picked s-1 (not the newer s-2)", spec.DataDisk)
		}
		b, _ := f.backups.Backup(ctx, older.ID)
		if b.RestoreNext {
			t.Error("the pick must be used once")
		}
	})
}

// The watchdogs' releases back the world up first: the idle release runs
// the save script, the crash delete does not (a silent server cannot
// flush); both snapshot, and the backup events go out.
func TestWorldWatchdogReleases(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		change func(*instances.Config)
		silent bool
		acted  string
		saves  int
	}{
		{"idle release", func(c *instances.Config) {
			c.IdleStopAfter, c.IdleGrace, c.World.IdleRelease = 10*time.Minute, 0, true
		}, false, domain.ActionIRelease, 1},
		{"crash delete", func(c *instances.Config) {
			c.CrashAfter, c.CrashAction = 10*time.Minute, instances.CrashDelete
		}, true, domain.ActionSDelete, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newWorldFixture(t, tc.change)
			if err := f.svc.Create(ctx, admin); err != nil {
				t.Fatal(err)
			}
			f.svc.Wait()
			f.probe.mu.Lock()
			f.probe.silent = tc.silent
			f.probe.mu.Unlock()
			var acted string
			for m := 0; m <= 10 && acted == ""; m++ {
				f.clock.Set(worldT0.Add(time.Hour + time.Duration(m)*time.Minute))
				rep, err := f.svc.Watch(ctx)
				if err != nil {
					t.Fatal(err)
				}
				acted = rep.Acted
			}
			if acted != tc.acted || f.cloud.count() != 0 {
				t.Fatalf("acted %q with %d instances left, want %q and none", acted, f.cloud.count(), tc.acted)
			}
			if n := f.cloud.ran("save"); n != tc.saves {
				t.Errorf("save script ran %d times, want %d", n, tc.saves)
			}
			h := f.lastHistory(t)
			if h.Action != tc.acted || !strings.Contains(h.Detail, "; world kept in backup bk-") {
				t.Errorf("history %+v", h)
			}
			list, _ := f.backups.Backups(ctx)
			if len(list) != 1 || list[0].State != domain.BackupReady || list[0].Source != domain.BackupOnDelete {
				t.Fatalf("backups %+v", list)
			}
			var types []string
			for _, typ := range f.sink.types() {
				if strings.HasPrefix(typ, "backup.") {
					types = append(types, typ)
				}
			}
			if got := strings.Join(types, " "); got != "backup.started backup.ready" {
				t.Errorf("backup events %q", got)
			}
		})
	}
}
