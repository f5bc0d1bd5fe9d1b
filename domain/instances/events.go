package instances

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// The instance service says what happens through Deps.Events: operations
// and their steps, status and address changes, deploy output, players
// coming and going, the watchdogs' and the budget's actions and the budget
// thresholds. Emitting never blocks (ports.EventSink).

// deployChunk bounds one deploy.output event's text.
const deployChunk = 4096

// budgetThresholds are the shares of budget.monthly announced once a month.
var budgetThresholds = []int{50, 80, 100}

// eventsState is what the emitters remember between rounds (in the replica
// holding the monitors lease; one taking over may say a threshold again).
type eventsState struct {
	players   []string // the last status sample's names
	playersOf string   // the instance they are about
	month     time.Time
	announced int // the highest threshold announced this month
}

func (s *Service) emit(ctx context.Context, t domain.EventType, actor, instance string, d domain.EventData) {
	s.events.Emit(ctx, domain.NewEvent(t, s.clock.Now(), actor, instance, d))
}

// emitOp says an operation started, moved to a step, or ended.
func (s *Service) emitOp(ctx context.Context, t domain.EventType, op domain.Operation, cause error) {
	d := domain.EventData{Operation: op.ID, Action: op.Action, Step: op.Step}
	if cause != nil {
		d.Code, d.Reason = result(cause), Reason(cause)
	}
	s.emit(ctx, t, op.StartedBy, op.InstanceID, d)
}

// Reason is the readable, safe text of a failure: the domain error's own
// message (written to be shown), never a foreign error's text.
func Reason(err error) string {
	var se *domain.StateError
	if errors.As(err, &se) {
		return se.Error()
	}
	var be *domain.BudgetError
	if errors.As(err, &be) {
		return be.Error()
	}
	var de *domain.Error
	if errors.As(err, &de) && de.Code != domain.CodeInternal {
		return de.Message
	}
	return "internal error"
}

// emitRecordChange says what an update of the record changed.
func (s *Service) emitRecordChange(ctx context.Context, before, after domain.Instance) {
	if after.PublicIP != before.PublicIP {
		s.emit(ctx, domain.EventInstanceIP, "", after.ID, domain.EventData{IP: after.PublicIP, Zone: after.Zone})
	}
	if after.LastStatus != before.LastStatus {
		d := domain.EventData{Status: after.LastStatus, Previous: before.LastStatus, IP: after.PublicIP,
			Zone: after.Zone, InstanceType: after.InstanceType}
		if after.LastStatus == domain.StatusRunning && s.ledger != nil {
			if iv, open, err := s.ledger.Running(ctx, after.ID); err == nil && open {
				d.Price, d.Currency = iv.Price.String(), iv.Currency
			}
		}
		s.emit(ctx, domain.EventInstanceStatus, "", after.ID, d)
	}
}

// emitDeployOutput emits the output after the first sent bytes, in
// chunks, and returns how much is now sent; seq counts chunks.
func (s *Service) emitDeployOutput(ctx context.Context, inst, opID, output string, sent int, seq *int) int {
	if len(output) < sent {
		return sent // the cloud shortened what it reports: nothing new
	}
	for rest := output[sent:]; rest != ""; {
		n := min(len(rest), deployChunk)
		for n < len(rest) && n > 0 && !utf8Start(rest[n]) {
			n-- // never split a character
		}
		*seq++
		s.emit(ctx, domain.EventDeployOutput, "", inst, domain.EventData{Operation: opID, Seq: *seq, Output: rest[:n]})
		rest, sent = rest[n:], sent+n
	}
	return sent
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// emitPlayers compares a status sample with the last one. The sample may
// list fewer players than are online: only names it lists are announced.
func (s *Service) emitPlayers(ctx context.Context, inst string, st domain.ServerStatus) {
	var now []string
	for _, p := range st.Players {
		now = append(now, p.Name)
	}
	ev := &s.evState
	if ev.playersOf != inst {
		ev.playersOf, ev.players = inst, nil
	}
	online := st.OnlinePlayers
	for _, n := range now {
		if !slices.Contains(ev.players, n) {
			s.emit(ctx, domain.EventPlayerJoined, "", inst, domain.EventData{Player: n, Players: &online})
		}
	}
	for _, n := range ev.players {
		if !slices.Contains(now, n) {
			s.emit(ctx, domain.EventPlayerLeft, "", inst, domain.EventData{Player: n, Players: &online})
		}
	}
	ev.players = now
}

// monitorEvent is the event type of a monitor's history action.
func monitorEvent(action string) domain.EventType {
	switch action {
	case domain.ActionIStop:
		return domain.EventIdleAction
	case domain.ActionBStop:
		return domain.EventBudgetAction
	}
	return domain.EventWatchdogAction
}

// AnnounceBudget emits budget.threshold once this month's spend has
// crossed 50, 80 or 100 % of budget.monthly (each once a month). RunMonitors
// calls it in the replica holding the monitors lease.
func (s *Service) AnnounceBudget(ctx context.Context) error {
	if s.cfg.BudgetMonthly <= 0 || s.ledger == nil {
		return nil
	}
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	now := s.clock.Now()
	spent, err := s.monthSpend(ctx, now)
	if err != nil {
		return err
	}
	ev := &s.evState
	if month := domain.MonthStart(now, s.cfg.CostLocation); !month.Equal(ev.month) {
		ev.month, ev.announced = month, 0
	}
	reached := 0
	for _, pct := range budgetThresholds {
		if spent*100 >= s.cfg.BudgetMonthly*domain.Money(pct) {
			reached = pct
		}
	}
	if reached > ev.announced {
		ev.announced = reached
		s.emit(ctx, domain.EventBudgetThreshold, domain.MonitorActor, "", domain.EventData{Percent: reached,
			Spent: spent.String(), Budget: s.cfg.BudgetMonthly.String(), Currency: s.cfg.Currency})
	}
	return nil
}
