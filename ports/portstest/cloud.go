package portstest

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// CloudOp names a ports.Cloud method, the unit of fault injection and call
// counting in CloudHarness. A backend maps it to its own calls (for ECS:
// DescribeInstance and ListManaged are DescribeInstances, Available is
// DescribeAvailableResource, ...).
type CloudOp string

// The ports.Cloud methods.
const (
	OpRunInstance      CloudOp = "RunInstance"
	OpDescribeInstance CloudOp = "DescribeInstance"
	OpListManaged      CloudOp = "ListManaged"
	OpAllocatePublicIP CloudOp = "AllocatePublicIP"
	OpStartInstance    CloudOp = "StartInstance"
	OpStopInstance     CloudOp = "StopInstance"
	OpDeleteInstance   CloudOp = "DeleteInstance"
	OpAvailable        CloudOp = "Available"
	OpPrice            CloudOp = "Price"
	OpAgentReady       CloudOp = "AgentReady"
	OpRunCommand       CloudOp = "RunCommand"
	OpInvocation       CloudOp = "Invocation"
)

// CloudHarness steers the backend behind a ports.Cloud under test. The
// ecssim-backed harness lives in adapters/aliyunecs' tests; an in-memory fake
// can implement it too. One harness serves one subtest; methods are called
// from the test goroutine only.
type CloudHarness interface {
	// BaseSpec returns a spec the backend accepts: a zone and instance type
	// with stock, an image and so on. Tags are added by the suite.
	BaseSpec() ports.InstanceSpec
	// Tick lets backend time pass by one step so that transitions (Pending
	// -> Stopped, Starting -> Running, agent start-up, command runs)
	// progress; the suite calls it between polls. A backend with instant
	// transitions does nothing. Never sleeps for long: advance a fake clock.
	Tick()
	// SetStock makes instanceType in zone available or sold out.
	SetStock(zone, instanceType string, available bool)
	// SetPrice sets the hourly price of instanceType in zone, as decimal text.
	SetPrice(zone, instanceType, amount string)
	// SetCommandResult sets the output and exit code of later commands.
	SetCommandResult(output string, exitCode int)
	// ThrottleNext makes the next n backend calls behind op answer
	// "throttled" (a transient error).
	ThrottleNext(op CloudOp, n int)
	// FailNext makes the next n backend calls behind op answer "service
	// unavailable" (a transient error).
	FailNext(op CloudOp, n int)
	// ClearFaults drops faults queued by ThrottleNext and FailNext.
	ClearFaults()
	// Calls counts the backend calls made behind op so far, each retry and
	// each page included.
	Calls(op CloudOp) int
	// StopBehindBack stops an instance at once, as an operator in the
	// console would.
	StopBehindBack(id string) error
	// DeleteBehindBack releases an instance at once, whatever its state.
	DeleteBehindBack(id string) error
}

// RunCloudTests runs the ports.Cloud contract. newCloud is called once per
// subtest (the subtests run in parallel) and must return a Cloud talking to
// a fresh backend steered by the harness. The Cloud must retry transient
// errors (throttled, unavailable) at least 4 attempts in all and give up
// before 100, with delays short enough for a test (milliseconds).
func RunCloudTests(t *testing.T, newCloud func(t *testing.T) (ports.Cloud, CloudHarness)) {
	t.Helper()
	type fixture struct {
		c ports.Cloud
		h CloudHarness
	}
	newFixture := func(t *testing.T) fixture {
		c, h := newCloud(t)
		return fixture{c, h}
	}
	on := func(run func(*testing.T, ports.Cloud, CloudHarness)) func(*testing.T, fixture) {
		return func(t *testing.T, f fixture) { run(t, f.c, f.h) }
	}
	runSuite(t, newFixture, []suiteCase[fixture]{
		{"Lifecycle", on(testCloudLifecycle)},
		{"CreateIdempotentByClientToken", on(testCloudCreateIdempotent)},
		{"WrongState", on(testCloudWrongState)},
		{"NotFound", on(testCloudNotFound)},
		{"NoStock", on(testCloudNoStock)},
		{"ThrottledThenSuccess", on(testCloudThrottled)},
		{"Unavailable", on(testCloudUnavailable)},
		{"ListManagedByTags", on(testCloudListManaged)},
		{"PriceIsDecimalString", on(testCloudPrice)},
		{"BehindTheBack", on(testCloudBehindBack)},
		{"CommandFails", on(testCloudCommandFails)},
		{"CancelledContext", on(testCloudCancelled)},
		{"StopModes", on(testCloudStopModes)},
		{"CheckCreate", on(testCloudCheckCreate)},
	})
}

