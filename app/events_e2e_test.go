package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/app"
)

// hookReceiver is a Standard Webhooks receiver on loopback.
type hookReceiver struct {
	mu   sync.Mutex
	got  []string // event types, in arrival order
	ids  []string // webhook-id headers
	seen chan struct{}
}

func newHookReceiver(t *testing.T) (*hookReceiver, *httptest.Server) {
	r := &hookReceiver{seen: make(chan struct{}, 1000)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var body struct{ Type string }
		b, _ := io.ReadAll(req.Body)
		_ = json.Unmarshal(b, &body)
		r.mu.Lock()
		r.got = append(r.got, body.Type)
		r.ids = append(r.ids, req.Header.Get("webhook-id"))
		r.mu.Unlock()
		r.seen <- struct{}{}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return r, srv
}

// waitFor blocks until the receiver got an event of type want.
func (r *hookReceiver) waitFor(t *testing.T, want string) []string {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		r.mu.Lock()
		got := append([]string(nil), r.got...)
		r.mu.Unlock()
		for _, g := range got {
			if g == want {
				return got
			}
		}
		select {
		case <-r.seen:
		case <-deadline:
			t.Fatalf("no %s webhook; got %v", want, got)
		}
	}
}

// TestEventsEndToEnd: a `new` through v1 shows on the SSE stream of a
// member and reaches a signed json webhook, in order; GET /api/v2/webhooks
// reports the endpoint; the operation route gives no reason on success.
func TestEventsEndToEnd(t *testing.T) {
	rcv, hook := newHookReceiver(t)
	path := filepath.Join(t.TempDir(), "config.yml")
	yml := "notify:\n  language: en\n  webhooks:\n    - name: ops\n      url: " + hook.URL + "/hook?token=SECRET\n" +
		"      format: json\n      secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n"
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := app.LoadConfig(path, []string{"SEATIDE_LISTEN=127.0.0.1:0", "SEATIDE_SECRET=" + testSecret,
		"SEATIDE_DATABASE_DSN=" + filepath.Join(t.TempDir(), "seatide.db")})
	if err != nil {
		t.Fatal(err)
	}
	instantCloud(&cfg)
	s := startServiceConfig(t, cfg)
	admin, steve := s.login("admin", "admin-password"), s.login("steve", "steve-password")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", s.base+"/api/v2/events", nil)
	req.Header.Set("Authorization", "Bearer "+steve)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	stream := bufio.NewReader(resp.Body)
	if _, err := stream.ReadString('\n'); err != nil { // retry: the subscription is in place
		t.Fatal(err)
	}

	if _, body := s.do("POST", "/api/ecs/v1/action", m{"type": "new", "token": steve}); body != ok("null") {
		t.Fatalf("new: %s", body)
	}
	// The member sees the server come up, with its address, and no
	// operation events (those are for admins).
	var seen []string
	for {
		line, err := stream.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended after %v: %v", seen, err)
		}
		if ev, ok := strings.CutPrefix(strings.TrimSpace(line), "event: "); ok {
			seen = append(seen, ev)
		}
		if strings.HasPrefix(line, "data: ") && strings.Contains(line, `"status":"Running"`) {
			if !strings.Contains(line, `"ip":"`) || !strings.Contains(line, `"price":"`) {
				t.Fatalf("Running without ip or price: %s", line)
			}
			break
		}
	}
	for _, ev := range seen {
		if strings.HasPrefix(ev, "operation.") || strings.HasPrefix(ev, "deploy.") {
			t.Fatalf("a member saw %s", ev)
		}
	}

	got := rcv.waitFor(t, "operation.succeeded")
	want := []string{"operation.started", "instance.ip_changed", "instance.status_changed", "deploy.output", "operation.succeeded"}
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	if i != len(want) {
		t.Fatalf("webhooks %v, want %v in order", got, want)
	}
	rcv.mu.Lock()
	for k := 1; k < len(rcv.ids); k++ {
		if rcv.ids[k] <= rcv.ids[k-1] && len(rcv.ids[k]) == len(rcv.ids[k-1]) {
			t.Errorf("webhook ids out of order: %v", rcv.ids)
		}
	}
	rcv.mu.Unlock()

	code, body := s.do("GET", "/api/v2/webhooks", nil, "Authorization", "Bearer "+admin)
	if code != 200 || !strings.Contains(body, `"name":"ops"`) || !strings.Contains(body, `"format":"json"`) ||
		strings.Contains(body, "SECRET") || strings.Contains(body, "whsec_") || !strings.Contains(body, `"url":"`+hook.URL+`/hook"`) {
		t.Fatalf("webhooks: %d %s", code, body)
	}
	if code, _ := s.do("GET", "/api/v2/webhooks", nil, "Authorization", "Bearer "+steve); code != 403 {
		t.Fatalf("a member read the webhooks: %d", code)
	}
	_, body = s.do("GET", "/api/ecs/v1/operation", nil, "Authorization", "Bearer "+steve)
	if !strings.Contains(body, `"error": null, "reason": null`) {
		t.Fatalf("operation: %s", body)
	}
}

func TestWebhookConfigErrorsNameTheEndpoint(t *testing.T) {
	for _, tc := range []struct{ yml, want string }{
		{"notify:\n  webhooks:\n    - url: not-a-url\n      format: json\n", "notify.webhooks[0].url"},
		{"notify:\n  webhooks:\n    - url: https://a.example/x\n      format: json\n    - url: https://b.example/x\n      format: slack\n", `notify.webhooks[1].format: unknown format "slack"`},
		{"notify:\n  language: fr\n", "notify.language"},
		{"events:\n  client_buffer: 0\n", "events.client_buffer"},
	} {
		path := filepath.Join(t.TempDir(), "config.yml")
		if err := os.WriteFile(path, []byte(tc.yml), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := app.LoadConfig(path, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.yml, err, tc.want)
		}
	}
}
