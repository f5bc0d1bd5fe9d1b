package portstest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// RunLedgerStoreTests runs the ports.LedgerStore contract. newStore must
// return an empty store of its own.
func RunLedgerStoreTests(t *testing.T, newStore func(t *testing.T) ports.LedgerStore) {
	t.Helper()
	runSuite(t, newStore, []suiteCase[ports.LedgerStore]{
		{"BeginEndRoundTrip", testLedgerRoundTrip},
		{"OneOpenPerInstance", testLedgerOneOpen},
		{"EndWithoutOpen", testLedgerEndNone},
		{"EndNeverBeforeStart", testLedgerEndBeforeStart},
		{"IntervalsOverlap", testLedgerOverlap},
		{"ConcurrentBeginOneWins", testLedgerConcurrent},
		{"OneOpenPerProduct", testLedgerProducts},
	})
}

var ledgerT0 = time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)

func begin(t *testing.T, s ports.LedgerStore, id string, start time.Time, price domain.Money) domain.CostInterval {
	t.Helper()
	iv, err := s.Begin(context.Background(), domain.CostInterval{InstanceID: id, Start: start, Price: price, Currency: "CNY"})
	if err != nil {
		t.Fatalf("begin %s: %v", id, err)
	}
	return iv
}

func testLedgerRoundTrip(t *testing.T, s ports.LedgerStore) {
	ctx := context.Background()
	iv := begin(t, s, "i-1", ledgerT0, 452_000)
	if iv.ID == 0 || iv.Product != domain.ProductInstance {
		t.Fatalf("begin %+v: want an ID and the instance product for an unset one", iv)
	}
	got, ok, err := s.Running(ctx, "i-1", domain.ProductInstance)
	if err != nil || !ok || got.ID != iv.ID || !got.Start.Equal(ledgerT0) || got.Price != 452_000 || got.Currency != "CNY" || !got.End.IsZero() {
		t.Fatalf("running %+v %v %v", got, ok, err)
	}
	end := ledgerT0.Add(90*time.Minute + 123*time.Microsecond)
	if ok, err := s.End(ctx, "i-1", domain.ProductInstance, end); err != nil || !ok {
		t.Fatalf("end %v %v", ok, err)
	}
	if _, ok, err := s.Running(ctx, "i-1", domain.ProductInstance); err != nil || ok {
		t.Fatalf("still running: %v %v", ok, err)
	}
	list, err := s.Intervals(ctx, ledgerT0, ledgerT0.Add(time.Hour))
	if err != nil || len(list) != 1 || !list[0].End.Equal(end) || list[0].Start.Location() != time.UTC {
		t.Fatalf("intervals %+v %v", list, err)
	}
	// A new start opens a new interval.
	begin(t, s, "i-1", end.Add(time.Hour), 500_000)
}

func testLedgerOneOpen(t *testing.T, s ports.LedgerStore) {
	begin(t, s, "i-1", ledgerT0, 1)
	_, err := s.Begin(context.Background(), domain.CostInterval{InstanceID: "i-1", Start: ledgerT0.Add(time.Minute), Price: 1, Currency: "CNY"})
	if !errors.Is(err, domain.ErrIntervalOpen) {
		t.Fatalf("second open: %v", err)
	}
	begin(t, s, "i-2", ledgerT0, 1) // another instance is independent
}

func testLedgerEndNone(t *testing.T, s ports.LedgerStore) {
	if ok, err := s.End(context.Background(), "i-9", domain.ProductInstance, ledgerT0); err != nil || ok {
		t.Fatalf("%v %v", ok, err)
	}
}

func testLedgerEndBeforeStart(t *testing.T, s ports.LedgerStore) {
	ctx := context.Background()
	begin(t, s, "i-1", ledgerT0, 1)
	if ok, err := s.End(ctx, "i-1", domain.ProductInstance, ledgerT0.Add(-time.Hour)); err != nil || !ok {
		t.Fatalf("%v %v", ok, err)
	}
	list, err := s.Intervals(ctx, ledgerT0.Add(-2*time.Hour), ledgerT0.Add(time.Hour))
	if err != nil || len(list) != 1 || !list[0].End.Equal(ledgerT0) {
		t.Fatalf("%+v %v", list, err)
	}
}

