package ecssim

import (
	"net/http"
	"time"
)

// AnyAction as a Fault or latency Action matches every API action.
const AnyAction = "*"

// Fault makes the next Count calls of Action fail with the given error
// instead of running. Faults for one action are consumed in order.
type Fault struct {
	Action  string `json:"Action"`
	Count   int    `json:"Count"`
	Status  int    `json:"Status"`
	Code    string `json:"Code"`
	Message string `json:"Message"`
}

// InjectFault queues f. A zero Status defaults to 400, an empty Message to a
// generic text.
func (s *Simulator) InjectFault(f Fault) {
	if f.Count <= 0 || f.Code == "" {
		return
	}
	if f.Action == "" {
		f.Action = AnyAction
	}
	if f.Status == 0 {
		f.Status = http.StatusBadRequest
	}
	if f.Message == "" {
		f.Message = "Injected fault " + f.Code + "."
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[f.Action] = append(s.faults[f.Action], &f)
}

// ThrottleNext makes the next n calls of action fail with 400 Throttling.User.
func (s *Simulator) ThrottleNext(action string, n int) {
	e := errThrottled()
	s.InjectFault(Fault{Action: action, Count: n, Status: e.Status, Code: e.Code, Message: e.Message})
}

// FailNext makes the next n calls of action fail with 503 ServiceUnavailable.
func (s *Simulator) FailNext(action string, n int) {
	e := errUnavailable()
	s.InjectFault(Fault{Action: action, Count: n, Status: e.Status, Code: e.Code, Message: e.Message})
}

// ClearFaults drops every queued fault and injected latency.
func (s *Simulator) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[string][]*Fault{}
	s.latency = map[string]time.Duration{}
}

// SetLatency adds d to every call of action (AnyAction: all calls), on top of
// Options.Latency. d <= 0 removes it.
func (s *Simulator) SetLatency(action string, d time.Duration) {
	if action == "" {
		action = AnyAction
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if d <= 0 {
		delete(s.latency, action)
		return
	}
	s.latency[action] = d
}

func (s *Simulator) actionLatency(action string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.latency[action] + s.latency[AnyAction]
}

// takeFault consumes one queued fault for action, if any. Caller holds s.mu.
func (s *Simulator) takeFault(action string) error {
	for _, key := range []string{action, AnyAction} {
		q := s.faults[key]
		if len(q) == 0 {
			continue
		}
		f := q[0]
		f.Count--
		if f.Count <= 0 {
			q = q[1:]
		}
		if len(q) == 0 {
			delete(s.faults, key)
		} else {
			s.faults[key] = q
		}
		return &apiError{Status: f.Status, Code: f.Code, Message: f.Message}
	}
	return nil
}
