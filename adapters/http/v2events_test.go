package http

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/memstore"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/events"
	"github.com/seatidemc/seatide/ports"
)

// eventsFixture is a server whose event stream is a real Hub over an
// in-memory table, fed by a real Bus.
type eventsFixture struct {
	srv   *httptest.Server
	store *memstore.Events
	hub   *events.Hub
	bus   *events.Bus
	ticks chan time.Time // heartbeats, by hand
}

func hubOver(store ports.EventStore, buffer int) *events.Hub {
	hub, err := events.NewHub(context.Background(), store, ports.SystemClock{}, nil, nil,
		events.HubConfig{PollInterval: time.Hour, ClientBuffer: buffer})
	if err != nil {
		panic(err)
	}
	return hub
}

func newEventsFixture(t testing.TB, buffer int) *eventsFixture {
	t.Helper()
	f := &eventsFixture{store: &memstore.Events{}, ticks: make(chan time.Time)}
	f.hub = hubOver(f.store, buffer)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); f.hub.Run(ctx) }()
	f.bus = events.NewBus(events.BusDeps{Store: f.store, Clock: ports.SystemClock{}, Wake: []func(){f.hub.Wake}}, events.BusConfig{})
	s := New(Options{Users: eventUsers(), Events: f.hub, SSETicker: func(time.Duration) (<-chan time.Time, func()) {
		return f.ticks, func() {}
	}})
	f.srv = httptest.NewServer(s)
	t.Cleanup(func() {
		f.bus.Close()
		cancel() // ends every stream, so the server can close
		<-done
		f.srv.Close()
	})
	return f
}

func eventUsers() *fakeUsers {
	return &fakeUsers{AuthenticateFn: func(_ context.Context, t string) (domain.User, error) {
		switch t {
		case "admin":
			return domain.User{ID: 1, Username: "admin", Group: domain.GroupAdmin}, nil
		case "member":
			return domain.User{ID: 2, Username: "steve", Group: domain.GroupStd}, nil
		}
		return domain.User{}, domain.ErrTokenInvalid
	}}
}

func (f *eventsFixture) emit(typ domain.EventType, player string) {
	f.bus.Emit(context.Background(), domain.NewEvent(typ, time.Now(), "", "i-1", domain.EventData{Player: player}))
}

// sseClient is one open stream.
type sseClient struct {
	resp *http.Response
	r    *bufio.Reader
	raw  bytes.Buffer // everything read, for the OpenAPI check
}

type frame struct {
	id    int64
	event string
	data  string
}

func (f *eventsFixture) connect(t testing.TB, token, query string, header ...string) *sseClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // a lost event fails, never hangs
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", f.srv.URL+"/api/v2/events"+query, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("HTTP %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	c := &sseClient{resp: resp}
	c.r = bufio.NewReader(resp.Body)
	if fr, err := c.next(); err != nil || fr.id != 0 { // the retry: preamble
		t.Fatalf("preamble %+v %v", fr, err)
	}
	return c
}

// next reads one message (or comment block).
func (c *sseClient) next() (frame, error) {
	var fr frame
	for {
		line, err := c.r.ReadString('\n')
		c.raw.WriteString(line)
		if err != nil {
			return fr, err
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			return fr, nil
		}
		k, v, _ := strings.Cut(line, ": ")
		switch k {
		case "id":
			fr.id, _ = strconv.ParseInt(v, 10, 64)
		case "event":
			fr.event = v
		case "data":
			fr.data = v
		case "":
			fr.event = "comment:" + v
		}
	}
}

// events reads n events, skipping heartbeats.
func (c *sseClient) events(t testing.TB, n int) []frame {
	t.Helper()
	var out []frame
	for len(out) < n {
		fr, err := c.next()
		if err != nil {
			t.Fatalf("after %d of %d events: %v", len(out), n, err)
		}
		if fr.id != 0 {
			out = append(out, fr)
		}
	}
	return out
}

