package portstest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// Lengths, in characters, that every instance-side store keeps: the column
// sizes of migrations/*/00002_instances.sql. The suite stores values this
// long (multibyte ones too) and expects them back unchanged.
const (
	maxIDLen        = 64 // instance, operation, invocation and request ids
	maxNameLen      = 64 // zone, instance type, step, result, actors, owner
	maxPublicIPLen  = 45 // the longest IPv6 text form
	maxStatusLen    = 32 // Instance.LastStatus
	maxActionLen    = 32
	maxErrorLen     = 255 // Operation.Error
	maxDetailLen    = 1000
	maxSourceLen    = 128
	suiteConcurrent = 20 // goroutines in the racing tests
)

// RunInstanceStoreTests runs the ports.InstanceStore contract. newStore
// must return an empty store of its own for every call (the subtests run in
// parallel), stamping times with the system clock; it is called with the
// subtest's t, so it can register cleanups on it.
func RunInstanceStoreTests(t *testing.T, newStore func(t *testing.T) ports.InstanceStore) {
	t.Helper()
	runSuite(t, newStore, []suiteCase[ports.InstanceStore]{
		{"Empty", testInstEmpty},
		{"ClaimAndCurrent", testInstClaim},
		{"SecondClaimChangesNothing", testInstSecondClaim},
		{"ConcurrentClaims", testInstConcurrentClaims},
		{"ClaimWithoutIDThenUpdate", testInstClaimThenUpdate},
		{"UpdateComparesVersion", testInstUpdateCAS},
		{"ConcurrentUpdatesSameVersion", testInstConcurrentUpdates},
		{"Clear", testInstClear},
		{"SaveOperation", testInstSaveOperation},
		{"OperationIDsAreExact", testInstOperationIDsExact},
		{"LastOperationIsNewestInserted", testInstLastOperation},
		{"OperationZeroFinishedAt", testInstOperationZeroFinished},
		{"OperationNeedsStartedAt", testInstOperationNeedsStart},
		{"UTCMicrosecondTimes", testInstTimes},
		{"Invocation", testInstInvocation},
		{"LongValues", testInstLongValues},
		{"ContextCancelled", testInstContextCancelled},
	})
}

// RunHistoryStoreTests runs the ports.HistoryStore contract; newStore is as
// for RunInstanceStoreTests.
func RunHistoryStoreTests(t *testing.T, newStore func(t *testing.T) ports.HistoryStore) {
	t.Helper()
	runSuite(t, newStore, []suiteCase[ports.HistoryStore]{
		{"Empty", testHistEmpty},
		{"AppendAndList", testHistAppendAndList},
		{"Paging", testHistPaging},
		{"ZeroTimes", testHistZeroTimes},
		{"SourceIsUnique", testHistSourceUnique},
		{"ConcurrentAppends", testHistConcurrentAppends},
		{"ConcurrentImportsSameSource", testHistConcurrentImports},
		{"LongValues", testHistLongValues},
		{"ContextCancelled", testHistContextCancelled},
	})
}

func instCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// instMustBe checks that err matches want, code included.
func instMustBe(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got error %v, want %v", what, err, want)
	}
	if got, wantCode := domain.ErrorCode(err), domain.ErrorCode(want); got != wantCode {
		t.Fatalf("%s: got code %q, want %q", what, got, wantCode)
	}
}

// instMustCancel checks the error of a call made with a cancelled context:
// unavailable, and matching context.Canceled, as the user stores answer.
func instMustCancel(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, context.Canceled) || domain.ErrorCode(err) != domain.CodeUnavailable {
		t.Fatalf("%s with a cancelled context: got %v (code %q), want code %q matching context.Canceled",
			what, err, domain.ErrorCode(err), domain.CodeUnavailable)
	}
}

// sameTime compares instants exactly, both in UTC; zero equals only zero.
func sameTime(a, b time.Time) bool {
	if a.IsZero() || b.IsZero() {
		return a.IsZero() && b.IsZero()
	}
	return a.Location() == time.UTC && b.Location() == time.UTC && a.Equal(b)
}

