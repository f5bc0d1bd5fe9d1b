package portstest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// BillingHarness steers the account behind a ports.Billing under test (for
// Aliyun BSS: the ecssim simulator, in adapters/aliyunecs' tests). Methods
// are called from the test goroutine only.
type BillingHarness interface {
	// Now is the backend's clock.
	Now() time.Time
	// Advance moves the backend's clock by d.
	Advance(d time.Duration)
	// SetBalance makes the available cash amount (decimal text).
	SetBalance(amount string)
	// Record adds a transaction now: flow "Income" or "Expense", amount as
	// decimal text. An Expense is consumption: it counts in the bill of
	// the day and month it happened in (the backend's days, in UTC).
	Record(flow, amount, remarks string)
	// ThrottleNext makes the next n backend calls answer "throttled".
	ThrottleNext(n int)
}

// BillingFixture is one fresh account and the Billing reading it.
type BillingFixture struct {
	Billing ports.Billing
	Harness BillingHarness
}

// RunBillingTests runs the ports.Billing contract. newFixture is called once
// per subtest (the subtests run in parallel) and must return a fresh account
// in which nothing else spends money. The Billing must retry throttled calls
// (at least 3 attempts).
func RunBillingTests(t *testing.T, newFixture func(t *testing.T) BillingFixture) {
	t.Helper()
	runSuite(t, newFixture, []suiteCase[BillingFixture]{
		{"BalanceFollowsTheAccount", testBalance},
		{"TransactionsPageThroughAll", testTransactionsPaging},
		{"TransactionsFilterByTime", testTransactionsFilter},
		{"TransactionsRejectBadPages", testTransactionsInvalid},
		{"BillSumsExpenseOfMonthAndDay", testBill},
		{"BillRejectsBadDates", testBillInvalid},
		{"ThrottledThenOK", testBillingThrottled},
	})
}

func bctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func testBalance(t *testing.T, f BillingFixture) {
	ctx := bctx(t)
	for _, amount := range []string{"123.45", "0.00", "98765.43"} {
		f.Harness.SetBalance(amount)
		b, err := f.Billing.Balance(ctx)
		if err != nil {
			t.Fatalf("Balance: %v", err)
		}
		if b.Available != amount {
			t.Errorf("Available = %q, want %q", b.Available, amount)
		}
		if b.Currency == "" {
			t.Errorf("no currency")
		}
	}
	f.Harness.SetBalance("10.00")
	f.Harness.Record("Expense", "2.50", "spent")
	f.Harness.Record("Income", "1.25", "refund")
	if b, err := f.Billing.Balance(ctx); err != nil || b.Available != "8.75" {
		t.Errorf("after -2.50 +1.25: %+v %v, want 8.75", b, err)
	}
}

// record adds n transactions one minute apart, amounts 1.01, 1.02, ...
func record(f BillingFixture, n int) map[string]bool {
	want := map[string]bool{}
	for i := range n {
		f.Harness.Advance(time.Minute)
		flow := "Expense"
		if i%3 == 0 {
			flow = "Income"
		}
		amount := fmt.Sprintf("1.%02d", i+1)
		f.Harness.Record(flow, amount, fmt.Sprintf("contract %d", i))
		want[flow+" "+amount] = true
	}
	return want
}

func testTransactionsPaging(t *testing.T, f BillingFixture) {
	ctx := bctx(t)
	from := f.Harness.Now().Add(time.Second) // leave out what the account held before
	want := record(f, 7)
	seen := map[string]bool{}
	for page := 1; page <= 4; page++ {
		p, err := f.Billing.Transactions(ctx, ports.TransactionQuery{Page: page, PageSize: 2, From: from})
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		if p.Total != 7 {
			t.Errorf("page %d: Total = %d, want 7", page, p.Total)
		}
		wantLen := min(2, 7-(page-1)*2)
		if len(p.Items) != wantLen {
			t.Errorf("page %d: %d items, want %d", page, len(p.Items), wantLen)
		}
		for _, it := range p.Items {
			key := it.Flow + " " + it.Amount
			if !want[key] || seen[key] {
				t.Errorf("page %d: unexpected or repeated %+v", page, it)
			}
			seen[key] = true
			if _, err := time.Parse(time.RFC3339, it.Time); err != nil {
				t.Errorf("Time %q is not RFC 3339", it.Time)
			}
			if it.Remarks == "" {
				t.Errorf("no remarks in %+v", it)
			}
		}
	}
	if len(seen) != 7 {
		t.Errorf("saw %d of 7 transactions", len(seen))
	}
	p, err := f.Billing.Transactions(ctx, ports.TransactionQuery{Page: 9, PageSize: 2, From: from})
	if err != nil || len(p.Items) != 0 || p.Total != 7 {
		t.Errorf("past the end: %+v %v, want no items, Total 7", p, err)
	}
}

