package aliyunecs_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/seatidemc/seatide/adapters/ecssim"
	"github.com/seatidemc/seatide/domain"
)

// OnRetry hears each retry, and every call log line names both the API
// request behind the call and the cloud's request.
func TestRetriesObservedAndLogsCarryRequestID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		throttles int
		wantRetry []string
	}{
		{"no retry", 0, nil},
		{"throttled twice", 2, []string{"RunInstances/Throttling.User", "RunInstances/Throttling.User"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startSim(t, ecssim.Options{NoDelay: true})
			var buf bytes.Buffer
			var mu sync.Mutex
			var retries []string
			cfg := clientConfig(s)
			cfg.Logger = slog.New(slog.NewJSONHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
			cfg.OnRetry = func(action, code string) {
				mu.Lock()
				defer mu.Unlock()
				retries = append(retries, action+"/"+code)
			}
			c := newClient(t, cfg)
			s.ThrottleNext("RunInstances", tt.throttles)
			ctx := domain.WithRequestID(ctxT(t), "api-req-42")
			if _, _, err := c.RunInstance(ctx, harness{s}.BaseSpec(), "op-obs"); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if strings.Join(retries, " ") != strings.Join(tt.wantRetry, " ") {
				t.Errorf("retries %q, want %q", retries, tt.wantRetry)
			}
			lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
			if len(lines) != tt.throttles+1 {
				t.Fatalf("%d log lines, want %d:\n%s", len(lines), tt.throttles+1, buf.String())
			}
			for _, line := range lines {
				var m map[string]any
				if err := json.Unmarshal([]byte(line), &m); err != nil {
					t.Fatal(err)
				}
				if m["request_id"] != "api-req-42" {
					t.Errorf("request_id %v in %s", m["request_id"], line)
				}
				if id, _ := m["cloud_request_id"].(string); id == "" {
					t.Errorf("no cloud_request_id in %s", line)
				}
			}
		})
	}
}
