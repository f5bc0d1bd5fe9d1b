package instances_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/memstore"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/instances"
	"github.com/seatidemc/seatide/ports"
	"github.com/seatidemc/seatide/ports/portstest"
)

// outageStore is an instance store that, once armed, answers "unavailable"
// to the next n writes and reads, as a database outage does.
type outageStore struct {
	*memstore.Instances
	mu     sync.Mutex
	left   int
	failed int
}

var errDown = domain.Errorf(domain.CodeUnavailable, "database unavailable")

func (s *outageStore) arm(n int) { s.mu.Lock(); s.left = n; s.mu.Unlock() }

func (s *outageStore) down() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.left > 0 {
		s.left--
		s.failed++
		return true
	}
	return false
}

func (s *outageStore) SaveOperation(ctx context.Context, op domain.Operation) error {
	if s.down() {
		return errDown
	}
	return s.Instances.SaveOperation(ctx, op)
}

func (s *outageStore) Current(ctx context.Context) (domain.Instance, error) {
	if s.down() {
		return domain.Instance{}, errDown
	}
	return s.Instances.Current(ctx)
}

// armingCloud arms the outage when the background steps first look at the
// new instance, so the outage falls under a running operation.
type armingCloud struct {
	*fakeCloud
	once  sync.Once
	store *outageStore
	n     int
}

func (c *armingCloud) DescribeInstance(ctx context.Context, id string) (ports.CloudInstance, error) {
	c.once.Do(func() { c.store.arm(c.n) })
	return c.fakeCloud.DescribeInstance(ctx, id)
}

// A store outage under a running `new`: the steps that cannot be recorded
// are retried until the store answers, and the operation ends succeeded.
func TestStoreOutageUnderNewIsRetried(t *testing.T) {
	store := &outageStore{Instances: memstore.NewInstances(ports.SystemClock{})}
	cloud := &armingCloud{fakeCloud: newFakeCloud(), store: store, n: 8}
	svc := instances.New(instances.Deps{Cloud: cloud, Store: store, History: &memstore.History{},
		Leases: memstore.NewLeases(ports.SystemClock{}), Clock: ports.SystemClock{}},
		instances.Config{Offers: []instances.Offer{{Zone: "cn-h", InstanceType: "ecs.g6.large"}},
			PollInterval: time.Millisecond, WaitTimeout: time.Second, StoreRetryBase: time.Millisecond})
	t.Cleanup(svc.Close)
	if err := svc.Create(context.Background(), admin); err != nil {
		t.Fatal(err)
	}
	svc.Wait()
	op, err := store.LastOperation(context.Background())
	if err != nil || op.State != domain.OpSucceeded {
		t.Fatalf("operation %+v, %v; want succeeded", op, err)
	}
	if store.failed != 8 {
		t.Fatalf("%d store calls failed, want the 8 of the outage", store.failed)
	}
	inst, err := store.Current(context.Background())
	if err != nil || inst.LastStatus != domain.StatusRunning || inst.PublicIP == "" {
		t.Fatalf("record %+v, %v", inst, err)
	}
}

// stuckCloud never answers the first worker's look at the instance, until
// that worker is stopped.
type stuckCloud struct {
	*fakeCloud
	mu      sync.Mutex
	stuck   bool
	blocked chan struct{} // closed when the first worker is stuck
}

func (c *stuckCloud) DescribeInstance(ctx context.Context, id string) (ports.CloudInstance, error) {
	c.mu.Lock()
	first := !c.stuck
	c.stuck = true
	c.mu.Unlock()
	if first {
		close(c.blocked)
		<-ctx.Done()
		return ports.CloudInstance{}, ctx.Err()
	}
	return c.fakeCloud.DescribeInstance(ctx, id)
}

// An operation whose worker is alive but makes no progress for StallAfter
// is taken over by the reconciler (here in the very same process), the
// stuck worker is stopped, and the operation ends.
func TestStalledOperationIsTakenOver(t *testing.T) {
	clock := portstest.NewManualClock(t0)
	store := memstore.NewInstances(clock)
	cloud := &stuckCloud{fakeCloud: newFakeCloud(), blocked: make(chan struct{})}
	svc := instances.New(instances.Deps{Cloud: cloud, Store: store, History: &memstore.History{},
		Leases: memstore.NewLeases(clock), Clock: clock},
		instances.Config{Offers: []instances.Offer{{Zone: "cn-h", InstanceType: "ecs.g6.large"}}, ProcessID: "me",
			PollInterval: time.Millisecond, WaitTimeout: time.Hour, StallAfter: time.Minute})
	t.Cleanup(svc.Close)
	if err := svc.Create(context.Background(), admin); err != nil {
		t.Fatal(err)
	}
	<-cloud.blocked
	rep, err := svc.Reconcile(context.Background())
	if err != nil || rep.Resumed != "" {
		t.Fatalf("before StallAfter: %+v, %v; want nothing taken over", rep, err)
	}
	clock.Add(2 * time.Minute)
	rep, err = svc.Reconcile(context.Background())
	if err != nil || rep.Resumed == "" {
		t.Fatalf("after StallAfter: %+v, %v; want the operation taken over", rep, err)
	}
	svc.Wait() // the stuck worker was stopped, the new one finished
	op, err := store.LastOperation(context.Background())
	if err != nil || op.State != domain.OpSucceeded || op.ID != rep.Resumed {
		t.Fatalf("operation %+v, %v; want %s succeeded", op, err, rep.Resumed)
	}
	// The slot is usable again: the server is recorded and running.
	if inst, err := store.Current(context.Background()); err != nil || inst.LastStatus != domain.StatusRunning {
		t.Fatalf("record %+v, %v", inst, err)
	}
}

// A storm of refused actions writes one history row per minute and
// actor, action and result; the next row counts the others.
func TestRefusalsAreSampled(t *testing.T) {
	f, clock := reconcileFixture(t, nil)
	f.running(t)
	before := len(f.actions(t))
	for range 100 {
		if err := f.svc.Start(context.Background(), admin); err == nil {
			t.Fatal("start of a running server was not refused")
		}
	}
	rows, _ := f.history.List(context.Background(), 0, 500)
	if got := len(rows) - before; got != 1 {
		t.Fatalf("100 refused starts wrote %d history rows, want 1", got)
	}
	clock.Add(time.Minute)
	_ = f.svc.Start(context.Background(), admin)
	rows, _ = f.history.List(context.Background(), 0, 500)
	if len(rows)-before != 2 || rows[0].Detail != "99 more refused within 1m0s of the last row" {
		t.Fatalf("after a minute: %d rows, newest %+v", len(rows)-before, rows[0])
	}
}
