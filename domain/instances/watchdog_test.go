package instances_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/instances"
)

// fakeProbe answers status pings as the test sets it.
type fakeProbe struct {
	mu      sync.Mutex
	silent  bool
	players int
	calls   int
	hosts   []string
	gate    chan struct{} // when set, a probe waits for it
	sample  []domain.Player
}

func (p *fakeProbe) Status(ctx context.Context, host string, port int) (domain.ServerStatus, error) {
	p.mu.Lock()
	gate := p.gate
	p.calls++
	p.hosts = append(p.hosts, fmt.Sprintf("%s:%d", host, port))
	silent, players, sample := p.silent, p.players, p.sample
	p.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return domain.ServerStatus{}, domain.Wrap(domain.ErrServerSilent, ctx.Err())
		}
	}
	if silent {
		return domain.ServerStatus{}, domain.ErrServerSilent
	}
	return domain.ServerStatus{MaxPlayers: 20, OnlinePlayers: players, MOTD: "§6hi", Players: sample}, nil
}

func (p *fakeProbe) set(silent bool, players int) {
	p.mu.Lock()
	p.silent, p.players = silent, players
	p.mu.Unlock()
}

func (p *fakeProbe) count() int { p.mu.Lock(); defer p.mu.Unlock(); return p.calls }

// round is one watchdog round at minute `at` after the first, with the
// server answering as given (-1 players: silent).
type round struct {
	at      int
	players int
}

func rounds(every, until int, players int) []round {
	var out []round
	for m := 0; m <= until; m += every {
		out = append(out, round{m, players})
	}
	return out
}

// with replaces the players of the rounds from minute `from` to `to`.
func with(rs []round, from, to, players int) []round {
	out := append([]round(nil), rs...)
	for i := range out {
		if out[i].at >= from && out[i].at <= to {
			out[i].players = players
		}
	}
	return out
}

