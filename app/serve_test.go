package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/seatidemc/seatide/app"
)

// lockedBuffer is a log destination the service and the test share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestServeSaysWhatItDid: start-up names the configuration file, where the
// database is and which migrations ran; shutdown ends with a line of its
// own. Every JSON line has each key once, and durations are readable.
func TestServeSaysWhatItDid(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.WriteFile("config.yml", []byte("listen: 127.0.0.1:0\nsecret: "+strings.Repeat("k", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := app.LoadConfig("", []string{"SEATIDE_LOG_FORMAT=json"})
	if err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- app.Serve(ctx, cfg, app.NewLogger(&logs, cfg.Log), pw)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "seatide listening on http://127.0.0.1:") {
		t.Fatalf("first output %q, %v", line, err)
	}
	go io.Copy(io.Discard, pr)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	var msgs []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if dup := duplicateKey(l); dup != "" {
			t.Errorf("key %q twice in %s", dup, l)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %s", l)
		}
		msgs = append(msgs, m)
	}
	find := func(msg string) map[string]any {
		for _, m := range msgs {
			if m["msg"] == msg {
				return m
			}
		}
		t.Errorf("no %q line in:\n%s", msg, logs.String())
		return map[string]any{}
	}
	if f := find("configuration"); f["file"] != "config.yml" {
		t.Errorf("configuration line %v", f)
	}
	wd, _ := os.Getwd()
	if d := find("database"); d["driver"] != "sqlite" || d["at"] != filepath.Join(wd, "seatide.db") {
		t.Errorf("database line %v", d)
	}
	if m := find("migrations applied"); !strings.Contains(strings.Join(toStrings(m["files"]), " "), "00001_") {
		t.Errorf("migrations line %v", m)
	}
	find("ready")
	last := msgs[len(msgs)-1]
	if last["msg"] != "stopped" {
		t.Errorf("last line %v, want stopped", last)
	}
	if _, ok := find("shutting down")["timeout"].(string); !ok {
		t.Errorf("shutdown timeout is not a readable duration: %v", find("shutting down"))
	}
}

func toStrings(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// duplicateKey returns a top-level key that a JSON object repeats.
func duplicateKey(line string) string {
	dec := json.NewDecoder(strings.NewReader(line))
	if _, err := dec.Token(); err != nil {
		return ""
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		key, _ := tok.(string)
		if seen[key] {
			return key
		}
		seen[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return ""
		}
	}
	return ""
}

// TestStartupHints: a busy address names the listen key; a short secret
// in development is served with a warning.
func TestStartupHints(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	cfg, err := app.LoadConfig("", []string{
		"SEATIDE_LISTEN=" + busy.Addr().String(),
		"SEATIDE_SECRET=short",
		"SEATIDE_DATABASE_DSN=" + filepath.Join(t.TempDir(), "seatide.db"),
	})
	if err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if !strings.Contains(logs.String(), "secret is 5 bytes") {
		t.Errorf("no short-secret warning in %s", logs.String())
	}
	err = a.Listen()
	if err == nil || !strings.Contains(err.Error(), "already in use") || !strings.Contains(err.Error(), "the listen key (SEATIDE_LISTEN)") {
		t.Errorf("Listen = %v, want a hint at the listen key", err)
	}
}
