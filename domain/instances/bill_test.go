package instances_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/memstore"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/instances"
	"github.com/seatidemc/seatide/ports"
	"github.com/seatidemc/seatide/ports/portstest"
)

// fakeBills is the cloud's bill by instance and product.
type fakeBills struct {
	mu    sync.Mutex
	rows  []ports.InstanceBill
	calls int
	err   error
}

func (b *fakeBills) InstanceBills(_ context.Context, year, month int) ([]ports.InstanceBill, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls++
	return b.rows, b.err
}

func (b *fakeBills) set(rows ...ports.InstanceBill) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rows = rows
}

// TestBudgetUsesTheLargerOfLedgerAndBill: the bill is read once a day; it
// counts the ledger's instances and anything carrying the managed tag (the
// disks, billed under their own ids), nothing else; when it says more than
// the ledger (traffic above the estimate), the budget judges on it.
func TestBudgetUsesTheLargerOfLedgerAndBill(t *testing.T) {
	ctx := context.Background()
	clock := portstest.NewManualClock(nov1)
	bills := &fakeBills{}
	f := &fixture{cloud: newFakeCloud(), store: memstore.NewInstances(clock), history: &memstore.History{},
		leases: memstore.NewLeases(clock), probe: &fakeProbe{}, ledger: &memstore.Ledger{}, clock: clock}
	f.svc = instances.New(instances.Deps{Cloud: f.cloud, Store: f.store, History: f.history, Leases: f.leases,
		Probe: f.probe, Ledger: f.ledger, Clock: clock, Bills: bills}, instances.Config{
		Offers:       []instances.Offer{{Zone: "cn-h", InstanceType: "ecs.g6.large"}},
		PollInterval: time.Millisecond, WaitTimeout: time.Second, ProcessID: "me",
		BudgetMonthly: 10_000_000,
	})
	t.Cleanup(f.svc.Close)
	f.setPrice("0.10")
	id := f.running(t) // the create read the (empty) bill: the next read is a day later
	at(clock, 2, 2, 0) // the ledger: 26 h at 0.10 = 2.60
	bills.set(
		ports.InstanceBill{InstanceID: id, Product: domain.ProductInstance, Amount: "2.60"},
		ports.InstanceBill{InstanceID: id, Product: domain.ProductTraffic, Amount: "6.90"},
		ports.InstanceBill{InstanceID: "d-disk", Product: domain.ProductDisk, Amount: "0.60", Tags: instances.ManagedTag},
		ports.InstanceBill{InstanceID: "i-someone-else", Product: domain.ProductInstance, Amount: "100.00"},
	)
	f.svc.KeepLedger(ctx)
	f.svc.KeepLedger(ctx) // within the day: not read again
	if bills.calls != 2 {
		t.Errorf("%d bill reads, want 2 (at the create, then a day later)", bills.calls)
	}
	rep, err := f.svc.Cost(ctx, member, time.Time{}, time.Time{})
	must(t, err)
	if rep.Billed == nil || rep.Billed.String() != "10.10" || rep.Total.String() != "2.60" {
		t.Fatalf("billed %v, ledger %s; want 10.10 and 2.60", rep.Billed, rep.Total)
	}
	must(t, f.svc.Stop(ctx, admin))
	// The bill's 10.10 passes 10.00, though the ledger's 2.60 would not.
	err = f.svc.Start(ctx, admin)
	var be *domain.BudgetError
	if !errors.As(err, &be) || be.Spent.String() != "10.10" {
		t.Fatalf("start: %v, want a budget refusal on the bill's 10.10", err)
	}
	// A day later the bill is read again; when that fails, the last bill
	// of the month still stands (spending only grows in a month).
	at(clock, 3, 3, 0)
	bills.mu.Lock()
	bills.err = domain.ErrCloudUnavailable
	bills.mu.Unlock()
	if err := f.svc.Start(ctx, admin); !errors.As(err, &be) || be.Spent.String() != "10.10" {
		t.Fatalf("start with the bill unreadable: %v, want a refusal on the last bill", err)
	}
	// A new month starts from the ledger alone.
	clock.Set(nov1.AddDate(0, 1, 0).Add(time.Hour))
	must(t, f.svc.Start(ctx, admin))
}
