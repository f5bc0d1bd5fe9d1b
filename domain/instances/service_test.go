package instances_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/memstore"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/instances"
	"github.com/seatidemc/seatide/ports"
)

// fakeCloud is an in-memory cloud whose transitions are instant.
type fakeCloud struct {
	mu        sync.Mutex
	instances map[string]*ports.CloudInstance
	tokens    map[string]string
	soldOut   map[string]bool // zone/type
	prices    map[string]string
	createErr error
	n         int
	// invocation statuses reported one per call, the last one repeating
	deploySteps []string
	output      string // the deploy output ("" for "deployed\n")
	polls       int
	// lost makes a call take effect and then fail as its retry would: the
	// first attempt's answer was lost and the retry found the work done.
	lost map[string]error
	// stopModes records the mode of every StopInstance call.
	stopModes []ports.StopMode
	ipSeq     int
}

var _ ports.Cloud = (*fakeCloud)(nil)

func newFakeCloud() *fakeCloud {
	return &fakeCloud{instances: map[string]*ports.CloudInstance{}, tokens: map[string]string{},
		soldOut: map[string]bool{}, prices: map[string]string{}}
}

func key(zone, typ string) string { return zone + "/" + typ }

// CheckCreate refuses what RunInstance would.
func (c *fakeCloud) CheckCreate(_ context.Context, sp ports.InstanceSpec) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.createErr != nil {
		return c.createErr
	}
	if c.soldOut[key(sp.Zone, sp.InstanceType)] {
		return domain.ErrNoStock
	}
	return nil
}

// RunInstance creates a Running instance with its public IP, as
// RunInstances with bandwidth does.
func (c *fakeCloud) RunInstance(_ context.Context, sp ports.InstanceSpec, tok string) (string, string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.createErr != nil {
		return "", "req", c.createErr
	}
	if id, ok := c.tokens[tok]; ok {
		return id, "req", nil
	}
	if c.soldOut[key(sp.Zone, sp.InstanceType)] {
		return "", "req", domain.ErrNoStock
	}
	c.n++
	id := fmt.Sprintf("i-%d", c.n)
	c.tokens[tok] = id
	c.instances[id] = &ports.CloudInstance{ID: id, Status: domain.StatusRunning, PublicIP: "127.0.1.1", Zone: sp.Zone, InstanceType: sp.InstanceType, Tags: sp.Tags}
	return id, "req-create", nil
}

func (c *fakeCloud) get(id string) (*ports.CloudInstance, error) {
	ci, ok := c.instances[id]
	if !ok {
		return nil, domain.ErrCloudNotFound
	}
	return ci, nil
}

func (c *fakeCloud) DescribeInstance(_ context.Context, id string) (ports.CloudInstance, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ci, err := c.get(id)
	if err != nil {
		return ports.CloudInstance{}, err
	}
	return *ci, nil
}

func (c *fakeCloud) ListManaged(context.Context, map[string]string) ([]ports.CloudInstance, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []ports.CloudInstance
	for _, ci := range c.instances {
		out = append(out, *ci)
	}
	return out, nil
}

func (c *fakeCloud) AllocatePublicIP(_ context.Context, id string) (string, string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ci, err := c.get(id)
	if err != nil {
		return "", "", err
	}
	ci.PublicIP = "127.0.1.1"
	if err := c.lost["ip"]; err != nil {
		return "", "req-ip", err
	}
	return ci.PublicIP, "req-ip", nil
}

func (c *fakeCloud) move(action, id string, from, to domain.InstanceStatus) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ci, err := c.get(id)
	if err != nil {
		return "", err
	}
	if ci.Status != from {
		return "req", domain.ErrWrongState
	}
	ci.Status = to
	if err := c.lost[action]; err != nil {
		return "req-retry", err
	}
	return "req-move", nil
}

// StartInstance gives an instance stopped in economical mode a new
// public IP, as ECS does.
func (c *fakeCloud) StartInstance(_ context.Context, id string) (string, error) {
	reqID, err := c.move("start", id, domain.StatusStopped, domain.StatusRunning)
	c.mu.Lock()
	defer c.mu.Unlock()
	if ci := c.instances[id]; ci != nil && ci.Status == domain.StatusRunning && ci.PublicIP == "" && ci.StoppedMode == ports.StopCharging {
		c.ipSeq++
		ci.PublicIP = fmt.Sprintf("127.0.2.%d", c.ipSeq)
	}
	return reqID, err
}

