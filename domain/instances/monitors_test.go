package instances_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seatidemc/seatide/domain/instances"
)

// TestRunMonitorsTicks drives RunMonitors' own ticker in a synctest bubble:
// fake time, no sleeps for real. It reconciles at once and every
// ReconcileInterval, renewing the monitors lease each round, and gives its
// leases back when stopped, so another replica need not wait for them to
// expire.
func TestRunMonitorsTicks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, func(c *instances.Config) {
			c.ProcessID = "me"
			c.ReconcileInterval, c.LeaseTTL = 10*time.Second, 30*time.Second
		})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			f.svc.RunMonitors(ctx)
		}()
		expires := func() time.Time {
			t.Helper()
			l, err := f.leases.Get(context.Background(), instances.MonitorsLease)
			if err != nil || l.Holder != "me" {
				t.Fatalf("monitors lease %+v, %v; want held by me", l, err)
			}
			return l.ExpiresAt
		}
		synctest.Wait()
		start := time.Now()
		if got := expires(); !got.Equal(start.Add(30 * time.Second)) {
			t.Fatalf("first round: lease until %v, want %v", got, start.Add(30*time.Second))
		}
		for round := 1; round <= 3; round++ {
			time.Sleep(10 * time.Second) // fake time: the bubble moves at once
			synctest.Wait()
			if got, want := expires(), start.Add(time.Duration(round)*10*time.Second+30*time.Second); !got.Equal(want) {
				t.Fatalf("round %d: lease until %v, want %v", round, got, want)
			}
		}
		cancel()
		<-done
		l, err := f.leases.Get(context.Background(), instances.MonitorsLease)
		if err == nil && l.Holder == "me" && l.ExpiresAt.After(time.Now()) {
			t.Errorf("after stopping: lease %+v still held", l)
		}
	})
}
