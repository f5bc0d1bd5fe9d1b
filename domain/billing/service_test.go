package billing_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/billing"
	"github.com/seatidemc/seatide/ports"
)

// fakeBilling serves a fixed list of transactions, paged like BSS, and
// counts calls.
type fakeBilling struct {
	balance ports.Balance
	txns    []ports.Transaction
	bill    string
	err     error
	calls   int
	queries []ports.TransactionQuery
	bills   [][3]int
}

var _ ports.Billing = (*fakeBilling)(nil)

func (f *fakeBilling) Balance(context.Context) (ports.Balance, error) {
	f.calls++
	return f.balance, f.err
}

func (f *fakeBilling) Transactions(_ context.Context, q ports.TransactionQuery) (ports.TransactionPage, error) {
	f.calls++
	f.queries = append(f.queries, q)
	if f.err != nil {
		return ports.TransactionPage{}, f.err
	}
	p := ports.TransactionPage{Total: len(f.txns), Items: []ports.Transaction{}}
	if start := (q.Page - 1) * q.PageSize; start < len(f.txns) {
		p.Items = f.txns[start:min(start+q.PageSize, len(f.txns))]
	}
	return p, nil
}

func (f *fakeBilling) Bill(_ context.Context, year, month, day int) (string, error) {
	f.calls++
	f.bills = append(f.bills, [3]int{year, month, day})
	return f.bill, f.err
}

var member = &domain.User{Username: "steve", Group: domain.GroupStd}

func expense(amount string) ports.Transaction {
	return ports.Transaction{Amount: amount, Flow: "Expense", Remarks: "x" + amount, Time: "2026-11-24T10:00:00Z"}
}

func income(amount string) ports.Transaction {
	return ports.Transaction{Amount: amount, Flow: "Income", Remarks: "in", Time: "2026-11-24T10:00:00Z"}
}

func TestWhoMayRead(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		open  bool
		actor *domain.User
		want  error
	}{
		{"member", false, member, nil},
		{"anonymous", false, nil, domain.ErrPermissionDenied},
		{"anonymous, open reads", true, nil, nil},
	} {
		f := &fakeBilling{balance: ports.Balance{Available: "1.00"}, txns: []ports.Transaction{expense("1.00")}, bill: "1"}
		s := billing.New(f, billing.Options{OpenReads: tc.open})
		_, e1 := s.Balance(ctx, tc.actor)
		_, e2 := s.Transactions(ctx, tc.actor, ports.TransactionQuery{Page: 1, PageSize: 10})
		_, e3 := s.Count(ctx, tc.actor, time.Time{}, time.Time{})
		_, e4 := s.MaxExpense(ctx, tc.actor, time.Time{}, time.Time{})
		_, e5 := s.MonthBill(ctx, tc.actor, 2026, 11)
		_, e6 := s.DayBill(ctx, tc.actor, 2026, 11, 24)
		for i, err := range []error{e1, e2, e3, e4, e5, e6} {
			if (tc.want == nil && err != nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Errorf("%s: call %d: err = %v, want %v", tc.name, i+1, err, tc.want)
			}
		}
		if tc.want != nil && f.calls != 0 {
			t.Errorf("%s: %d cloud calls for a refused reader", tc.name, f.calls)
		}
	}
}

func TestBalance(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		fake *fakeBilling
		want string
		err  error
	}{
		{"ok", &fakeBilling{balance: ports.Balance{Available: "12.34", Currency: "CNY"}}, "12.34", nil},
		{"empty", &fakeBilling{}, "", domain.ErrNoBillingData},
		{"cloud down", &fakeBilling{err: domain.ErrCloudUnavailable}, "", domain.ErrCloudUnavailable},
	} {
		b, err := billing.New(tc.fake, billing.Options{}).Balance(ctx, member)
		if b.Available != tc.want || !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
			t.Errorf("%s: %+v %v, want %q %v", tc.name, b, err, tc.want, tc.err)
		}
	}
}

