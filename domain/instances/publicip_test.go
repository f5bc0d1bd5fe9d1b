package instances_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/instances"
	"github.com/seatidemc/seatide/ports"
)

// ipRows returns the history rows of IP changes, oldest first.
func (f *fixture) ipRows(t *testing.T) []domain.HistoryEntry {
	t.Helper()
	list, err := f.history.List(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []domain.HistoryEntry
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].Action == domain.ActionIP {
			out = append(out, list[i])
		}
	}
	return out
}

// After an economical-mode stop the instance starts with a new public IP:
// the start reads it back (history by the admin who started it); with
// KeepCharging the address stays and nothing is written.
func TestStartReadsThePublicIPBack(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		mode    ports.StopMode
		wantNew bool
	}{{ports.StopCharging, true}, {ports.KeepCharging, false}}
	for _, tt := range tests {
		t.Run(string(tt.mode), func(t *testing.T) {
			f, _ := reconcileFixture(t, func(c *instances.Config) { c.StoppedMode = tt.mode })
			f.running(t)
			before, _ := f.svc.IP(ctx)
			if err := f.svc.Stop(ctx, admin); err != nil {
				t.Fatal(err)
			}
			if err := f.svc.Start(ctx, admin); err != nil {
				t.Fatal(err)
			}
			f.svc.Wait()
			after, _ := f.svc.IP(ctx)
			rows := f.ipRows(t)
			if !tt.wantNew {
				if after != before || len(rows) != 0 {
					t.Fatalf("IP %q -> %q, rows %+v; want it kept, no row", before, after, rows)
				}
				return
			}
			if after == before || after == "" {
				t.Fatalf("IP %q -> %q; want a new one", before, after)
			}
			if len(rows) != 1 || rows[0].Actor != admin.Username || rows[0].Detail != "public IP "+before+" -> "+after {
				t.Fatalf("history %+v", rows)
			}
		})
	}
}

// A new address seen by the reconciler (a start made in the console) is
// recorded with a history row by _monitor, and the crash watchdog probes
// the new address, not the old one.
func TestReconcileAndWatchdogFollowTheIP(t *testing.T) {
	ctx := context.Background()
	t.Run("reconcile", func(t *testing.T) {
		f, _ := reconcileFixture(t, nil)
		id := f.running(t)
		f.cloud.setIP(id, "127.0.9.9")
		f.reconcile(t)
		if ip, _ := f.svc.IP(ctx); ip != "127.0.9.9" {
			t.Fatalf("IP after reconcile %q", ip)
		}
		rows := f.ipRows(t)
		if len(rows) != 1 || rows[0].Actor != domain.MonitorActor || !strings.HasSuffix(rows[0].Detail, "-> 127.0.9.9") {
			t.Fatalf("history %+v", rows)
		}
		f.reconcile(t)
		if n := len(f.ipRows(t)); n != 1 {
			t.Errorf("an unchanged IP wrote %d rows", n)
		}
	})
	t.Run("watchdog", func(t *testing.T) {
		f, clock := reconcileFixture(t, crash(10*time.Minute, ""))
		id := f.running(t)
		f.cloud.setIP(id, "127.0.9.8")
		if _, err := f.svc.Watch(ctx); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Minute)
		if hosts := f.probe.hostsSeen(); len(hosts) == 0 || !slices.Contains(hosts, "127.0.9.8:25565") ||
			slices.ContainsFunc(hosts, func(h string) bool { return !strings.HasPrefix(h, "127.0.9.8:") }) {
			t.Fatalf("probed %v; want only the new address", hosts)
		}
	})
}
