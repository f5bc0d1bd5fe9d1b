package http

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/billing"
	"github.com/seatidemc/seatide/ports"
)

// fakeBillingSvc answers with fixed values or err, and records the last
// arguments it was given.
type fakeBillingSvc struct {
	err      error
	open     bool // like v1.open_reads
	actor    *domain.User
	query    ports.TransactionQuery
	from, to time.Time
	date     [3]int
}

var _ BillingService = (*fakeBillingSvc)(nil)

func (f *fakeBillingSvc) check(actor *domain.User) error {
	f.actor = actor
	if actor == nil && !f.open {
		return domain.ErrPermissionDenied
	}
	return f.err
}

func (f *fakeBillingSvc) Balance(_ context.Context, a *domain.User) (ports.Balance, error) {
	return ports.Balance{Available: "1234.50", Currency: "CNY"}, f.check(a)
}

func (f *fakeBillingSvc) Transactions(_ context.Context, a *domain.User, q ports.TransactionQuery) (ports.TransactionPage, error) {
	f.query = q
	return ports.TransactionPage{Total: 42, Items: []ports.Transaction{
		{Amount: "0.85", Remarks: "ECS pay-as-you-go", Time: "2026-11-24T15:00:00Z", Flow: "Expense"},
		{Amount: "1000.00", Remarks: "Recharge", Time: "2026-11-24T13:40:00Z", Flow: "Income"},
	}}, f.check(a)
}

func (f *fakeBillingSvc) Count(_ context.Context, a *domain.User, from, to time.Time) (int, error) {
	f.from, f.to = from, to
	return 42, f.check(a)
}

func (f *fakeBillingSvc) MaxExpense(_ context.Context, a *domain.User, from, to time.Time) (ports.Transaction, error) {
	f.from, f.to = from, to
	return ports.Transaction{Amount: "12.00", Remarks: "big", Time: "2026-11-25T01:00:00Z", Flow: "Expense"}, f.check(a)
}

func (f *fakeBillingSvc) MonthBill(_ context.Context, a *domain.User, y, m int) (string, error) {
	f.date = [3]int{y, m, 0}
	return "2.83", f.check(a)
}

func (f *fakeBillingSvc) DayBill(_ context.Context, a *domain.User, y, m, d int) (string, error) {
	f.date = [3]int{y, m, d}
	return "0.5", f.check(a)
}

