package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// Options are the harness's settings; cmd/seatide-bench fills them from flags.
type Options struct {
	Repo   string // the module root, where the seatide binary is built
	OutDir string // where results.json and results.md are written
	Go     string // the go command

	Slice        time.Duration // each side's turn in the alternated check runs
	Rounds       int           // check and baseline alternate this many times (each a Slice)
	Warmup       time.Duration // load before the idle RSS is read
	Settle       time.Duration // quiet time before an RSS reading
	Connections  int           // wrk connections for check, get and get/server
	Users        int           // accounts made for the check mix
	TokensPerUse int           // live tokens per account (the hot set)
	ColdPercent  int           // checks carrying a token never seen before
	FloodClients int           // concurrent logins in the flood
	Flood        time.Duration // the quiet probe run and the flood each last this long
	ProbeRate    int           // check req/s beside the flood (and alone, for quiet)
	Cycles       int           // new/stop/delete rounds
	ReadyRuns    int           // start-to-ready measurements (service and baseline alternated)

	MySQLDSN string // a MariaDB/MySQL server (no database); "" skips it
	// ServiceEnv is added to the service's environment (KEY=VALUE), to
	// measure a candidate setting such as GOMEMLIMIT; empty for the record.
	ServiceEnv []string

	Self []string // how to run this binary's baseline subcommand: argv before its flags
	Log  io.Writer
}

// DefaultOptions add up to about four minutes with MariaDB.
func DefaultOptions() Options {
	return Options{
		Repo: ".", OutDir: filepath.Join("bench", "out"), Go: "go",
		Slice: 4 * time.Second, Rounds: 6, Warmup: 2 * time.Second, Settle: 2 * time.Second,
		Connections: 64, Users: 100, TokensPerUse: 3, ColdPercent: 10,
		FloodClients: 16, Flood: 6 * time.Second, ProbeRate: 200,
		Cycles: 3, ReadyRuns: 9,
		MySQLDSN: "root@tcp(127.0.0.1:3306)/",
	}
}

const (
	benchAdmin = "benchadmin"
	issuer     = "seatide"
	// stopTimeout is the service's own shutdown_timeout plus a margin.
	stopTimeout = 20 * time.Second
)

// The targets of issue 21.
var (
	targetCheckRatio = &Target{Op: ">=", Value: 1.0, Unit: "x", Text: "check req/s >= 1.0x the baseline's"}
	targetCheckP99   = &Target{Op: "<=", Value: 1.0, Unit: "x", Text: "check p99 <= the baseline's"}
	targetLogins     = &Target{Op: ">=", Value: 60, Unit: "req/s", Text: ">= 60 logins/s (2x the peer's ~30) with 16 clients"}
	targetFloodRSS   = &Target{Op: "<=", Value: 64, Unit: "MiB", Text: "RSS <= 64 MiB in the login flood"}
	targetFloodP99   = &Target{Op: "<=", Value: 4, Unit: "x", Text: "check p99 in the flood <= 4x quiet"}
	targetIdleRSS    = &Target{Op: "<=", Value: 21, Unit: "MiB", Text: "idle RSS <= 21 MiB"}
	targetReady      = &Target{Op: "<=", Value: 1.5, Unit: "x", Text: "start to ready <= 1.5x the baseline's"}
)

// harness is one run's state.
type harness struct {
	opt      Options
	tmp      string
	bin      string
	secret   string
	password string
	res      *Results
	client   *http.Client
	wrk      *generator
	probe    string // path polled for readiness: /readyz, or /api when /readyz is 404
	probeOK  readyCheck
	nstart   int

	baseline    *process
	baselineURL string
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
	g, note, err := findWrk(ctx, tmp, opt.Log)
	if err != nil {
		return nil, err
	}
	h.wrk, h.res.Environment.Generator = g, note
	h.logf("building seatide")
	h.bin = filepath.Join(tmp, "seatide")
	// As make build builds it.
	if _, err := runTool(ctx, opt.Repo, append(os.Environ(), "CGO_ENABLED=0"), "", opt.Go, "build", "-o", h.bin, "./cmd/seatide"); err != nil {
		return nil, err
	}

	baseline, url, _, err := h.startBaseline(ctx)
	if err != nil {
		return nil, err
	}
	defer baseline.Stop(5 * time.Second)
	h.baseline, h.baselineURL = baseline, url

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
		"Load: wrk, a process of its own, for every throughput run; the fixed-rate check probe beside the login flood is the harness's own (200 req/s, latency counted from when each request was due).",
		fmt.Sprintf("Check mix: %d accounts with %d live tokens each (picked at random), and %d%% of checks carrying a token the service has never seen (each sent once: a verification-cache miss by construction), so at most %d%% of checks can hit the token cache. Tokens are signed by the harness with the service's secret, exactly as the service signs them.", opt.Users, opt.TokensPerUse, opt.ColdPercent, 100-opt.ColdPercent),
		"The baseline is a bare net/http handler that parses and verifies every token with jwx/v2 (HS256, issuer, expiry, subject) and looks nothing up: no user, no revocation, no cache.",
		fmt.Sprintf("Check and baseline alternate in %d rounds of %v each (the first side alternates too); the ratio is the median of the rounds' ratios, req/s and p99 are over all rounds.", opt.Rounds, opt.Slice),
		"RSS figures are /proc/PID/status VmRSS, split into anonymous memory (RssAnon: heap, stacks) and file pages (RssFile: the binary's code and data as read from disk); the flood's peak is the highest of samples every 10 ms. seatide serve drops its mappings of the binary 2 s after ready (start-up's pages; what serving touches is mapped back) and returns free heap a second after a burst of logins or connections ends: the idle figure is read after the warm-up's connections closed and a quiet pause.",
		"The service runs as `make run` runs it: SQLite file (or a throwaway MariaDB database), the ECS simulator in the same process (no access key), a static binary (CGO_ENABLED=0, as make build).",
	)
	h.res.Environment.LoadAvgEnd = loadAvg()
	if busy := max(h.res.Environment.LoadAvgStart, h.res.Environment.LoadAvgEnd); busy > float64(runtime.NumCPU())/2 {
		h.res.Notes = append(h.res.Notes, fmt.Sprintf("The machine was busy (load average up to %.2f on %d CPUs): absolute figures are lower and noisier than on an idle machine; the alternated ratios are the most robust figures.", busy, runtime.NumCPU()))
	}
	if err := h.write(); err != nil {
		return nil, err
	}
	return h.res, nil
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
