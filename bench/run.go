package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

func (h *harness) logf(format string, args ...any) {
	fmt.Fprintf(h.opt.Log, "bench: "+format+"\n", args...)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// environment describes the machine and the code measured.
func environment(ctx context.Context, opt Options) Environment {
	e := Environment{
		CPUs:      runtime.NumCPU(),
		OS:        runtime.GOOS + "/" + runtime.GOARCH,
		GoVersion: runtime.Version(),
		StartedAt: time.Now().UTC().Format(time.RFC3339),
		Settings: fmt.Sprintf("%d alternated rounds of %v per side for check, %v for other throughput runs, %d connections; %d login clients for %v beside a %d req/s check probe; %d new/stop cycles; %d ready runs",
			opt.Rounds, opt.Slice, opt.Slice, opt.Connections, opt.FloodClients, opt.Flood, opt.ProbeRate, opt.Cycles, opt.ReadyRuns),
		MariaDB:      "not tried",
		ServiceEnv:   opt.ServiceEnv,
		LoadAvgStart: loadAvg(),
	}
	if out, err := runTool(ctx, opt.Repo, os.Environ(), "", opt.Go, "version"); err == nil {
		e.GoVersion = strings.TrimSpace(strings.TrimPrefix(out, "go version "))
	}
	if out, err := runTool(ctx, opt.Repo, os.Environ(), "", "git", "rev-parse", "HEAD"); err == nil {
		e.Commit = strings.TrimSpace(out)
	}
	// The results themselves are not the code measured.
	if out, err := runTool(ctx, opt.Repo, os.Environ(), "", "git", "status", "--porcelain", "--", ".", ":!bench"); err == nil {
		e.Dirty = strings.TrimSpace(out) != ""
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				e.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	return e
}

// serviceEnv is the environment of every seatide child: the caller's,
// without any SEATIDE_ or cloud key setting that would change what is
// measured, plus the bench's own.
func (h *harness) serviceEnv(db []string, listen string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "SEATIDE_") || strings.HasPrefix(kv, "ALIBABA_CLOUD_") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"SEATIDE_SECRET="+h.secret,
		"SEATIDE_LOG_LEVEL=warn",
		"SEATIDE_SIM_TRANSITION_TIME=0s",
		"SEATIDE_LISTEN="+listen,
	)
	env = append(env, db...)
	return append(env, h.opt.ServiceEnv...)
}

// startBaseline starts a baseline process and waits for its first answer;
// it returns the process, its URL and how long from exec to that answer.
func (h *harness) startBaseline(ctx context.Context) (*process, string, time.Duration, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, "", 0, err
	}
	if len(h.opt.Self) == 0 {
		return nil, "", 0, errors.New("options: Self (how to run the baseline) is empty")
	}
	env := append(os.Environ(), "SEATIDE_BENCH_SECRET="+h.secret)
	args := append(append([]string(nil), h.opt.Self[1:]...), "baseline", "--listen", addr)
	h.nstart++
	start := time.Now()
	p, err := startProcess("baseline", h.tmp, env, filepath.Join(h.tmp, fmt.Sprintf("baseline-%d.log", h.nstart)), h.opt.Self[0], args...)
	if err != nil {
		return nil, "", 0, err
	}
	anyAnswer := func(int, []byte) bool { return true }
	readyAt, err := waitReady(ctx, p, "http://"+addr+"/", anyAnswer, 10*time.Second)
	if err != nil {
		p.Stop(time.Second)
		return nil, "", 0, err
	}
	return p, "http://" + addr, readyAt.Sub(start), nil
}

// service is one running seatide.
type service struct {
	*process
	base string
}

// startService execs seatide serve and waits for its ready probe; it
// returns how long from exec to the first ready answer.
func (h *harness) startService(ctx context.Context, db []string, probe string, ok readyCheck) (*service, time.Duration, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, 0, err
	}
	h.nstart++
	logPath := filepath.Join(h.tmp, fmt.Sprintf("serve-%d.log", h.nstart))
	start := time.Now()
	p, err := startProcess("seatide serve", h.tmp, h.serviceEnv(db, addr), logPath, h.bin, "serve")
	if err != nil {
		return nil, 0, err
	}
	readyAt, err := waitReady(ctx, p, "http://"+addr+probe, ok, 30*time.Second)
	if err != nil {
		p.Stop(stopTimeout)
		return nil, 0, err
	}
	return &service{process: p, base: "http://" + addr}, readyAt.Sub(start), nil
}