func testTransactionsFilter(t *testing.T, f BillingFixture) {
	ctx := bctx(t)
	f.Harness.Advance(time.Hour)
	f.Harness.Record("Expense", "5.00", "before")
	f.Harness.Advance(time.Hour)
	from := f.Harness.Now()
	f.Harness.Record("Expense", "6.00", "inside")
	f.Harness.Advance(time.Hour)
	to := f.Harness.Now()
	f.Harness.Advance(time.Hour)
	f.Harness.Record("Expense", "7.00", "after")
	p, err := f.Billing.Transactions(ctx, ports.TransactionQuery{Page: 1, PageSize: 50, From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != 1 || len(p.Items) != 1 || p.Items[0].Amount != "6.00" || p.Items[0].Flow != "Expense" {
		t.Errorf("From/To: %+v, want only the 6.00 Expense", p)
	}
	p, err = f.Billing.Transactions(ctx, ports.TransactionQuery{Page: 1, PageSize: 50, From: to})
	if err != nil || p.Total != 1 || len(p.Items) != 1 || p.Items[0].Amount != "7.00" {
		t.Errorf("From only: %+v %v, want only the 7.00", p, err)
	}
}

func testTransactionsInvalid(t *testing.T, f BillingFixture) {
	ctx := bctx(t)
	for _, q := range []ports.TransactionQuery{{Page: 0, PageSize: 10}, {Page: 1, PageSize: 0}, {Page: -1, PageSize: -1}} {
		if _, err := f.Billing.Transactions(ctx, q); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("%+v: err = %v, want ErrInvalid", q, err)
		}
	}
}

func testBill(t *testing.T, f BillingFixture) {
	ctx := bctx(t)
	now := f.Harness.Now().UTC()
	y, m, d := now.Date()
	if _, err := f.Billing.Bill(ctx, y, int(m), d); !errors.Is(err, domain.ErrNoBillingData) {
		t.Errorf("a day without spending: err = %v, want ErrNoBillingData", err)
	}
	f.Harness.Record("Expense", "1.10", "today")
	f.Harness.Record("Income", "50.00", "not consumption")
	next := time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
	f.Harness.Advance(next.Sub(now) + time.Hour)
	f.Harness.Record("Expense", "2.25", "tomorrow")
	y2, m2, d2 := next.Date()
	for _, tc := range []struct {
		name             string
		year, month, day int
		want             string
	}{
		{"today", y, int(m), d, "1.1"},
		{"tomorrow", y2, int(m2), d2, "2.25"},
	} {
		got, err := f.Billing.Bill(ctx, tc.year, tc.month, tc.day)
		if err != nil || got != tc.want {
			t.Errorf("%s: %q %v, want %q", tc.name, got, err, tc.want)
		}
	}
	month := "3.35"
	if m2 != m { // today was the last of its month
		month = "1.1"
	}
	if got, err := f.Billing.Bill(ctx, y, int(m), 0); err != nil || got != month {
		t.Errorf("month: %q %v, want %q", got, err, month)
	}
	if _, err := f.Billing.Bill(ctx, y-3, int(m), 0); !errors.Is(err, domain.ErrNoBillingData) {
		t.Errorf("a month without spending: err = %v, want ErrNoBillingData", err)
	}
}

func testBillInvalid(t *testing.T, f BillingFixture) {
	ctx := bctx(t)
	for _, tc := range [][3]int{{2026, 13, 0}, {2026, 0, 0}, {2026, 2, 30}, {2026, 4, 31}, {2026, 1, -1}, {0, 1, 0}} {
		if _, err := f.Billing.Bill(ctx, tc[0], tc[1], tc[2]); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("Bill%v: err = %v, want ErrInvalid", tc, err)
		}
	}
}

func testBillingThrottled(t *testing.T, f BillingFixture) {
	ctx := bctx(t)
	f.Harness.SetBalance("42.00")
	f.Harness.ThrottleNext(2)
	b, err := f.Billing.Balance(ctx)
	if err != nil || b.Available != "42.00" {
		t.Errorf("throttled twice, then: %+v %v", b, err)
	}
}