// maxPolls bounds every wait; with Tick steps it is never reached by a
// working backend.
const (
	maxPolls    = 200
	pollTimeout = 20 * time.Second
)

func cloudCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// suiteSpec is the harness' base spec tagged for this subtest.
func suiteSpec(t *testing.T, h CloudHarness, extra map[string]string) ports.InstanceSpec {
	t.Helper()
	spec := h.BaseSpec()
	tags := map[string]string{}
	for k, v := range spec.Tags {
		tags[k] = v
	}
	tags["seatide-suite"] = suiteTag(t)
	for k, v := range extra {
		tags[k] = v
	}
	spec.Tags = tags
	return spec
}

// suiteTag is a tag value unique to the subtest (at most 128 characters).
func suiteTag(t *testing.T) string {
	s := strings.NewReplacer("/", "-", " ", "-").Replace(t.Name())
	if len(s) > 120 {
		s = s[len(s)-120:]
	}
	return s
}

// poll calls check until it reports done, ticking the backend in between.
func poll(t *testing.T, h CloudHarness, what string, check func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(pollTimeout)
	for i := 0; ; i++ {
		done, err := check()
		if err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		if done {
			return
		}
		if i >= maxPolls || time.Now().After(deadline) {
			t.Fatalf("waiting for %s: not done after %d polls", what, i+1)
		}
		h.Tick()
	}
}

func waitStatus(t *testing.T, ctx context.Context, c ports.Cloud, h CloudHarness, id string, want domain.InstanceStatus) ports.CloudInstance {
	t.Helper()
	var got ports.CloudInstance
	poll(t, h, "instance "+id+" "+string(want), func() (bool, error) {
		var err error
		got, err = c.DescribeInstance(ctx, id)
		return err == nil && got.Status == want, err
	})
	return got
}

// createRunning creates and starts an instance and waits until it runs.
func createRunning(t *testing.T, ctx context.Context, c ports.Cloud, h CloudHarness, spec ports.InstanceSpec, token string) string {
	t.Helper()
	id, reqID, err := c.RunInstance(ctx, spec, token)
	if err != nil {
		t.Fatalf("RunInstance: %v", err)
	}
	if id == "" || reqID == "" {
		t.Fatalf("RunInstance = id %q, request id %q; want both", id, reqID)
	}
	waitStatus(t, ctx, c, h, id, domain.StatusRunning)
	return id
}

// createStopped is createRunning, then a stop in standard mode.
func createStopped(t *testing.T, ctx context.Context, c ports.Cloud, h CloudHarness, spec ports.InstanceSpec, token string) string {
	t.Helper()
	id := createRunning(t, ctx, c, h, spec, token)
	if _, err := c.StopInstance(ctx, id, ports.KeepCharging); err != nil {
		t.Fatalf("StopInstance: %v", err)
	}
	waitStatus(t, ctx, c, h, id, domain.StatusStopped)
	return id
}

func wantErr(t *testing.T, what string, err, sentinel error) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("%s: err = %v, want %v", what, err, sentinel)
	}
}

func runAndWait(t *testing.T, ctx context.Context, c ports.Cloud, h CloudHarness, id, script, token string) ports.Invocation {
	t.Helper()
	invokeID, reqID, err := c.RunCommand(ctx, id, script, token)
	if err != nil {
		t.Fatalf("RunCommand: %v", err)
	}
	if invokeID == "" || reqID == "" {
		t.Fatalf("RunCommand = invoke id %q, request id %q; want both", invokeID, reqID)
	}
	var inv ports.Invocation
	poll(t, h, "invocation "+invokeID, func() (bool, error) {
		var err error
		inv, err = c.Invocation(ctx, invokeID)
		return err == nil && inv.Status != "Pending" && inv.Status != "Running", err
	})
	if inv.ID != invokeID {
		t.Errorf("Invocation.ID = %q, want %q", inv.ID, invokeID)
	}
	return inv
}

