package instances_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/memstore"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/instances"
	"github.com/seatidemc/seatide/ports"
	"github.com/seatidemc/seatide/ports/portstest"
)

var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// reconcileFixture is a service on a manual clock, with deploy off.
func reconcileFixture(t *testing.T, change func(*instances.Config)) (*fixture, *portstest.ManualClock) {
	t.Helper()
	clock := portstest.NewManualClock(t0)
	f := newFixtureClock(t, clock, newFakeCloud(), memstore.NewInstances(clock), memstore.NewLeases(clock), func(c *instances.Config) {
		c.DeployEnabled = false
		c.ProcessID = "me"
		c.ReconcileInterval, c.LeaseTTL = 10*time.Second, 30*time.Second
		if change != nil {
			change(c)
		}
	})
	return f, clock
}

// running creates a server through the service and waits until it runs.
func (f *fixture) running(t *testing.T) string {
	t.Helper()
	if err := f.svc.Create(context.Background(), admin); err != nil {
		t.Fatal(err)
	}
	f.svc.Wait()
	inst, err := f.store.Current(context.Background())
	if err != nil || inst.LastStatus != domain.StatusRunning {
		t.Fatalf("record %+v %v", inst, err)
	}
	return inst.ID
}

func (f *fixture) reconcile(t *testing.T) instances.Report {
	t.Helper()
	rep, err := f.svc.Reconcile(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Problems {
		t.Errorf("problem: %v", p)
	}
	f.svc.Wait()
	return rep
}

// managedInstance puts a managed instance in the cloud as a crashed
// process's create call would have.
func (f *fixture) managedInstance(t *testing.T, opID string) string {
	t.Helper()
	id, _, err := f.cloud.RunInstance(context.Background(), ports.InstanceSpec{Zone: "cn-h", InstanceType: "ecs.g6.large",
		Tags: map[string]string{"managed-by": "seatide", instances.OperationTag: opID}}, "tok-"+opID)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestReconcileNothingToDo(t *testing.T) {
	f, _ := reconcileFixture(t, nil)
	f.running(t)
	before := f.actions(t)
	rep := f.reconcile(t)
	if rep.Cleared != "" || rep.Drift != "" || rep.Adopted != "" || len(rep.Orphans) != 0 || rep.Resumed != "" {
		t.Errorf("report %+v", rep)
	}
	if got := f.actions(t); !slices.Equal(got, before) {
		t.Errorf("history grew: %v", got)
	}
}

func TestReconcileDeletedBehindBack(t *testing.T) {
	f, _ := reconcileFixture(t, nil)
	id := f.running(t)
	f.cloud.mu.Lock()
	delete(f.cloud.instances, id)
	f.cloud.mu.Unlock()
	if rep := f.reconcile(t); rep.Cleared != id {
		t.Errorf("report %+v", rep)
	}
	if _, err := f.store.Current(context.Background()); !errors.Is(err, domain.ErrNoInstance) {
		t.Errorf("record kept: %v", err)
	}
	list, _ := f.history.List(context.Background(), 0, 1)
	if len(list) != 1 || list[0].Action != "udelete" || list[0].Actor != "_monitor" || list[0].InstanceID != id {
		t.Errorf("history %+v", list)
	}
	// The slot is free for a new server.
	if err := f.svc.Create(context.Background(), admin); err != nil {
		t.Errorf("create after udelete: %v", err)
	}
	f.svc.Wait()
}

func TestReconcileStoppedBehindBack(t *testing.T) {
	f, _ := reconcileFixture(t, nil)
	id := f.running(t)
	f.cloud.mu.Lock()
	f.cloud.instances[id].Status = domain.StatusStopped
	f.cloud.mu.Unlock()
	if rep := f.reconcile(t); rep.Drift != "Running -> Stopped" {
		t.Errorf("report %+v", rep)
	}
	if rep := f.reconcile(t); rep.Drift != "" {
		t.Errorf("drift reported twice: %+v", rep)
	}
	if got := strings.Join(f.actions(t), " "); got != "create:ok init:ok ustop:ok" {
		t.Errorf("history %q", got)
	}
}

func TestReconcileOwnStopIsNoDrift(t *testing.T) {
	f, _ := reconcileFixture(t, nil)
	f.running(t)
	if err := f.svc.Stop(context.Background(), admin); err != nil {
		t.Fatal(err)
	}
	if rep := f.reconcile(t); rep.Drift != "" {
		t.Errorf("our own stop reported as drift: %+v", rep)
	}
}

func TestReconcileAdoptsLostRecord(t *testing.T) {
	f, _ := reconcileFixture(t, nil)
	id := f.running(t)
	inst, _ := f.store.Current(context.Background())
	if err := f.store.Clear(context.Background(), inst.Version); err != nil {
		t.Fatal(err)
	}
	if rep := f.reconcile(t); rep.Adopted != id {
		t.Fatalf("report %+v", rep)
	}
	st, err := f.svc.Status(context.Background())
	if err != nil || st.ID != id || st.IP == "" {
		t.Errorf("status after adoption %+v %v", st, err)
	}
}

func TestReconcileOrphans(t *testing.T) {
	for _, del := range []bool{false, true} {
		name := map[bool]string{false: "reported once", true: "deleted"}[del]
		t.Run(name, func(t *testing.T) {
			f, _ := reconcileFixture(t, func(c *instances.Config) { c.DeleteOrphans = del })
			f.running(t)
			stray := f.managedInstance(t, "op-elsewhere")
			for range 2 {
				if rep := f.reconcile(t); len(rep.Orphans) != 1 && !del {
					t.Errorf("report %+v", rep)
				}
			}
			want := "create:ok init:ok orphan:ok"
			if del {
				want = "create:ok init:ok odelete:ok"
			}
			if got := strings.Join(f.actions(t), " "); got != want {
				t.Errorf("history %q, want %q", got, want)
			}
			if _, err := f.cloud.DescribeInstance(context.Background(), stray); errors.Is(err, domain.ErrCloudNotFound) != del {
				t.Errorf("orphan in the cloud after reconcile: %v (delete %v)", err, del)
			}
		})
	}
}

// A process died during `new`. Its operation is taken over once its lease
// has expired: finished when its instance exists, rolled back otherwise.
func TestReconcileTakesOverAbandonedCreate(t *testing.T) {
	tests := []struct {
		name    string
		crash   string // the last step the dead process finished
		wantRec bool
	}{
		{"before the create call", "claimed", false},
		{"after the create call", "created", true},
		{"after the IP", "ip", true},
		{"after the start", "started", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			f, clock := reconcileFixture(t, nil)
			// The dead process heartbeat and claimed at t0.
			if _, _, err := f.leases.Acquire(ctx, "process/dead", "dead", 30*time.Second); err != nil {
				t.Fatal(err)
			}
			op := domain.Operation{ID: "op-dead", Action: "new", Step: "create", State: domain.OpRunning,
				StartedBy: "steve", Owner: "dead", StartedAt: clock.Now()}
			rec, err := f.store.Claim(ctx, domain.Instance{CreatedBy: "steve", OperationID: op.ID}, op)
			if err != nil {
				t.Fatal(err)
			}
			var id string
			if tt.crash != "claimed" {
				id = f.managedInstance(t, op.ID)
			}
			if tt.crash == "ip" || tt.crash == "started" {
				rec.ID = id
				if rec, err = f.store.UpdateInstance(ctx, rec); err != nil {
					t.Fatal(err)
				}
				f.cloud.AllocatePublicIP(ctx, id)
			}
			if tt.crash == "started" {
				f.cloud.StartInstance(ctx, id)
			}

			// While its lease lives, the operation is left alone.
			clock.Add(20 * time.Second)
			if rep := f.reconcile(t); rep.Resumed != "" {
				t.Fatalf("took over a live process's operation: %+v", rep)
			}
			clock.Add(time.Minute)
			if rep := f.reconcile(t); rep.Resumed != op.ID {
				t.Fatalf("report %+v", rep)
			}
			got, err := f.store.Operation(ctx, op.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.wantRec {
				if got.State != domain.OpFailed || got.Error != "unavailable" {
					t.Errorf("operation %+v", got)
				}
				if _, err := f.store.Current(ctx); !errors.Is(err, domain.ErrNoInstance) {
					t.Errorf("slot kept: %v", err)
				}
				return
			}
			if got.State != domain.OpSucceeded || got.Owner != "me" {
				t.Errorf("operation %+v", got)
			}
			st, err := f.svc.Status(ctx)
			if err != nil || st.ID != id || st.Status != domain.StatusRunning || st.IP == "" {
				t.Errorf("status %+v %v", st, err)
			}
			if n := f.cloud.count(); n != 1 {
				t.Errorf("%d instances, want 1", n)
			}
			if rep := f.reconcile(t); len(rep.Orphans) != 0 || rep.Resumed != "" {
				t.Errorf("second reconcile %+v", rep)
			}
		})
	}
}

// Only the holder of the monitors lease reconciles.
func TestTickNeedsTheMonitorsLease(t *testing.T) {
	ctx := context.Background()
	f, _ := reconcileFixture(t, nil)
	if _, _, err := f.leases.Acquire(ctx, instances.MonitorsLease, "other", 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if f.svc.Tick(ctx) {
		t.Error("reconciled without the lease")
	}
	if err := f.leases.Release(ctx, instances.MonitorsLease, "other"); err != nil {
		t.Fatal(err)
	}
	if !f.svc.Tick(ctx) {
		t.Error("did not reconcile with the lease free")
	}
}
