package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/ecssim"
	"github.com/seatidemc/seatide/adapters/sqlstore/sqltest"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports/portstest"
)

// TestLedgerMatchesTheBill: on a manual clock shared by the service and the
// simulated cloud, new -> 3 h Running -> stop -> 5 h Stopped -> start ->
// 30 min -> delete gives a ledger within 1% of the simulator's bill (read
// through the BSS SDK, DescribeInstanceBill, a day later as the bill lags),
// product by product and in total, in both stop modes, on every database.
func TestLedgerMatchesTheBill(t *testing.T) {
	// What each mode bills (the simulator's prices; 40 GiB cloud_essd at
	// 0.0015 a GiB-hour = 0.06 an hour; 10 Mbit/s paid by traffic, the
	// server sending 0.5 GB an hour at 0.80 = 0.40 an hour):
	// StopCharging: the instance 3.5 h; KeepCharging: 8.5 h; disks 8.5 h
	// in both; traffic 3.5 h in both.
	modes := []struct {
		mode          string
		instanceHours float64
	}{{"StopCharging", 3.5}, {"KeepCharging", 8.5}}
	sqltest.EachDriver(t, func(t *testing.T, driver string) {
		var perHour []domain.Money // the instance's cost per billed hour, by mode
		for _, mode := range modes {
			t.Run(mode.mode, func(t *testing.T) {
				ctx := context.Background()
				clock := portstest.NewManualClock(time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC))
				sim, err := ecssim.Start("127.0.0.1:0", ecssim.Options{NoDelay: true, Now: clock.Now, MaxClockSkew: -1,
					TrafficGBPerHour: "0.5"})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(sim.Close)
				cfg := replicaConfig(t, driver, sharedDSN(t, driver), sim)
				cfg.Clock, cfg.Deploy.Enabled = clock, false
				cfg.ECS.StoppedMode = mode.mode
				cfg.World.Enabled = false // priced and billed without the world's data disk
				// Only the rounds this test makes.
				cfg.Reconcile.Interval, cfg.Reconcile.LeaseTTL = 100*time.Hour, 300*time.Hour
				s := startServiceConfig(t, cfg)
				admin := s.login("admin", "admin-password")
				act := func(action string) {
					t.Helper()
					if _, body := s.do("POST", "/api/ecs/v1/action", m{"type": action, "token": admin}); body != ok("null") {
						t.Fatalf("%s: %s", action, body)
					}
					s.app.Instances().Wait()
				}
				act("new")
				clock.Add(3 * time.Hour)
				act("stop")
				clock.Add(5 * time.Hour)
				act("start")
				clock.Add(30 * time.Minute)
				act("delete")
				clock.Add(25 * time.Hour) // the bill lags about a day
				s.app.Instances().KeepLedger(ctx)

				rep, err := s.app.Instances().Cost(ctx, &domain.User{Username: "admin"}, time.Time{}, time.Time{})
				if err != nil {
					t.Fatal(err)
				}
				if rep.Billed == nil {
					t.Fatal("the bill was not read")
				}
				bill := map[string]domain.Money{}
				var billTotal domain.Money
				for _, row := range sim.InstanceBills(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) {
					a, err := domain.ParseMoney(row.Amount)
					if err != nil {
						t.Fatal(err)
					}
					bill[row.Product] += a
					billTotal += a
				}
				within := func(what string, ledger, billed domain.Money) {
					t.Helper()
					diff := ledger - billed
					if diff < 0 {
						diff = -diff
					}
					if billed == 0 || diff*100 > billed {
						t.Errorf("%s: ledger %s, bill %s: more than 1%% apart", what, ledger, billed)
					}
				}
				within("total (simulator)", rep.Total, billTotal)
				within("total (as the service read it through BSS)", rep.Total, *rep.Billed)
				within("instance", rep.Products[domain.ProductInstance], bill["InstanceType"])
				within("disk", rep.Products[domain.ProductDisk], bill["SystemDisk"])
				within("traffic", rep.Products[domain.ProductTraffic], bill["InternetTraffic"])
				if got, want := rep.Products[domain.ProductDisk].String(), "0.51"; got != want {
					t.Errorf("disk %s, want %s (8.5 h at 0.06)", got, want)
				}
				if got, want := rep.Products[domain.ProductTraffic].String(), "1.40"; got != want {
					t.Errorf("traffic %s, want %s (3.5 h at 0.40)", got, want)
				}
				// The instance is billed 3.5 h in StopCharging, 8.5 h in
				// KeepCharging, at one price.
				perHour = append(perHour, rep.Products[domain.ProductInstance]*10/domain.Money(mode.instanceHours*10))
				if n := len(perHour); n == 2 && (perHour[0]-perHour[1] > 1 || perHour[1]-perHour[0] > 1) {
					t.Errorf("the instance cost %s an hour in StopCharging, %s in KeepCharging", perHour[0], perHour[1])
				}
				t.Logf("%s on %s: ledger %s %v, bill %s (%v)", mode.mode, driver, rep.Total, rep.Products, *rep.Billed, bill)
			})
		}
	})
}