func TestTransactions(t *testing.T) {
	ctx := context.Background()
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	list := []ports.Transaction{expense("1.00"), income("2.00"), expense("3.00")}
	for _, tc := range []struct {
		name      string
		q         ports.TransactionQuery
		items     int
		err       error
		sentSize  int
		cloudCall bool
	}{
		{"first page", ports.TransactionQuery{Page: 1, PageSize: 2, From: from}, 2, nil, 2, true},
		{"last page", ports.TransactionQuery{Page: 2, PageSize: 2}, 1, nil, 2, true},
		{"past the end", ports.TransactionQuery{Page: 3, PageSize: 2}, 0, domain.ErrNoBillingData, 2, true},
		{"page size capped", ports.TransactionQuery{Page: 1, PageSize: 5000}, 3, nil, 300, true},
		{"page 0", ports.TransactionQuery{Page: 0, PageSize: 2}, 0, domain.ErrInvalid, 0, false},
		{"size 0", ports.TransactionQuery{Page: 1, PageSize: 0}, 0, domain.ErrInvalid, 0, false},
		{"to before from", ports.TransactionQuery{Page: 1, PageSize: 2, From: from, To: from.Add(-time.Second)}, 0, domain.ErrInvalid, 0, false},
	} {
		f := &fakeBilling{txns: list}
		p, err := billing.New(f, billing.Options{}).Transactions(ctx, member, tc.q)
		if len(p.Items) != tc.items || !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
			t.Errorf("%s: %d items %v, want %d %v", tc.name, len(p.Items), err, tc.items, tc.err)
		}
		if tc.err == nil && p.Total != 3 {
			t.Errorf("%s: Total %d", tc.name, p.Total)
		}
		if (len(f.queries) > 0) != tc.cloudCall {
			t.Errorf("%s: cloud called %v, want %v", tc.name, len(f.queries) > 0, tc.cloudCall)
		} else if tc.cloudCall && (f.queries[0].PageSize != tc.sentSize || !f.queries[0].From.Equal(tc.q.From)) {
			t.Errorf("%s: sent %+v", tc.name, f.queries[0])
		}
	}
}

// many returns n transactions: incomes, with expenses of the given amounts
// at the given positions.
func many(n int, expenses map[int]string) []ports.Transaction {
	out := make([]ports.Transaction, n)
	for i := range out {
		out[i] = income("999.00")
		if a, ok := expenses[i]; ok {
			out[i] = expense(a)
		}
	}
	return out
}

func TestSearch(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		txns     []ports.Transaction
		maxPages int
		want     string // max expense amount
		err      error
		pages    int
		count    int
	}{
		{"none", nil, 0, "", domain.ErrNoBillingData, 1, 0},
		{"incomes only", many(3, nil), 0, "", domain.ErrNoBillingData, 1, 3},
		// Decimal, not float and not text order: 10.5 > 9.99 > 9.9.
		{"decimal order", many(5, map[int]string{0: "9.99", 2: "10.5", 4: "9.9"}), 0, "10.5", nil, 1, 5},
		{"thousands commas", many(3, map[int]string{0: "999.99", 1: "1,000.00"}), 0, "1,000.00", nil, 1, 3},
		{"beyond float64", many(3, map[int]string{0: "9007199254740993.01", 1: "9007199254740993.02"}), 0, "9007199254740993.02", nil, 1, 3},
		{"the newest of equals", many(3, map[int]string{0: "5.00", 1: "5.0"}), 0, "5.00", nil, 1, 3},
		{"on the last page", many(700, map[int]string{10: "1.00", 650: "2.00"}), 0, "2.00", nil, 3, 700},
		{"exactly full pages", many(600, map[int]string{599: "3.00"}), 2, "3.00", nil, 2, 600},
		{"bound hit", many(601, map[int]string{0: "3.00"}), 2, "", billing.ErrTooManyTransactions, 2, 601},
		{"default bound", many(20*300+1, map[int]string{0: "3.00"}), 0, "", billing.ErrTooManyTransactions, 20, 6001},
		{"bad amount", many(2, map[int]string{1: "1e3"}), 0, "", nil, 1, 2}, // internal, checked below
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeBilling{txns: tc.txns}
			s := billing.New(f, billing.Options{MaxPages: tc.maxPages})
			got, err := s.MaxExpense(ctx, member, time.Time{}, time.Time{})
			if tc.name == "bad amount" {
				if domain.ErrorCode(err) != domain.CodeInternal {
					t.Errorf("err = %v, want internal", err)
				}
			} else if got.Amount != tc.want || !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Errorf("MaxExpense = %+v %v, want %q %v", got, err, tc.want, tc.err)
			}
			if len(f.queries) != tc.pages {
				t.Errorf("%d pages read, want %d", len(f.queries), tc.pages)
			}
			for i, q := range f.queries {
				if q.Page != i+1 || q.PageSize != billing.MaxPageSize {
					t.Errorf("query %d: %+v", i, q)
				}
			}
			n, err := s.Count(ctx, member, time.Time{}, time.Time{})
			if err != nil || n != tc.count {
				t.Errorf("Count = %d %v, want %d", n, err, tc.count)
			}
		})
	}
}