func testCloudLifecycle(t *testing.T, c ports.Cloud, h CloudHarness) {
	ctx := cloudCtx(t)
	spec := suiteSpec(t, h, map[string]string{"role": "game"})
	spec.Name = "suite-lifecycle"
	spec.Password = "Secret-Passw0rd!"
	spec.DataDisk = &ports.Disk{Category: "cloud_essd", Size: 30}
	start := time.Now().Add(-24 * time.Hour)

	id := createRunning(t, ctx, c, h, spec, "op-lifecycle-create")
	inst, err := c.DescribeInstance(ctx, id)
	if err != nil {
		t.Fatalf("DescribeInstance: %v", err)
	}
	ip := inst.PublicIP
	if inst.ID != id || inst.Zone != spec.Zone || inst.InstanceType != spec.InstanceType || ip == "" {
		t.Errorf("DescribeInstance = %+v; want id %s in %s/%s with a public IP (bandwidth %d)", inst, id, spec.Zone, spec.InstanceType, spec.BandwidthOut)
	}
	if inst.Tags["role"] != "game" || inst.Tags["seatide-suite"] != suiteTag(t) {
		t.Errorf("tags = %v, want the spec's", inst.Tags)
	}
	if inst.CreatedAt.Before(start) {
		t.Errorf("CreatedAt = %v, want a recent time", inst.CreatedAt)
	}

	poll(t, h, "agent ready", func() (bool, error) { return c.AgentReady(ctx, id) })

	h.SetCommandResult("hello from the suite\n", 0)
	inv := runAndWait(t, ctx, c, h, id, "#!/bin/sh\necho 'hello from the suite'\n", "op-lifecycle-deploy")
	if inv.Status != "Success" || inv.ExitCode != 0 || inv.Output != "hello from the suite\n" || inv.Error != "" {
		t.Errorf("Invocation = %+v; want Success with the decoded output", inv)
	}

	if reqID, err := c.StopInstance(ctx, id, ports.KeepCharging); err != nil || reqID == "" {
		t.Fatalf("StopInstance = %q, %v", reqID, err)
	}
	inst = waitStatus(t, ctx, c, h, id, domain.StatusStopped)
	if inst.PublicIP != ip || inst.StoppedMode != ports.KeepCharging {
		t.Errorf("after a KeepCharging stop: IP %q, mode %q; want %q kept, KeepCharging", inst.PublicIP, inst.StoppedMode, ip)
	}
	if reqID, err := c.DeleteInstance(ctx, id); err != nil || reqID == "" {
		t.Fatalf("DeleteInstance = %q, %v", reqID, err)
	}
	_, err = c.DescribeInstance(ctx, id)
	wantErr(t, "DescribeInstance after delete", err, domain.ErrCloudNotFound)
	list, err := c.ListManaged(ctx, map[string]string{"seatide-suite": suiteTag(t)})
	if err != nil || len(list) != 0 {
		t.Errorf("ListManaged after delete = %v, %v; want none", list, err)
	}
}

func testCloudCreateIdempotent(t *testing.T, c ports.Cloud, h CloudHarness) {
	ctx := cloudCtx(t)
	spec := suiteSpec(t, h, nil)
	id1, _, err := c.RunInstance(ctx, spec, "op-idem-1")
	if err != nil {
		t.Fatalf("RunInstance: %v", err)
	}
	id2, _, err := c.RunInstance(ctx, spec, "op-idem-1")
	if err != nil {
		t.Fatalf("RunInstance again: %v", err)
	}
	if id1 != id2 {
		t.Fatalf("same client token gave %q then %q", id1, id2)
	}
	list, err := c.ListManaged(ctx, map[string]string{"seatide-suite": suiteTag(t)})
	if err != nil {
		t.Fatalf("ListManaged: %v", err)
	}
	if len(list) != 1 || list[0].ID != id1 {
		t.Fatalf("ListManaged = %+v; want only %s", list, id1)
	}
	id3, _, err := c.RunInstance(ctx, spec, "op-idem-2")
	if err != nil || id3 == id1 {
		t.Fatalf("another token = %q, %v; want a second instance", id3, err)
	}
}

