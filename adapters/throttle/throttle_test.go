package throttle_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/throttle"
	"github.com/seatidemc/seatide/ports/portstest"
)

func newThrottle(clock *portstest.ManualClock, maxKeys int) *throttle.Throttle {
	// 5 failures per 10 minutes: one refills every 2 minutes.
	return throttle.New(throttle.Options{Max: 5, Window: 10 * time.Minute, MaxDelay: 15 * time.Minute, MaxKeys: maxKeys, Now: clock.Now})
}

func TestThrottleGrowingDelay(t *testing.T) {
	clock := portstest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	th := newThrottle(clock, 0)
	for i := range 4 {
		th.Fail("user:steve")
		if d := th.Delay("user:steve"); d != 0 {
			t.Fatalf("after %d failures Delay = %v, want 0", i+1, d)
		}
	}
	// The 5th failure empties the bucket; each later one doubles the wait.
	for _, want := range []time.Duration{2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 15 * time.Minute, 15 * time.Minute} {
		th.Fail("user:steve")
		if d := th.Delay("user:steve"); d != want {
			t.Fatalf("Delay = %v, want %v", d, want)
		}
		clock.Add(want) // the caller waits, then fails again
		if d := th.Delay("user:steve"); d != 0 {
			t.Fatalf("after waiting Delay = %v, want 0", d)
		}
	}
	if d := th.Delay("user:alex"); d != 0 {
		t.Errorf("another key waits %v", d)
	}
	th.Reset("user:steve")
	th.Fail("user:steve")
	if d := th.Delay("user:steve"); d != 0 {
		t.Errorf("after Reset one failure waits %v", d)
	}
}

func TestThrottleQuietWindowForgetsStrikes(t *testing.T) {
	clock := portstest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	th := newThrottle(clock, 0)
	for range 7 {
		clock.Add(th.Delay("k"))
		th.Fail("k")
	}
	clock.Add(time.Hour) // the bucket is full again
	for range 5 {
		th.Fail("k")
	}
	if d := th.Delay("k"); d != 2*time.Minute {
		t.Errorf("after a quiet hour the first wait is %v, want 2m", d)
	}
}

func TestThrottleBoundsKeys(t *testing.T) {
	clock := portstest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	th := newThrottle(clock, 100)
	for i := range 10_000 {
		th.Fail(fmt.Sprintf("user:u%d", i))
	}
	if n := th.Len(); n > 100 {
		t.Errorf("remembers %d keys, want at most 100", n)
	}
}