// stored is t as every store keeps it: UTC, microseconds.
func stored(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

// differ collects field differences for one failure message.
type differ []string

func (d *differ) check(field string, ok bool, got, want any) {
	if !ok {
		*d = append(*d, fmt.Sprintf("%s: got %v, want %v", field, got, want))
	}
}

func (d differ) fatal(t *testing.T, what string) {
	t.Helper()
	if len(d) > 0 {
		t.Fatalf("%s:\n\t%s", what, strings.Join(d, "\n\t"))
	}
}

func instSame(t *testing.T, what string, got, want domain.Instance) {
	t.Helper()
	var d differ
	d.check("ID", got.ID == want.ID, got.ID, want.ID)
	d.check("Zone", got.Zone == want.Zone, got.Zone, want.Zone)
	d.check("InstanceType", got.InstanceType == want.InstanceType, got.InstanceType, want.InstanceType)
	d.check("PublicIP", got.PublicIP == want.PublicIP, got.PublicIP, want.PublicIP)
	d.check("LastStatus", got.LastStatus == want.LastStatus, got.LastStatus, want.LastStatus)
	d.check("CreatedBy", got.CreatedBy == want.CreatedBy, got.CreatedBy, want.CreatedBy)
	d.check("OperationID", got.OperationID == want.OperationID, got.OperationID, want.OperationID)
	d.check("Version", got.Version == want.Version, got.Version, want.Version)
	d.check("CreatedAt", sameTime(got.CreatedAt, want.CreatedAt), got.CreatedAt, want.CreatedAt)
	d.check("UpdatedAt", sameTime(got.UpdatedAt, want.UpdatedAt), got.UpdatedAt, want.UpdatedAt)
	d.fatal(t, what)
}

// opSame compares operations; want's times are cut as stores keep them.
func opSame(t *testing.T, what string, got, want domain.Operation) {
	t.Helper()
	var d differ
	d.check("ID", got.ID == want.ID, got.ID, want.ID)
	d.check("Action", got.Action == want.Action, got.Action, want.Action)
	d.check("Step", got.Step == want.Step, got.Step, want.Step)
	d.check("State", got.State == want.State, got.State, want.State)
	d.check("Error", got.Error == want.Error, got.Error, want.Error)
	d.check("Reason", got.Reason == want.Reason, got.Reason, want.Reason)
	d.check("InstanceID", got.InstanceID == want.InstanceID, got.InstanceID, want.InstanceID)
	d.check("StartedBy", got.StartedBy == want.StartedBy, got.StartedBy, want.StartedBy)
	d.check("Owner", got.Owner == want.Owner, got.Owner, want.Owner)
	d.check("StartedAt", sameTime(got.StartedAt, stored(want.StartedAt)), got.StartedAt, stored(want.StartedAt))
	d.check("FinishedAt", sameTime(got.FinishedAt, stored(want.FinishedAt)), got.FinishedAt, stored(want.FinishedAt))
	d.fatal(t, what)
}

// histSame compares history entries; want's times are cut as stores keep them.
func histSame(t *testing.T, what string, got, want domain.HistoryEntry) {
	t.Helper()
	var d differ
	d.check("ID", got.ID == want.ID, got.ID, want.ID)
	d.check("Actor", got.Actor == want.Actor, got.Actor, want.Actor)
	d.check("Action", got.Action == want.Action, got.Action, want.Action)
	d.check("InstanceID", got.InstanceID == want.InstanceID, got.InstanceID, want.InstanceID)
	d.check("Result", got.Result == want.Result, got.Result, want.Result)
	d.check("RequestID", got.RequestID == want.RequestID, got.RequestID, want.RequestID)
	d.check("APIRequestID", got.APIRequestID == want.APIRequestID, got.APIRequestID, want.APIRequestID)
	d.check("Detail", got.Detail == want.Detail, got.Detail, want.Detail)
	d.check("Source", got.Source == want.Source, got.Source, want.Source)
	d.check("StartedAt", sameTime(got.StartedAt, stored(want.StartedAt)), got.StartedAt, stored(want.StartedAt))
	d.check("FinishedAt", sameTime(got.FinishedAt, stored(want.FinishedAt)), got.FinishedAt, stored(want.FinishedAt))
	d.fatal(t, what)
}

// opFixture is a running operation started at a fixed instant.
func opFixture(id string) domain.Operation {
	return domain.Operation{ID: id, Action: "new", Step: "create", State: domain.OpRunning,
		StartedBy: "alice", Owner: "p-1", StartedAt: time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)}
}

func instMustClaim(t *testing.T, s ports.InstanceStore, inst domain.Instance, op domain.Operation) domain.Instance {
	t.Helper()
	got, err := s.Claim(instCtx(t), inst, op)
	if err != nil {
		t.Fatalf("Claim: %v", err)
	}
	return got
}

func instMustCurrent(t *testing.T, s ports.InstanceStore) domain.Instance {
	t.Helper()
	got, err := s.Current(instCtx(t))
	if err != nil {
		t.Fatalf("Current: %v", err)
	}
	return got
}

func instMustUpdate(t *testing.T, s ports.InstanceStore, inst domain.Instance) domain.Instance {
	t.Helper()
	got, err := s.UpdateInstance(instCtx(t), inst)
	if err != nil {
		t.Fatalf("UpdateInstance(version %d): %v", inst.Version, err)
	}
	return got
}

func opMustSave(t *testing.T, s ports.InstanceStore, op domain.Operation) {
	t.Helper()
	if err := s.SaveOperation(instCtx(t), op); err != nil {
		t.Fatalf("SaveOperation(%q): %v", op.ID, err)
	}
}

func opMustGet(t *testing.T, s ports.InstanceStore, id string) domain.Operation {
	t.Helper()
	got, err := s.Operation(instCtx(t), id)
	if err != nil {
		t.Fatalf("Operation(%q): %v", id, err)
	}
	return got
}

func opMustLast(t *testing.T, s ports.InstanceStore) domain.Operation {
	t.Helper()
	got, err := s.LastOperation(instCtx(t))
	if err != nil {
		t.Fatalf("LastOperation: %v", err)
	}
	return got
}