// TestSpotLedgerFollowsThePrice: a SpotAsPriceGo instance is billed each
// hour at that hour's market price; the ledger re-quotes it at each clock
// hour (the monitors round) and stays within 1% of the bill.
func TestSpotLedgerFollowsThePrice(t *testing.T) {
	ctx := context.Background()
	clock := portstest.NewManualClock(time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC))
	sim, err := ecssim.Start("127.0.0.1:0", ecssim.Options{NoDelay: true, Now: clock.Now, MaxClockSkew: -1, TrafficGBPerHour: "0.5"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	cfg := replicaConfig(t, "sqlite", sharedDSN(t, "sqlite"), sim)
	cfg.Clock, cfg.Deploy.Enabled = clock, false
	cfg.ECS.SpotStrategy = "SpotAsPriceGo"
	cfg.World.Enabled = false // priced and billed without the world's data disk
	cfg.Reconcile.Interval, cfg.Reconcile.LeaseTTL = 100*time.Hour, 300*time.Hour
	s := startServiceConfig(t, cfg)
	admin := s.login("admin", "admin-password")
	if _, body := s.do("POST", "/api/ecs/v1/action", m{"type": "new", "token": admin}); body != ok("null") {
		t.Fatalf("new: %s", body)
	}
	s.app.Instances().Wait()
	list := simInstances(t, sim)
	if len(list) != 1 {
		t.Fatalf("%+v", list)
	}
	zone, typ := list[0].ZoneId, list[0].InstanceType
	// 10:00-11:00 at the usual spot price; the market moves at 10:30,
	// which bills from 11:00, and at 12:00. The monitors run a round every
	// few seconds: one early in each hour is enough here.
	rounds := []struct {
		at    string
		price string // "" for none
	}{{"10:30", "2.00"}, {"11:01", ""}, {"12:00", "0.50"}, {"13:01", ""}, {"14:01", ""}}
	for _, r := range rounds {
		at, _ := time.Parse("15:04", r.at)
		clock.Set(time.Date(2026, 11, 24, at.Hour(), at.Minute(), 0, 0, time.UTC))
		if r.price != "" {
			if err := sim.SetSpotPrice(zone, typ, r.price); err != nil {
				t.Fatal(err)
			}
		}
		s.app.Instances().KeepLedger(ctx)
	}
	clock.Set(time.Date(2026, 11, 24, 14, 30, 0, 0, time.UTC))
	if _, body := s.do("POST", "/api/ecs/v1/action", m{"type": "delete", "token": admin}); body != ok("null") {
		t.Fatalf("delete: %s", body)
	}
	clock.Add(25 * time.Hour)
	s.app.Instances().KeepLedger(ctx)
	rep, err := s.app.Instances().Cost(ctx, &domain.User{Username: "admin"}, time.Time{}, time.Time{})
	if err != nil || rep.Billed == nil {
		t.Fatalf("%+v %v", rep, err)
	}
	var instanceBill domain.Money
	for _, row := range sim.InstanceBills(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) {
		if row.Product == "InstanceType" {
			a, _ := domain.ParseMoney(row.Amount)
			instanceBill += a
		}
	}
	got := rep.Products[domain.ProductInstance]
	if diff := got - instanceBill; diff*100 > instanceBill || -diff*100 > instanceBill {
		t.Errorf("instance: ledger %s, bill %s", got, instanceBill)
	}
	// 11:00-12:00 at 2.00 and 12:00-14:30 at 0.50 are 3.25 of it.
	if got < 3_250_000 {
		t.Errorf("instance: ledger %s, less than the moved prices alone", got)
	}
	if tot := *rep.Billed; rep.Total-tot > tot/100 || tot-rep.Total > tot/100 {
		t.Errorf("total: ledger %s, bill %s", rep.Total, tot)
	}
}