func ids(frs []frame) []int64 {
	var out []int64
	for _, f := range frs {
		out = append(out, f.id)
	}
	return out
}

func wantIDs(t testing.TB, got []frame, from, to int64) {
	t.Helper()
	if len(got) != int(to-from+1) {
		t.Fatalf("got ids %v, want %d..%d", ids(got), from, to)
	}
	for i, f := range got {
		if f.id != from+int64(i) {
			t.Fatalf("got ids %v, want %d..%d in order", ids(got), from, to)
		}
	}
}

func TestEventStreamOrderAndResume(t *testing.T) {
	f := newEventsFixture(t, 64)
	c := f.connect(t, "admin", "")
	for i := range 5 {
		f.emit(domain.EventPlayerJoined, fmt.Sprint("p", i))
	}
	got := c.events(t, 3)
	wantIDs(t, got, 1, 3)
	var ev struct {
		ID   int64
		Type string
		Data struct{ Player string }
	}
	if err := json.Unmarshal([]byte(got[0].data), &ev); err != nil || ev.ID != 1 || ev.Type != "player.joined" || ev.Data.Player != "p0" || got[0].event != "player.joined" {
		t.Fatalf("first event %+v (%v)", got[0], err)
	}
	if err := loadOpenAPI(t).Check(c.resp.Request, nil, 200, c.resp.Header, c.raw.Bytes()); err != nil {
		t.Fatalf("OpenAPI: %v", err)
	}
	c.resp.Body.Close() // disconnect after event 3; 4 and 5 are missed, more come while away
	for i := 5; i < 8; i++ {
		f.emit(domain.EventPlayerLeft, fmt.Sprint("p", i))
	}
	// Resume by header, and by ?since= for clients that cannot set one;
	// a live event comes after each resume.
	for i, c := range []*sseClient{f.connect(t, "admin", "", "Last-Event-ID", "3"), f.connect(t, "admin", "?since=3")} {
		f.emit(domain.EventPlayerJoined, "live")
		wantIDs(t, c.events(t, 6+i), 4, int64(9+i))
	}
}

func TestEventStreamFiltersAndHeartbeat(t *testing.T) {
	f := newEventsFixture(t, 64)
	member := f.connect(t, "member", "")
	typed := f.connect(t, "admin", "?types=player.left,operation.failed")
	f.emit(domain.EventOperationFailed, "") // admins only
	f.emit(domain.EventPlayerJoined, "a")
	f.emit(domain.EventPlayerLeft, "a")
	if got := member.events(t, 2); got[0].event != "player.joined" || got[1].event != "player.left" {
		t.Fatalf("member got %+v", got)
	}
	if got := typed.events(t, 2); got[0].event != "operation.failed" || got[1].event != "player.left" {
		t.Fatalf("typed got %+v", got)
	}
	f.ticks <- time.Now() // one of the two streams takes it
	f.ticks <- time.Now()
	for _, c := range []*sseClient{member, typed} {
		if fr, err := c.next(); err != nil || fr.event != "comment:heartbeat" {
			t.Fatalf("heartbeat %+v %v", fr, err)
		}
	}
}

func TestEventStreamRefusals(t *testing.T) {
	f := newEventsFixture(t, 64)
	for _, tc := range []struct {
		name, token, query, header string
		status                     int
		field                      string
	}{
		{"no token", "", "", "", 401, ""},
		{"unknown type", "admin", "?types=player.exploded", "", 400, "types"},
		{"negative since", "admin", "?since=-1", "", 400, "since"},
		{"since not a number", "admin", "?since=abc", "", 400, "since"},
		{"bad Last-Event-ID", "admin", "", "x", 400, "Last-Event-ID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/api/v2/events"+tc.query, nil)
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			if tc.header != "" {
				req.Header.Set("Last-Event-ID", tc.header)
			}
			rec := httptest.NewRecorder()
			f.srv.Config.Handler.ServeHTTP(rec, req)
			if rec.Code != tc.status || rec.Header().Get("Content-Type") != "application/problem+json" ||
				(tc.field != "" && !strings.Contains(rec.Body.String(), `"fields":["`+tc.field+`"]`)) {
				t.Fatalf("HTTP %d %s", rec.Code, rec.Body)
			}
			checkOpenAPI(t, req, "", rec)
		})
	}
}

