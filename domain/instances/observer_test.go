package instances_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/memstore"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/instances"
	"github.com/seatidemc/seatide/ports"
	"github.com/seatidemc/seatide/ports/portstest"
)

// recordingObserver keeps what the service told it.
type recordingObserver struct {
	mu       sync.Mutex
	statuses []domain.InstanceStatus
	recons   []ports.Reconciliation
}

func (o *recordingObserver) RecordedStatus(s domain.InstanceStatus) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.statuses = append(o.statuses, s)
}

func (o *recordingObserver) Reconciled(r ports.Reconciliation) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.recons = append(o.recons, r)
}

func (o *recordingObserver) last() (domain.InstanceStatus, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.statuses) == 0 {
		return "", false
	}
	return o.statuses[len(o.statuses)-1], true
}

// listFails is a cloud whose listing fails when fail is set.
type listFails struct {
	*fakeCloud
	fail bool
}

func (c *listFails) ListManaged(ctx context.Context, tags map[string]string) ([]ports.CloudInstance, error) {
	if c.fail {
		return nil, domain.ErrCloudUnavailable
	}
	return c.fakeCloud.ListManaged(ctx, tags)
}

// observedFixture is reconcileFixture's service with an observer, on a
// cloud that can fail its listing.
func observedFixture(t *testing.T, deleteOrphans bool) (*fixture, *recordingObserver, *listFails) {
	t.Helper()
	clock := portstest.NewManualClock(t0)
	f := &fixture{cloud: newFakeCloud(), store: memstore.NewInstances(clock), history: &memstore.History{},
		leases: memstore.NewLeases(clock), clock: clock}
	obs := &recordingObserver{}
	cloud := &listFails{fakeCloud: f.cloud}
	f.svc = instances.New(instances.Deps{Cloud: cloud, Store: f.store, History: f.history, Leases: f.leases,
		Clock: clock, Observer: obs}, instances.Config{
		Offers:       []instances.Offer{{Zone: "cn-h", InstanceType: "ecs.g6.large"}},
		PollInterval: time.Millisecond, WaitTimeout: time.Second, AgentTimeout: time.Second,
		ProcessID: "me", ReconcileInterval: 10 * time.Second, LeaseTTL: 30 * time.Second, DeleteOrphans: deleteOrphans,
	})
	t.Cleanup(f.svc.Close)
	return f, obs, cloud
}

func TestObserverHearsRecordedStatus(t *testing.T) {
	f, obs, _ := observedFixture(t, false)
	ctx := context.Background()
	if _, ok := obs.last(); ok {
		t.Fatal("status reported before anything happened")
	}
	f.running(t)
	steps := []struct {
		name string
		do   func() error
		want domain.InstanceStatus
	}{
		{"created and running", func() error { return nil }, domain.StatusRunning},
		{"stopped", func() error { return f.svc.Stop(ctx, admin) }, domain.StatusStopping},
		{"reconciled", func() error { _, err := f.svc.Reconcile(ctx); return err }, domain.StatusStopped},
		{"started", func() error { return f.svc.Start(ctx, admin) }, domain.StatusStarting},
		{"deleted", func() error { return f.svc.Delete(ctx, admin) }, ""},
		{"adopted again", func() error {
			f.managedInstance(t, "op-lost")
			_, err := f.svc.Reconcile(ctx)
			return err
		}, domain.StatusRunning}, // RunInstances starts it
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got, ok := obs.last(); !ok || got != s.want {
			t.Errorf("%s: last recorded status %q (reported %v), want %q", s.name, got, ok, s.want)
		}
	}
}

