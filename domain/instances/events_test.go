package instances_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/memstore"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/instances"
	"github.com/seatidemc/seatide/ports/portstest"
)

// recordingSink keeps what the service emits.
type recordingSink struct {
	mu     sync.Mutex
	events []domain.Event
}

func (r *recordingSink) Emit(_ context.Context, e domain.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recordingSink) all() []domain.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

func (r *recordingSink) types() []string {
	var out []string
	for _, e := range r.all() {
		out = append(out, string(e.Type))
	}
	return out
}

func (r *recordingSink) first(t domain.EventType) (domain.Event, bool) {
	for _, e := range r.all() {
		if e.Type == t {
			return e, true
		}
	}
	return domain.Event{}, false
}

// isSubsequence reports whether want appears in got in order.
func isSubsequence(got, want []string) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}

func TestCreateEmitsEveryStep(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, nil)
	must(t, f.svc.Create(ctx, member))
	f.svc.Wait()
	got := f.events.types()
	want := []string{"operation.started", "operation.step", "instance.ip_changed", "operation.step",
		"instance.status_changed", "operation.step", "deploy.output", "operation.succeeded"}
	if !isSubsequence(got, want) {
		t.Fatalf("events %v, want %v in order", got, want)
	}
	up, _ := f.events.first(domain.EventInstanceStatus)
	d := up.Data()
	if d.Status != domain.StatusRunning || d.IP != "127.0.1.1" || d.Zone != "cn-h" || d.Price == "" || d.Currency == "" {
		t.Errorf("status event %s", up.Payload)
	}
	started, _ := f.events.first(domain.EventOperationStarted)
	if started.Actor != "steve" || started.Data().Action != "new" || started.Data().Operation == "" {
		t.Errorf("started %+v %s", started, started.Payload)
	}
	out, _ := f.events.first(domain.EventDeployOutput)
	if out.Data().Seq != 1 || out.Data().Output != "deployed\n" {
		t.Errorf("deploy output %s", out.Payload)
	}
}

func TestFailedOperationCarriesItsReason(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, nil)
	f.cloud.deploySteps = []string{"Running", "Failed"}
	must(t, f.svc.Create(ctx, member))
	f.svc.Wait()
	op, err := f.svc.LastOperation(ctx)
	must(t, err)
	if op.Error != "failed_precondition" || op.Reason != "the deploy script did not succeed" {
		t.Fatalf("operation %+v", op)
	}
	failed, ok := f.events.first(domain.EventOperationFailed)
	if d := failed.Data(); !ok || d.Step != "deploy" || d.Code != "failed_precondition" || d.Reason != op.Reason {
		t.Fatalf("failed event %s", failed.Payload)
	}
}

func TestReasonIsSafe(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{domain.ErrNoStock, "no capacity for this zone and type"},
		{&domain.StateError{Action: "start", Current: domain.StatusRunning, Required: domain.StatusStopped}, "The instance is Running but must be Stopped to start."},
		{domain.Internal(context.DeadlineExceeded, "dial tcp 10.0.0.1: secret detail"), "internal error"},
		{context.Canceled, "internal error"},
		{&domain.BudgetError{Spent: 9_000_000, Hour: 2_000_000, Budget: 10_000_000, Currency: "CNY"},
			"This month's spend of 9.00 CNY plus one more hour at 2.00 CNY would pass the monthly budget of 10.00 CNY."},
	} {
		if got := instances.Reason(tc.err); got != tc.want {
			t.Errorf("Reason(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// Deploy output is sent as it grows, in chunks that never split a
// character, and none of it twice.
func TestDeployOutputChunks(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, nil)
	long := strings.Repeat("é", 3000) // 6000 bytes: two chunks
	f.cloud.mu.Lock()
	f.cloud.deploySteps = []string{"Running", "Success"}
	f.cloud.output = long
	f.cloud.mu.Unlock()
	must(t, f.svc.Create(ctx, member))
	f.svc.Wait()
	var text strings.Builder
	seq := 0
	for _, e := range f.events.all() {
		if e.Type != domain.EventDeployOutput {
			continue
		}
		d := e.Data()
		seq++
		if d.Seq != seq || len(d.Output) > 4096 || !strings.HasPrefix(d.Output, "é") {
			t.Fatalf("chunk %d: seq %d, %d bytes", seq, d.Seq, len(d.Output))
		}
		text.WriteString(d.Output)
	}
	if text.String() != long || seq != 2 {
		t.Fatalf("%d chunks, %d bytes, want the output once", seq, text.Len())
	}
}

func TestBudgetThresholdsOncePerMonth(t *testing.T) {
	ctx := context.Background()
	f, clock := ledgerFixture(t, "10.00", false)
	f.setPrice("1.00")
	f.running(t) // from 00:00 on the 1st, 1.00 an hour
	var got []int
	for _, hh := range []int{4, 5, 6, 8, 9, 10, 12} {
		at(clock, 1, hh, 0)
		must(t, f.svc.AnnounceBudget(ctx))
	}
	for _, e := range f.events.all() {
		if e.Type == domain.EventBudgetThreshold {
			got = append(got, e.Data().Percent)
		}
	}
	if !slices.Equal(got, []int{50, 80, 100}) {
		t.Fatalf("thresholds %v, want 50 80 100 once each", got)
	}
}

// Players joining and leaving are read from the status ping's sample.
func TestPlayersJoinAndLeave(t *testing.T) {
	ctx := context.Background()
	clock := portstest.NewManualClock(nov1)
	f := newFixtureClock(t, clock, newFakeCloud(), memstore.NewInstances(clock), memstore.NewLeases(clock), func(c *instances.Config) {
		c.PlayerEvents, c.DeployEnabled = true, false
	})
	f.running(t)
	for _, sample := range [][]string{{"alex"}, {"alex", "steve"}, {"steve"}, {"steve"}, nil} {
		var ps []domain.Player
		for _, n := range sample {
			ps = append(ps, domain.Player{Name: n})
		}
		f.probe.mu.Lock()
		f.probe.players, f.probe.sample = len(ps), ps
		f.probe.mu.Unlock()
		clock.Add(time.Minute) // past the status cache
		if _, err := f.svc.Watch(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, e := range f.events.all() {
		if e.Type == domain.EventPlayerJoined || e.Type == domain.EventPlayerLeft {
			d := e.Data()
			got = append(got, fmt.Sprintf("%s %s %d", e.Type, d.Player, *d.Players))
		}
	}
	want := []string{"player.joined alex 1", "player.joined steve 2", "player.left alex 1", "player.left steve 0"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// An admin's start, stop and delete are operations too: started, then
// succeeded or failed with the reason.
func TestAdminActionsEmitOperations(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(c *instances.Config) { c.DeployEnabled = false })
	must(t, f.svc.Create(ctx, admin))
	f.svc.Wait()
	f.events.mu.Lock()
	f.events.events = nil
	f.events.mu.Unlock()
	if err := f.svc.Start(ctx, admin); err == nil {
		t.Fatal("start of a running server")
	}
	must(t, f.svc.Stop(ctx, admin))
	var got []string
	for _, e := range f.events.all() {
		if e.Type.Category() == "operation" {
			d := e.Data()
			got = append(got, fmt.Sprintf("%s %s %s", e.Type, d.Action, d.Reason))
		}
	}
	want := []string{"operation.started start ", "operation.failed start The instance is Running but must be Stopped to start.",
		"operation.started stop ", "operation.succeeded stop "}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}