func (c *fakeCloud) StopInstance(_ context.Context, id string, mode ports.StopMode) (string, error) {
	reqID, err := c.move("stop", id, domain.StatusRunning, domain.StatusStopped)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopModes = append(c.stopModes, mode)
	if ci := c.instances[id]; ci != nil && err == nil {
		ci.StoppedMode = mode
		if mode == ports.StopCharging {
			ci.PublicIP = "" // released
		}
	}
	return reqID, err
}

// modes returns the stop modes asked so far.
func (c *fakeCloud) modes() []ports.StopMode {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]ports.StopMode(nil), c.stopModes...)
}

func (c *fakeCloud) DeleteInstance(_ context.Context, id string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.get(id); err != nil {
		return "", err
	}
	delete(c.instances, id)
	return "req-del", nil
}

func (c *fakeCloud) Available(_ context.Context, zone, typ string) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.soldOut[key(zone, typ)], nil
}

func (c *fakeCloud) Price(_ context.Context, sp ports.InstanceSpec) (ports.Price, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.prices[key(sp.Zone, sp.InstanceType)]
	if !ok {
		p = "1.5"
	}
	return ports.Price{Amount: p, Currency: "CNY"}, nil
}

func (c *fakeCloud) AgentReady(context.Context, string) (bool, error) { return true, nil }

func (c *fakeCloud) RunCommand(_ context.Context, id, script, tok string) (string, string, error) {
	return "t-" + id, "req-run", nil
}

func (c *fakeCloud) Invocation(_ context.Context, invokeID string) (ports.Invocation, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	steps := c.deploySteps
	if len(steps) == 0 {
		steps = []string{ports.InvocationSuccess}
	}
	st := steps[min(c.polls, len(steps)-1)]
	c.polls++
	out := c.output
	if out == "" {
		out = "deployed\n"
	}
	return ports.Invocation{ID: invokeID, Status: st, Output: out}, nil
}

func (c *fakeCloud) count() int { c.mu.Lock(); defer c.mu.Unlock(); return len(c.instances) }

type fixture struct {
	svc     *instances.Service
	cloud   *fakeCloud
	store   *memstore.Instances
	history *memstore.History
	leases  *memstore.Leases
	probe   *fakeProbe
	ledger  *memstore.Ledger
	clock   ports.Clock
	events  *recordingSink
}

var (
	admin  = &domain.User{ID: 1, Username: "admin", Group: domain.GroupAdmin}
	member = &domain.User{ID: 2, Username: "steve", Group: domain.GroupStd}
)

func newFixture(t *testing.T, change func(*instances.Config)) *fixture {
	t.Helper()
	return newFixtureClock(t, ports.SystemClock{}, newFakeCloud(), memstore.NewInstances(ports.SystemClock{}), memstore.NewLeases(ports.SystemClock{}), change)
}

// newFixtureClock builds a service on the given clock, cloud, store and
// leases: several services sharing them are replicas.
func newFixtureClock(t *testing.T, clock ports.Clock, cloud *fakeCloud, store *memstore.Instances, leases *memstore.Leases, change func(*instances.Config)) *fixture {
	t.Helper()
	f := &fixture{cloud: cloud, store: store, history: &memstore.History{}, leases: leases, probe: &fakeProbe{},
		ledger: &memstore.Ledger{}, clock: clock, events: &recordingSink{}}
	cfg := instances.Config{
		Offers:        []instances.Offer{{Zone: "cn-h", InstanceType: "ecs.g6.large"}, {Zone: "cn-i", InstanceType: "ecs.g6.large"}},
		DeployEnabled: true, DeployScript: "echo hi",
		PollInterval: time.Millisecond, WaitTimeout: time.Second, AgentTimeout: time.Second,
	}
	if change != nil {
		change(&cfg)
	}
	f.svc = instances.New(instances.Deps{Cloud: f.cloud, Store: f.store, History: f.history, Leases: f.leases,
		Probe: f.probe, Ledger: f.ledger, Clock: clock, Events: f.events}, cfg)
	t.Cleanup(f.svc.Close)
	return f
}