// mysqlDatabase creates a throwaway database on the configured server and
// returns the service's DSN for it and how to drop it; or "" and why not.
func (h *harness) mysqlDatabase(ctx context.Context) (string, func(), string) {
	if h.opt.MySQLDSN == "" {
		return "", nil, "skipped (no --mysql)"
	}
	cfg, err := mysql.ParseDSN(h.opt.MySQLDSN)
	if err != nil {
		return "", nil, "skipped: --mysql is not a DSN"
	}
	conn, err := net.DialTimeout("tcp", cfg.Addr, time.Second)
	if err != nil {
		return "", nil, "not reachable at " + cfg.Addr + ": skipped"
	}
	conn.Close()
	cfg.DBName = ""
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return "", nil, "skipped: " + err.Error()
	}
	name := "seatide_bench_" + randomHex(4)
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		db.Close()
		return "", nil, "skipped: creating a database failed: " + err.Error()
	}
	var version string
	_ = db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version)
	drop := func() {
		dctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := db.ExecContext(dctx, "DROP DATABASE "+name); err != nil {
			h.logf("dropping %s: %v", name, err)
		}
		db.Close()
	}
	cfg.DBName = name
	return cfg.FormatDSN(), drop, fmt.Sprintf("used (%s at %s, throwaway database)", version, cfg.Addr)
}

// chooseProbe decides which route tells readiness: /readyz once another
// change adds it, GET /api (the v1 http-error answer) until then.
func (h *harness) chooseProbe(ctx context.Context, base string) error {
	code, _, err := h.get(ctx, base+"/readyz")
	switch {
	case err != nil:
		return err
	case code == http.StatusNotFound:
		h.probe, h.probeOK = "/api", apiAnswers
		h.res.Environment.ReadyProbe = "GET /api (v1 http-error answer): GET /readyz answered 404"
		return nil
	}
	if _, err := waitReady(ctx, nil, base+"/readyz", readyzOK, 10*time.Second); err != nil {
		return fmt.Errorf("/readyz exists but never answered 200: %w", err)
	}
	h.probe, h.probeOK = "/readyz", readyzOK
	h.res.Environment.ReadyProbe = "GET /readyz (200)"
	return nil
}