func testCloudWrongState(t *testing.T, c ports.Cloud, h CloudHarness) {
	ctx := cloudCtx(t)
	id := createStopped(t, ctx, c, h, suiteSpec(t, h, nil), "op-wrong-state")
	_, err := c.StopInstance(ctx, id, ports.StopCharging)
	wantErr(t, "StopInstance on a Stopped instance", err, domain.ErrWrongState)
	_, _, err = c.RunCommand(ctx, id, "true", "op-wrong-state-cmd")
	wantErr(t, "RunCommand on a Stopped instance", err, domain.ErrWrongState)

	if _, err := c.StartInstance(ctx, id); err != nil {
		t.Fatalf("StartInstance: %v", err)
	}
	waitStatus(t, ctx, c, h, id, domain.StatusRunning)
	before := h.Calls(OpStartInstance)
	_, err = c.StartInstance(ctx, id)
	wantErr(t, "StartInstance on a Running instance", err, domain.ErrWrongState)
	if n := h.Calls(OpStartInstance) - before; n != 1 {
		t.Errorf("a wrong-state StartInstance made %d calls, want 1 (no retry)", n)
	}
}

func testCloudNotFound(t *testing.T, c ports.Cloud, h CloudHarness) {
	ctx := cloudCtx(t)
	const ghost = "i-doesnotexist0000"
	_, err := c.DescribeInstance(ctx, ghost)
	wantErr(t, "DescribeInstance", err, domain.ErrCloudNotFound)
	_, err = c.StartInstance(ctx, ghost)
	wantErr(t, "StartInstance", err, domain.ErrCloudNotFound)
	_, err = c.StopInstance(ctx, ghost, ports.StopCharging)
	wantErr(t, "StopInstance", err, domain.ErrCloudNotFound)
	_, err = c.DeleteInstance(ctx, ghost)
	wantErr(t, "DeleteInstance", err, domain.ErrCloudNotFound)
	_, _, err = c.AllocatePublicIP(ctx, ghost)
	wantErr(t, "AllocatePublicIP", err, domain.ErrCloudNotFound)
	if n := h.Calls(OpDeleteInstance); n != 1 {
		t.Errorf("DeleteInstance of an unknown id made %d calls, want 1 (no retry)", n)
	}
}

func testCloudNoStock(t *testing.T, c ports.Cloud, h CloudHarness) {
	ctx := cloudCtx(t)
	spec := suiteSpec(t, h, nil)
	ok, err := c.Available(ctx, spec.Zone, spec.InstanceType)
	if err != nil || !ok {
		t.Fatalf("Available before sell-out = %v, %v; want true", ok, err)
	}
	h.SetStock(spec.Zone, spec.InstanceType, false)
	ok, err = c.Available(ctx, spec.Zone, spec.InstanceType)
	if err != nil || ok {
		t.Fatalf("Available when sold out = %v, %v; want false", ok, err)
	}
	_, _, err = c.RunInstance(ctx, spec, "op-no-stock")
	wantErr(t, "RunInstance when sold out", err, domain.ErrNoStock)
	if n := h.Calls(OpRunInstance); n != 1 {
		t.Errorf("a sold-out RunInstance made %d calls, want 1 (no retry)", n)
	}
	h.SetStock(spec.Zone, spec.InstanceType, true)
	if _, _, err := c.RunInstance(ctx, spec, "op-no-stock-2"); err != nil {
		t.Fatalf("RunInstance back in stock: %v", err)
	}
}

