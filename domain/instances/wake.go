package instances

import (
	"context"
	"errors"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// The front door's view of the lifecycle (ports.Lifecycle): what players
// are told, and waking the server as a player's seatide user.

var _ ports.Lifecycle = (*Service)(nil)

// Outlook reports the server for players. The cloud's status wins over the
// recorded one, which stands in when the cloud cannot be asked; price and
// budget are left unknown when they cannot be read.
func (s *Service) Outlook(ctx context.Context) (domain.Outlook, error) {
	var o domain.Outlook
	inst, err := s.store.Current(ctx)
	switch {
	case errors.Is(err, domain.ErrNoInstance):
	case err != nil:
		return o, err
	case inst.ID == "":
		o.Creating = true
	default:
		o.Status, o.IP = inst.LastStatus, inst.PublicIP
		if ci, err := s.cloud.DescribeInstance(ctx, inst.ID); err == nil {
			o.Status = ci.Status
		} else if errors.Is(err, domain.ErrCloudNotFound) {
			o.Status = "" // gone; the reconciler clears the record
		} else {
			s.log.Warn("outlook: describing the instance; using the recorded status", "instance", inst.ID, "err", err)
		}
	}
	if op, err := s.store.LastOperation(ctx); err == nil && op.State == domain.OpRunning {
		o.Creating, o.Step, o.StepSince = true, op.Step, op.StartedAt.Unix()
	}
	if o.Status == domain.StatusRunning && o.IP != "" {
		if st, err := s.probes.status(ctx, o.IP); err == nil {
			o.Online, o.Server = true, st
		}
	}
	offer := s.cfg.Offers[0]
	if inst.Zone != "" {
		offer = Offer{Zone: inst.Zone, InstanceType: inst.InstanceType}
	}
	if r, err := s.rates(ctx, offer); err == nil { // every product an hour bills
		o.Hourly, o.Currency, o.PriceKnown = r.Total(), r.Currency, true
	}
	if s.cfg.BudgetMonthly > 0 && s.ledger != nil {
		if spent, err := s.monthSpend(ctx, s.clock.Now()); err == nil {
			o.Budget, o.Spent = s.cfg.BudgetMonthly, spent
		}
	}
	return o, nil
}

// Wake presses `new` when no server is recorded, or starts a Stopped one,
// as actor: the right to press `new` (mayCreate) is the right to wake, so
// whatever decides who may create decides who may wake. The budget is
// checked as for `new` and `start`, and a history row is written either
// way, naming the origin ctx carries (domain.WithOrigin).
func (s *Service) Wake(ctx context.Context, actor *domain.User) (domain.WakeOutcome, error) {
	if err := mayCreate(actor, s.cfg.CreateRequiresAdmin); err != nil {
		return "", err
	}
	inst, err := s.store.Current(ctx)
	if errors.Is(err, domain.ErrNoInstance) {
		err := s.Create(ctx, actor)
		if errors.Is(err, domain.ErrInstanceExists) {
			return domain.WakeUnderWay, nil // another wake or `new` won the slot
		}
		if err != nil {
			return "", err
		}
		return domain.WakeCreated, nil
	}
	if err != nil {
		return "", err
	}
	if busy, err := s.operationUnderWay(ctx); err != nil || busy || inst.ID == "" {
		if err != nil {
			return "", err
		}
		return domain.WakeUnderWay, nil
	}
	ci, err := s.cloud.DescribeInstance(ctx, inst.ID)
	if err != nil {
		return "", err
	}
	switch ci.Status {
	case domain.StatusRunning:
		return domain.WakeAwake, nil
	case domain.StatusPending, domain.StatusStarting:
		return domain.WakeUnderWay, nil
	case domain.StatusStopping:
		return "", domain.ErrServerStopping
	}
	started := s.clock.Now()
	reqID, err := "", s.budgetAllows(ctx, Offer{Zone: inst.Zone, InstanceType: inst.InstanceType})
	if err == nil {
		reqID, err = s.move(ctx, inst, domain.ActionStart, actor.Username)
	}
	s.record(ctx, domain.HistoryEntry{Actor: actor.Username, Action: domain.ActionStart, InstanceID: inst.ID,
		Result: result(err), RequestID: reqID, Detail: budgetDetail(err), StartedAt: started})
	if errors.Is(err, domain.ErrWrongState) {
		return domain.WakeUnderWay, nil // someone else started it between our look and the call
	}
	if err != nil {
		return "", err
	}
	return domain.WakeStarted, nil
}