func (h *harness) settle(ctx context.Context) error {
	t := time.NewTimer(h.opt.Settle)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func withUnit(f Figure, idSuffix, nameSuffix, unit string) Figure {
	f.ID += idSuffix
	f.Name += nameSuffix
	f.Unit = unit
	return f
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func msList(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = fmt.Sprintf("%.1f", ms(d))
	}
	return strings.Join(parts, ", ") + " ms"
}

// newStop times new (until its operation finishes), stop (until the
// instance is Stopped) and the delete that makes the next round possible.
// whileRunning runs once, in the first round, between new and stop.
func (h *harness) newStop(ctx context.Context, base, tok string, fig func(id, name, serves string) Figure, whileRunning func()) {
	var newCall, newDone, stopCall, stopDone, delCall []time.Duration
	action := func(typ string) (time.Duration, error) {
		start := time.Now()
		env, err := h.post(ctx, base+"/api/ecs/v1/action", map[string]string{"type": typ, "token": tok})
		if err != nil {
			return 0, err
		}
		if env.Status != "ok" {
			return 0, fmt.Errorf("%s: %s %s", typ, env.Status, env.Msg)
		}
		return time.Since(start), nil
	}
	var failure error
	prevOp := ""
	for i := 0; i < h.opt.Cycles && failure == nil; i++ {
		start := time.Now()
		d, err := action("new")
		if err != nil {
			failure = err
			break
		}
		newCall = append(newCall, d)
		op, err := h.waitOperation(ctx, base, tok, prevOp)
		if err != nil {
			failure = err
			break
		}
		prevOp = op
		newDone = append(newDone, time.Since(start))
		if i == 0 {
			whileRunning()
		}

		start = time.Now()
		if d, err = action("stop"); err != nil {
			failure = err
			break
		}
		stopCall = append(stopCall, d)
		if err := h.waitStatus(ctx, base, "Stopped"); err != nil {
			failure = err
			break
		}
		stopDone = append(stopDone, time.Since(start))
		if d, err = action("delete"); err != nil {
			failure = err
			break
		}
		delCall = append(delCall, d)
	}
	for _, r := range []struct {
		id, name string
		ds       []time.Duration
	}{
		{"new.call", "new: the call's answer", newCall},
		{"new.done", "new: call until its operation succeeded", newDone},
		{"stop.call", "stop: the call's answer", stopCall},
		{"stop.done", "stop: call until the instance is Stopped", stopDone},
		{"delete.call", "delete (between rounds): the call's answer", delCall},
	} {
		f := fig(r.id, r.name+", median", "reported figure (no target): overhead of new/stop on a zero-latency simulator")
		f.Unit = "ms"
		if len(r.ds) == 0 {
			note := "no round finished"
			if failure != nil {
				note = failure.Error()
			}
			h.res.Missing(f, nil, "failed", note)
			continue
		}
		f.Note = fmt.Sprintf("%d rounds: %s", len(r.ds), msList(r.ds))
		h.res.Add(f, ms(Median(r.ds)), nil)
	}
	if failure != nil {
		h.res.Notes = append(h.res.Notes, "new/stop stopped early: "+failure.Error())
	}
}

// waitOperation polls GET /api/ecs/v1/operation until an operation other
// than prev has finished; it returns its id.
func (h *harness) waitOperation(ctx context.Context, base, tok, prev string) (string, error) {
	url := base + "/api/ecs/v1/operation?token=" + tok
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		_, body, err := h.get(ctx, url)
		if err != nil {
			return "", err
		}
		var env struct {
			Status string `json:"status"`
			Data   struct {
				ID    string  `json:"id"`
				State string  `json:"state"`
				Error *string `json:"error"`
			} `json:"data"`
		}
		if err := json.Unmarshal(body, &env); err != nil {
			return "", fmt.Errorf("operation: %w", err)
		}
		if env.Status == "ok" && env.Data.ID != prev {
			switch env.Data.State {
			case "succeeded":
				return env.Data.ID, nil
			case "failed":
				msg := ""
				if env.Data.Error != nil {
					msg = *env.Data.Error
				}
				return "", fmt.Errorf("operation %s failed: %s", env.Data.ID, msg)
			}
		}
		if err := pause(ctx, 2*time.Millisecond); err != nil {
			return "", err
		}
	}
	return "", errors.New("operation: not finished after 30s")
}

// waitStatus polls GET /api/ecs/v1/describe/status until the instance is in want.
func (h *harness) waitStatus(ctx context.Context, base, want string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		_, body, err := h.get(ctx, base+"/api/ecs/v1/describe/status")
		if err != nil {
			return err
		}
		var env struct {
			Data struct {
				Status string `json:"status"`
			} `json:"data"`
		}
		if json.Unmarshal(body, &env) == nil && env.Data.Status == want {
			return nil
		}
		if err := pause(ctx, 2*time.Millisecond); err != nil {
			return err
		}
	}
	return fmt.Errorf("instance not %s after 30s", want)
}

func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

type envelope struct {
	Status string          `json:"status"`
	Data   json.RawMessage `json:"data"`
	Msg    string          `json:"msg"`
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only maps of strings reach here
	}
	return b
}

func (h *harness) post(ctx context.Context, url string, body map[string]string) (envelope, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(mustJSON(body)))
	if err != nil {
		return envelope{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.client.Do(req)
	if err != nil {
		return envelope{}, err
	}
	defer resp.Body.Close()
	var env envelope
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&env); err != nil {
		return envelope{}, fmt.Errorf("%s: HTTP %d, undecodable answer: %w", url, resp.StatusCode, err)
	}
	return env, nil
}

func (h *harness) get(ctx context.Context, url string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, body, err
}

func (h *harness) login(ctx context.Context, base, user string) (string, error) {
	env, err := h.post(ctx, base+"/api/user/v1/auth", map[string]string{"type": "auth", "username": user, "password": h.password})
	if err != nil {
		return "", err
	}
	var tok string
	if env.Status != "ok" || json.Unmarshal(env.Data, &tok) != nil || tok == "" {
		return "", fmt.Errorf("login as %s: %s %s", user, env.Status, env.Msg)
	}
	return tok, nil
}