func TestObserverHearsReconciliations(t *testing.T) {
	tests := []struct {
		name          string
		deleteOrphans bool
		setup         func(t *testing.T, f *fixture, c *listFails)
		want          ports.Reconciliation
		wantStatus    domain.InstanceStatus
	}{
		{name: "nothing to do", setup: func(t *testing.T, f *fixture, c *listFails) { f.running(t) },
			wantStatus: domain.StatusRunning},
		{name: "orphan reported", setup: func(t *testing.T, f *fixture, c *listFails) {
			f.running(t)
			f.managedInstance(t, "op-elsewhere")
		}, want: ports.Reconciliation{Orphans: 1}, wantStatus: domain.StatusRunning},
		{name: "orphan deleted", deleteOrphans: true, setup: func(t *testing.T, f *fixture, c *listFails) {
			f.running(t)
			f.managedInstance(t, "op-elsewhere")
		}, want: ports.Reconciliation{Orphans: 1, Deleted: 1}, wantStatus: domain.StatusRunning},
		{name: "deleted behind the back", setup: func(t *testing.T, f *fixture, c *listFails) {
			id := f.running(t)
			f.cloud.mu.Lock()
			delete(f.cloud.instances, id)
			f.cloud.mu.Unlock()
		}, want: ports.Reconciliation{Cleared: 1}},
		{name: "stopped behind the back", setup: func(t *testing.T, f *fixture, c *listFails) {
			id := f.running(t)
			f.cloud.mu.Lock()
			f.cloud.instances[id].Status = domain.StatusStopped
			f.cloud.mu.Unlock()
		}, want: ports.Reconciliation{Drift: 1}, wantStatus: domain.StatusStopped},
		{name: "adopted", setup: func(t *testing.T, f *fixture, c *listFails) {
			f.managedInstance(t, "op-lost")
		}, want: ports.Reconciliation{Adopted: 1}, wantStatus: domain.StatusRunning}, // RunInstances starts it
		{name: "listing fails", setup: func(t *testing.T, f *fixture, c *listFails) {
			c.fail = true
		}, want: ports.Reconciliation{Failed: true, Problems: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, obs, cloud := observedFixture(t, tt.deleteOrphans)
			tt.setup(t, f, cloud)
			obs.mu.Lock()
			obs.statuses = nil
			obs.mu.Unlock()
			_, err := f.svc.Reconcile(context.Background())
			f.svc.Wait()
			if (err != nil) != tt.want.Failed {
				t.Fatalf("reconcile: %v", err)
			}
			obs.mu.Lock()
			recons := slices.Clone(obs.recons)
			obs.mu.Unlock()
			if len(recons) != 1 || recons[0] != tt.want {
				t.Errorf("reconciliations %+v, want [%+v]", recons, tt.want)
			}
			got, ok := obs.last()
			if tt.want.Failed {
				if ok {
					t.Errorf("a failed reconciliation reported status %q", got)
				}
				return
			}
			if !ok || got != tt.wantStatus {
				t.Errorf("status after reconcile %q (reported %v), want %q", got, ok, tt.wantStatus)
			}
		})
	}
}

// History rows name the API request behind them, also for the steps that
// run after the answer; the monitors' rows name none.
func TestHistoryCarriesAPIRequestID(t *testing.T) {
	f, _, _ := observedFixture(t, false)
	ctx := domain.WithRequestID(context.Background(), "req-new-1")
	if err := f.svc.Create(ctx, admin); err != nil {
		t.Fatal(err)
	}
	f.svc.Wait()
	f.managedInstance(t, "op-elsewhere")
	if _, err := f.svc.Reconcile(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Stop(domain.WithRequestID(context.Background(), "req-stop"), admin); err != nil {
		t.Fatal(err)
	}
	list, err := f.history.List(context.Background(), 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{domain.ActionCreate: "req-new-1", domain.ActionInit: "req-new-1",
		domain.ActionOrphan: "", domain.ActionStop: "req-stop"}
	if len(list) != len(want) {
		t.Fatalf("history %+v", list)
	}
	for _, e := range list {
		if w, ok := want[e.Action]; !ok || e.APIRequestID != w {
			t.Errorf("%s row: api request id %q, want %q", e.Action, e.APIRequestID, w)
		}
	}
}
