package aliyunecs_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/seatidemc/seatide/adapters/aliyunecs"
	"github.com/seatidemc/seatide/adapters/ecssim"
)

// TestRetryLogLines: a retry's log line says which code and which error
// caused it, also when nothing answered (no cloud code: the domain code),
// and names its component once: the caller's (app names each component).
func TestRetryLogLines(t *testing.T) {
	t.Parallel()
	s := startSim(t, ecssim.Options{NoDelay: true})
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := closed.Addr().String()
	closed.Close()
	tests := []struct {
		name     string
		endpoint string
		throttle bool
		wantCode string
	}{
		{"throttled", s.Addr, true, "Throttling.User"},
		{"nothing answers", deadAddr, false, "unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			var mu sync.Mutex
			cfg := clientConfig(s)
			cfg.Endpoint = tt.endpoint
			cfg.Retry = aliyunecs.Retry{MaxAttempts: 2, BaseDelay: fastRetry.BaseDelay, MaxDelay: fastRetry.MaxDelay}
			cfg.Logger = slog.New(slog.NewJSONHandler(&lockedWriter{w: &buf, mu: &mu}, nil)).With("component", "aliyunecs")
			c := newClient(t, cfg)
			if tt.throttle {
				s.ThrottleNext("DescribeInstances", 1)
			}
			_, _ = c.DescribeInstance(ctxT(t), "i-absent")
			mu.Lock()
			defer mu.Unlock()
			var retry map[string]any
			for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
				if n := strings.Count(line, `"component"`); n != 1 {
					t.Errorf("component %d times in %s", n, line)
				}
				var m map[string]any
				if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == "cloud call failed, retrying" {
					retry = m
				}
			}
			if retry == nil {
				t.Fatalf("no retry line in:\n%s", buf.String())
			}
			if retry["code"] != tt.wantCode {
				t.Errorf("code %v, want %q", retry["code"], tt.wantCode)
			}
			if e, _ := retry["error"].(string); e == "" {
				t.Errorf("no error text in %v", retry)
			}
		})
	}
}
