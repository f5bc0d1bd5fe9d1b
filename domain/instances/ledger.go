package instances

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// The cost ledger records, product by product, when the instance costs
// money and at what hourly price; the budget is judged on it, and on the
// cloud's own bill once that is larger. Both are off without a LedgerStore.
//
// What Aliyun bills for a pay-as-you-go VPC instance, and so what the
// ledger follows (sources: StopInstance's StoppedMode in the ECS SDK,
// ecs-20140526 v4.26.10 client.go; Aliyun's "Economical mode" help page,
// document 63353; "Public bandwidth billing", document 25411):
//   - the instance (vCPUs, memory, image) while Running, and while stopped
//     in KeepCharging mode; not while stopped in StopCharging mode;
//   - its disks from creation until released, in every stop mode;
//   - fixed bandwidth (PayByBandwidth) as the instance;
//   - traffic (PayByTraffic) per GB out, only while it runs: the ledger
//     holds an estimate (Config.TrafficHourly) which the bill corrects.

// SpotAsPriceGo is the spot strategy whose price follows the market; the
// ledger re-quotes it every clock hour.
const SpotAsPriceGo = "SpotAsPriceGo"

// DefaultBillCheckInterval is how often the month's bill is read (the bill
// itself lags about a day, so more often would find nothing new).
const DefaultBillCheckInterval = 24 * time.Hour

// moneyState is what the ledger keeps in memory: the quote a create was
// judged on (so its first start prices nothing again) and the last bill.
type moneyState struct {
	mu     sync.Mutex
	quotes map[string]domain.HourlyRates // by instance id, until its first start

	billMonth time.Time    // the month billed holds (its first midnight), zero: never read
	billed    domain.Money // what the bill says the managed instances cost that month
	billRead  time.Time    // when it was read
}

func newMoneyState() *moneyState {
	return &moneyState{quotes: map[string]domain.HourlyRates{}}
}

// rates quotes an hour of offer o, product by product, in one price call.
// A quote without detail is the instance's; traffic is the configured
// estimate when the offer pays by traffic and has public bandwidth.
func (s *Service) rates(ctx context.Context, o Offer) (domain.HourlyRates, error) {
	if o.Zone == "" && o.InstanceType == "" {
		o = s.cfg.Offers[0]
	}
	sp := s.spec(o)
	p, err := s.cloud.Price(ctx, sp)
	if err != nil {
		return domain.HourlyRates{}, err
	}
	r := domain.HourlyRates{Currency: p.Currency}
	parts := []struct {
		text string
		to   *domain.Money
	}{{p.Instance, &r.Instance}, {p.Disk, &r.Disk}, {p.Bandwidth, &r.Bandwidth}}
	if p.Instance == "" && p.Disk == "" && p.Bandwidth == "" {
		parts = parts[:1]
		parts[0].text = p.Amount
	}
	for _, part := range parts {
		if part.text == "" {
			continue
		}
		m, err := domain.ParseMoney(part.text)
		if err != nil {
			return domain.HourlyRates{}, domain.Internal(err, "the cloud quoted a price that is not a decimal")
		}
		*part.to = m
	}
	if paysByTraffic(sp.InternetChargeType) && sp.BandwidthOut > 0 {
		r.Traffic = s.cfg.TrafficHourly
	}
	return r, nil
}

// paysByTraffic: PayByTraffic is Aliyun's default InternetChargeType
// (DescribePrice and RunInstances in the ECS SDK).
func paysByTraffic(t string) bool { return t == "" || t == "PayByTraffic" }

// begin opens an interval of one product unless one is open; a zero price
// opens none except for the instance, whose open interval says it is billed.
func (s *Service) begin(ctx context.Context, id string, p domain.Product, at time.Time, price domain.Money, currency string) {
	if price == 0 && p != domain.ProductInstance {
		return
	}
	_, err := s.ledger.Begin(ctx, domain.CostInterval{InstanceID: id, Product: p, Start: at, Price: price, Currency: currency})
	if err != nil && !errors.Is(err, domain.ErrIntervalOpen) {
		s.log.Warn("cost ledger", "instance", id, "product", p, "err", err)
	}
}

// end closes the open interval of each product, if any.
func (s *Service) end(ctx context.Context, id string, at time.Time, products ...domain.Product) {
	for _, p := range products {
		if _, err := s.ledger.End(context.WithoutCancel(ctx), id, p, at); err != nil {
			s.log.Warn("cost ledger", "instance", id, "product", p, "err", err)
		}
	}
}