func (f *fixture) actions(t *testing.T) []string {
	t.Helper()
	list, err := f.history.List(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(list) - 1; i >= 0; i-- {
		out = append(out, list[i].Action+":"+list[i].Result)
	}
	return out
}

func TestCreateRunsEveryStep(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, nil)
	if err := f.svc.Create(ctx, member); err != nil {
		t.Fatal(err)
	}
	f.svc.Wait()
	st, err := f.svc.Status(ctx)
	if err != nil || !st.Created || st.Status != domain.StatusRunning || st.IP != "127.0.1.1" {
		t.Fatalf("status %+v %v", st, err)
	}
	op, _ := f.svc.LastOperation(ctx)
	if op.State != domain.OpSucceeded || op.Step != "done" || op.FinishedAt.IsZero() {
		t.Errorf("operation %+v", op)
	}
	inv, err := f.svc.LastInvoke(ctx)
	if err != nil || inv.Status != "Success" {
		t.Errorf("last invoke %+v %v", inv, err)
	}
	if got := strings.Join(f.actions(t), " "); got != "create:ok init:ok" {
		t.Errorf("history %q", got)
	}
}

// The operation lasts until the deploy script has ended, and a script that
// fails fails the operation at its deploy step.
func TestCreateWaitsForDeploy(t *testing.T) {
	tests := []struct {
		name      string
		steps     []string
		wantState string
		wantHist  string
	}{
		{"success after running", []string{"Pending", "Running", "Running", "Success"}, domain.OpSucceeded, "create:ok init:ok"},
		{"script failed", []string{"Running", "Failed"}, domain.OpFailed, "create:ok init:failed_precondition"},
		{"stopped by someone", []string{"Stopped"}, domain.OpFailed, "create:ok init:failed_precondition"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, nil)
			f.cloud.deploySteps = tt.steps
			if err := f.svc.Create(ctx, member); err != nil {
				t.Fatal(err)
			}
			f.svc.Wait()
			op, _ := f.svc.LastOperation(ctx)
			if op.State != tt.wantState || op.Step == "" {
				t.Errorf("operation %+v, want state %s", op, tt.wantState)
			}
			if tt.wantState == domain.OpFailed && op.Step != "deploy" {
				t.Errorf("failed at step %q, want deploy", op.Step)
			}
			if f.cloud.polls < len(tt.steps) {
				t.Errorf("invocation read %d times, want at least %d", f.cloud.polls, len(tt.steps))
			}
			if got := strings.Join(f.actions(t), " "); got != tt.wantHist {
				t.Errorf("history %q, want %q", got, tt.wantHist)
			}
		})
	}
}

// With an offer's own vSwitch, the instance is created in it.
func TestOfferVSwitch(t *testing.T) {
	f := newFixture(t, func(c *instances.Config) {
		c.Spec.VSwitch = "vsw-default"
		c.Offers = []instances.Offer{{Zone: "cn-h", InstanceType: "ecs.g6.large", VSwitch: "vsw-h"}}
	})
	if got := f.svc.Preferred().VSwitch; got != "vsw-h" {
		t.Errorf("preferred vswitch %q", got)
	}
	f2 := newFixture(t, func(c *instances.Config) {
		c.Spec.VSwitch = "vsw-default"
		c.Offers = []instances.Offer{{Zone: "cn-h", InstanceType: "ecs.g6.large"}}
	})
	if got := f2.svc.Preferred().VSwitch; got != "vsw-default" {
		t.Errorf("preferred vswitch %q", got)
	}
}

func TestSecondCreateRefused(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, nil)
	if err := f.svc.Create(ctx, member); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Create(ctx, admin); !errors.Is(err, domain.ErrInstanceExists) {
		t.Errorf("second create: %v", err)
	}
	f.svc.Wait()
	if f.cloud.count() != 1 {
		t.Errorf("%d instances in the cloud", f.cloud.count())
	}
}