func testInstEmpty(t *testing.T, s ports.InstanceStore) {
	ctx := instCtx(t)
	for _, tc := range []struct {
		what string
		call func() error
		want error
	}{
		{"Current", func() error { _, err := s.Current(ctx); return err }, domain.ErrNoInstance},
		{"UpdateInstance", func() error {
			_, err := s.UpdateInstance(ctx, domain.Instance{ID: "i-1", Version: 1})
			return err
		}, domain.ErrNoInstance},
		{"Clear", func() error { return s.Clear(ctx, 1) }, domain.ErrNoInstance},
		{"Operation", func() error { _, err := s.Operation(ctx, "op-1"); return err }, domain.ErrNoOperation},
		{"LastOperation", func() error { _, err := s.LastOperation(ctx); return err }, domain.ErrNoOperation},
		{"LastInvocation", func() error { _, _, err := s.LastInvocation(ctx); return err }, domain.ErrNoInvocation},
	} {
		instMustBe(t, tc.what+" on an empty store", tc.call(), tc.want)
	}
	// A failed update made nothing.
	_, err := s.Current(ctx)
	instMustBe(t, "Current after a failed update", err, domain.ErrNoInstance)
}

func testInstClaim(t *testing.T, s ports.InstanceStore) {
	op := opFixture("op-claim")
	in := domain.Instance{ID: "i-abc", Zone: "cn-hangzhou-i", InstanceType: "ecs.g7.large", PublicIP: "203.0.113.7",
		LastStatus: domain.StatusPending, CreatedBy: "alice", OperationID: op.ID, Version: 42} // Version is the store's to set
	before := time.Now().UTC().Add(-time.Second)
	got := instMustClaim(t, s, in, op)
	after := time.Now().UTC().Add(time.Second)
	if got.CreatedAt.Before(before) || got.CreatedAt.After(after) {
		t.Fatalf("Claim: CreatedAt = %v, want between %v and %v", got.CreatedAt, before, after)
	}
	want := in
	want.Version, want.CreatedAt, want.UpdatedAt = 1, got.CreatedAt, got.CreatedAt
	instSame(t, "Claim result", got, want)
	instSame(t, "Current", instMustCurrent(t, s), want)
	opSame(t, "the claim's operation", opMustGet(t, s, op.ID), op)
	opSame(t, "LastOperation after Claim", opMustLast(t, s), op)
}

func testInstSecondClaim(t *testing.T, s ports.InstanceStore) {
	first := opFixture("op-first")
	want := instMustClaim(t, s, domain.Instance{ID: "i-first", CreatedBy: "alice", OperationID: first.ID}, first)
	second := opFixture("op-second")
	second.StartedBy = "bob"
	_, err := s.Claim(instCtx(t), domain.Instance{ID: "i-second", CreatedBy: "bob", OperationID: second.ID}, second)
	instMustBe(t, "second Claim", err, domain.ErrInstanceExists)
	instSame(t, "Current after a second Claim", instMustCurrent(t, s), want)
	// The operation goes with the claim or not at all.
	_, err = s.Operation(instCtx(t), second.ID)
	instMustBe(t, "the refused claim's operation", err, domain.ErrNoOperation)
	opSame(t, "LastOperation after a refused Claim", opMustLast(t, s), first)
}