func testCloudThrottled(t *testing.T, c ports.Cloud, h CloudHarness) {
	ctx := cloudCtx(t)
	spec := suiteSpec(t, h, nil)
	h.ThrottleNext(OpRunInstance, 3)
	id, reqID, err := c.RunInstance(ctx, spec, "op-throttled")
	if err != nil || id == "" || reqID == "" {
		t.Fatalf("RunInstance after 3 throttles = %q, %q, %v; want success", id, reqID, err)
	}
	if n := h.Calls(OpRunInstance); n != 4 {
		t.Errorf("RunInstance made %d calls, want 4 (3 throttled, 1 success)", n)
	}
	list, err := c.ListManaged(ctx, map[string]string{"seatide-suite": suiteTag(t)})
	if err != nil || len(list) != 1 || list[0].ID != id {
		t.Fatalf("ListManaged = %+v, %v; want only %s", list, err, id)
	}

	h.ThrottleNext(OpDescribeInstance, 2)
	if _, err := c.DescribeInstance(ctx, id); err != nil {
		t.Fatalf("DescribeInstance after 2 throttles: %v", err)
	}
	h.ThrottleNext(OpPrice, 1000)
	_, err = c.Price(ctx, spec)
	wantErr(t, "Price while always throttled", err, domain.ErrThrottled)
	if n := h.Calls(OpPrice); n < 2 || n >= 100 {
		t.Errorf("Price made %d calls while throttled; want a bounded retry", n)
	}
}

func testCloudUnavailable(t *testing.T, c ports.Cloud, h CloudHarness) {
	ctx := cloudCtx(t)
	spec := suiteSpec(t, h, nil)
	h.FailNext(OpRunInstance, 2)
	id := createStopped(t, ctx, c, h, spec, "op-unavailable")
	list, err := c.ListManaged(ctx, map[string]string{"seatide-suite": suiteTag(t)})
	if err != nil || len(list) != 1 {
		t.Fatalf("ListManaged = %+v, %v; want one instance", list, err)
	}

	h.FailNext(OpDescribeInstance, 1000)
	_, err = c.DescribeInstance(ctx, id)
	wantErr(t, "DescribeInstance while unavailable", err, domain.ErrCloudUnavailable)
	if errors.Is(err, domain.ErrCloudNotFound) || errors.Is(err, domain.ErrThrottled) {
		t.Errorf("unavailable also matches another sentinel: %v", err)
	}
	h.ClearFaults()
	if _, err := c.DescribeInstance(ctx, id); err != nil {
		t.Fatalf("DescribeInstance after recovery: %v", err)
	}
	h.FailNext(OpStartInstance, 1)
	if _, err := c.StartInstance(ctx, id); err != nil {
		t.Fatalf("StartInstance after one failure: %v", err)
	}
	waitStatus(t, ctx, c, h, id, domain.StatusRunning)
}

func testCloudListManaged(t *testing.T, c ports.Cloud, h CloudHarness) {
	ctx := cloudCtx(t)
	mine := suiteTag(t)
	a, _, err := c.RunInstance(ctx, suiteSpec(t, h, map[string]string{"role": "a"}), "op-list-a")
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := c.RunInstance(ctx, suiteSpec(t, h, map[string]string{"role": "b"}), "op-list-b")
	if err != nil {
		t.Fatal(err)
	}
	other := h.BaseSpec()
	other.Tags = map[string]string{"seatide-suite": mine + "-other", "role": "a"}
	if _, _, err := c.RunInstance(ctx, other, "op-list-other"); err != nil {
		t.Fatal(err)
	}

	ids := func(list []ports.CloudInstance) map[string]bool {
		m := map[string]bool{}
		for _, in := range list {
			m[in.ID] = true
		}
		return m
	}
	all, err := c.ListManaged(ctx, map[string]string{"seatide-suite": mine})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(all); len(all) != 2 || !got[a] || !got[b] {
		t.Errorf("ListManaged(suite) = %+v; want %s and %s", all, a, b)
	}
	for _, in := range all {
		if in.Tags["seatide-suite"] != mine || in.Zone == "" || in.InstanceType == "" || in.Status == "" {
			t.Errorf("listed instance %+v lacks its tags, zone, type or status", in)
		}
	}
	onlyA, err := c.ListManaged(ctx, map[string]string{"seatide-suite": mine, "role": "a"})
	if err != nil {
		t.Fatal(err)
	}
	if len(onlyA) != 1 || onlyA[0].ID != a {
		t.Errorf("ListManaged(suite, role=a) = %+v; want only %s", onlyA, a)
	}
	none, err := c.ListManaged(ctx, map[string]string{"seatide-suite": mine, "role": "c"})
	if err != nil || len(none) != 0 {
		t.Errorf("ListManaged(role=c) = %+v, %v; want none", none, err)
	}
}