// TestInfoAnswers pins every v1 answer of the account routes byte for byte.
func TestInfoAnswers(t *testing.T) {
	users := &fakeUsers{AuthenticateFn: func(_ context.Context, tok string) (domain.User, error) {
		switch tok {
		case "good":
			return domain.User{ID: 2, Username: "steve", Group: domain.GroupStd}, nil
		case "old":
			return domain.User{}, domain.ErrTokenExpired
		}
		return domain.User{}, domain.ErrTokenInvalid
	}}
	ng := func(msg string) string { return `{"status": "ng", "msg": "` + msg + `"}` }
	fail := func(msg string) string { return `{"status": "error", "msg": "` + msg + `"}` }
	const (
		balance = "/api/info/v1/describe/balance"
		fund    = "/api/info/v1/describe/fund"
		search  = "/api/info/v1/search/fund"
		bill    = "/api/info/v1/describe/billing"
	)
	fundOK := `{"status": "ok", "data": {"result": [{"amount": "0.85", "type": "ECS pay-as-you-go", "date": "2026-11-24T15:00:00Z", "flow": "Expense"}, {"amount": "1000.00", "type": "Recharge", "date": "2026-11-24T13:40:00Z", "flow": "Income"}], "total": 42}}`
	sdkText := fmt.Errorf("SDKError: Code: Throttling.User, RequestId: 1234, AccessKeyId LTAIsecret")
	tests := []struct {
		name, path string
		bearer     string
		open       bool
		err        error
		want       string
	}{
		// Who may read.
		{"balance: token in the query", balance + "?token=good", "", false, nil, `{"status": "ok", "data": "1234.50"}`},
		{"balance: bearer", balance, "good", false, nil, `{"status": "ok", "data": "1234.50"}`},
		{"balance: no token", balance, "", false, nil, fail("Not enough argument. Details: token")},
		{"balance: open reads", balance, "", true, nil, `{"status": "ok", "data": "1234.50"}`},
		{"balance: bad token", balance + "?token=forged", "", false, nil, fail("Invalid token.")},
		{"balance: bad token, open reads", balance + "?token=forged", "", true, nil, fail("Invalid token.")},
		{"balance: expired token", balance, "old", false, nil, ng("Expired token.")},
		{"fund: no token", fund, "", false, nil, fail("Not enough argument. Details: token")},
		{"search: no token", search + "?target=amount&endDate=2026-12-01", "", false, nil, fail("Not enough argument. Details: token")},
		{"billing: no token", bill + "?type=monthly&year=2026&month=11", "", false, nil, fail("Not enough argument. Details: token")},
		{"billing: open reads", bill + "?type=monthly&year=2026&month=11", "", true, nil, `{"status": "ok", "data": 2.83}`},

		// Balance.
		{"balance: none", balance, "good", false, domain.ErrNoBillingData, ng("Balance not found.")},
		{"balance: throttled", balance, "good", false, domain.Wrap(domain.ErrThrottled, sdkText), ng("Balance not found. Details: The cloud is throttling requests.")},
		{"balance: cloud key refused", balance, "good", false, domain.Wrap(domain.ErrCloudAuth, sdkText), ng("Balance not found. Details: The cloud refused the credentials.")},
		{"balance: internal", balance, "good", false, domain.Internal(sdkText, "boom"), fail("Balance not found.")},

		// Fund.
		{"fund: defaults", fund, "good", false, nil, fundOK},
		{"fund: paged", fund + "?pageNum=2&maxResult=5&startDate=2026-11-01T00:00:00Z&endDate=2026-11-30", "good", false, nil, fundOK},
		{"fund: none", fund + "?pageNum=9", "good", false, domain.ErrNoBillingData, ng("No transaction found.")},
		{"fund: unavailable", fund, "good", false, domain.Wrap(domain.ErrCloudUnavailable, sdkText), ng("No transaction found. Details: The cloud is unavailable.")},
		{"fund: bad page", fund + "?pageNum=x", "good", false, nil, fail("Invalid argument. Details: pageNum")},
		{"fund: page 0", fund + "?pageNum=0", "good", false, nil, fail("Invalid argument. Details: pageNum")},
		{"fund: bad size", fund + "?maxResult=-3", "good", false, nil, fail("Invalid argument. Details: maxResult")},
		{"fund: bad date", fund + "?startDate=yesterday", "good", false, nil, fail("Invalid argument. Details: startDate")},

		// Search.
		{"search: no target", search + "?endDate=2026-12-01", "good", false, nil, ng("Not enough argument. Details: target")},
		{"search: bad target", search + "?target=min-income&endDate=2026-12-01", "good", false, nil, fail("Invalid argument.")},
		{"search: no end", search + "?target=amount", "good", false, nil, ng("Not enough argument. Details: endDate")},
		{"search: amount", search + "?target=amount&endDate=2026-12-01T00:00:00Z", "good", false, nil, `{"status": "ok", "data": 42}`},
		{"search: max-expense", search + "?target=max-expense&startDate=2026-11-01&endDate=2026-12-01", "good", false, nil,
			`{"status": "ok", "data": {"amount": "12.00", "type": "big", "date": "2026-11-25T01:00:00Z", "flow": "Expense"}}`},
		{"search: nothing", search + "?target=max-expense&endDate=2026-12-01", "good", false, domain.ErrNoBillingData, ng("No search result.")},
		{"search: too many", search + "?target=max-expense&endDate=2026-12-01", "good", false, billing.ErrTooManyTransactions, ng("No search result. Details: startDate, endDate")},
		{"search: bad end", search + "?target=amount&endDate=soon", "good", false, nil, fail("Invalid argument. Details: endDate")},

		// Billing.
		{"billing: monthly", bill + "?type=monthly&year=2026&month=11", "good", false, nil, `{"status": "ok", "data": 2.83}`},
		{"billing: daily, unpadded", bill + "?type=daily&year=2026&month=3&day=7", "good", false, nil, `{"status": "ok", "data": 0.5}`},
		{"billing: no type", bill + "?year=2026&month=11", "good", false, nil, ng("Not enough argument. Details: type")},
		{"billing: bad type", bill + "?type=yearly&year=2026", "good", false, nil, fail("Invalid argument.")},
		{"billing: monthly without month", bill + "?type=monthly&year=2026", "good", false, nil, ng("Not enough argument. Details: year, month")},
		{"billing: daily without day", bill + "?type=daily&year=2026&month=11", "good", false, nil, ng("Not enough argument. Details: year, month, day")},
		{"billing: daily, empty day", bill + "?type=daily&year=2026&month=11&day=", "good", false, nil, ng("Not enough argument. Details: year, month, day")},
		{"billing: day not a number", bill + "?type=daily&year=2026&month=11&day=x", "good", false, nil, ng("Invalid argument.")},
		{"billing: huge year", bill + "?type=monthly&year=99999999999999999999&month=1", "good", false, nil, ng("Invalid argument.")},
		{"billing: day 0 (the service says no)", bill + "?type=daily&year=2026&month=11&day=0", "good", false, billing.ErrInvalidDate, ng("Invalid argument.")},
		{"billing: none", bill + "?type=monthly&year=2020&month=1", "good", false, domain.ErrNoBillingData, ng("No billing information found.")},
		{"billing: throttled", bill + "?type=monthly&year=2026&month=11", "good", false, domain.Wrap(domain.ErrThrottled, sdkText), ng("No billing information found. Details: The cloud is throttling requests.")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := &fakeBillingSvc{err: tt.err, open: tt.open}
			srv := New(Options{Users: users, Billing: svc})
			req := httptest.NewRequest("GET", tt.path, nil)
			if tt.bearer != "" {
				req.Header.Set("Authorization", "Bearer "+tt.bearer)
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || rec.Body.String() != tt.want+"\n" {
				t.Errorf("got %d %q\nwant 200 %q", rec.Code, rec.Body.String(), tt.want)
			}
			if strings.Contains(rec.Body.String(), "LTAI") || strings.Contains(rec.Body.String(), "SDKError") {
				t.Errorf("cloud text leaked: %s", rec.Body.String())
			}
		})
	}
}