func testLedgerOverlap(t *testing.T, s ports.LedgerStore) {
	ctx := context.Background()
	h := func(n int) time.Time { return ledgerT0.Add(time.Duration(n) * time.Hour) }
	a := begin(t, s, "i-1", h(0), 1)
	if _, err := s.End(ctx, "i-1", domain.ProductInstance, h(2)); err != nil {
		t.Fatal(err)
	}
	b := begin(t, s, "i-1", h(5), 1)
	if _, err := s.End(ctx, "i-1", domain.ProductInstance, h(6)); err != nil {
		t.Fatal(err)
	}
	c := begin(t, s, "i-2", h(10), 1) // still open
	tests := []struct {
		from, to int
		want     []int64
	}{
		{0, 1, []int64{a.ID}},
		{2, 5, nil}, // a ends at 2, b starts at 5: [from, to) touches neither
		{1, 6, []int64{a.ID, b.ID}},
		{6, 100, []int64{c.ID}},
		{-5, 100, []int64{a.ID, b.ID, c.ID}},
		{11, 12, []int64{c.ID}},
	}
	for _, tt := range tests {
		list, err := s.Intervals(ctx, h(tt.from), h(tt.to))
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, iv := range list {
			ids = append(ids, iv.ID)
		}
		if len(ids) != len(tt.want) {
			t.Errorf("[%d,%d): %v, want %v", tt.from, tt.to, ids, tt.want)
			continue
		}
		for i := range ids {
			if ids[i] != tt.want[i] {
				t.Errorf("[%d,%d): %v, want %v", tt.from, tt.to, ids, tt.want)
			}
		}
	}
}

func testLedgerConcurrent(t *testing.T, s ports.LedgerStore) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Begin(context.Background(), domain.CostInterval{InstanceID: "i-1", Start: ledgerT0, Price: 1, Currency: "CNY"})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case !errors.Is(err, domain.ErrIntervalOpen):
				t.Errorf("begin: %v", err)
			}
		}()
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d opened, want 1", won)
	}
}

// Each product of an instance has its own open interval: a disk billed
// while the instance is stopped stays open when the instance's closes.
func testLedgerProducts(t *testing.T, s ports.LedgerStore) {
	ctx := context.Background()
	for _, p := range domain.Products {
		if _, err := s.Begin(ctx, domain.CostInterval{InstanceID: "i-1", Product: p, Start: ledgerT0, Price: 1, Currency: "CNY"}); err != nil {
			t.Fatalf("begin %s: %v", p, err)
		}
	}
	if _, err := s.Begin(ctx, domain.CostInterval{InstanceID: "i-1", Product: domain.ProductDisk, Start: ledgerT0, Price: 1, Currency: "CNY"}); !errors.Is(err, domain.ErrIntervalOpen) {
		t.Fatalf("second disk interval: %v", err)
	}
	if ok, err := s.End(ctx, "i-1", domain.ProductInstance, ledgerT0.Add(time.Hour)); err != nil || !ok {
		t.Fatalf("end instance: %v %v", ok, err)
	}
	if _, ok, err := s.Running(ctx, "i-1", domain.ProductInstance); err != nil || ok {
		t.Fatalf("instance still open: %v %v", ok, err)
	}
	disk, ok, err := s.Running(ctx, "i-1", domain.ProductDisk)
	if err != nil || !ok || disk.Product != domain.ProductDisk {
		t.Fatalf("disk: %+v %v %v", disk, ok, err)
	}
	list, err := s.Intervals(ctx, ledgerT0, ledgerT0.Add(2*time.Hour))
	if err != nil || len(list) != len(domain.Products) {
		t.Fatalf("intervals %+v %v", list, err)
	}
	seen := map[domain.Product]bool{}
	for _, iv := range list {
		seen[iv.Product] = true
		if open := iv.End.IsZero(); open == (iv.Product == domain.ProductInstance) {
			t.Errorf("%s: end %v", iv.Product, iv.End)
		}
	}
	if len(seen) != len(domain.Products) {
		t.Fatalf("products %v", seen)
	}
}
