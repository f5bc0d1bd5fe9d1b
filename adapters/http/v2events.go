package http

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/events"
	"github.com/seatidemc/seatide/ports"
)

// EventStream is what GET /api/v2/events reads; *events.Hub provides it.
type EventStream interface {
	Subscribe(want func(domain.Event) bool) *events.Subscription
	Unsubscribe(s *events.Subscription)
	Store() ports.EventStore
}

var _ EventStream = (*events.Hub)(nil)

// WebhookStatus reports the configured webhook endpoints, for
// GET /api/v2/webhooks.
type WebhookStatus func(ctx context.Context) ([]WebhookEndpoint, error)

// WebhookEndpoint is one endpoint as an admin sees it: never its secret
// nor its URL's query (a robot's key lives there).
type WebhookEndpoint struct {
	Name        string     `json:"name"`
	Format      string     `json:"format"`
	URL         string     `json:"url"`
	Events      []string   `json:"events"`
	Backlog     int        `json:"backlog"`
	LastSuccess *time.Time `json:"last_success"`
	LastError   string     `json:"last_error"`
	LastErrorAt *time.Time `json:"last_error_at"`
}

// sseWriteTimeout bounds one write to a live reader: a client that stops
// reading is cut off rather than holding its goroutine for ever.
const sseWriteTimeout = 30 * time.Second

// catchUpPage is how many stored events one read of a resume takes.
const catchUpPage = 500

// sseEvent is the data line of one event.
type sseEvent struct {
	ID       int64            `json:"id"`
	Type     domain.EventType `json:"type"`
	Time     time.Time        `json:"time"`
	Actor    string           `json:"actor"`
	Instance string           `json:"instance"`
	Data     json.RawMessage  `json:"data"`
}

// sseFrame is e as one text/event-stream message: id, event and one data
// line (JSON has no raw newlines).
func sseFrame(e *domain.Event) []byte {
	data := e.Payload
	if len(data) == 0 {
		data = json.RawMessage("{}")
	}
	b, _ := json.Marshal(sseEvent{ID: e.ID, Type: e.Type, Time: e.Time.UTC(), Actor: e.Actor, Instance: e.Instance, Data: data})
	out := make([]byte, 0, len(b)+64)
	out = append(out, "id: "...)
	out = strconv.AppendInt(out, e.ID, 10)
	out = append(out, "\nevent: "...)
	out = append(out, e.Type...)
	out = append(out, "\ndata: "...)
	out = append(out, b...)
	return append(out, "\n\n"...)
}

// eventFilter is who may see what, and which types the reader asked for.
func eventFilter(actor *domain.User, types map[domain.EventType]bool) func(domain.Event) bool {
	admin := actor.IsAdmin()
	return func(e domain.Event) bool {
		return (admin || domain.MemberVisible(e.Type)) && (len(types) == 0 || types[e.Type])
	}
}

// streamArgs reads ?types= and the resume point (Last-Event-ID, or ?since=
// for clients that cannot set headers); resume -1 means "from now".
func streamArgs(r *http.Request) (types map[domain.EventType]bool, resume int64, err error) {
	q := r.URL.Query()
	if raw := q.Get("types"); raw != "" {
		types = map[domain.EventType]bool{}
		for _, t := range strings.Split(raw, ",") {
			et := domain.EventType(strings.TrimSpace(t))
			if !et.Known() {
				return nil, 0, domain.WithFields(domain.Errorf(domain.CodeInvalid, "unknown event type %q in types", et), "types")
			}
			types[et] = true
		}
	}
	resume = -1
	for _, src := range []struct{ name, v string }{{"since", q.Get("since")}, {"Last-Event-ID", r.Header.Get("Last-Event-ID")}} {
		if src.v == "" {
			continue
		}
		n, perr := strconv.ParseInt(src.v, 10, 64)
		if perr != nil || n < 0 {
			return nil, 0, domain.WithFields(domain.Errorf(domain.CodeInvalid, "%s must be an event id", src.name), src.name)
		}
		resume = n // the header, read last, wins: it is the browser's own resume point
	}
	return types, resume, nil
}

// v2Events answers GET /api/v2/events: the event stream as Server-Sent
// Events. A reader that resumes gets what it missed from the table first,
// then live events, with nothing lost or repeated at the seam: the
// subscription starts before the catch-up, at the Hub's cursor, and the
// catch-up stops there. A reader that falls ClientBuffer events behind is
// dropped (the response ends) and resumes with Last-Event-ID.
func (s *Server) v2Events(w http.ResponseWriter, r *http.Request) {
	types, resume, err := streamArgs(r)
	if err != nil {
		s.v2Failure(w, r, err)
		return
	}
	want := eventFilter(actorFrom(r.Context()), types)
	sub := s.events.Subscribe(want)
	defer s.events.Unsubscribe(sub)

	rc := http.NewResponseController(w)
	// The server's timeouts guard ordinary requests: a stream reads
	// nothing more, and each write gets its own deadline below.
	_ = rc.SetReadDeadline(time.Time{})
	write := func(b []byte) error {
		_ = rc.SetWriteDeadline(time.Now().Add(sseWriteTimeout))
		_, err := w.Write(b)
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no") // nginx: pass each event on at once
	w.WriteHeader(http.StatusOK)
	if write([]byte("retry: 3000\n\n")) != nil || rc.Flush() != nil {
		return
	}

	last := sub.Start
	if resume >= 0 {
		last = resume
	}
	// Catch up from the table, up to where the subscription starts.
	for last < sub.Start {
		page, err := s.events.Store().After(r.Context(), last, catchUpPage)
		if err != nil || len(page) == 0 {
			if err != nil {
				s.log.WarnContext(r.Context(), "event stream: reading missed events", "err", err)
			}
			break
		}
		for i := range page {
			e := &page[i]
			if e.ID > sub.Start {
				break
			}
			last = e.ID
			if want(*e) && write(sseFrame(e)) != nil {
				return
			}
		}
		if rc.Flush() != nil {
			return
		}
	}

	tick, stop := s.sseTicker(s.sseHeartbeat)
	defer stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case e, ok := <-sub.C:
			if !ok {
				s.log.InfoContext(r.Context(), "event stream: reader dropped, too slow", "last_id", last)
				return
			}
			if e.ID <= last {
				continue
			}
			last = e.ID
			if write(sseFrame(e)) != nil {
				return
			}
			if len(sub.C) == 0 && rc.Flush() != nil { // one flush per burst
				return
			}
		case <-tick:
			if write([]byte(": heartbeat\n\n")) != nil || rc.Flush() != nil {
				return
			}
		}
	}
}

// realTicker is a time.Ticker as a channel and its stop.
func realTicker(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}

// v2Webhooks answers GET /api/v2/webhooks (admins): each endpoint's backlog,
// last success and last error.
func (s *Server) v2Webhooks(w http.ResponseWriter, r *http.Request) {
	if !actorFrom(r.Context()).IsAdmin() {
		s.v2Failure(w, r, domain.ErrPermissionDenied)
		return
	}
	list := []WebhookEndpoint{}
	if s.webhooks != nil {
		var err error
		if list, err = s.webhooks(r.Context()); err != nil {
			s.v2Failure(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, struct {
		Endpoints []WebhookEndpoint `json:"endpoints"`
	}{list})
}