var decimalRE = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

func testCloudPrice(t *testing.T, c ports.Cloud, h CloudHarness) {
	ctx := cloudCtx(t)
	spec := suiteSpec(t, h, nil)
	p, err := c.Price(ctx, spec)
	if err != nil {
		t.Fatalf("Price: %v", err)
	}
	if !decimalRE.MatchString(p.Amount) || p.Currency == "" {
		t.Errorf("Price = %+v; want a plain decimal and a currency", p)
	}
	for _, amount := range []string{"0.452", "0.1", "1.23", "12.5"} {
		h.SetPrice(spec.Zone, spec.InstanceType, amount)
		p, err := c.Price(ctx, spec)
		if err != nil {
			t.Fatalf("Price: %v", err)
		}
		if p.Amount != amount {
			t.Errorf("Price with %s = %q; want exactly %q (no float noise)", amount, p.Amount, amount)
		}
	}
}

func testCloudBehindBack(t *testing.T, c ports.Cloud, h CloudHarness) {
	ctx := cloudCtx(t)
	id := createRunning(t, ctx, c, h, suiteSpec(t, h, nil), "op-behind")
	if err := h.StopBehindBack(id); err != nil {
		t.Fatalf("StopBehindBack: %v", err)
	}
	if in, err := c.DescribeInstance(ctx, id); err != nil || in.Status != domain.StatusStopped {
		t.Fatalf("after a stop behind the back: %+v, %v; want Stopped", in, err)
	}
	if err := h.DeleteBehindBack(id); err != nil {
		t.Fatalf("DeleteBehindBack: %v", err)
	}
	_, err := c.DescribeInstance(ctx, id)
	wantErr(t, "DescribeInstance after a delete behind the back", err, domain.ErrCloudNotFound)
	_, err = c.DeleteInstance(ctx, id)
	wantErr(t, "DeleteInstance after a delete behind the back", err, domain.ErrCloudNotFound)
	list, err := c.ListManaged(ctx, map[string]string{"seatide-suite": suiteTag(t)})
	if err != nil || len(list) != 0 {
		t.Errorf("ListManaged = %+v, %v; want none", list, err)
	}
}

func testCloudCommandFails(t *testing.T, c ports.Cloud, h CloudHarness) {
	ctx := cloudCtx(t)
	id := createRunning(t, ctx, c, h, suiteSpec(t, h, nil), "op-cmd-fails")
	poll(t, h, "agent ready", func() (bool, error) { return c.AgentReady(ctx, id) })
	h.SetCommandResult("boom\n", 3)
	inv := runAndWait(t, ctx, c, h, id, "exit 3", "op-cmd-fails-run")
	if inv.Status != "Failed" || inv.ExitCode != 3 || inv.Output != "boom\n" || inv.Error == "" {
		t.Errorf("Invocation = %+v; want Failed, exit code 3, the output and an error text", inv)
	}
	_, err := c.Invocation(ctx, "t-doesnotexist0000")
	wantErr(t, "Invocation of an unknown id", err, domain.ErrCloudNotFound)
}

func testCloudCancelled(t *testing.T, c ports.Cloud, h CloudHarness) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := c.RunInstance(ctx, suiteSpec(t, h, nil), "op-cancelled")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("RunInstance with a cancelled ctx: err = %v, want context.Canceled in the chain", err)
	}
	if _, err := c.DescribeInstance(ctx, "i-any"); !errors.Is(err, context.Canceled) {
		t.Errorf("DescribeInstance with a cancelled ctx: err = %v, want context.Canceled in the chain", err)
	}
	list, err := c.ListManaged(cloudCtx(t), map[string]string{"seatide-suite": suiteTag(t)})
	if err != nil || len(list) != 0 {
		t.Errorf("ListManaged = %+v, %v; a cancelled create must not create", list, err)
	}
}

