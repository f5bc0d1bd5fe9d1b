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
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
)

// Options are the harness's settings; cmd/seatide-bench fills them from flags.
type Options struct {
	Repo   string // the module root, where the seatide binary is built
	OutDir string // where results.json and results.md are written
	Go     string // the go command

	Duration     time.Duration // each throughput run
	Warmup       time.Duration // load before the idle RSS is read
	Settle       time.Duration // quiet time before an RSS reading
	Connections  int           // workers = connections for check, get and get/server
	FloodClients int           // concurrent logins in the flood
	Flood        time.Duration // the quiet probe run and the flood each last this long
	ProbeRate    int           // check req/s beside the flood (and alone, for quiet)
	ProbeWorkers int
	Rounds       int // check and baseline alternate in this many slices of Duration
	Cycles       int // new/stop/delete rounds
	ReadyRuns    int // start-to-ready measurements per database

	MySQLDSN string // a MariaDB/MySQL server (no database); "" skips it
	// ServiceEnv is added to the service's environment (KEY=VALUE), to
	// measure a candidate setting such as GOMEMLIMIT; empty for the record.
	ServiceEnv []string

	Self []string // how to run this binary's baseline subcommand: argv before its flags
	Log  io.Writer
}

// DefaultOptions add up to about a minute and a half of measuring.
func DefaultOptions() Options {
	return Options{
		Repo: ".", OutDir: "bench", Go: "go",
		Duration: 6 * time.Second, Warmup: 2 * time.Second, Settle: time.Second,
		Connections: 64, FloodClients: 16, Flood: 6 * time.Second,
		ProbeRate: 200, ProbeWorkers: 16, Rounds: 4, Cycles: 5, ReadyRuns: 7,
		MySQLDSN: "root@tcp(127.0.0.1:3306)/",
	}
}

const (
	benchAdmin = "benchadmin"
	benchUser  = "benchuser"
	issuer     = "seatide"
	// stopTimeout is the service's own shutdown_timeout plus a margin.
	stopTimeout = 20 * time.Second
)

// The targets of issue 10.
var (
	targetCheckRatio = &Target{Op: ">=", Value: 1.0, Unit: "x", Text: ">= 1.0x baseline req/s"}
	targetIdleRSS    = &Target{Op: "<=", Value: 21, Unit: "MiB", Text: "<= 21 MiB"}
	targetFloodRSS   = &Target{Op: "<=", Value: 64, Unit: "MiB", Text: "<= 64 MiB"}
	targetFloodP99   = &Target{Op: "<=", Value: 4, Unit: "x", Text: "<= 4x quiet p99"}
	targetReady      = &Target{Op: "<=", Value: 50, Unit: "ms", Text: "<= 50 ms (migrated SQLite)"}
)

const (
	servesCheck  = "token check >= 1.0x the bare baseline's req/s (64 connections)"
	servesReport = "reported figure (no target): req/s, p50, p99"
	servesIdle   = "idle RSS <= 21 MiB"
	servesFlood  = "RSS <= 64 MiB while 16 clients flood the login"
	servesProbe  = "flood does not raise concurrent check p99 above 4x quiet"
	servesReady  = "ready <= 50 ms on an already-migrated SQLite"
	servesNewOp  = "reported figure (no target): overhead of new/stop on a zero-latency simulator"
)

// harness is one run's state.
type harness struct {
	opt         Options
	tmp         string
	bin         string
	secret      string
	password    string
	res         *Results
	client      *http.Client
	probe       string // path polled for readiness: /readyz, or /api when /readyz is 404
	probeOK     readyCheck
	baselineURL string
	nstart      int
}