// costCreated opens the disks' interval of a new instance (billed from
// creation until released) and keeps the quote for its first start.
func (s *Service) costCreated(ctx context.Context, inst domain.Instance, r domain.HourlyRates, at time.Time) {
	if s.ledger == nil || inst.ID == "" {
		return
	}
	s.money.mu.Lock()
	s.money.quotes[inst.ID] = r
	s.money.mu.Unlock()
	s.begin(ctx, inst.ID, domain.ProductDisk, at, r.Disk, r.Currency)
}

// costStarted opens the intervals of a started instance: the instance,
// its bandwidth or traffic and, for an instance created elsewhere, its
// disks. The price is the create's quote for its first start and is quoted
// now otherwise (a spot price changes). When no price can be read nothing
// opens; the reconciler tries again on its next round.
func (s *Service) costStarted(ctx context.Context, inst domain.Instance, at time.Time) {
	if s.ledger == nil || inst.ID == "" {
		return
	}
	if _, open, err := s.ledger.Running(ctx, inst.ID, domain.ProductInstance); err != nil || open {
		if err != nil {
			s.log.Warn("cost ledger", "instance", inst.ID, "err", err)
		}
		if open { // kept open by a KeepCharging stop: traffic starts again
			s.restartTraffic(ctx, inst, at)
		}
		return
	}
	s.money.mu.Lock()
	r, ok := s.money.quotes[inst.ID]
	delete(s.money.quotes, inst.ID)
	s.money.mu.Unlock()
	if !ok {
		var err error
		if r, err = s.rates(ctx, Offer{Zone: inst.Zone, InstanceType: inst.InstanceType}); err != nil {
			s.log.Warn("cost ledger: no price for a started instance; trying again later", "instance", inst.ID, "err", err)
			return
		}
	}
	s.begin(ctx, inst.ID, domain.ProductDisk, at, r.Disk, r.Currency)
	s.begin(ctx, inst.ID, domain.ProductBandwidth, at, r.Bandwidth, r.Currency)
	s.begin(ctx, inst.ID, domain.ProductTraffic, at, r.Traffic, r.Currency)
	s.begin(ctx, inst.ID, domain.ProductInstance, at, r.Instance, r.Currency)
}

// restartTraffic opens the traffic estimate again after a KeepCharging stop.
func (s *Service) restartTraffic(ctx context.Context, inst domain.Instance, at time.Time) {
	sp := s.spec(Offer{Zone: inst.Zone, InstanceType: inst.InstanceType})
	if s.cfg.TrafficHourly > 0 && paysByTraffic(sp.InternetChargeType) && sp.BandwidthOut > 0 {
		iv, _, err := s.ledger.Running(ctx, inst.ID, domain.ProductInstance)
		if err == nil {
			s.begin(ctx, inst.ID, domain.ProductTraffic, at, s.cfg.TrafficHourly, iv.Currency)
		}
	}
}

// costStopped closes what a stop of ours ends (in the configured mode).
func (s *Service) costStopped(ctx context.Context, id string, at time.Time) {
	s.costStoppedIn(ctx, id, s.cfg.StoppedMode, at)
}

// costStoppedIn closes what a stop in mode ends: traffic always; the
// instance and its bandwidth unless KeepCharging. The disks go on. A stop
// noticed by the reconciler passes the mode the cloud reports ("" when it
// says none: the configured one).
func (s *Service) costStoppedIn(ctx context.Context, id string, mode ports.StopMode, at time.Time) {
	if s.ledger == nil || id == "" {
		return
	}
	if mode == "" || !mode.Valid() {
		mode = s.cfg.StoppedMode
	}
	s.end(ctx, id, at, domain.ProductTraffic)
	if mode != ports.KeepCharging {
		s.end(ctx, id, at, domain.ProductInstance, domain.ProductBandwidth)
	}
}

// costReleased closes every interval of a deleted instance.
func (s *Service) costReleased(ctx context.Context, id string, at time.Time) {
	if s.ledger == nil || id == "" {
		return
	}
	s.money.mu.Lock()
	delete(s.money.quotes, id)
	s.money.mu.Unlock()
	s.end(ctx, id, at, domain.Products...)
}

