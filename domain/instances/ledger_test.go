package instances_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/memstore"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/instances"
	"github.com/seatidemc/seatide/ports"
	"github.com/seatidemc/seatide/ports/portstest"
)

var nov1 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// ledgerFixture is a service on a manual clock starting on 1 November,
// deploy off, with the offer's price set by the test.
func ledgerFixture(t *testing.T, budget string, stopAtCap bool) (*fixture, *portstest.ManualClock) {
	t.Helper()
	clock := portstest.NewManualClock(nov1)
	f := newFixtureClock(t, clock, newFakeCloud(), memstore.NewInstances(clock), memstore.NewLeases(clock), func(c *instances.Config) {
		c.DeployEnabled, c.ProcessID = false, "me"
		c.BudgetStopAtCap = stopAtCap
		if budget != "" {
			m, err := domain.ParseMoney(budget)
			if err != nil {
				t.Fatal(err)
			}
			c.BudgetMonthly = m
		}
	})
	return f, clock
}

func (f *fixture) setPrice(p string) {
	f.cloud.mu.Lock()
	f.cloud.prices[key("cn-h", "ecs.g6.large")] = p
	f.cloud.mu.Unlock()
}

// at moves the clock to day d, hh:mm of November.
func at(clock *portstest.ManualClock, d, hh, mm int) {
	clock.Set(nov1.Add(time.Duration(d-1)*24*time.Hour + time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A month of starts and stops, with the spot price changing between
// starts: the ledger's days and total, and the budget refusing exactly the
// start that would pass it.
func TestLedgerAndBudgetOverAMonth(t *testing.T) {
	ctx := context.Background()
	f, clock := ledgerFixture(t, "14.50", false)

	f.setPrice("2.00")
	at(clock, 1, 8, 0)
	f.running(t) // the create starts it at 08:00
	at(clock, 1, 10, 0)
	must(t, f.svc.Stop(ctx, admin)) // 2 h at 2.00 = 4.00 on the 1st

	f.setPrice("3.00") // the spot price moved; it is taken at the next start
	at(clock, 2, 23, 0)
	must(t, f.svc.Start(ctx, admin))
	at(clock, 3, 1, 30)
	must(t, f.svc.Stop(ctx, admin)) // 2.5 h at 3.00 = 7.50: 3.00 on the 2nd, 4.50 on the 3rd

	// Spent 11.50; one more hour at 3.00 makes exactly 14.50: allowed.
	at(clock, 5, 12, 0)
	must(t, f.svc.Start(ctx, admin))
	at(clock, 5, 12, 20)
	must(t, f.svc.Stop(ctx, admin)) // 20 min at 3.00 = 1.00 on the 5th

	// Spent 12.50; one more hour would make 15.50 > 14.50: refused.
	at(clock, 6, 9, 0)
	err := f.svc.Start(ctx, admin)
	var be *domain.BudgetError
	if !errors.As(err, &be) || !errors.Is(err, domain.ErrBudgetExceeded) || be.Spent != 12_500_000 || be.Hour != 3_000_000 {
		t.Fatalf("start over budget: %v", err)
	}
	if ci, _ := f.cloud.DescribeInstance(ctx, f.recordedID(t)); ci.Status != domain.StatusStopped {
		t.Fatalf("the refused start reached the cloud: %s", ci.Status)
	}
	want := "This month's spend of 12.50 CNY plus one more hour at 3.00 CNY would pass the monthly budget of 14.50 CNY."
	if err.Error() != want {
		t.Errorf("text %q", err.Error())
	}
	last, _ := f.history.List(ctx, 0, 1)
	if h := last[0]; h.Action != domain.ActionStart || h.Result != "forbidden" || h.Detail != "budget: "+want {
		t.Errorf("history %+v", h)
	}

	// Deleting and asking for a new one is refused the same way, and
	// recorded; nothing is created (the other zone costs as much).
	must(t, f.svc.Delete(ctx, admin))
	f.cloud.mu.Lock()
	f.cloud.prices[key("cn-i", "ecs.g6.large")] = "3.00"
	f.cloud.mu.Unlock()
	if err := f.svc.Create(ctx, admin); !errors.Is(err, domain.ErrBudgetExceeded) {
		t.Fatalf("new over budget: %v", err)
	}
	last, _ = f.history.List(ctx, 0, 1)
	if h := last[0]; h.Action != domain.ActionCreate || h.Result != "forbidden" || !strings.HasPrefix(h.Detail, "budget: ") {
		t.Errorf("history %+v", h)
	}
	if n := f.cloud.count(); n != 0 {
		t.Fatalf("%d instances after a refused new", n)
	}

	rep, err := f.svc.Cost(ctx, member, nov1, nov1.AddDate(0, 1, 0))
	must(t, err)
	got := map[int]string{}
	for _, d := range rep.Days {
		if d.Amount != 0 {
			got[d.Date.Day()] = d.Amount.String()
		}
	}
	wantDays := map[int]string{1: "4.00", 2: "3.00", 3: "4.50", 5: "1.00"}
	if len(rep.Days) != 30 || rep.Total.String() != "12.50" || rep.Currency != "CNY" || len(got) != len(wantDays) {
		t.Fatalf("report: %d days, total %s %s, spend %v", len(rep.Days), rep.Total, rep.Currency, got)
	}
	for d, a := range wantDays {
		if got[d] != a {
			t.Errorf("day %d: %s, want %s", d, got[d], a)
		}
	}

	// A new month starts from nothing.
	clock.Set(nov1.AddDate(0, 1, 0).Add(time.Hour))
	must(t, f.svc.Create(ctx, admin))
	f.svc.Wait()
}

// The budget is judged on each offer before it is tried: an offer whose
// hour would pass it is skipped for a cheaper one, which is the one created
// and the one whose price the ledger records; prices are read once per
// offer.
func TestBudgetJudgesTheOfferCreated(t *testing.T) {
	ctx := context.Background()
	f, clock := ledgerFixture(t, "2.50", false)
	f.setPrice("3.00") // cn-h: more than the whole budget
	f.cloud.mu.Lock()
	f.cloud.prices[key("cn-i", "ecs.g6.large")] = "2.00"
	f.cloud.priceCalls = 0
	f.cloud.mu.Unlock()
	id := f.running(t)
	if inst, _ := f.store.Current(ctx); inst.Zone != "cn-i" {
		t.Fatalf("created in %q, want cn-i (the offer within budget)", inst.Zone)
	}
	f.cloud.mu.Lock()
	calls := f.cloud.priceCalls
	f.cloud.mu.Unlock()
	if calls != 2 {
		t.Errorf("%d price calls for a create of two offers, want 2", calls)
	}
	at(clock, 1, 1, 0)
	rep, err := f.svc.Cost(ctx, member, nov1, nov1.AddDate(0, 0, 1))
	must(t, err)
	if rep.Total.String() != "2.00" || rep.Products[domain.ProductInstance].String() != "2.00" {
		t.Errorf("an hour of %s: total %s, %v", id, rep.Total, rep.Products)
	}
}

func (f *fixture) recordedID(t *testing.T) string {
	t.Helper()
	inst, err := f.store.Current(context.Background())
	must(t, err)
	return inst.ID
}

func TestBudgetStopsAtCap(t *testing.T) {
	ctx := context.Background()
	f, clock := ledgerFixture(t, "5.00", true)
	f.setPrice("2.00")
	f.running(t) // from 00:00 on the 1st
	for _, tt := range []struct {
		hh, mm int
		stop   bool
	}{{1, 0, false}, {2, 29, false}, {2, 30, true}} {
		at(clock, 1, tt.hh, tt.mm)
		stopped, err := f.svc.EnforceBudget(ctx)
		must(t, err)
		if stopped != tt.stop {
			t.Fatalf("%02d:%02d: stopped %v, want %v", tt.hh, tt.mm, stopped, tt.stop)
		}
	}
	last, _ := f.history.List(ctx, 0, 1)
	if h := last[0]; h.Action != domain.ActionBStop || h.Actor != domain.MonitorActor ||
		h.Detail != "budget: this month's spend 5.00 reached the monthly budget of 5.00" {
		t.Errorf("history %+v", h)
	}
	// Stopped: the interval is closed, so nothing more is spent or stopped.
	at(clock, 2, 0, 0)
	if stopped, err := f.svc.EnforceBudget(ctx); err != nil || stopped {
		t.Fatalf("again: %v %v", stopped, err)
	}
	rep, err := f.svc.Cost(ctx, member, nov1, nov1.AddDate(0, 0, 2))
	must(t, err)
	if rep.Total.String() != "5.00" {
		t.Errorf("total %s", rep.Total)
	}
}

// The reconciler keeps the ledger with the cloud: a server stopped or
// deleted behind the service's back stops costing when it is noticed.
func TestLedgerFollowsDrift(t *testing.T) {
	ctx := context.Background()
	f, clock := ledgerFixture(t, "", false)
	f.setPrice("1.00")
	id := f.running(t)
	at(clock, 1, 3, 0)
	if _, err := f.cloud.move("stop", id, domain.StatusRunning, domain.StatusStopped); err != nil {
		t.Fatal(err)
	}
	f.reconcile(t)
	at(clock, 1, 9, 0)
	rep, err := f.svc.Cost(ctx, member, nov1, nov1.AddDate(0, 0, 1))
	must(t, err)
	if rep.Total.String() != "3.00" {
		t.Errorf("total %s, want 3.00", rep.Total)
	}
}

func TestCostArguments(t *testing.T) {
	f, _ := ledgerFixture(t, "", false)
	ctx := context.Background()
	tests := []struct {
		name     string
		actor    *domain.User
		from, to time.Time
		want     error
	}{
		{"no token", nil, nov1, nov1.AddDate(0, 0, 1), domain.ErrPermissionDenied},
		{"empty span", member, nov1, nov1, domain.ErrInvalid},
		{"backwards", member, nov1, nov1.AddDate(0, 0, -1), domain.ErrInvalid},
		{"too long", member, nov1, nov1.AddDate(2, 0, 0), domain.ErrInvalid},
		{"a year", member, nov1, nov1.AddDate(1, 0, 0), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.Cost(ctx, tt.actor, tt.from, tt.to)
			if !errors.Is(err, tt.want) && !(tt.want == nil && err == nil) {
				t.Fatalf("%v, want %v", err, tt.want)
			}
		})
	}
}

// What each stop mode bills: the disks always until the delete; the
// instance while stopped only in KeepCharging; traffic only while running.
func TestLedgerFollowsStopModes(t *testing.T) {
	tests := []struct {
		mode                           ports.StopMode
		instance, disk, traffic, total string
	}{
		// 3 h running + 5 h stopped + 1 h running; disk 0.10, instance
		// 2.00, traffic 0.25 an hour.
		{ports.StopCharging, "8.00", "0.90", "1.00", "9.90"},
		{ports.KeepCharging, "18.00", "0.90", "1.00", "19.90"},
	}
	for _, tt := range tests {
		t.Run(string(tt.mode), func(t *testing.T) {
			ctx := context.Background()
			clock := portstest.NewManualClock(nov1)
			cloud := newFakeCloud()
			cloud.diskPrice = "0.10"
			f := newFixtureClock(t, clock, cloud, memstore.NewInstances(clock), memstore.NewLeases(clock), func(c *instances.Config) {
				c.DeployEnabled, c.ProcessID, c.StoppedMode = false, "me", tt.mode
				c.Spec.InternetChargeType, c.Spec.BandwidthOut, c.TrafficHourly = "PayByTraffic", 5, 250_000
			})
			f.setPrice("2.00")
			f.running(t)
			at(clock, 1, 3, 0)
			must(t, f.svc.Stop(ctx, admin))
			at(clock, 1, 8, 0)
			must(t, f.svc.Start(ctx, admin))
			at(clock, 1, 9, 0)
			must(t, f.svc.Delete(ctx, admin))
			at(clock, 1, 20, 0)
			rep, err := f.svc.Cost(ctx, member, nov1, nov1.AddDate(0, 0, 1))
			must(t, err)
			got := rep.Products
			if got[domain.ProductInstance].String() != tt.instance || got[domain.ProductDisk].String() != tt.disk ||
				got[domain.ProductTraffic].String() != tt.traffic || got[domain.ProductBandwidth] != 0 || rep.Total.String() != tt.total {
				t.Fatalf("products %v total %s, want instance %s disk %s traffic %s total %s",
					got, rep.Total, tt.instance, tt.disk, tt.traffic, tt.total)
			}
		})
	}
}

// A stop made outside seatide in KeepCharging mode keeps the instance
// billed in the ledger, whatever seatide's own mode: the reconciler uses
// the mode the cloud reports.
func TestLedgerFollowsTheReportedStopMode(t *testing.T) {
	ctx := context.Background()
	f, clock := ledgerFixture(t, "", false) // seatide stops in StopCharging
	f.setPrice("1.00")
	id := f.running(t)
	at(clock, 1, 2, 0)
	if _, err := f.cloud.move("stop", id, domain.StatusRunning, domain.StatusStopped); err != nil {
		t.Fatal(err)
	}
	f.cloud.mu.Lock()
	f.cloud.instances[id].StoppedMode = ports.KeepCharging
	f.cloud.mu.Unlock()
	f.reconcile(t)
	at(clock, 1, 5, 0)
	rep, err := f.svc.Cost(ctx, member, nov1, nov1.AddDate(0, 0, 1))
	must(t, err)
	if got := rep.Products[domain.ProductInstance].String(); got != "5.00" {
		t.Errorf("instance %s, want 5.00 (still billed while stopped in KeepCharging)", got)
	}
}
