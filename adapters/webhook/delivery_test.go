package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/memstore"
	"github.com/seatidemc/seatide/adapters/webhook"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/events"
	"github.com/seatidemc/seatide/ports/portstest"
)

// A receiver that answers 503 for an hour, then comes back: through the
// outbox, the real sender and a loopback receiver, on a manual clock, it
// gets every event once, in order, each signed.
func TestReceiverDownThenUp(t *testing.T) {
	ctx := context.Background()
	clock := portstest.NewManualClock(time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC))
	var (
		mu   sync.Mutex
		down = true
		ids  []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if down {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if err := verifyStandard(testSecret, r.Header, body, clock.Now()); err != nil {
			t.Errorf("signature: %v", err)
		}
		var b struct{ Data struct{ ID int64 } }
		if json.Unmarshal(body, &b) != nil || "evt_"+itoa(b.Data.ID) != r.Header.Get("webhook-id") {
			t.Errorf("body %s under id %s", body, r.Header.Get("webhook-id"))
		}
		ids = append(ids, r.Header.Get("webhook-id"))
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	ep := parse(t, webhook.Config{Name: "hook", URL: srv.URL, Format: "json", Secret: testSecret})
	s, err := webhook.NewSender([]*webhook.Endpoint{ep}, srv.Client(), "en", clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	store := &memstore.Events{}
	d := events.NewDeliverer(store, memstore.NewLeases(clock), s, clock, nil, nil, events.DelivererConfig{
		Endpoints: []string{"hook"}, Holder: "p1", MinBackoff: time.Second, MaxBackoff: 5 * time.Minute,
		Jitter: func(d time.Duration) time.Duration { return d }})
	var want []string
	for i := range 5 {
		e, err := store.Append(ctx, domain.NewEvent(domain.EventPlayerJoined, clock.Now(), "", "i-1",
			domain.EventData{Player: "p" + itoa(int64(i))}), []string{"hook"})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, webhook.MessageID(e))
	}
	for clock.Now().Before(time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)) { // an hour down
		if err := d.Step(ctx); err != nil {
			t.Fatal(err)
		}
		clock.Add(30 * time.Second)
	}
	mu.Lock()
	down = false
	mu.Unlock()
	for range 20 { // at most MaxBackoff until the next try, then everything
		if err := d.Step(ctx); err != nil {
			t.Fatal(err)
		}
		clock.Add(30 * time.Second)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(ids, want) {
		t.Fatalf("received %v, want %v once each in order", ids, want)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