func TestWatchdogs(t *testing.T) {
	tests := []struct {
		name      string
		cfg       func(*instances.Config)
		rounds    []round
		wantAt    int    // minute of the round that acts; -1: none
		wantAct   string // history action
		wantState domain.InstanceStatus
		wantInDet string
	}{
		{"idle stops at exactly stop_after", idle(30*time.Minute, 0), rounds(1, 40, 0),
			30, domain.ActionIStop, domain.StatusStopped, "0 players in 31 probes over 30m0s"},
		{"idle never before stop_after", idle(30*time.Minute, 0), rounds(1, 29, 0),
			-1, "", domain.StatusRunning, ""},
		{"a player restarts the idle count", idle(30*time.Minute, 0), with(rounds(5, 60, 0), 10, 10, 3),
			45, domain.ActionIStop, domain.StatusStopped, "last player seen: 2026-11-24T12:10:00Z"},
		{"silence is not idle", idle(30*time.Minute, 0), with(rounds(5, 60, 0), 10, 10, -1),
			45, domain.ActionIStop, domain.StatusStopped, "0 players in 7 probes"},
		{"never within grace of coming up", idle(30*time.Minute, time.Hour), rounds(5, 90, 0),
			60, domain.ActionIStop, domain.StatusStopped, "last player seen: none since it came up at 2026-11-24T12:00:00Z"},
		{"players keep it running", idle(30*time.Minute, 0), rounds(5, 120, 2),
			-1, "", domain.StatusRunning, ""},
		{"crash stops at exactly crash_after of silence", crash(10*time.Minute, ""), with(rounds(1, 30, 1), 3, 30, -1),
			12, domain.ActionSStop, domain.StatusStopped, "last successful probe: 2026-11-24T12:02:00Z"},
		{"crash never before crash_after", crash(10*time.Minute, ""), with(rounds(1, 11, 1), 3, 11, -1),
			-1, "", domain.StatusRunning, ""},
		{"a server never seen answering counts from coming up", crash(10*time.Minute, ""), rounds(1, 20, -1),
			10, domain.ActionSStop, domain.StatusStopped, "last successful probe: never, up since 2026-11-24T12:00:00Z"},
		{"crash deletes as the original did", crash(10*time.Minute, instances.CrashDelete), rounds(1, 20, -1),
			10, domain.ActionSDelete, "", "crashed: no answer for 10m0s"},
		{"an answer resets the crash count", crash(10*time.Minute, ""), with(rounds(1, 40, -1), 8, 8, 0),
			18, domain.ActionSStop, domain.StatusStopped, "2026-11-24T12:08:00Z"},
		{"idle does not fire on a silent server", idle(5*time.Minute, 0), rounds(1, 30, -1),
			-1, "", domain.StatusRunning, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, clock := reconcileFixture(t, tt.cfg)
			id := f.running(t)
			ctx := context.Background()
			start := clock.Now()
			actedAt := -1
			for _, r := range tt.rounds {
				clock.Set(start.Add(time.Duration(r.at) * time.Minute))
				f.probe.set(r.players < 0, max(r.players, 0))
				rep, err := f.svc.Watch(ctx)
				if err != nil {
					t.Fatalf("minute %d: %v", r.at, err)
				}
				if !rep.Probed {
					t.Fatalf("minute %d: not probed", r.at)
				}
				if rep.Acted != "" {
					if rep.Acted != tt.wantAct {
						t.Fatalf("minute %d: acted %q, want %q", r.at, rep.Acted, tt.wantAct)
					}
					actedAt = r.at
					break
				}
			}
			if actedAt != tt.wantAt {
				t.Fatalf("acted at minute %d, want %d", actedAt, tt.wantAt)
			}
			ci, err := f.cloud.DescribeInstance(ctx, id)
			switch {
			case tt.wantState == "" && err == nil:
				t.Errorf("instance still exists: %+v", ci)
			case tt.wantState != "" && (err != nil || ci.Status != tt.wantState):
				t.Errorf("instance %+v %v, want %s", ci, err, tt.wantState)
			}
			list, _ := f.history.List(ctx, 0, 1)
			if tt.wantAct == "" {
				if len(list) > 0 && list[0].Actor == domain.MonitorActor {
					t.Errorf("unexpected history %+v", list[0])
				}
				return
			}
			h := list[0]
			if h.Action != tt.wantAct || h.Actor != domain.MonitorActor || h.Result != "ok" || h.InstanceID != id ||
				!strings.Contains(h.Detail, tt.wantInDet) {
				t.Errorf("history %+v, want %s with %q", h, tt.wantAct, tt.wantInDet)
			}
			if _, err := f.store.Current(ctx); (err == nil) != (tt.wantAct != domain.ActionSDelete) {
				t.Errorf("record after %s: %v", tt.wantAct, err)
			}
		})
	}
}

func idle(after, grace time.Duration) func(*instances.Config) {
	return func(c *instances.Config) { c.IdleStopAfter, c.IdleGrace = after, grace }
}

func crash(after time.Duration, action string) func(*instances.Config) {
	return func(c *instances.Config) { c.CrashAfter, c.CrashAction = after, action }
}