// repriceSpot re-quotes a SpotAsPriceGo instance at each clock hour: the
// open instance interval ends at the hour and the next begins there at the
// price quoted now (the simulator, like Aliyun's hourly settlement, bills
// each hour at the market price its start).
func (s *Service) repriceSpot(ctx context.Context, now time.Time) {
	if s.ledger == nil || s.cfg.Spec.SpotStrategy != SpotAsPriceGo {
		return
	}
	inst, err := s.recorded(ctx)
	if err != nil {
		return
	}
	iv, open, err := s.ledger.Running(ctx, inst.ID, domain.ProductInstance)
	hour := now.Truncate(time.Hour)
	if err != nil || !open || !iv.Start.Before(hour) {
		return
	}
	r, err := s.rates(ctx, Offer{Zone: inst.Zone, InstanceType: inst.InstanceType})
	if err != nil {
		s.log.Warn("cost ledger: no spot price this hour; trying again later", "instance", inst.ID, "err", err)
		return
	}
	s.end(ctx, inst.ID, hour, domain.ProductInstance)
	s.begin(ctx, inst.ID, domain.ProductInstance, hour, r.Instance, r.Currency)
}

// KeepLedger is the ledger's share of a monitors round: the spot price of
// the hour, and the month's bill once a day.
func (s *Service) KeepLedger(ctx context.Context) {
	now := s.clock.Now()
	s.repriceSpot(ctx, now)
	if _, err := s.billedSpend(ctx, now); err != nil {
		s.log.Warn("reading the bill", "err", err)
	}
}

// billedSpend is what the cloud's bill says the instances of the ledger
// cost this month; read once per BillCheckInterval (0 without bills).
func (s *Service) billedSpend(ctx context.Context, now time.Time) (domain.Money, error) {
	if s.bills == nil || s.ledger == nil {
		return 0, nil
	}
	month := domain.MonthStart(now, s.cfg.CostLocation)
	s.money.mu.Lock()
	known := s.money.billMonth.Equal(month)
	fresh := known && now.Sub(s.money.billRead) < s.cfg.BillCheckInterval
	billed := s.money.billed
	s.money.mu.Unlock()
	if fresh {
		return billed, nil
	}
	if !known {
		billed = 0 // a new month: last month's bill says nothing of it
	}
	// On failure the last bill of this month still stands: spending
	// only grows within a month.
	last := billed
	ivs, err := s.ledger.Intervals(ctx, month, now)
	if err != nil {
		return last, err
	}
	ours := map[string]bool{}
	for _, iv := range ivs {
		ours[iv.InstanceID] = true
	}
	rows, err := s.bills.InstanceBills(ctx, month.Year(), int(month.Month()))
	if err != nil {
		return last, err
	}
	billed = 0
	for _, b := range rows {
		// Ours: an instance of the ledger, or anything carrying the managed
		// tag (its disks are billed under their own ids).
		if !ours[b.InstanceID] && !hasTags(b.Tags, ManagedTag) {
			continue
		}
		m, err := domain.ParseMoney(b.Amount)
		if err != nil {
			return last, domain.Internal(err, "the bill has an amount that is not a decimal")
		}
		billed += m
	}
	s.money.mu.Lock()
	s.money.billMonth, s.money.billed, s.money.billRead = month, billed, now
	s.money.mu.Unlock()
	_, ledger := domain.Spend(ivs, month, month.AddDate(0, 1, 0), now, s.cfg.CostLocation)
	s.log.Info("bill read", "month", month.Format("2006-01"), "billed", billed.String(), "ledger", ledger.String())
	return billed, nil
}

// CostReport is what the instances cost per day over a span of days.
type CostReport struct {
	From, To time.Time // the first day and the day after the last, midnights in the ledger's location
	Currency string
	Days     []domain.DayCost
	Total    domain.Money
	Products map[domain.Product]domain.Money // Total split by product
	// Billed is this month's bill for the same instances, as last read
	// (nil: not read); BilledAt when it was read. The bill lags a day.
	Billed   *domain.Money
	BilledAt time.Time
}

// MaxCostDays bounds a cost report.
const MaxCostDays = 366