func testInstConcurrentClaims(t *testing.T, s ports.InstanceStore) {
	errs := make([]error, suiteConcurrent)
	var wg sync.WaitGroup
	for i := range suiteConcurrent {
		wg.Go(func() {
			op := opFixture(fmt.Sprintf("op-race-%d", i))
			_, errs[i] = s.Claim(instCtx(t), domain.Instance{CreatedBy: fmt.Sprintf("user%d", i), OperationID: op.ID}, op)
		})
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("claims %d and %d both won", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, domain.ErrInstanceExists):
			t.Fatalf("claim %d: %v, want success or ErrInstanceExists", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no claim won")
	}
	cur := instMustCurrent(t, s)
	if want := fmt.Sprintf("op-race-%d", winner); cur.OperationID != want || cur.CreatedBy != fmt.Sprintf("user%d", winner) || cur.Version != 1 {
		t.Fatalf("Current = %+v, want the winner's (operation %s), version 1", cur, want)
	}
	for i := range suiteConcurrent {
		_, err := s.Operation(instCtx(t), fmt.Sprintf("op-race-%d", i))
		if i == winner && err != nil {
			t.Fatalf("the winner's operation: %v", err)
		}
		if i != winner {
			instMustBe(t, fmt.Sprintf("loser %d's operation", i), err, domain.ErrNoOperation)
		}
	}
}

func testInstClaimThenUpdate(t *testing.T, s ports.InstanceStore) {
	op := opFixture("op-new")
	claimed := instMustClaim(t, s, domain.Instance{CreatedBy: "alice", OperationID: op.ID}, op)
	if claimed.ID != "" || claimed.Version != 1 {
		t.Fatalf("Claim = %+v, want no ID yet and version 1", claimed)
	}
	instSame(t, "Current before the cloud answered", instMustCurrent(t, s), claimed)

	in := claimed
	in.ID, in.Zone, in.InstanceType = "i-created", "cn-hangzhou-j", "ecs.c7.xlarge"
	got := instMustUpdate(t, s, in)
	if got.UpdatedAt.Before(claimed.UpdatedAt) {
		t.Fatalf("UpdatedAt = %v, before the claim's %v", got.UpdatedAt, claimed.UpdatedAt)
	}
	want := in
	want.Version, want.UpdatedAt = 2, got.UpdatedAt
	instSame(t, "UpdateInstance result", got, want)
	instSame(t, "Current after setting the ID", instMustCurrent(t, s), want)

	in = got
	in.PublicIP, in.LastStatus = "2001:db8::1", domain.StatusRunning
	got = instMustUpdate(t, s, in)
	want.PublicIP, want.LastStatus, want.Version, want.UpdatedAt = "2001:db8::1", domain.StatusRunning, 3, got.UpdatedAt
	instSame(t, "Current after setting the IP", instMustCurrent(t, s), want)
	opSame(t, "the operation, untouched by updates", opMustGet(t, s, op.ID), op)
}

func testInstUpdateCAS(t *testing.T, s ports.InstanceStore) {
	op := opFixture("op-cas")
	v1 := instMustClaim(t, s, domain.Instance{ID: "i-cas", CreatedBy: "alice", OperationID: op.ID}, op)
	in := v1
	in.PublicIP = "198.51.100.1"
	in.CreatedAt = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) // the store keeps its own
	v2 := instMustUpdate(t, s, in)
	if v2.Version != 2 || !sameTime(v2.CreatedAt, v1.CreatedAt) {
		t.Fatalf("UpdateInstance = version %d, CreatedAt %v; want 2, %v", v2.Version, v2.CreatedAt, v1.CreatedAt)
	}
	for _, stale := range []int64{v1.Version, 0, 3, -1} {
		in := v2
		in.Version, in.PublicIP = stale, "192.0.2.99"
		_, err := s.UpdateInstance(instCtx(t), in)
		instMustBe(t, fmt.Sprintf("UpdateInstance with version %d (current 2)", stale), err, domain.ErrVersionConflict)
	}
	instSame(t, "Current after stale updates", instMustCurrent(t, s), v2)
	v3 := instMustUpdate(t, s, v2) // an update changing nothing still moves the version
	if v3.Version != 3 {
		t.Fatalf("unchanged UpdateInstance: version %d, want 3", v3.Version)
	}
	instSame(t, "Current after an unchanged update", instMustCurrent(t, s), v3)
}

