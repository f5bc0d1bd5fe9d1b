package instances_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/seatidemc/seatide/domain/instances"
	"github.com/seatidemc/seatide/ports"
	"github.com/seatidemc/seatide/ports/portstest"
)

// Every stop (an admin's, the crash and idle watchdogs', the budget's)
// sends the configured mode, StopCharging by default.
func TestEveryStopSendsTheConfiguredMode(t *testing.T) {
	ctx := context.Background()
	stops := []struct {
		name string
		cfg  func(*instances.Config)
		stop func(t *testing.T, f *fixture, clock *portstest.ManualClock)
	}{
		{"admin", nil, func(t *testing.T, f *fixture, _ *portstest.ManualClock) {
			if err := f.svc.Stop(ctx, admin); err != nil {
				t.Fatal(err)
			}
		}},
		{"crash watchdog", crash(time.Minute, ""), func(t *testing.T, f *fixture, clock *portstest.ManualClock) {
			f.probe.set(true, 0)
			for range 3 {
				if _, err := f.svc.Watch(ctx); err != nil {
					t.Fatal(err)
				}
				clock.Add(time.Minute)
			}
		}},
		{"idle watchdog", idle(time.Minute, 0), func(t *testing.T, f *fixture, clock *portstest.ManualClock) {
			f.probe.set(false, 0)
			for range 3 {
				if _, err := f.svc.Watch(ctx); err != nil {
					t.Fatal(err)
				}
				clock.Add(time.Minute)
			}
		}},
	}
	for _, mode := range []ports.StopMode{"", ports.StopCharging, ports.KeepCharging} {
		want := mode
		if want == "" {
			want = ports.StopCharging
		}
		for _, st := range stops {
			t.Run(string(want)+"/"+st.name, func(t *testing.T) {
				f, clock := reconcileFixture(t, func(c *instances.Config) {
					c.StoppedMode = mode
					if st.cfg != nil {
						st.cfg(c)
					}
				})
				f.running(t)
				st.stop(t, f, clock)
				if got := f.cloud.modes(); !slices.Equal(got, []ports.StopMode{want}) {
					t.Errorf("stop modes sent %v, want [%s]", got, want)
				}
			})
		}
	}
}