// Run measures everything and writes the results; an error means the
// harness itself could not run, not that a target was missed.
func Run(ctx context.Context, opt Options) (*Results, error) {
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	tmp, err := os.MkdirTemp("", "seatide-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	h := &harness{
		opt: opt, tmp: tmp, secret: randomHex(32), password: randomHex(12),
		res:    &Results{},
		client: &http.Client{Timeout: 30 * time.Second},
	}
	h.res.Environment = environment(ctx, opt)
	h.logf("building seatide")
	h.bin = filepath.Join(tmp, "seatide")
	if _, err := runTool(ctx, opt.Repo, os.Environ(), "", opt.Go, "build", "-o", h.bin, "./cmd/seatide"); err != nil {
		return nil, err
	}

	baseline, err := h.startBaseline(ctx)
	if err != nil {
		return nil, err
	}
	defer baseline.Stop(5 * time.Second)

	if err := h.runBackend(ctx, "sqlite", []string{
		"SEATIDE_DATABASE_DRIVER=sqlite", "SEATIDE_DATABASE_DSN=" + filepath.Join(tmp, "seatide.db"),
	}); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}

	dsn, drop, why := h.mysqlDatabase(ctx)
	h.res.Environment.MariaDB = why
	if dsn != "" {
		err := h.runBackend(ctx, "mysql", []string{"SEATIDE_DATABASE_DRIVER=mysql", "SEATIDE_DATABASE_DSN=" + dsn})
		drop()
		if err != nil {
			return nil, fmt.Errorf("mysql: %w", err)
		}
	}
	h.res.Notes = append(h.res.Notes,
		"The load generator (vegeta, in the harness process) shares the machine's CPUs with the server under test, for the service and the baseline alike.",
		"The baseline verifies the token exactly as the service's jwt adapter does (HS256, same secret, issuer, expiry) but looks nothing up: no user row, no token version (revocation), no group.",
		"RSS peak under flood is the highest VmRSS sampled every 10 ms during the login flood; VmHWM is the process's lifetime peak, reported beside it.",
	)
	h.res.Environment.LoadAvgEnd = loadAvg()
	if busy := h.res.Environment.LoadAvgStart; busy > float64(runtime.NumCPU())/2 {
		h.res.Notes = append(h.res.Notes, fmt.Sprintf("The machine was busy before the run (load average %.2f on %d CPUs): absolute figures are lower and noisier than on an idle machine; the paired check/baseline ratio is the most robust figure.", busy, runtime.NumCPU()))
	}
	if err := h.write(); err != nil {
		return nil, err
	}
	return h.res, nil
}

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
		Generator: "github.com/tsenart/vegeta/v12 v12.12.0 (library, in-process)",
		StartedAt: time.Now().UTC().Format(time.RFC3339),
		Settings: fmt.Sprintf("%v per throughput run, %d connections, %d login clients for %v, check probe %d req/s, %d new/stop cycles, %d ready runs",
			opt.Duration, opt.Connections, opt.FloodClients, opt.Flood, opt.ProbeRate, opt.Cycles, opt.ReadyRuns),
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