func testInstConcurrentUpdates(t *testing.T, s ports.InstanceStore) {
	op := opFixture("op-updates")
	v1 := instMustClaim(t, s, domain.Instance{ID: "i-race", OperationID: op.ID}, op)
	errs := make([]error, suiteConcurrent)
	var wg sync.WaitGroup
	for i := range suiteConcurrent {
		wg.Go(func() {
			in := v1
			in.PublicIP = fmt.Sprintf("192.0.2.%d", i)
			_, errs[i] = s.UpdateInstance(instCtx(t), in)
		})
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("updates %d and %d of version 1 both won", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, domain.ErrVersionConflict):
			t.Fatalf("update %d: %v, want success or ErrVersionConflict", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no update won")
	}
	cur := instMustCurrent(t, s)
	if want := fmt.Sprintf("192.0.2.%d", winner); cur.Version != 2 || cur.PublicIP != want {
		t.Fatalf("Current = version %d, IP %q; want 2, %q (the winner's)", cur.Version, cur.PublicIP, want)
	}
}

func testInstClear(t *testing.T, s ports.InstanceStore) {
	first := opFixture("op-1")
	v1 := instMustClaim(t, s, domain.Instance{ID: "i-1", OperationID: first.ID}, first)
	v2 := instMustUpdate(t, s, v1)
	for _, tc := range []struct {
		version int64
		want    error
	}{
		{v1.Version, domain.ErrVersionConflict},
		{v2.Version + 1, domain.ErrVersionConflict},
		{v2.Version, nil},
		{v2.Version, domain.ErrNoInstance},
		{1, domain.ErrNoInstance},
	} {
		err := s.Clear(instCtx(t), tc.version)
		what := fmt.Sprintf("Clear(%d)", tc.version)
		if tc.want == nil {
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			_, err = s.Current(instCtx(t))
			instMustBe(t, "Current after Clear", err, domain.ErrNoInstance)
			continue
		}
		instMustBe(t, what, err, tc.want)
		if tc.want == domain.ErrVersionConflict {
			instSame(t, "Current after a stale Clear", instMustCurrent(t, s), v2)
		}
	}
	_, err := s.UpdateInstance(instCtx(t), v2)
	instMustBe(t, "UpdateInstance after Clear", err, domain.ErrNoInstance)

	// The slot is free again, and the operations stay.
	second := opFixture("op-2")
	again := instMustClaim(t, s, domain.Instance{ID: "i-2", OperationID: second.ID}, second)
	if again.Version != 1 || again.ID != "i-2" {
		t.Fatalf("Claim after Clear = %+v, want i-2 at version 1", again)
	}
	instSame(t, "Current after a new Claim", instMustCurrent(t, s), again)
	opSame(t, "the first operation", opMustGet(t, s, first.ID), first)
	opSame(t, "LastOperation", opMustLast(t, s), second)
}

func testInstSaveOperation(t *testing.T, s ports.InstanceStore) {
	op := opFixture("op-save")
	op.Action = "start"
	op.InstanceID = "i-save"
	opMustSave(t, s, op)
	opSame(t, "Operation after insert", opMustGet(t, s, op.ID), op)

	for _, change := range []func(o *domain.Operation){
		func(o *domain.Operation) { o.Step = "wait_running" },
		func(o *domain.Operation) {
			o.Step, o.State, o.Error = "wait_running", domain.OpFailed, "InvalidInstance.NotFound"
			o.Reason = "no such instance in the cloud: « é »"
			o.FinishedAt = time.Date(2024, 3, 4, 5, 16, 7, 123000, time.UTC)
		},
		func(o *domain.Operation) { // every field replaced, even those set once
			*o = domain.Operation{ID: o.ID, Action: "stop", Step: "done", State: domain.OpSucceeded,
				InstanceID: "i-other", StartedBy: "bob", Owner: "p-taken-over", StartedAt: o.StartedAt.Add(time.Hour),
				FinishedAt: o.StartedAt.Add(2 * time.Hour)}
		},
	} {
		change(&op)
		opMustSave(t, s, op)
		opSame(t, "Operation after replace", opMustGet(t, s, op.ID), op)
	}
	_, err := s.Operation(instCtx(t), "op-absent")
	instMustBe(t, "Operation of an unknown id", err, domain.ErrNoOperation)
	_, err = s.Current(instCtx(t))
	instMustBe(t, "Current after saving operations", err, domain.ErrNoInstance)
}

func testInstOperationIDsExact(t *testing.T, s ports.InstanceStore) {
	lower, upper := opFixture("op-case"), opFixture("OP-CASE")
	upper.Step = "upper"
	opMustSave(t, s, lower)
	opMustSave(t, s, upper)
	opSame(t, "op-case", opMustGet(t, s, "op-case"), lower)
	opSame(t, "OP-CASE", opMustGet(t, s, "OP-CASE"), upper)
	_, err := s.Operation(instCtx(t), "Op-Case")
	instMustBe(t, "Operation(Op-Case)", err, domain.ErrNoOperation)
}

func testInstLastOperation(t *testing.T, s ports.InstanceStore) {
	// Ids in descending order and start times out of order, so neither
	// ordering by id nor by time passes for insertion order.
	ops := []domain.Operation{opFixture("op-c"), opFixture("op-b"), opFixture("op-a")}
	ops[0].StartedAt = ops[0].StartedAt.Add(time.Hour)
	ops[2].StartedAt = ops[2].StartedAt.Add(-time.Hour)
	for i, op := range ops {
		opMustSave(t, s, op)
		opSame(t, fmt.Sprintf("LastOperation after inserting %d", i), opMustLast(t, s), op)
	}
	// Updating older operations does not make them newer.
	for i := range ops[:2] {
		ops[i].State, ops[i].Step, ops[i].FinishedAt = domain.OpSucceeded, "done", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		opMustSave(t, s, ops[i])
		opSame(t, "LastOperation after updating an older one", opMustLast(t, s), ops[2])
	}
	ops[2].Step = "allocate_ip"
	opMustSave(t, s, ops[2])
	opSame(t, "LastOperation after updating itself", opMustLast(t, s), ops[2])
	// A claim's operation is inserted like any other.
	claim := opFixture("op-0")
	instMustClaim(t, s, domain.Instance{OperationID: claim.ID}, claim)
	opSame(t, "LastOperation after a claim", opMustLast(t, s), claim)
}

func testInstOperationZeroFinished(t *testing.T, s ports.InstanceStore) {
	op := opFixture("op-zero")
	opMustSave(t, s, op)
	if got := opMustGet(t, s, op.ID); !got.FinishedAt.IsZero() {
		t.Fatalf("FinishedAt = %v, want zero while running", got.FinishedAt)
	}
	op.State, op.FinishedAt = domain.OpFailed, time.Date(2024, 3, 4, 6, 0, 0, 0, time.UTC)
	opMustSave(t, s, op)
	opSame(t, "finished", opMustGet(t, s, op.ID), op)
	op.State, op.FinishedAt = domain.OpRunning, time.Time{} // resumed
	opMustSave(t, s, op)
	if got := opMustGet(t, s, op.ID); !got.FinishedAt.IsZero() || got.State != domain.OpRunning {
		t.Fatalf("resumed operation = %+v, want running with zero FinishedAt", got)
	}
}

// An operation without a start time is a caller's bug; the stores refuse it
// alike (MySQL could not even keep the zero time).
func testInstOperationNeedsStart(t *testing.T, s ports.InstanceStore) {
	op := opFixture("op-nostart")
	op.StartedAt = time.Time{}
	instMustBe(t, "SaveOperation without StartedAt", s.SaveOperation(instCtx(t), op), domain.ErrInvalid)
	_, err := s.Claim(instCtx(t), domain.Instance{OperationID: op.ID}, op)
	instMustBe(t, "Claim with an operation without StartedAt", err, domain.ErrInvalid)
	_, err = s.Operation(instCtx(t), op.ID)
	instMustBe(t, "Operation after refusals", err, domain.ErrNoOperation)
	_, err = s.Current(instCtx(t))
	instMustBe(t, "Current after a refused claim", err, domain.ErrNoInstance)
}

func testInstTimes(t *testing.T, s ports.InstanceStore) {
	zone := time.FixedZone("UTC+8", 8*3600)
	op := opFixture("op-times")
	op.StartedAt = time.Date(2024, 12, 31, 23, 59, 59, 123456789, zone)
	op.FinishedAt = time.Date(2025, 1, 1, 7, 0, 0, 999999999, zone)
	opMustSave(t, s, op)
	got := opMustGet(t, s, op.ID)
	opSame(t, "Operation with zoned, nanosecond times", got, op)
	if want := time.Date(2024, 12, 31, 15, 59, 59, 123456000, time.UTC); !got.StartedAt.Equal(want) {
		t.Fatalf("StartedAt = %v, want %v", got.StartedAt, want)
	}

	inst := instMustClaim(t, s, domain.Instance{ID: "i-times"}, opFixture("op-claim"))
	for what, tm := range map[string]time.Time{"CreatedAt": inst.CreatedAt, "UpdatedAt": inst.UpdatedAt} {
		if tm.Location() != time.UTC || !tm.Equal(tm.Truncate(time.Microsecond)) {
			t.Fatalf("Claim: %s = %v, want UTC at microseconds (as it reads back)", what, tm)
		}
	}
	instSame(t, "Current", instMustCurrent(t, s), inst)
	upd := instMustUpdate(t, s, inst)
	if upd.UpdatedAt.Location() != time.UTC || !upd.UpdatedAt.Equal(upd.UpdatedAt.Truncate(time.Microsecond)) {
		t.Fatalf("UpdateInstance: UpdatedAt = %v, want UTC at microseconds", upd.UpdatedAt)
	}
	instSame(t, "Current after update", instMustCurrent(t, s), upd)
}

func testInstInvocation(t *testing.T, s ports.InstanceStore) {
	ctx := instCtx(t)
	for _, tc := range []struct{ instance, invoke string }{
		{"i-1", "t-first"},
		{"i-1", "t-second"},
		{"i-2", "t-third"},
	} {
		if err := s.SaveInvocation(ctx, tc.instance, tc.invoke); err != nil {
			t.Fatalf("SaveInvocation(%q, %q): %v", tc.instance, tc.invoke, err)
		}
		inst, inv, err := s.LastInvocation(ctx)
		if err != nil || inst != tc.instance || inv != tc.invoke {
			t.Fatalf("LastInvocation = %q, %q, %v; want %q, %q", inst, inv, err, tc.instance, tc.invoke)
		}
	}
}

func testInstLongValues(t *testing.T, s ports.InstanceStore) {
	// Multibyte, so a limit counted in bytes would show.
	long := func(n int) string { return strings.Repeat("é", n) }
	op := domain.Operation{ID: long(maxIDLen), Action: long(maxActionLen), Step: long(maxNameLen),
		State: domain.OpFailed, Error: long(maxErrorLen), InstanceID: long(maxIDLen),
		StartedBy: long(maxNameLen), Owner: long(maxNameLen), StartedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		FinishedAt: time.Date(2024, 1, 1, 0, 1, 0, 0, time.UTC)}
	in := domain.Instance{ID: long(maxIDLen), Zone: long(maxNameLen), InstanceType: long(maxNameLen),
		PublicIP: strings.Repeat("f", maxPublicIPLen), LastStatus: domain.InstanceStatus(long(maxStatusLen)), CreatedBy: long(maxNameLen), OperationID: op.ID}
	got := instMustClaim(t, s, in, op)
	want := in
	want.Version, want.CreatedAt, want.UpdatedAt = 1, got.CreatedAt, got.UpdatedAt
	instSame(t, "Current with values at their limits", instMustCurrent(t, s), want)
	opSame(t, "Operation with values at their limits", opMustGet(t, s, op.ID), op)
	if err := s.SaveInvocation(instCtx(t), long(maxIDLen), long(maxIDLen)); err != nil {
		t.Fatalf("SaveInvocation with ids at their limit: %v", err)
	}
	if inst, inv, err := s.LastInvocation(instCtx(t)); err != nil || inst != long(maxIDLen) || inv != long(maxIDLen) {
		t.Fatalf("LastInvocation = %q, %q, %v; want the long ids", inst, inv, err)
	}
}

func testInstContextCancelled(t *testing.T, s ports.InstanceStore) {
	op := opFixture("op-kept")
	v1 := instMustClaim(t, s, domain.Instance{ID: "i-kept", OperationID: op.ID}, op)
	if err := s.SaveInvocation(instCtx(t), "i-kept", "t-kept"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	changed := op
	changed.Step = "changed"
	for _, tc := range []struct {
		what string
		call func() error
	}{
		{"Current", func() error { _, err := s.Current(ctx); return err }},
		{"Claim", func() error {
			_, err := s.Claim(ctx, domain.Instance{OperationID: "op-other"}, opFixture("op-other"))
			return err
		}},
		{"UpdateInstance", func() error {
			in := v1
			in.PublicIP = "192.0.2.1"
			_, err := s.UpdateInstance(ctx, in)
			return err
		}},
		{"Clear", func() error { return s.Clear(ctx, v1.Version) }},
		{"SaveOperation", func() error { return s.SaveOperation(ctx, changed) }},
		{"Operation", func() error { _, err := s.Operation(ctx, op.ID); return err }},
		{"LastOperation", func() error { _, err := s.LastOperation(ctx); return err }},
		{"SaveInvocation", func() error { return s.SaveInvocation(ctx, "i-other", "t-other") }},
		{"LastInvocation", func() error { _, _, err := s.LastInvocation(ctx); return err }},
	} {
		instMustCancel(t, tc.what, tc.call())
	}
	instSame(t, "Current (nothing changed)", instMustCurrent(t, s), v1)
	opSame(t, "Operation (nothing changed)", opMustGet(t, s, op.ID), op)
	if inst, inv, err := s.LastInvocation(instCtx(t)); err != nil || inst != "i-kept" || inv != "t-kept" {
		t.Fatalf("LastInvocation = %q, %q, %v; want the kept one", inst, inv, err)
	}
}

// histFixture is an entry with every field set; times are zoned and at
// nanoseconds so that storing them shows.
func histFixture(n int) domain.HistoryEntry {
	zone := time.FixedZone("UTC-3", -3*3600)
	start := time.Date(2024, 6, 1, 12, 0, n, 123456789, zone)
	return domain.HistoryEntry{
		Actor:      fmt.Sprintf("user%d", n),
		Action:     domain.ActionStart,
		InstanceID: fmt.Sprintf("i-%d", n),
		Result:     "ok",
		RequestID:  fmt.Sprintf("4C2D6A1B-0000-0000-0000-%012d", n),
		// Kept exactly: case matters in a caller's X-Request-Id.
		APIRequestID: fmt.Sprintf("Req_%d.aB-c", n),
		Detail:       fmt.Sprintf("note %d: 重启 ☃ 🚀", n),
		StartedAt:    start,
		FinishedAt:   start.Add(1500 * time.Millisecond),
	}
}

func histMustAppend(t *testing.T, s ports.HistoryStore, e domain.HistoryEntry) domain.HistoryEntry {
	t.Helper()
	got, err := s.Append(instCtx(t), e)
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	return got
}

func histMustList(t *testing.T, s ports.HistoryStore, before int64, limit int) []domain.HistoryEntry {
	t.Helper()
	got, err := s.List(instCtx(t), before, limit)
	if err != nil {
		t.Fatalf("List(%d, %d): %v", before, limit, err)
	}
	return got
}

func testHistEmpty(t *testing.T, s ports.HistoryStore) {
	for _, tc := range []struct {
		before int64
		limit  int
	}{{0, 10}, {5, 10}, {0, 0}, {-1, 10}} {
		if got := histMustList(t, s, tc.before, tc.limit); len(got) != 0 {
			t.Fatalf("List(%d, %d) on an empty store = %d entries", tc.before, tc.limit, len(got))
		}
	}
}

func testHistAppendAndList(t *testing.T, s ports.HistoryStore) {
	var want []domain.HistoryEntry
	var last int64
	for i := range 3 {
		in := histFixture(i)
		in.ID = 999 // the store assigns IDs
		got := histMustAppend(t, s, in)
		if got.ID <= last {
			t.Fatalf("Append %d: ID %d after %d, want ascending", i, got.ID, last)
		}
		last = got.ID
		in.ID = got.ID
		histSame(t, fmt.Sprintf("Append %d result", i), got, in)
		want = append(want, in)
	}
	imported := domain.HistoryEntry{Actor: domain.MonitorActor, Action: domain.ActionUDelete, Result: "ok",
		Source: "v1:history:12", StartedAt: time.Date(2021, 2, 3, 4, 5, 6, 0, time.UTC)}
	got := histMustAppend(t, s, imported)
	imported.ID = got.ID
	want = append(want, imported)

	list := histMustList(t, s, 0, 10)
	if len(list) != len(want) {
		t.Fatalf("List = %d entries, want %d", len(list), len(want))
	}
	for i, e := range list {
		histSame(t, fmt.Sprintf("List[%d] (newest first)", i), e, want[len(want)-1-i])
	}
}

func testHistPaging(t *testing.T, s ports.HistoryStore) {
	var ids []int64 // oldest first
	for i := range 5 {
		ids = append(ids, histMustAppend(t, s, histFixture(i)).ID)
	}
	for _, tc := range []struct {
		before int64
		limit  int
		want   []int // indexes into ids, newest first
	}{
		{0, 10, []int{4, 3, 2, 1, 0}},
		{0, 2, []int{4, 3}},
		{-1, 2, []int{4, 3}},
		{ids[3], 2, []int{2, 1}},
		{ids[1], 2, []int{0}},
		{ids[0], 2, nil},
		{ids[4] + 100, 3, []int{4, 3, 2}},
		{0, 0, nil},
		{0, -1, nil},
	} {
		got := histMustList(t, s, tc.before, tc.limit)
		var gotIDs, wantIDs []int64
		for _, e := range got {
			gotIDs = append(gotIDs, e.ID)
		}
		for _, i := range tc.want {
			wantIDs = append(wantIDs, ids[i])
		}
		if fmt.Sprint(gotIDs) != fmt.Sprint(wantIDs) {
			t.Fatalf("List(%d, %d) = IDs %v, want %v", tc.before, tc.limit, gotIDs, wantIDs)
		}
	}
}

func testHistZeroTimes(t *testing.T, s ports.HistoryStore) {
	in := domain.HistoryEntry{Actor: "alice", Action: domain.ActionCreate, Result: "no_stock"}
	got := histMustAppend(t, s, in)
	in.ID = got.ID
	histSame(t, "Append without times", got, in)
	list := histMustList(t, s, 0, 1)
	if len(list) != 1 {
		t.Fatalf("List = %d entries, want 1", len(list))
	}
	histSame(t, "List without times", list[0], in)
}

func testHistSourceUnique(t *testing.T, s ports.HistoryStore) {
	first := histFixture(1)
	first.Source = "v1:history:1"
	histMustAppend(t, s, first)
	again := histFixture(2) // other fields differ: the source alone decides
	again.Source = first.Source
	_, err := s.Append(instCtx(t), again)
	instMustBe(t, "Append of an imported source again", err, domain.ErrHistoryImported)

	// Sources compare exactly; rows of the service's own have none and repeat.
	other := histFixture(3)
	other.Source = "V1:HISTORY:1"
	histMustAppend(t, s, other)
	for range 3 {
		histMustAppend(t, s, histFixture(4))
	}
	list := histMustList(t, s, 0, 100)
	if len(list) != 5 {
		t.Fatalf("List = %d entries, want 5", len(list))
	}
	sources := map[string]int{}
	for _, e := range list {
		sources[e.Source]++
	}
	if sources["v1:history:1"] != 1 || sources["V1:HISTORY:1"] != 1 || sources[""] != 3 {
		t.Fatalf("sources listed = %v", sources)
	}
}

func testHistConcurrentAppends(t *testing.T, s ports.HistoryStore) {
	ids := make([]int64, suiteConcurrent)
	var wg sync.WaitGroup
	for i := range suiteConcurrent {
		wg.Go(func() {
			e, err := s.Append(instCtx(t), histFixture(i))
			if err != nil {
				t.Errorf("Append %d: %v", i, err)
			}
			ids[i] = e.ID
		})
	}
	wg.Wait()
	seen := map[int64]bool{}
	for i, id := range ids {
		if id <= 0 || seen[id] {
			t.Fatalf("Append %d got ID %d: want distinct positive IDs, got %v", i, id, ids)
		}
		seen[id] = true
	}
	list := histMustList(t, s, 0, 100)
	if len(list) != suiteConcurrent {
		t.Fatalf("List = %d entries, want %d", len(list), suiteConcurrent)
	}
	for i := 1; i < len(list); i++ {
		if list[i].ID >= list[i-1].ID {
			t.Fatalf("List IDs not descending at %d: %d then %d", i, list[i-1].ID, list[i].ID)
		}
	}
}

func testHistConcurrentImports(t *testing.T, s ports.HistoryStore) {
	errs := make([]error, suiteConcurrent)
	var wg sync.WaitGroup
	for i := range suiteConcurrent {
		wg.Go(func() {
			e := histFixture(i)
			e.Source = "v1:history:7"
			_, errs[i] = s.Append(instCtx(t), e)
		})
	}
	wg.Wait()
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, domain.ErrHistoryImported):
			t.Fatalf("import %d: %v, want success or ErrHistoryImported", i, err)
		}
	}
	if n := len(histMustList(t, s, 0, 100)); wins != 1 || n != 1 {
		t.Fatalf("%d imports won and %d rows are listed, want 1 and 1", wins, n)
	}
}

