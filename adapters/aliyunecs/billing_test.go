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
	// 14:00, 15:00, 16:00 settled; 13:40-17:00 ran, its 40 GiB cloud_essd
	// disk (0.06 an hour) billed from the create.
	s.clock.Add(20*time.Minute + 3*time.Hour)
	bal, err := b.Balance(ctx)
	if err != nil || bal.Available != "996.97" || bal.Currency != "CNY" {
		t.Errorf("Balance = %+v %v, want 996.97 CNY (1000 - 0.30 - 3 x 0.91)", bal, err)
	}
	p, err := b.Transactions(ctx, ports.TransactionQuery{Page: 1, PageSize: 500})
	if err != nil || p.Total != 5 || len(p.Items) != 5 {
		t.Fatalf("Transactions = %+v %v, want 5 (the recharge and 4 charges)", p, err)
	}
	if got := p.Items[0]; got.Flow != "Expense" || got.Amount != "0.91" || got.Time != "2026-11-24T17:00:00Z" {
		t.Errorf("newest = %+v", got)
	}
	if got := p.Items[4]; got.Flow != "Income" || got.Amount != "1000.00" || got.Remarks != "Recharge" {
		t.Errorf("oldest = %+v", got)
	}
	for _, tc := range []struct{ day int }{{0}, {24}} {
		got, err := b.Bill(ctx, 2026, 11, tc.day)
		if err != nil || got != "3.03" {
			t.Errorf("Bill(2026, 11, %d) = %q %v, want 3.03", tc.day, got, err)
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

// TestBillingEndpointBySite: info.site picks BSS's endpoint as the SDK's
// own endpoint map does (China regions: business.aliyuncs.com; the
// international site: business.ap-southeast-1.aliyuncs.com).
func TestBillingEndpointBySite(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		site, want string
		ok         bool
	}{
		{"", "business.aliyuncs.com", true},
		{"china", "business.aliyuncs.com", true},
		{"international", "business.ap-southeast-1.aliyuncs.com", true},
		{"mars", "", false},
	} {
		got, err := aliyunecs.BillingEndpoint(tt.site)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("BillingEndpoint(%q) = %q %v, want %q", tt.site, got, err, tt.want)
		}
	}
}

// TestBillingRefusals: BSS's NotApplicable (an account of the other site)
// and NotAuthorized (a RAM user without bss actions) become their own
// sentinels, through the SDK, not an unexpected error; neither is retried.
func TestBillingRefusals(t *testing.T) {
	t.Parallel()
	s := startBillingSim(t, ecssim.Options{NoDelay: true})
	b := newBilling(t, clientConfig(s))
	for _, tt := range []struct {
		code string
		want error
	}{
		{"NotApplicable", domain.ErrBillingNotApplicable},
		{"NotAuthorized", domain.ErrBillingNotAuthorized},
	} {
		s.InjectFault(ecssim.Fault{Action: "QueryAccountBalance", Count: 1, Status: 400, Code: tt.code,
			Message: "This API is not applicable for caller."})
		before := s.calls.get("QueryAccountBalance")
		_, err := b.Balance(ctxT(t))
		if !errors.Is(err, tt.want) || aliyunecs.CloudCode(err) != tt.code {
			t.Errorf("%s: err = %v, want %v", tt.code, err, tt.want)
		}
		if n := s.calls.get("QueryAccountBalance") - before; n != 1 {
			t.Errorf("%s: %d calls, want 1", tt.code, n)
		}
	}
}

// TestInstanceBills: DescribeInstanceBill through the SDK gives the month
// by instance and product (disks, the instance, traffic), only once the
// bill's day of lag has passed, across pages.
func TestInstanceBills(t *testing.T) {
	t.Parallel()
	s := startBillingSim(t, ecssim.Options{NoDelay: true, TrafficGBPerHour: "0.5",
		Prices: map[ecssim.Offer]float64{{InstanceType: "ecs.g6.large"}: 0.85}})
	c := newClient(t, clientConfig(s))
	b := newBilling(t, clientConfig(s))
	ctx := ctxT(t)
	spec := baseSpec(s.RegionID())
	spec.BandwidthOut, spec.InternetChargeType = 5, "PayByTraffic"
	id, _, err := c.RunInstance(ctx, spec, "tok-ib") // runs at once
	if err != nil {
		t.Fatal(err)
	}
	s.clock.Add(20 * time.Minute) // 14:00: 20 minutes ran
	if _, err := c.DeleteInstance(ctx, id); err != nil {
		t.Fatal(err)
	}
	s.clock.Add(2 * time.Hour)
	if rows, err := b.InstanceBills(ctx, 2026, 11); err != nil || len(rows) != 0 {
		t.Fatalf("within the lag: %+v %v, want nothing yet", rows, err)
	}
	s.clock.Add(24 * time.Hour)
	rows, err := b.InstanceBills(ctx, 2026, 11)
	if err != nil {
		t.Fatal(err)
	}
	got := map[domain.Product]string{}
	for _, r := range rows {
		if r.InstanceID != id || r.Tags["managed-by"] != spec.Tags["managed-by"] {
			t.Errorf("row %+v", r)
		}
		got[r.Product] = r.Amount
	}
	// 20 minutes of 0.85, 0.06 (disk) and 0.40 (traffic) an hour.
	want := map[domain.Product]string{domain.ProductInstance: "0.2833", domain.ProductDisk: "0.02", domain.ProductTraffic: "0.1333"}
	if len(got) != len(want) {
		t.Fatalf("rows %+v", rows)
	}
	for p, a := range want {
		if got[p] != a {
			t.Errorf("%s = %q, want %q", p, got[p], a)
		}
	}
}
