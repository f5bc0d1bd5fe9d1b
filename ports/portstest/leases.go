package portstest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// leaseFixture is a lease store on a clock the test moves.
type leaseFixture struct {
	store ports.LeaseStore
	clock *ManualClock
}

// RunLeaseStoreTests runs the ports.LeaseStore contract. newStore must
// return an empty store of its own that reads time from clock.
func RunLeaseStoreTests(t *testing.T, newStore func(t *testing.T, clock ports.Clock) ports.LeaseStore) {
	t.Helper()
	runSuite(t, func(t *testing.T) leaseFixture {
		clock := NewManualClock(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
		return leaseFixture{store: newStore(t, clock), clock: clock}
	}, []suiteCase[leaseFixture]{
		{"AcquireFree", testLeaseAcquireFree},
		{"RenewKeepsToken", testLeaseRenew},
		{"HeldByAnother", testLeaseHeldByAnother},
		{"ExpiredChangesHands", testLeaseExpired},
		{"Release", testLeaseRelease},
		{"GetUnknown", testLeaseGetUnknown},
		{"NamesIndependent", testLeaseNames},
		{"ConcurrentAcquireOneWins", testLeaseConcurrent},
		{"ContextCancelled", testLeaseContextCancelled},
	})
}

const leaseTTL = 30 * time.Second

func mustAcquire(t *testing.T, f leaseFixture, name, holder string, wantHeld bool) ports.Lease {
	t.Helper()
	l, held, err := f.store.Acquire(userCtx(t), name, holder, leaseTTL)
	if err != nil {
		t.Fatalf("Acquire(%s, %s): %v", name, holder, err)
	}
	if held != wantHeld {
		t.Fatalf("Acquire(%s, %s): held = %v, want %v (lease %+v)", name, holder, held, wantHeld, l)
	}
	return l
}

func testLeaseAcquireFree(t *testing.T, f leaseFixture) {
	l := mustAcquire(t, f, "monitors", "a", true)
	if l.Name != "monitors" || l.Holder != "a" || l.Token < 1 || !l.ExpiresAt.Equal(f.clock.Now().Add(leaseTTL)) {
		t.Errorf("lease %+v", l)
	}
	got, err := f.store.Get(userCtx(t), "monitors")
	if err != nil || got.Holder != "a" || got.Token != l.Token || !got.ExpiresAt.Equal(l.ExpiresAt) {
		t.Errorf("Get = %+v, %v; want %+v", got, err, l)
	}
	if got.ExpiresAt.Location() != time.UTC {
		t.Errorf("expiry in %v, want UTC", got.ExpiresAt.Location())
	}
}

func testLeaseRenew(t *testing.T, f leaseFixture) {
	first := mustAcquire(t, f, "monitors", "a", true)
	f.clock.Add(10 * time.Second)
	again := mustAcquire(t, f, "monitors", "a", true)
	if again.Token != first.Token || !again.ExpiresAt.Equal(f.clock.Now().Add(leaseTTL)) {
		t.Errorf("renewed %+v after %+v: want the same token and a later expiry", again, first)
	}
}

func testLeaseHeldByAnother(t *testing.T, f leaseFixture) {
	first := mustAcquire(t, f, "monitors", "a", true)
	f.clock.Add(leaseTTL - time.Second)
	cur := mustAcquire(t, f, "monitors", "b", false)
	if cur.Holder != "a" || cur.Token != first.Token {
		t.Errorf("refused Acquire reported %+v, want a's lease", cur)
	}
}

func testLeaseExpired(t *testing.T, f leaseFixture) {
	first := mustAcquire(t, f, "monitors", "a", true)
	f.clock.Add(leaseTTL)
	second := mustAcquire(t, f, "monitors", "b", true)
	if second.Holder != "b" || second.Token <= first.Token {
		t.Errorf("taken over: %+v after %+v, want b with a larger token", second, first)
	}
	// a comes back: b holds it now.
	mustAcquire(t, f, "monitors", "a", false)
}

func testLeaseRelease(t *testing.T, f leaseFixture) {
	ctx := userCtx(t)
	mustAcquire(t, f, "monitors", "a", true)
	if err := f.store.Release(ctx, "monitors", "b"); err != nil {
		t.Fatal(err)
	}
	mustAcquire(t, f, "monitors", "c", false) // b's release did nothing
	if err := f.store.Release(ctx, "monitors", "a"); err != nil {
		t.Fatal(err)
	}
	mustAcquire(t, f, "monitors", "c", true)
	if err := f.store.Release(ctx, "never-taken", "a"); err != nil {
		t.Errorf("releasing an unknown lease: %v", err)
	}
}

func testLeaseGetUnknown(t *testing.T, f leaseFixture) {
	if _, err := f.store.Get(userCtx(t), "nope"); !errors.Is(err, domain.ErrNoLease) {
		t.Errorf("Get unknown: %v, want ErrNoLease", err)
	}
}

func testLeaseNames(t *testing.T, f leaseFixture) {
	mustAcquire(t, f, "process/a", "a", true)
	mustAcquire(t, f, "process/b", "b", true)
	mustAcquire(t, f, "monitors", "b", true)
}

func testLeaseConcurrent(t *testing.T, f leaseFixture) {
	ctx := userCtx(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	held := 0
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ok, err := f.store.Acquire(ctx, "monitors", fmt.Sprintf("p%d", i), leaseTTL)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				t.Errorf("Acquire: %v", err)
			case ok:
				held++
			}
		}()
	}
	wg.Wait()
	if held != 1 {
		t.Errorf("%d holders of one lease, want 1", held)
	}
}

func testLeaseContextCancelled(t *testing.T, f leaseFixture) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := f.store.Acquire(ctx, "monitors", "a", leaseTTL); !errors.Is(err, context.Canceled) {
		t.Errorf("Acquire: %v", err)
	}
	if _, err := f.store.Get(ctx, "monitors"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get: %v", err)
	}
	if err := f.store.Release(ctx, "monitors", "a"); !errors.Is(err, context.Canceled) {
		t.Errorf("Release: %v", err)
	}
}