// The watchdogs judge only a Running server with nothing under way.
func TestWatchdogsLeaveAlone(t *testing.T) {
	ctx := context.Background()
	both := func(c *instances.Config) { c.CrashAfter, c.IdleStopAfter = time.Minute, time.Minute }
	t.Run("no instance", func(t *testing.T) {
		f, _ := reconcileFixture(t, both)
		if rep, err := f.svc.Watch(ctx); err != nil || rep.Probed {
			t.Errorf("%+v %v", rep, err)
		}
	})
	t.Run("stopped", func(t *testing.T) {
		f, clock := reconcileFixture(t, both)
		f.running(t)
		if err := f.svc.Stop(ctx, admin); err != nil {
			t.Fatal(err)
		}
		f.probe.set(true, 0)
		for range 5 {
			clock.Add(time.Hour)
			if rep, err := f.svc.Watch(ctx); err != nil || rep.Probed || rep.Acted != "" {
				t.Fatalf("%+v %v", rep, err)
			}
		}
	})
	t.Run("off", func(t *testing.T) {
		f, clock := reconcileFixture(t, nil)
		f.running(t)
		f.probe.set(true, 0)
		for range 5 {
			clock.Add(time.Hour)
			if rep, err := f.svc.Watch(ctx); err != nil || rep.Probed {
				t.Fatalf("%+v %v", rep, err)
			}
		}
	})
	t.Run("operation under way, and silence before it ended does not count", func(t *testing.T) {
		f, clock := reconcileFixture(t, both)
		id := f.running(t)
		f.probe.set(true, 0)
		op := domain.Operation{ID: "op-x", Action: "new", State: domain.OpRunning, InstanceID: id, StartedAt: clock.Now()}
		if err := f.store.SaveOperation(ctx, op); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Hour)
		if rep, err := f.svc.Watch(ctx); err != nil || rep.Probed {
			t.Fatalf("during the operation: %+v %v", rep, err)
		}
		op.State = domain.OpSucceeded
		if err := f.store.SaveOperation(ctx, op); err != nil {
			t.Fatal(err)
		}
		if rep, err := f.svc.Watch(ctx); err != nil || !rep.Probed || rep.Acted != "" {
			t.Fatalf("right after it: %+v %v", rep, err)
		}
		clock.Add(time.Minute)
		if rep, err := f.svc.Watch(ctx); err != nil || rep.Acted != domain.ActionSStop {
			t.Fatalf("a minute later: %+v %v", rep, err)
		}
	})
}

func TestServerStatus(t *testing.T) {
	ctx := context.Background()
	t.Run("nothing recorded", func(t *testing.T) {
		f, _ := reconcileFixture(t, nil)
		v, err := f.svc.Server(ctx)
		if err != nil || v.Created || v.Online || f.probe.count() != 0 {
			t.Errorf("%+v %v", v, err)
		}
	})
	t.Run("online, on the configured port", func(t *testing.T) {
		f, _ := reconcileFixture(t, func(c *instances.Config) { c.MinecraftPort = 25570 })
		f.running(t)
		f.probe.set(false, 3)
		v, err := f.svc.Server(ctx)
		if err != nil || !v.Created || !v.Online || v.IP != "127.0.1.1" || v.Status.OnlinePlayers != 3 || v.Status.MOTD != "§6hi" {
			t.Errorf("%+v %v", v, err)
		}
		if f.probe.hosts[0] != "127.0.1.1:25570" {
			t.Errorf("probed %v", f.probe.hosts)
		}
	})
	t.Run("silent", func(t *testing.T) {
		f, _ := reconcileFixture(t, nil)
		f.running(t)
		f.probe.set(true, 0)
		v, err := f.svc.Server(ctx)
		if err != nil || !v.Created || v.Online || v.IP != "127.0.1.1" {
			t.Errorf("%+v %v", v, err)
		}
	})
	t.Run("a crowd makes one probe, cached for the TTL", func(t *testing.T) {
		f, clock := reconcileFixture(t, func(c *instances.Config) { c.StatusCacheTTL = 5 * time.Second })
		f.running(t)
		gate := make(chan struct{})
		f.probe.mu.Lock()
		f.probe.gate = gate
		f.probe.mu.Unlock()
		var wg sync.WaitGroup
		errs := make(chan error, 50)
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v, err := f.svc.Server(ctx)
				if err == nil && !v.Online {
					err = fmt.Errorf("offline: %+v", v)
				}
				errs <- err
			}()
		}
		close(gate)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := f.probe.count(); n != 1 {
			t.Fatalf("%d probes for 50 calls, want 1", n)
		}
		clock.Add(4 * time.Second)
		_, _ = f.svc.Server(ctx)
		if n := f.probe.count(); n != 1 {
			t.Fatalf("within the TTL: %d probes", n)
		}
		clock.Add(time.Second)
		_, _ = f.svc.Server(ctx)
		if n := f.probe.count(); n != 2 {
			t.Fatalf("after the TTL: %d probes, want 2", n)
		}
	})
}

func (p *fakeProbe) hostsSeen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.hosts...)
}
