package instances

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// The cost ledger records when each instance runs and the hourly price
// quoted at each start; the budget is judged on it. Both are off without a
// LedgerStore.

// costStarted opens a cost interval for a started instance, at the price
// the cloud quotes now (a spot price changes between starts). When the
// price cannot be read the interval is not opened; the reconciler tries
// again on its next round, as it does for an instance started elsewhere.
func (s *Service) costStarted(ctx context.Context, inst domain.Instance, at time.Time) {
	if s.ledger == nil || inst.ID == "" {
		return
	}
	if _, open, err := s.ledger.Running(ctx, inst.ID); err != nil || open {
		if err != nil {
			s.log.Warn("cost ledger", "instance", inst.ID, "err", err)
		}
		return
	}
	price, currency, err := s.hourly(ctx, Offer{Zone: inst.Zone, InstanceType: inst.InstanceType})
	if err != nil {
		s.log.Warn("cost ledger: no price for a started instance; trying again later", "instance", inst.ID, "err", err)
		return
	}
	_, err = s.ledger.Begin(ctx, domain.CostInterval{InstanceID: inst.ID, Start: at, Price: price, Currency: currency})
	if err != nil && !errors.Is(err, domain.ErrIntervalOpen) {
		s.log.Warn("cost ledger", "instance", inst.ID, "err", err)
	}
}

// costStopped closes the instance's open cost interval, if any.
func (s *Service) costStopped(ctx context.Context, id string, at time.Time) {
	if s.ledger == nil || id == "" {
		return
	}
	if _, err := s.ledger.End(context.WithoutCancel(ctx), id, at); err != nil {
		s.log.Warn("cost ledger", "instance", id, "err", err)
	}
}

// hourly is the price of an hour of offer o, as Money.
func (s *Service) hourly(ctx context.Context, o Offer) (domain.Money, string, error) {
	if o.Zone == "" && o.InstanceType == "" {
		o = s.cfg.Offers[0]
	}
	p, err := s.cloud.Price(ctx, s.spec(o))
	if err != nil {
		return 0, "", err
	}
	m, err := domain.ParseMoney(p.Amount)
	if err != nil {
		return 0, "", domain.Internal(err, "the cloud quoted a price that is not a decimal")
	}
	return m, p.Currency, nil
}

// CostReport is what the instances cost per day over a span of days.
type CostReport struct {
	From, To time.Time // the first day and the day after the last, midnights in the ledger's location
	Currency string
	Days     []domain.DayCost
	Total    domain.Money
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
	return rep, nil
}

// monthSpend is what this calendar month has cost so far.
func (s *Service) monthSpend(ctx context.Context, now time.Time) (domain.Money, error) {
	start := domain.MonthStart(now, s.cfg.CostLocation)
	ivs, err := s.ledger.Intervals(ctx, start, now)
	if err != nil {
		return 0, err
	}
	_, total := domain.Spend(ivs, start, start.AddDate(0, 1, 0), now, s.cfg.CostLocation)
	return total, nil
}

// budgetAllows refuses an action that would start offer o when this
// month's spend plus one more hour of it would pass the budget.
func (s *Service) budgetAllows(ctx context.Context, o Offer) error {
	if s.cfg.BudgetMonthly <= 0 || s.ledger == nil {
		return nil
	}
	spent, err := s.monthSpend(ctx, s.clock.Now())
	if err != nil {
		return err
	}
	hour, currency, err := s.hourly(ctx, o)
	if err != nil {
		return err
	}
	if spent+hour > s.cfg.BudgetMonthly {
		return &domain.BudgetError{Spent: spent, Hour: hour, Budget: s.cfg.BudgetMonthly, Currency: currency}
	}
	return nil
}

// EnforceBudget stops the running instance once this month's spend has
// reached the budget, when budget.stop_at_cap is on. RunMonitors calls it
// in the replica holding the monitors lease. It reports whether it stopped.
func (s *Service) EnforceBudget(ctx context.Context) (bool, error) {
	if !s.cfg.BudgetStopAtCap || s.cfg.BudgetMonthly <= 0 || s.ledger == nil {
		return false, nil
	}
	inst, err := s.recorded(ctx)
	if errors.Is(err, domain.ErrNoInstance) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if _, open, err := s.ledger.Running(ctx, inst.ID); err != nil || !open {
		return false, err
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