func TestBill(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name             string
		year, month, day int // day 0: MonthBill
		daily            bool
		cloud            string
		cloudErr         error
		want             string
		err              error
	}{
		{"month", 2026, 11, 0, false, "12.34", nil, "12.34", nil},
		{"day", 2026, 2, 28, true, "0.5", nil, "0.5", nil},
		{"leap day", 2028, 2, 29, true, "1", nil, "1", nil},
		{"no data", 2026, 11, 0, false, "", domain.ErrNoBillingData, "", domain.ErrNoBillingData},
		{"throttled", 2026, 11, 0, false, "", domain.ErrThrottled, "", domain.ErrThrottled},
		{"day 0", 2026, 11, 0, true, "1", nil, "", billing.ErrInvalidDate},
		{"day 31 of November", 2026, 11, 31, true, "1", nil, "", billing.ErrInvalidDate},
		{"29 February 2026", 2026, 2, 29, true, "1", nil, "", billing.ErrInvalidDate},
		{"month 13", 2026, 13, 0, false, "1", nil, "", billing.ErrInvalidDate},
		{"month 0", 2026, 0, 0, false, "1", nil, "", billing.ErrInvalidDate},
		{"negative day", 2026, 1, -1, true, "1", nil, "", billing.ErrInvalidDate},
		{"year 0", 0, 1, 0, false, "1", nil, "", billing.ErrInvalidDate},
		{"year 10000", 10000, 1, 0, false, "1", nil, "", billing.ErrInvalidDate},
	} {
		f := &fakeBilling{bill: tc.cloud, err: tc.cloudErr}
		s := billing.New(f, billing.Options{})
		var got string
		var err error
		if tc.daily {
			got, err = s.DayBill(ctx, member, tc.year, tc.month, tc.day)
		} else {
			got, err = s.MonthBill(ctx, member, tc.year, tc.month)
		}
		if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
			t.Errorf("%s: %q %v, want %q %v", tc.name, got, err, tc.want, tc.err)
		}
		if errors.Is(tc.err, billing.ErrInvalidDate) {
			if f.calls != 0 {
				t.Errorf("%s: the cloud was asked", tc.name)
			}
		} else if len(f.bills) != 1 || f.bills[0] != [3]int{tc.year, tc.month, tc.day} {
			t.Errorf("%s: cloud asked %v", tc.name, f.bills)
		}
	}
}

// The amount becomes a JSON number in v1: anything else from the cloud is
// an internal error, never passed on.
func TestBillRejectsNonNumbers(t *testing.T) {
	for _, bad := range []string{"", "1e3", "1/2", ".5", "01", "1,234.00", "NaN", "12.", "--1"} {
		f := &fakeBilling{bill: bad}
		_, err := billing.New(f, billing.Options{}).MonthBill(context.Background(), member, 2026, 11)
		if domain.ErrorCode(err) != domain.CodeInternal {
			t.Errorf("%q: err = %v, want internal", bad, err)
		}
	}
	for _, good := range []string{"0", "-0.5", "10.25", "100000"} {
		f := &fakeBilling{bill: good}
		if got, err := billing.New(f, billing.Options{}).MonthBill(context.Background(), member, 2026, 11); err != nil || got != good {
			t.Errorf("%q: %q %v", good, got, err)
		}
	}
}

func (f *fakeBilling) InstanceBills(context.Context, int, int) ([]ports.InstanceBill, error) {
	f.calls++
	return nil, f.err
}
