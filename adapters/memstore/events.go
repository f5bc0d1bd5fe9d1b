package memstore

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// Events is an in-memory ports.EventStore and ports.OutboxStore (they share
// the events the outbox points at). The zero value is ready to use.
type Events struct {
	mu        sync.Mutex
	events    []domain.Event // by ascending ID
	lastID    int64
	outbox    map[string][]ports.Delivery // by endpoint, by ascending event ID
	endpoints map[string]ports.EndpointStatus
}

var (
	_ ports.EventStore  = (*Events)(nil)
	_ ports.OutboxStore = (*Events)(nil)
)

func cloneEvent(e domain.Event) domain.Event {
	e.Payload = slices.Clone(e.Payload)
	return e
}

func (s *Events) Append(ctx context.Context, e domain.Event, outbox []string) (domain.Event, error) {
	if err := ctxErr(ctx); err != nil {
		return domain.Event{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastID++
	e = cloneEvent(e)
	e.ID, e.Time = s.lastID, e.Time.UTC().Truncate(time.Microsecond)
	s.events = append(s.events, e)
	if s.outbox == nil {
		s.outbox = map[string][]ports.Delivery{}
	}
	for _, ep := range outbox {
		s.outbox[ep] = append(s.outbox[ep], ports.Delivery{Endpoint: ep, Event: e})
	}
	return cloneEvent(e), nil
}

func (s *Events) After(ctx context.Context, after int64, limit int) ([]domain.Event, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, _ := slices.BinarySearchFunc(s.events, after+1, func(e domain.Event, id int64) int { return int(e.ID - id) })
	out := []domain.Event{}
	for ; i < len(s.events) && len(out) < limit; i++ {
		out = append(out, cloneEvent(s.events[i]))
	}
	return out, nil
}

func (s *Events) LastID(ctx context.Context) (int64, error) {
	if err := ctxErr(ctx); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastID, nil
}

func (s *Events) Prune(ctx context.Context, before time.Time) (int64, error) {
	if err := ctxErr(ctx); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	queued := map[int64]bool{}
	for _, ds := range s.outbox {
		for _, d := range ds {
			queued[d.Event.ID] = true
		}
	}
	n := len(s.events)
	s.events = slices.DeleteFunc(s.events, func(e domain.Event) bool { return e.Time.Before(before) && !queued[e.ID] })
	return int64(n - len(s.events)), nil
}

func (s *Events) Head(ctx context.Context, endpoint string) (ports.Delivery, bool, error) {
	if err := ctxErr(ctx); err != nil {
		return ports.Delivery{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.outbox[endpoint]
	if len(q) == 0 {
		return ports.Delivery{}, false, nil
	}
	d := q[0]
	d.Event = cloneEvent(d.Event)
	return d, true, nil
}

// find returns the index of the queued delivery of eventID, or -1.
func (s *Events) find(endpoint string, eventID int64) int {
	return slices.IndexFunc(s.outbox[endpoint], func(d ports.Delivery) bool { return d.Event.ID == eventID })
}

func (s *Events) Done(ctx context.Context, endpoint string, eventID int64, at time.Time) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := s.find(endpoint, eventID); i >= 0 {
		s.outbox[endpoint] = slices.Delete(s.outbox[endpoint], i, i+1)
	}
	st := s.status(endpoint)
	st.LastSuccess = at.UTC().Truncate(time.Microsecond)
	s.endpoints[endpoint] = st
	return nil
}

func (s *Events) Retry(ctx context.Context, endpoint string, eventID int64, next time.Time, errText string, at time.Time) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := s.find(endpoint, eventID); i >= 0 {
		d := &s.outbox[endpoint][i]
		d.Attempts++
		d.NextAt, d.LastError = next.UTC().Truncate(time.Microsecond), errText
	}
	st := s.status(endpoint)
	st.LastError, st.LastErrorAt = errText, at.UTC().Truncate(time.Microsecond)
	s.endpoints[endpoint] = st
	return nil
}

func (s *Events) status(endpoint string) ports.EndpointStatus {
	if s.endpoints == nil {
		s.endpoints = map[string]ports.EndpointStatus{}
	}
	st := s.endpoints[endpoint]
	st.Endpoint = endpoint
	return st
}

func (s *Events) DropOthers(ctx context.Context, keep []string) (int64, error) {
	if err := ctxErr(ctx); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for ep, q := range s.outbox {
		if !slices.Contains(keep, ep) {
			n += int64(len(q))
			delete(s.outbox, ep)
		}
	}
	return n, nil
}

func (s *Events) Status(ctx context.Context, endpoints []string) ([]ports.EndpointStatus, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ports.EndpointStatus, 0, len(endpoints))
	for _, ep := range endpoints {
		st := s.status(ep)
		st.Backlog = len(s.outbox[ep])
		out = append(out, st)
	}
	return out, nil
}