// stalledWriter is a client that stopped reading: its writes block until
// released, as a full TCP window does.
type stalledWriter struct {
	header  http.Header
	release chan struct{}
	once    sync.Once
	ready   chan struct{} // closed at the preamble: the handler has subscribed
	stalled chan struct{} // closed when the first event write blocks
	writes  int
}

func (w *stalledWriter) Header() http.Header { return w.header }
func (w *stalledWriter) WriteHeader(int)     {}
func (w *stalledWriter) Flush()              {}
func (w *stalledWriter) Write(b []byte) (int, error) {
	w.writes++
	if w.writes == 1 {
		close(w.ready)
	}
	if w.writes > 1 { // the preamble passes; the first event stalls
		w.once.Do(func() { close(w.stalled) })
		<-w.release
	}
	return len(b), nil
}

// A client that stops reading is dropped once it is ClientBuffer events
// behind; the others get every event, in order, meanwhile.
func TestEventStreamStalledClientIsDropped(t *testing.T) {
	const buffer = 8
	f := newEventsFixture(t, buffer)
	healthy := f.connect(t, "admin", "")
	w := &stalledWriter{header: http.Header{}, release: make(chan struct{}), ready: make(chan struct{}), stalled: make(chan struct{})}
	req := httptest.NewRequest("GET", "/api/v2/events", nil)
	req.Header.Set("Authorization", "Bearer admin")
	handlerDone := make(chan struct{})
	go func() { defer close(handlerDone); f.srv.Config.Handler.ServeHTTP(w, req) }()
	<-w.ready

	f.emit(domain.EventPlayerJoined, "first")
	<-w.stalled // its handler is stuck writing event 1
	if got := healthy.events(t, 1); got[0].id != 1 {
		t.Fatalf("healthy got %v", ids(got))
	}
	// Waves the healthy reader keeps up with, until the stalled one is
	// more than its buffer behind.
	next := int64(2)
	for range 4 {
		for range buffer / 2 {
			f.emit(domain.EventPlayerJoined, "wave")
		}
		wantIDs(t, healthy.events(t, buffer/2), next, next+buffer/2-1)
		next += buffer / 2
	}
	close(w.release)
	<-handlerDone            // its channel was closed: the response ended
	if w.writes > 2+buffer { // the preamble, event 1, then what its buffer held when dropped
		t.Fatalf("the dropped client was written %d times", w.writes)
	}
}

// 100 clients on real connections all get every event in order.
func TestEventStreamHundredClients(t *testing.T) {
	f := newEventsFixture(t, 256)
	clients := make([]*sseClient, 100)
	for i := range clients {
		clients[i] = f.connect(t, "member", "")
	}
	const n = 50
	for i := range n {
		f.emit(domain.EventInstanceIP, fmt.Sprint(i))
	}
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Go(func() { wantIDs(t, c.events(t, n), 1, n) })
	}
	wg.Wait()
}

// A stream outlives the server's read and write timeouts (which guard
// ordinary requests): it ends only when the reader goes or is dropped.
func TestEventStreamOutlivesServerTimeouts(t *testing.T) {
	f := newEventsFixture(t, 64)
	f.srv.Close()
	srv := httptest.NewUnstartedServer(f.srv.Config.Handler)
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = 50*time.Millisecond, 50*time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)
	f.srv = srv
	c := f.connect(t, "admin", "")
	time.Sleep(200 * time.Millisecond) // the subject of the test: wall time past both timeouts
	f.emit(domain.EventPlayerJoined, "late")
	if got := c.events(t, 1); got[0].id != 1 {
		t.Fatalf("got %v", ids(got))
	}
}
