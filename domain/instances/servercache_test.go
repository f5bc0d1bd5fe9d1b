package instances_test

import (
	"context"
	"testing"
	"time"

	"github.com/seatidemc/seatide/domain/instances"
)

// TestStopForgetsServerStatus: get/server must not say "online, 3 players"
// for the cache's TTL after a stop; it probes again, as after a delete.
func TestStopForgetsServerStatus(t *testing.T) {
	ctx := context.Background()
	f, _ := reconcileFixture(t, func(c *instances.Config) { c.StatusCacheTTL = time.Hour })
	f.running(t)
	f.probe.set(false, 3)
	if v, err := f.svc.Server(ctx); err != nil || !v.Online {
		t.Fatalf("before the stop: %+v %v", v, err)
	}
	if err := f.svc.Stop(ctx, admin); err != nil {
		t.Fatal(err)
	}
	f.probe.set(true, 0) // the stopped server no longer answers
	v, err := f.svc.Server(ctx)
	if err != nil || v.Online {
		t.Errorf("after the stop: %+v %v, want offline", v, err)
	}
	if n := f.probe.count(); n != 2 {
		t.Errorf("%d probes, want 2 (the cached answer forgotten)", n)
	}
}