// TestInfoArguments: what the routes pass on to the service.
func TestInfoArguments(t *testing.T) {
	users := &fakeUsers{AuthenticateFn: func(context.Context, string) (domain.User, error) {
		return domain.User{ID: 2, Username: "steve", Group: domain.GroupStd}, nil
	}}
	day := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	tests := []struct {
		path  string
		check func(f *fakeBillingSvc) error
	}{
		{"/api/info/v1/describe/fund", func(f *fakeBillingSvc) error {
			if f.query != (ports.TransactionQuery{Page: 1, PageSize: 10, From: day("2021-02-01T00:00:00Z")}) {
				return fmt.Errorf("query %+v: want page 1 of 10 from 2021-02-01, no end", f.query)
			}
			return nil
		}},
		{"/api/info/v1/describe/fund?pageNum=3&maxResult=25&startDate=2026-11-01&endDate=2026-11-30", func(f *fakeBillingSvc) error {
			if f.query != (ports.TransactionQuery{Page: 3, PageSize: 25, From: day("2026-11-01T00:00:00Z"), To: day("2026-11-30T23:59:59Z")}) {
				return fmt.Errorf("query %+v", f.query)
			}
			return nil
		}},
		{"/api/info/v1/search/fund?target=amount&startDate=2026-11-01T08:00:00%2B08:00&endDate=2026-12-01T00:00:00Z", func(f *fakeBillingSvc) error {
			if !f.from.Equal(day("2026-11-01T00:00:00Z")) || !f.to.Equal(day("2026-12-01T00:00:00Z")) {
				return fmt.Errorf("range %v..%v", f.from, f.to)
			}
			return nil
		}},
		{"/api/info/v1/describe/billing?type=daily&year=2026&month=02&day=3", func(f *fakeBillingSvc) error {
			if f.date != [3]int{2026, 2, 3} || f.actor == nil || f.actor.Username != "steve" {
				return fmt.Errorf("date %v actor %v", f.date, f.actor)
			}
			return nil
		}},
	}
	for _, tt := range tests {
		svc := &fakeBillingSvc{}
		srv := New(Options{Users: users, Billing: svc})
		req := httptest.NewRequest("GET", tt.path, nil)
		req.Header.Set("Authorization", "Bearer good")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if err := tt.check(svc); err != nil {
			t.Errorf("%s: %v (answer %s)", tt.path, err, rec.Body.String())
		}
	}
}

// Without a billing service the routes do not exist.
func TestInfoRoutesAbsentWithoutService(t *testing.T) {
	srv := New(Options{Users: &fakeUsers{}})
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/api/info/v1/describe/balance", nil))
	if want := `{"error": "NOT_FOUND", "code": 404, "status": "http-error"}` + "\n"; rec.Body.String() != want {
		t.Errorf("got %q", rec.Body.String())
	}
}