func testHistLongValues(t *testing.T, s ports.HistoryStore) {
	long := func(n int) string { return strings.Repeat("ü", n) }
	in := domain.HistoryEntry{Actor: long(maxNameLen), Action: long(maxActionLen), InstanceID: long(maxIDLen),
		Result: long(maxNameLen), RequestID: long(maxIDLen), APIRequestID: long(maxIDLen), Source: long(maxSourceLen),
		// Four-byte characters: MySQL's utf8 (utf8mb3) could not keep them.
		Detail:    strings.Repeat("🚀", maxDetailLen),
		StartedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	got := histMustAppend(t, s, in)
	in.ID = got.ID
	list := histMustList(t, s, 0, 1)
	if len(list) != 1 {
		t.Fatalf("List = %d entries, want 1", len(list))
	}
	histSame(t, "entry with values at their limits", list[0], in)
}

func testHistContextCancelled(t *testing.T, s ports.HistoryStore) {
	kept := histMustAppend(t, s, histFixture(1))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := s.Append(ctx, histFixture(2))
	instMustCancel(t, "Append", err)
	for _, limit := range []int{10, 0} {
		_, err = s.List(ctx, 0, limit)
		instMustCancel(t, fmt.Sprintf("List with limit %d", limit), err)
	}
	list := histMustList(t, s, 0, 10)
	if len(list) != 1 || list[0].ID != kept.ID {
		t.Fatalf("List = %d entries, want only the one appended before", len(list))
	}
}