func TestConcurrentCreatesMakeOneServer(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, nil)
	var wg sync.WaitGroup
	var mu sync.Mutex
	oks := 0
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if f.svc.Create(ctx, member) == nil {
				mu.Lock()
				oks++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	f.svc.Wait()
	if oks != 1 || f.cloud.count() != 1 {
		t.Errorf("%d ok answers, %d instances; want 1 and 1", oks, f.cloud.count())
	}
}

func TestCreateOffers(t *testing.T) {
	tests := []struct {
		name     string
		soldOut  []string
		cheapest bool
		prices   map[string]string
		wantZone string
		wantErr  error
	}{
		{"first offer", nil, false, nil, "cn-h", nil},
		{"first sold out", []string{"cn-h/ecs.g6.large"}, false, nil, "cn-i", nil},
		{"all sold out", []string{"cn-h/ecs.g6.large", "cn-i/ecs.g6.large"}, false, nil, "", domain.ErrNoStock},
		{"cheapest first", nil, true, map[string]string{"cn-h/ecs.g6.large": "2.10", "cn-i/ecs.g6.large": "0.95"}, "cn-i", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, func(c *instances.Config) { c.ChooseCheapest = tt.cheapest })
			for _, k := range tt.soldOut {
				f.cloud.soldOut[k] = true
			}
			for k, v := range tt.prices {
				f.cloud.prices[k] = v
			}
			err := f.svc.Create(ctx, member)
			f.svc.Wait()
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			inst, cerr := f.store.Current(ctx)
			if tt.wantErr != nil {
				if !errors.Is(cerr, domain.ErrNoInstance) {
					t.Errorf("slot not released after a failed create: %+v", inst)
				}
				if got := f.actions(t); len(got) != 1 || got[0] != "create:unavailable" {
					t.Errorf("history %v", got)
				}
				return
			}
			if inst.Zone != tt.wantZone {
				t.Errorf("zone %q, want %q", inst.Zone, tt.wantZone)
			}
		})
	}
}

func TestCreateRights(t *testing.T) {
	tests := []struct {
		name      string
		adminOnly bool
		actor     *domain.User
		want      error
	}{
		{"anonymous", false, nil, domain.ErrPermissionDenied},
		{"member", false, member, nil},
		{"member, admin only", true, member, domain.ErrPermissionDenied},
		{"admin, admin only", true, admin, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, func(c *instances.Config) { c.CreateRequiresAdmin = tt.adminOnly })
			if err := f.svc.Create(context.Background(), tt.actor); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			f.svc.Wait()
		})
	}
}

func TestStateRules(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		setup   []string // actions before
		act     string
		actor   *domain.User
		wantErr error
		wantMsg string
	}{
		{"start running", nil, "start", admin, domain.ErrWrongState, "The instance is Running but must be Stopped to start."},
		{"stop running", nil, "stop", admin, nil, ""},
		{"stop stopped", []string{"stop"}, "stop", admin, domain.ErrWrongState, "The instance is Stopped but must be Running to stop."},
		{"start stopped", []string{"stop"}, "start", admin, nil, ""},
		{"delete running", nil, "delete", admin, nil, ""},
		{"start as member", []string{"stop"}, "start", member, domain.ErrPermissionDenied, ""},
		{"stop as member", nil, "stop", member, domain.ErrPermissionDenied, ""},
		{"delete as member", nil, "delete", member, domain.ErrPermissionDenied, ""},
		{"start with none", []string{"delete"}, "start", admin, domain.ErrNoInstance, ""},
		{"stop with none", []string{"delete"}, "stop", admin, domain.ErrNoInstance, ""},
		{"delete with none", []string{"delete"}, "delete", admin, domain.ErrNoInstance, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, func(c *instances.Config) { c.DeployEnabled = false })
			if err := f.svc.Create(ctx, admin); err != nil {
				t.Fatal(err)
			}
			f.svc.Wait()
			do := func(a string, actor *domain.User) error {
				switch a {
				case "start":
					return f.svc.Start(ctx, actor)
				case "stop":
					return f.svc.Stop(ctx, actor)
				}
				return f.svc.Delete(ctx, actor)
			}
			for _, a := range tt.setup {
				if err := do(a, admin); err != nil {
					t.Fatal(err)
				}
			}
			err := do(tt.act, tt.actor)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantMsg != "" && err.Error() != tt.wantMsg {
				t.Errorf("msg %q, want %q", err.Error(), tt.wantMsg)
			}
			if tt.act == "delete" && err == nil {
				if _, err := f.store.Current(ctx); !errors.Is(err, domain.ErrNoInstance) || f.cloud.count() != 0 {
					t.Errorf("delete left a record or a server")
				}
			}
			// A start reads the new public IP back in the background and
			// may write an ip row: wait for it, and leave such rows out.
			f.svc.Wait()
			hist := slices.DeleteFunc(f.actions(t), func(a string) bool { return strings.HasPrefix(a, domain.ActionIP+":") })
			wantRows := 2 + len(tt.setup) // create, init, setup...
			if tt.actor.IsAdmin() && !errors.Is(tt.wantErr, domain.ErrNoInstance) {
				wantRows++ // the action itself, ok or not
			}
			if len(hist) != wantRows {
				t.Errorf("history %v: %d rows, want %d", hist, len(hist), wantRows)
			}
		})
	}
}