func (h *harness) startBaseline(ctx context.Context) (*process, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	if len(h.opt.Self) == 0 {
		return nil, errors.New("options: Self (how to run the baseline) is empty")
	}
	env := append(os.Environ(), "SEATIDE_BENCH_SECRET="+h.secret)
	args := append(append([]string(nil), h.opt.Self[1:]...), "baseline", "--listen", addr)
	p, err := startProcess("baseline", h.tmp, env, filepath.Join(h.tmp, "baseline.log"), h.opt.Self[0], args...)
	if err != nil {
		return nil, err
	}
	any := func(int, []byte) bool { return true }
	if _, err := waitReady(ctx, p, "http://"+addr+"/", any, 10*time.Second); err != nil {
		p.Stop(time.Second)
		return nil, err
	}
	h.baselineURL = "http://" + addr
	return p, nil
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

// runBackend measures the service on one database.
func (h *harness) runBackend(ctx context.Context, backend string, db []string) error {
	h.logf("%s: migrate, create users", backend)
	env := h.serviceEnv(db, "127.0.0.1:0")
	if _, err := runTool(ctx, h.tmp, env, "", h.bin, "migrate", "up"); err != nil {
		return err
	}
	for _, u := range []struct {
		name  string
		admin bool
	}{{benchAdmin, true}, {benchUser, false}} {
		args := []string{"user", "create", u.name, "--email", u.name + "@example.com"}
		if u.admin {
			args = append(args, "--admin")
		}
		if _, err := runTool(ctx, h.tmp, env, h.password+"\n", h.bin, args...); err != nil {
			return err
		}
	}

	svc, _, err := h.startService(ctx, db, "/api", apiAnswers)
	if err != nil {
		return err
	}
	defer svc.Stop(stopTimeout)
	if h.probe == "" {
		if err := h.chooseProbe(ctx, svc.base); err != nil {
			return err
		}
	}
	fig := func(id, name, serves string) Figure {
		return Figure{ID: backend + "." + id, Name: name, Backend: backend, Serves: serves}
	}
	if m, err := ReadMemory(svc.Pid()); err == nil {
		f := fig("rss.start", "RSS right after start, before any request", "context for idle RSS")
		f.Unit = "MiB"
		f.Note = fmt.Sprintf("%.1f MiB anonymous, %.1f MiB file pages", MiB(m.Anon), MiB(m.File))
		h.res.Add(f, MiB(m.RSS), nil)
	}

	adminTok, err := h.login(ctx, svc.base, benchAdmin)
	if err != nil {
		return err
	}
	userTok, err := h.login(ctx, svc.base, benchUser)
	if err != nil {
		return err
	}
	checkBody := mustJSON(map[string]string{"type": "check", "username": benchUser, "token": userTok})
	check := Load{Name: "check", Method: http.MethodPost, URL: svc.base + "/api/user/v1/auth", Body: checkBody,
		Workers: h.opt.Connections, Duration: h.opt.Duration, Want: answerOK}

	h.logf("%s: warm-up %v, then idle RSS", backend, h.opt.Warmup)
	warm := check
	warm.Duration = h.opt.Warmup
	Attack(ctx, warm)
	if err := h.settle(ctx); err != nil {
		return err
	}
	if m, err := ReadMemory(svc.Pid()); err == nil {
		f := fig("rss.idle", "idle RSS after start and warm-up", servesIdle)
		f.Unit = "MiB"
		f.Note = fmt.Sprintf("%.1f MiB anonymous, %.1f MiB file pages (the binary); warm-up: 2 logins, %v of check at %d connections, %v quiet",
			MiB(m.Anon), MiB(m.File), h.opt.Warmup, h.opt.Connections, h.opt.Settle)
		h.res.Add(f, MiB(m.RSS), targetIdleRSS)
	}

	// Token check against the baseline: alternating slices, so that a
	// change in what else the machine runs hits both sides alike.
	h.logf("%s: check vs baseline, %d connections, %v each in %d alternating slices", backend, h.opt.Connections, h.opt.Duration, h.opt.Rounds)
	bl := check
	bl.URL = h.baselineURL + "/api/user/v1/auth"
	svcS, blS := h.paired(ctx, check, bl)
	sum, bsum := svcS.Summary(), blS.Summary()
	h.addLoad(fig("baseline.check", "token check, bare net/http + jwx baseline", "the bar for "+servesCheck), bsum)
	h.addLoad(fig("check", "token check", servesCheck), sum)
	if sum.RPS > 0 && bsum.RPS > 0 {
		f := fig("check.ratio", "token check req/s / baseline req/s", servesCheck)
		f.Unit = "x"
		h.res.Add(f, sum.RPS/bsum.RPS, targetCheckRatio)
	}

	h.logf("%s: user get", backend)
	get := Load{Name: "get", Method: http.MethodPost, URL: svc.base + "/api/user/v1/action",
		Body:    mustJSON(map[string]string{"type": "get", "username": benchUser, "token": adminTok}),
		Workers: h.opt.Connections, Duration: h.opt.Duration, Want: []byte(`{"status": "ok", "data": {`)}
	h.addLoad(fig("get", "user get (admin token)", servesReport), Attack(ctx, get).Summary())

	h.logf("%s: get/server, no instance", backend)
	h.getServer(ctx, svc.base, fig("get_server.none", "get/server, no instance recorded", servesReport))

	if err := h.flood(ctx, svc, check, fig); err != nil {
		return err
	}
	h.logf("%s: new/stop x%d", backend, h.opt.Cycles)
	h.newStop(ctx, svc.base, adminTok, fig, func() {
		// The probe answer of a running instance comes from the cache: the
		// simulated server's loopback IP has no Minecraft on it, so the
		// cached answer is "offline", probed once per cache TTL.
		h.logf("%s: get/server, instance running", backend)
		h.getServer(ctx, svc.base, fig("get_server.running", "get/server, instance running (cached probe)", servesReport))
	})

	if m, err := ReadMemory(svc.Pid()); err == nil {
		f := fig("rss.hwm", "VmHWM at the end (lifetime peak RSS)", "context for the RSS targets")
		f.Unit = "MiB"
		h.res.Add(f, MiB(m.HWM), nil)
	}
	if err := svc.Stop(stopTimeout); err != nil {
		return err
	}

	h.logf("%s: start-to-ready x%d on %s", backend, h.opt.ReadyRuns, h.probe)
	var times []time.Duration
	for range h.opt.ReadyRuns {
		s, d, err := h.startService(ctx, db, h.probe, h.probeOK)
		if err != nil {
			return err
		}
		times = append(times, d)
		if err := s.Stop(stopTimeout); err != nil {
			return err
		}
	}
	f := fig("ready", "start-to-ready, median of "+fmt.Sprint(len(times)), servesReady)
	f.Unit = "ms"
	f.Note = fmt.Sprintf("exec to first good answer of GET %s; runs: %s", h.probe, msList(times))
	t := targetReady
	if backend != "sqlite" {
		t, f.Serves = nil, "reported figure (the target is for SQLite)"
	}
	h.res.Add(f, ms(Median(times)), t)
	return nil
}

// paired runs a and b in Rounds alternating slices of Duration/Rounds
// each, a first in even rounds, b first in odd ones.
func (h *harness) paired(ctx context.Context, a, b Load) (Sample, Sample) {
	rounds := max(h.opt.Rounds, 1)
	a.Duration = h.opt.Duration / time.Duration(rounds)
	b.Duration = a.Duration
	var sa, sb Sample
	for i := range rounds {
		if i%2 == 0 {
			sa.Merge(Attack(ctx, a))
			sb.Merge(Attack(ctx, b))
		} else {
			sb.Merge(Attack(ctx, b))
			sa.Merge(Attack(ctx, a))
		}
	}
	return sa, sb
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

// addLoad records req/s, p50 and p99 of one attack.
func (h *harness) addLoad(base Figure, s Summary) {
	note := fmt.Sprintf("%d answers", s.Requests)
	if s.Errors > 0 {
		note = fmt.Sprintf("%d of %d answers wrong, first: %s", s.Errors, s.Requests, s.FirstError)
	}
	if s.Requests == s.Errors {
		h.res.Missing(withUnit(base, ".rps", " req/s", "req/s"), nil, "failed", note)
		return
	}
	f := withUnit(base, ".rps", " req/s", "req/s")
	f.Note = note
	h.res.Add(f, s.RPS, nil)
	h.res.Add(withUnit(base, ".p50", " p50", "ms"), ms(s.P50), nil)
	h.res.Add(withUnit(base, ".p99", " p99", "ms"), ms(s.P99), nil)
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

// getServer loads GET /api/server/v1/get/server, or records that the route
// does not exist yet.
func (h *harness) getServer(ctx context.Context, base string, f Figure) {
	url := base + "/api/server/v1/get/server"
	code, body, err := h.get(ctx, url)
	switch {
	case err != nil:
		h.res.Missing(withUnit(f, ".rps", " req/s", "req/s"), nil, "failed", err.Error())
		return
	case code == http.StatusOK && bytes.Contains(body, []byte(`"NOT_FOUND"`)):
		h.res.Missing(withUnit(f, ".rps", " req/s", "req/s"), nil, "not served yet", "the route answers NOT_FOUND")
		return
	case code != http.StatusOK || !bytes.HasPrefix(body, []byte(`{"status": "ok"`)):
		h.res.Missing(withUnit(f, ".rps", " req/s", "req/s"), nil, "failed", fmt.Sprintf("HTTP %d %.120q", code, body))
		return
	}
	h.addLoad(f, Attack(ctx, Load{Name: "get/server", Method: http.MethodGet, URL: url,
		Workers: h.opt.Connections, Duration: h.opt.Duration, Want: []byte(`{"status": "ok"`)}).Summary())
}

// flood measures check at a fixed rate alone, then again while
// FloodClients log in as fast as they can, sampling the RSS meanwhile.
func (h *harness) flood(ctx context.Context, svc *service, check Load, fig func(id, name, serves string) Figure) error {
	probe := check
	probe.Name, probe.Rate, probe.Workers, probe.Duration = "check-probe", h.opt.ProbeRate, h.opt.ProbeWorkers, h.opt.Flood
	h.logf("%s: quiet check probe, %d req/s, %v", svc.base, probe.Rate, probe.Duration)
	quiet := Attack(ctx, probe).Summary()

	login := Load{Name: "login", Method: http.MethodPost, URL: svc.base + "/api/user/v1/auth",
		Body:    mustJSON(map[string]string{"type": "auth", "username": benchUser, "password": h.password}),
		Workers: h.opt.FloodClients, Duration: h.opt.Flood, Want: []byte(`{"status": "ok", "data": "`)}
	h.logf("%s: login flood, %d clients, with the probe", svc.base, login.Workers)
	var wg sync.WaitGroup
	var loud, logins Summary
	floodDone := make(chan struct{})
	wg.Add(2)
	go func() { defer wg.Done(); loud = Attack(ctx, probe).Summary() }()
	go func() { defer wg.Done(); logins = Attack(ctx, login).Summary(); close(floodDone) }()
	var peak int64
	var samples int
	tick := time.NewTicker(10 * time.Millisecond)
sample:
	for {
		if m, err := ReadMemory(svc.Pid()); err == nil {
			peak = max(peak, m.RSS)
			samples++
		}
		select {
		case <-floodDone:
			break sample
		case <-tick.C:
		}
	}
	tick.Stop()
	wg.Wait()
	// Quiet again after the flood; the quieter of the two is the reference,
	// so that other work on the machine cannot make the flood look harmless.
	if again := Attack(ctx, probe).Summary(); again.Requests > again.Errors && again.P99 < quiet.P99 {
		quiet = again
	}

	h.addLoad(fig("auth", "auth (login), "+fmt.Sprint(h.opt.FloodClients)+" clients", servesReport), logins)
	if samples > 0 {
		f := fig("rss.flood", "RSS peak during the login flood", servesFlood)
		f.Unit = "MiB"
		f.Note = fmt.Sprintf("%d samples", samples)
		h.res.Add(f, MiB(peak), targetFloodRSS)
	}
	h.addLoad(fig("check.quiet", fmt.Sprintf("check at %d req/s, quiet (the better of before and after the flood)", probe.Rate), servesProbe), quiet)
	h.addLoad(fig("check.flood", fmt.Sprintf("check at %d req/s, during the flood", probe.Rate), servesProbe), loud)
	if quiet.P99 > 0 && loud.Requests > loud.Errors {
		f := fig("check.flood.ratio", "check p99 during flood / quiet p99", servesProbe)
		f.Unit = "x"
		if quiet.P50 > 0 && quiet.P99 > 20*quiet.P50 {
			f.Note = fmt.Sprintf("unreliable: the quiet p99 is %.0fx its p50, so other work on the machine disturbed even the quiet runs", float64(quiet.P99)/float64(quiet.P50))
		}
		h.res.Add(f, float64(loud.P99)/float64(quiet.P99), targetFloodP99)
	}
	return nil
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
		f := fig(r.id, r.name+", median", servesNewOp)
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

// write puts results.json and results.md into OutDir.
func (h *harness) write() error {
	if err := os.MkdirAll(h.opt.OutDir, 0o755); err != nil {
		return err
	}
	js, err := h.res.JSON()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(h.opt.OutDir, "results.json"), js, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(h.opt.OutDir, "results.md"), []byte(h.res.Markdown()), 0o644)
}
