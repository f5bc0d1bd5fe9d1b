package aliyunecs_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/aliyunecs"
	"github.com/seatidemc/seatide/adapters/ecssim"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
	"github.com/seatidemc/seatide/ports/portstest"
)

// billingHarness steers the simulator's account.
type billingHarness struct {
	t *testing.T
	s *sim
}

func (h billingHarness) Now() time.Time          { return h.s.clock.Now() }
func (h billingHarness) Advance(d time.Duration) { h.s.clock.Add(d) }
func (h billingHarness) ThrottleNext(n int)      { h.s.ThrottleNext(ecssim.AnyAction, n) }
func (h billingHarness) SetBalance(amount string) {
	if err := h.s.SetBalance(amount); err != nil {
		h.t.Fatal(err)
	}
}
func (h billingHarness) Record(flow, amount, remarks string) {
	if err := h.s.AddTransaction(flow, amount, remarks); err != nil {
		h.t.Fatal(err)
	}
}

// startBillingSim runs a simulator on a manual clock that starts in the
// middle of a month, so hours and days pass exactly.
func startBillingSim(t *testing.T, opts ecssim.Options) *sim {
	t.Helper()
	clock := portstest.NewManualClock(time.Date(2026, 11, 24, 13, 40, 0, 0, time.UTC))
	opts.Now = clock.Now
	s := startSim(t, opts)
	s.clock = clock
	return s
}

func newBilling(t *testing.T, cfg aliyunecs.Config) *aliyunecs.Billing {
	t.Helper()
	b, err := aliyunecs.NewBilling(cfg)
	if err != nil {
		t.Fatalf("NewBilling: %v", err)
	}
	return b
}

func TestBillingContract(t *testing.T) {
	portstest.RunBillingTests(t, func(t *testing.T) portstest.BillingFixture {
		s := startBillingSim(t, ecssim.Options{NoDelay: true})
		return portstest.BillingFixture{Billing: newBilling(t, clientConfig(s)), Harness: billingHarness{t, s}}
	})
}

// TestBillingFollowsInstances: through the SDK, the account pays for what a
// server runs, hour by hour.
func TestBillingFollowsInstances(t *testing.T) {
	t.Parallel()
	s := startBillingSim(t, ecssim.Options{NoDelay: true, Prices: map[ecssim.Offer]float64{{InstanceType: "ecs.g6.large"}: 0.85}})
	c := newClient(t, clientConfig(s))
	b := newBilling(t, clientConfig(s))
	ctx := ctxT(t)
	if _, _, err := c.RunInstance(ctx, baseSpec(s.RegionID()), "tok-bill"); err != nil { // runs at once
		t.Fatal(err)
	}
	s.clock.Add(20*time.Minute + 3*time.Hour) // 14:00, 15:00, 16:00 settled; 13:40-17:00 ran
	bal, err := b.Balance(ctx)
	if err != nil || bal.Available != "997.17" || bal.Currency != "CNY" {
		t.Errorf("Balance = %+v %v, want 997.17 CNY (1000 - 0.28 - 3 x 0.85)", bal, err)
	}
	p, err := b.Transactions(ctx, ports.TransactionQuery{Page: 1, PageSize: 500})
	if err != nil || p.Total != 5 || len(p.Items) != 5 {
		t.Fatalf("Transactions = %+v %v, want 5 (the recharge and 4 charges)", p, err)
	}
	if got := p.Items[0]; got.Flow != "Expense" || got.Amount != "0.85" || got.Time != "2026-11-24T17:00:00Z" {
		t.Errorf("newest = %+v", got)
	}
	if got := p.Items[4]; got.Flow != "Income" || got.Amount != "1000.00" || got.Remarks != "Recharge" {
		t.Errorf("oldest = %+v", got)
	}
	for _, tc := range []struct{ day int }{{0}, {24}} {
		got, err := b.Bill(ctx, 2026, 11, tc.day)
		if err != nil || got != "2.83" {
			t.Errorf("Bill(2026, 11, %d) = %q %v, want 2.83", tc.day, got, err)
		}
	}
}

func TestBillingWrongKey(t *testing.T) {
	t.Parallel()
	s := startBillingSim(t, ecssim.Options{NoDelay: true})
	for name, mutate := range map[string]func(*aliyunecs.Config){
		"WrongSecret": func(c *aliyunecs.Config) { c.AccessKeySecret += "x" },
		"UnknownKey":  func(c *aliyunecs.Config) { c.AccessKeyID = "LTAIunknown" },
	} {
		cfg := clientConfig(s)
		mutate(&cfg)
		b := newBilling(t, cfg)
		before := s.calls.get("QueryAccountBalance")
		_, err := b.Balance(ctxT(t))
		if !errors.Is(err, domain.ErrCloudAuth) {
			t.Errorf("%s: err = %v, want ErrCloudAuth", name, err)
		}
		if n := s.calls.get("QueryAccountBalance") - before; n != 1 {
			t.Errorf("%s: %d calls, want 1 (auth errors are not retried)", name, n)
		}
		if strings.Contains(err.Error(), cfg.AccessKeySecret) {
			t.Errorf("%s: the error text holds the secret", name)
		}
	}
}

func TestBillingThrottledThenOK(t *testing.T) {
	t.Parallel()
	s := startBillingSim(t, ecssim.Options{NoDelay: true})
	b := newBilling(t, clientConfig(s))
	s.ThrottleNext("QueryAccountTransactions", 3)
	before := s.calls.get("QueryAccountTransactions")
	p, err := b.Transactions(ctxT(t), ports.TransactionQuery{Page: 1, PageSize: 10})
	if err != nil || p.Total != 1 {
		t.Fatalf("Transactions = %+v %v", p, err)
	}
	if n := s.calls.get("QueryAccountTransactions") - before; n != 4 {
		t.Errorf("%d calls, want 4 (3 throttled, then ok)", n)
	}
	// Throttled for longer than the retries last: the sentinel, no SDK text.
	s.ThrottleNext("QueryAccountBalance", 10)
	_, err = b.Balance(ctxT(t))
	if !errors.Is(err, domain.ErrThrottled) || aliyunecs.CloudCode(err) != "Throttling.User" {
		t.Errorf("err = %v, want ErrThrottled", err)
	}
}

func TestNewBillingDefaults(t *testing.T) {
	t.Parallel()
	if _, err := aliyunecs.NewBilling(aliyunecs.Config{AccessKeyID: "a", AccessKeySecret: "b", RegionID: "cn-hangzhou"}); err != nil {
		t.Errorf("NewBilling with the default endpoint: %v", err)
	}
	if _, err := aliyunecs.NewBilling(aliyunecs.Config{AccessKeyID: "a", RegionID: "cn-hangzhou"}); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("no secret: err = %v, want ErrInvalid", err)
	}
}