// Start, stop and AllocatePublicIp carry no ClientToken: when a retry is
// refused because the first, unanswered attempt worked, the service looks
// again and reports success instead of a false failure.
func TestLostAnswers(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		lost   string
		err    error
		setup  []string
		act    string
		status domain.InstanceStatus
	}{
		{"stop", "stop", domain.ErrWrongState, nil, "stop", domain.StatusStopped},
		{"start", "start", domain.ErrWrongState, []string{"stop"}, "start", domain.StatusRunning},
		{"public ip", "ip", domain.ErrQuota, nil, "", domain.StatusRunning},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, func(c *instances.Config) { c.DeployEnabled = false })
			f.cloud.lost = map[string]error{}
			if tt.lost == "ip" {
				f.cloud.lost["ip"] = tt.err
			}
			if err := f.svc.Create(ctx, admin); err != nil {
				t.Fatal(err)
			}
			f.svc.Wait()
			for _, a := range tt.setup {
				if err := f.svc.Stop(ctx, admin); err != nil {
					t.Fatalf("%s: %v", a, err)
				}
			}
			if tt.act != "" {
				f.cloud.lost[tt.lost] = tt.err
				var err error
				if tt.act == "stop" {
					err = f.svc.Stop(ctx, admin)
				} else {
					err = f.svc.Start(ctx, admin)
				}
				if err != nil {
					t.Fatalf("%s after a lost answer: %v", tt.act, err)
				}
			}
			st, err := f.svc.Status(ctx)
			if err != nil || st.Status != tt.status || st.IP != "127.0.1.1" {
				t.Errorf("status %+v %v", st, err)
			}
			if op, _ := f.svc.LastOperation(ctx); op.State != domain.OpSucceeded {
				t.Errorf("operation %+v", op)
			}
		})
	}
}

func TestHistoryRights(t *testing.T) {
	f := newFixture(t, nil)
	if _, err := f.svc.History(context.Background(), member, 0, 10); !errors.Is(err, domain.ErrPermissionDenied) {
		t.Errorf("member read history: %v", err)
	}
	if _, err := f.svc.History(context.Background(), admin, 0, 0); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("limit 0: %v", err)
	}
}

func TestCreateFailureRecorded(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, nil)
	f.cloud.createErr = domain.ErrNoBalance
	if err := f.svc.Create(ctx, member); !errors.Is(err, domain.ErrNoBalance) {
		t.Fatalf("err = %v", err)
	}
	op, _ := f.svc.LastOperation(ctx)
	if op.State != domain.OpFailed || op.Error != "forbidden" {
		t.Errorf("operation %+v", op)
	}
	if err := f.svc.Create(ctx, member); errors.Is(err, domain.ErrInstanceExists) {
		t.Error("a failed create kept the slot")
	}
}

// setIP changes an instance's public IP behind the service's back.
func (c *fakeCloud) setIP(id, ip string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.instances[id].PublicIP = ip
}