// Cost reports spend per day from the day of `from` to the day before
// `to`, in the ledger's location; running instances count up to now. A zero
// from is the first of this month; a zero to is the end of from's month.
func (s *Service) Cost(ctx context.Context, actor *domain.User, from, to time.Time) (CostReport, error) {
	if err := domain.Allowed(actor, domain.NeedMoney); err != nil {
		return CostReport{}, err
	}
	loc := s.cfg.CostLocation
	if from.IsZero() {
		from = domain.MonthStart(s.clock.Now(), loc)
	}
	if to.IsZero() {
		to = time.Date(from.Year(), from.Month()+1, 1, 0, 0, 0, 0, loc)
	}
	from = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	to = time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, loc)
	switch {
	case !from.Before(to):
		return CostReport{}, domain.Invalid("from", "to")
	case to.Sub(from) > MaxCostDays*25*time.Hour:
		return CostReport{}, domain.Invalid("to")
	}
	if s.ledger == nil {
		return CostReport{}, domain.Errorf(domain.CodePrecondition, "no cost ledger configured")
	}
	ivs, err := s.ledger.Intervals(ctx, from, to)
	if err != nil {
		return CostReport{}, err
	}
	rep := CostReport{From: from, To: to, Currency: s.cfg.Currency}
	if len(ivs) > 0 {
		rep.Currency = ivs[0].Currency
	}
	rep.Days, rep.Total = domain.Spend(ivs, from, to, s.clock.Now(), loc)
	rep.Products = domain.ByProduct(rep.Days)
	s.money.mu.Lock()
	if !s.money.billRead.IsZero() && s.money.billMonth.Equal(domain.MonthStart(s.clock.Now(), loc)) {
		b := s.money.billed
		rep.Billed, rep.BilledAt = &b, s.money.billRead
	}
	s.money.mu.Unlock()
	return rep, nil
}

// monthSpend is what this calendar month has cost so far: the ledger's
// sum, or the bill when that says more (an estimate fell short, or
// something the ledger does not see was billed).
func (s *Service) monthSpend(ctx context.Context, now time.Time) (domain.Money, error) {
	start := domain.MonthStart(now, s.cfg.CostLocation)
	ivs, err := s.ledger.Intervals(ctx, start, now)
	if err != nil {
		return 0, err
	}
	_, total := domain.Spend(ivs, start, start.AddDate(0, 1, 0), now, s.cfg.CostLocation)
	billed, err := s.billedSpend(ctx, now)
	if err != nil {
		s.log.Warn("reading the bill; judging on the ledger and the last bill read", "err", err)
	}
	return max(total, billed), nil
}

// overBudget says whether one more hour at r would pass the budget, given
// this month's spend.
func (s *Service) overBudget(spent domain.Money, r domain.HourlyRates) error {
	if hour := r.Total(); spent+hour > s.cfg.BudgetMonthly {
		return &domain.BudgetError{Spent: spent, Hour: hour, Budget: s.cfg.BudgetMonthly, Currency: r.Currency}
	}
	return nil
}

func (s *Service) budgetOn() bool { return s.cfg.BudgetMonthly > 0 && s.ledger != nil }

// budgetAllows refuses an action that would start offer o when this
// month's spend plus one more hour of it (every product) would pass the
// budget.
func (s *Service) budgetAllows(ctx context.Context, o Offer) error {
	if !s.budgetOn() {
		return nil
	}
	spent, err := s.monthSpend(ctx, s.clock.Now())
	if err != nil {
		return err
	}
	r, err := s.rates(ctx, o)
	if err != nil {
		return err
	}
	return s.overBudget(spent, r)
}

// EnforceBudget stops the running instance once this month's spend has
// reached the budget, when budget.stop_at_cap is on. RunMonitors calls it
// in the replica holding the monitors lease. It reports whether it stopped.
// (A KeepCharging stop leaves the instance billed: the README says so.)
func (s *Service) EnforceBudget(ctx context.Context) (bool, error) {
	if !s.cfg.BudgetStopAtCap || !s.budgetOn() {
		return false, nil
	}
	inst, err := s.recorded(ctx)
	if errors.Is(err, domain.ErrNoInstance) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if inst.LastStatus != domain.StatusRunning {
		return false, nil
	}
	if busy, err := s.operationUnderWay(ctx); err != nil || busy {
		return false, err
	}
	spent, err := s.monthSpend(ctx, s.clock.Now())
	if err != nil || spent < s.cfg.BudgetMonthly {
		return false, err
	}
	detail := fmt.Sprintf("budget: this month's spend %s reached the monthly budget of %s", spent, s.cfg.BudgetMonthly)
	return s.monitorStop(ctx, inst, domain.ActionBStop, detail), nil
}

func hasTags(have, want map[string]string) bool {
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}