// testCloudStopModes: a StopCharging stop releases the public IP (a new one
// comes with the next start) and may be refused a start for stock; a
// KeepCharging stop keeps the IP. Sources: ports.StopMode.
func testCloudStopModes(t *testing.T, c ports.Cloud, h CloudHarness) {
	ctx := cloudCtx(t)
	spec := suiteSpec(t, h, nil)
	id := createRunning(t, ctx, c, h, spec, "op-stop-modes")
	got, err := c.DescribeInstance(ctx, id)
	ip := got.PublicIP
	if err != nil || ip == "" {
		t.Fatalf("DescribeInstance = %+v, %v; want a public IP", got, err)
	}
	if _, err := c.StopInstance(ctx, id, ""); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("StopInstance with no mode: err = %v, want invalid", err)
	}
	if _, err := c.StopInstance(ctx, id, ports.StopCharging); err != nil {
		t.Fatalf("StopInstance(StopCharging): %v", err)
	}
	got = waitStatus(t, ctx, c, h, id, domain.StatusStopped)
	if got.StoppedMode != ports.StopCharging || got.PublicIP != "" {
		t.Errorf("after a StopCharging stop: mode %q, IP %q; want StopCharging and the IP released", got.StoppedMode, got.PublicIP)
	}

	h.SetStock(spec.Zone, spec.InstanceType, false)
	_, err = c.StartInstance(ctx, id)
	wantErr(t, "StartInstance after StopCharging with no stock", err, domain.ErrNoStock)
	h.SetStock(spec.Zone, spec.InstanceType, true)

	if _, err := c.StartInstance(ctx, id); err != nil {
		t.Fatalf("StartInstance: %v", err)
	}
	got = waitStatus(t, ctx, c, h, id, domain.StatusRunning)
	if got.PublicIP == "" || got.PublicIP == ip {
		t.Errorf("after a StopCharging stop and a start: IP %q; want a new one (was %q)", got.PublicIP, ip)
	}
	second := got.PublicIP

	if _, err := c.StopInstance(ctx, id, ports.KeepCharging); err != nil {
		t.Fatalf("StopInstance(KeepCharging): %v", err)
	}
	got = waitStatus(t, ctx, c, h, id, domain.StatusStopped)
	if got.StoppedMode != ports.KeepCharging || got.PublicIP != second {
		t.Errorf("after a KeepCharging stop: mode %q, IP %q; want KeepCharging and %q kept", got.StoppedMode, got.PublicIP, second)
	}
	h.SetStock(spec.Zone, spec.InstanceType, false)
	if _, err := c.StartInstance(ctx, id); err != nil {
		t.Fatalf("StartInstance after KeepCharging with no stock (its resources were kept): %v", err)
	}
	got = waitStatus(t, ctx, c, h, id, domain.StatusRunning)
	if got.PublicIP != second {
		t.Errorf("after a KeepCharging stop and a start: IP %q, want %q", got.PublicIP, second)
	}
}

// testCloudCheckCreate: a dry run accepts a good spec and creates nothing,
// and refuses a sold-out offer as RunInstance would.
func testCloudCheckCreate(t *testing.T, c ports.Cloud, h CloudHarness) {
	ctx := cloudCtx(t)
	spec := suiteSpec(t, h, nil)
	if err := c.CheckCreate(ctx, spec); err != nil {
		t.Fatalf("CheckCreate of a good spec: %v", err)
	}
	h.SetStock(spec.Zone, spec.InstanceType, false)
	wantErr(t, "CheckCreate when sold out", c.CheckCreate(ctx, spec), domain.ErrNoStock)
	list, err := c.ListManaged(ctx, map[string]string{"seatide-suite": suiteTag(t)})
	if err != nil || len(list) != 0 {
		t.Errorf("ListManaged = %+v, %v; a dry run must not create", list, err)
	}
}
