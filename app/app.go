package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/seatidemc/seatide/adapters/console"
	"github.com/seatidemc/seatide/adapters/ecssim"
	httpadapter "github.com/seatidemc/seatide/adapters/http"
	"github.com/seatidemc/seatide/adapters/jwt"
	"github.com/seatidemc/seatide/adapters/mcping"
	"github.com/seatidemc/seatide/adapters/password"
	"github.com/seatidemc/seatide/adapters/prom"
	"github.com/seatidemc/seatide/adapters/sqlstore"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/billing"
	"github.com/seatidemc/seatide/domain/frontdoor"
	"github.com/seatidemc/seatide/domain/instances"
	"github.com/seatidemc/seatide/domain/users"
	"github.com/seatidemc/seatide/ports"
)

// App is one seatide process: its stores, services and HTTP server.
type App struct {
	cfg       Config
	log       *slog.Logger
	clock     ports.Clock
	db        *sqlstore.DB
	cloud     *cloud
	users     *users.Service
	instances *instances.Service
	billing   *billing.Service
	srv       *http.Server
	ln        net.Listener
	metrics   *prom.Metrics
	// metricsSrv serves /metrics on its own listener when metrics.listen
	// is set; nil otherwise.
	metricsSrv *http.Server
	metricsLn  net.Listener
	// account is /readyz's cheap preflight check of the cloud account.
	account *accountReadiness
	events  *eventParts
	// door is the front door (frontdoor.listen); nil when off.
	door *door
}

// New opens the database, applies migrations when configured to, and
// wires the services. It does not listen yet.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	a := &App{cfg: cfg, log: log, clock: cfg.Clock}
	if a.clock == nil {
		a.clock = ports.SystemClock{}
	}
	// A registry per App, never the global one: two Apps in one test
	// process count apart.
	reg := prometheus.NewRegistry()
	metrics, err := prom.New(reg)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	a.metrics = metrics
	secret := []byte(cfg.Secret)
	switch {
	case len(secret) == 0:
		secret = make([]byte, 32)
		_, _ = rand.Read(secret)
		log.Warn("NO SECRET CONFIGURED: using a random one for this process only; every token dies when it stops. Set `secret` (32+ bytes) before real use.")
	case len(secret) < minSecretLen:
		// Production refuses it (ErrWeakSecret); development only warns.
		log.Warn(fmt.Sprintf("secret is %d bytes: a short secret can be guessed and tokens forged; use 32+ bytes (e.g. `openssl rand -hex 32`). Production mode refuses it.", len(secret)))
	}
	db, err := openDB(ctx, cfg, a.clock)
	if err != nil {
		return nil, err
	}
	a.db = db
	if err := a.prepareSchema(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	tokens, err := jwt.New(jwt.Options{Secret: secret, Issuer: "seatide", Clock: a.clock})
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	simCfg := cfg.Sim
	simCfg.trafficGBPerHour, simCfg.trafficPricePerGB = cfg.Budget.TrafficGBPerHour, cfg.Budget.TrafficPricePerGB
	if a.cloud, err = openCloud(cfg.ECS, cfg.Info, simCfg, simMinecraft(cfg), cfg.Frontdoor, log, metrics); err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := resolveVSwitches(ctx, &cfg.ECS, a.cloud.network); err != nil {
		a.cloud.Close()
		_ = db.Close()
		return nil, err
	}
	icfg, err := instancesConfig(cfg)
	if err != nil {
		a.cloud.Close()
		_ = db.Close()
		return nil, err
	}
	if icfg.ProcessID == "" {
		icfg.ProcessID = newProcessID() // the instance monitors and the webhook deliverer hold leases as one process
	}
	if a.events, err = wireEvents(ctx, cfg, db, a.clock, icfg.ProcessID, log, reg); err != nil {
		a.cloud.Close()
		_ = db.Close()
		return nil, err
	}
	a.instances = instances.New(instances.Deps{
		Cloud: a.cloud, Store: db.Instances(), History: db.History(), Leases: db.Leases(), Ledger: db.Ledger(),
		Probe: mcping.New(mcping.Options{Timeout: cfg.Minecraft.Timeout}), Clock: a.clock, Log: log.With("component", "instances"),
		Observer: metrics, Bills: a.cloud.billing, Events: a.events.bus, Snapshots: a.cloud.snaps, Backups: db.Backups(),
	}, icfg)
	bursts := newHashBursts(cfg.Users.MaxConcurrentHashes, cfg.serving)
	hasher := password.New(password.Options{
		Params:        cfg.PasswordParams,
		MaxConcurrent: cfg.Users.MaxConcurrentHashes,
		Background:    true,
		Start:         bursts.started,
		Done:          bursts.done,
	})
	a.users = users.New(db.Users(), fairHasher(cfg, hasher), tokens, a.clock, usersOptions(cfg, db, a.clock))
	for _, d := range cfg.Deprecations() {
		log.Warn("deprecated configuration", "detail", d)
	}
	if cfg.Production && cfg.Users.Signup == domain.SignupOpen {
		log.Warn("users.signup is open: anyone on the internet can create an account that starts billed servers and reads the account's money; use approval unless you run the original web UI")
	}
	a.billing = billing.New(a.cloud.billing, billing.Options{OpenReads: cfg.V1.OpenReads, MaxPages: cfg.Info.MaxPages})
	checker, err := newChecker(cfg, a.cloud)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.account = &accountReadiness{checker: checker, now: a.clock.Now}
	if a.door, err = a.openDoor(reg, a.cloud.dns); err != nil {
		a.Close()
		return nil, err
	}
	var metricsRoute http.Handler
	if cfg.Metrics.Listen == "" {
		metricsRoute = prom.Handler(reg)
	} else {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", prom.Handler(reg))
		a.metricsSrv = &http.Server{
			Handler:           mux,
			ReadHeaderTimeout: 10 * time.Second,
			WriteTimeout:      30 * time.Second,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		}
	}
	api := httpadapter.New(httpadapter.Options{
		Users:          a.users,
		Instances:      a.instances,
		Billing:        a.billing,
		Backups:        a.instances,
		Logger:         log,
		AllowedOrigins: cfg.CORS.AllowedOrigins,
		Checks:         a.readinessChecks(),
		ObserveRequest: metrics.ObserveRequest,
		Metrics:        metricsRoute,
		Console:        consoleHandler(cfg),
		SecureCookies:  cfg.Production,
		Settings:       func() any { return cfg.Settings() },
		ClientAddr:     clientAddrOptions(cfg),
		Accounts:       a.users,
		Events:         a.events.hub,
		Webhooks:       a.events.status,
		SSEHeartbeat:   cfg.Events.Heartbeat,
		Minecraft:      frontdoor.NewNames(db.MinecraftNames()),
	})
	a.srv = &http.Server{
		Handler:           api,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		// Not per request: keep-alive connections close rarely.
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateClosed || st == http.StateHijacked {
				bursts.done()
			}
		},
	}
	return a, nil
}

// consoleHandler serves the embedded web console unless console.enabled is
// off (an operator who serves the original web UI at / instead).
func consoleHandler(cfg Config) http.Handler {
	if !cfg.Console.Enabled {
		return nil
	}
	return console.Handler()
}

func openDB(ctx context.Context, cfg Config, clock ports.Clock) (*sqlstore.DB, error) {
	d := cfg.Database
	db, err := sqlstore.Open(ctx, sqlstore.Config{
		Driver:          d.Driver,
		DSN:             d.DSN,
		MaxOpenConns:    d.MaxOpenConns,
		MaxIdleConns:    d.MaxIdleConns,
		ConnMaxLifetime: d.ConnMaxLifetime,
		QueryTimeout:    d.QueryTimeout,
		Clock:           clock,
	})
	if err != nil {
		return nil, fmt.Errorf("database (%s): %w", d.Driver, err)
	}
	return db, nil
}

// prepareSchema migrates when auto_migrate is on, and otherwise refuses to
// run on a schema older than the binary.
func (a *App) prepareSchema(ctx context.Context) error {
	if *a.cfg.Database.AutoMigrate {
		applied, err := a.db.ApplyMigrations(ctx)
		if err != nil {
			return fmt.Errorf("migrating the database: %w", err)
		}
		if len(applied) > 0 {
			a.log.Info("migrations applied", "files", applied)
		} else {
			a.log.Info("schema up to date: no migration to apply")
		}
		return nil
	}
	pending, err := a.db.MigrationsPending(ctx)
	if err != nil {
		return fmt.Errorf("reading the schema version: %w", err)
	}
	if pending {
		return errors.New("the database schema is behind this binary: run `seatide migrate up` (or set database.auto_migrate)")
	}
	return nil
}

// Listen binds the configured address; ":0" picks a free port.
func (a *App) Listen() error {
	ln, err := net.Listen("tcp", a.cfg.Listen)
	if err != nil {
		return listenError("listen", a.cfg.Listen, err)
	}
	a.ln = ln
	if a.metricsSrv != nil {
		mln, err := net.Listen("tcp", a.cfg.Metrics.Listen)
		if err != nil {
			_ = ln.Close()
			return listenError("metrics.listen", a.cfg.Metrics.Listen, err)
		}
		a.metricsLn = mln
	}
	if a.door != nil {
		if err := a.door.listen(); err != nil {
			_ = ln.Close()
			if a.metricsLn != nil {
				_ = a.metricsLn.Close()
			}
			return err
		}
	}
	return nil
}

// listenError names the key that chose the address, and for a busy one
// says how to choose another.
func listenError(key, addr string, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%s: %s is already in use (another seatide still running?): stop that process, or set another address with the %s key (SEATIDE_%s)",
			key, addr, key, strings.ToUpper(strings.ReplaceAll(key, ".", "_")))
	}
	return fmt.Errorf("%s: %s: %w", key, addr, err)
}

// Addr is where the service listens, once Listen has run.
func (a *App) Addr() string { return a.ln.Addr().String() }

// MetricsAddr is where /metrics has its own listener, or "" when it is
// served on Addr.
func (a *App) MetricsAddr() string {
	if a.metricsLn == nil {
		return ""
	}
	return a.metricsLn.Addr().String()
}

// Users is the user service, for the command line.
func (a *App) Users() *users.Service { return a.users }

// Run serves until ctx ends, then stops taking requests and lets in-flight
// ones finish within shutdown_timeout.
func (a *App) Run(ctx context.Context) error {
	// Beat before serving, so no operation of ours ever looks abandoned.
	if err := a.instances.Heartbeat(ctx); err != nil {
		a.log.Warn("first heartbeat", "err", err)
	}
	mctx, stopMonitors := context.WithCancel(context.WithoutCancel(ctx))
	monitors := make(chan struct{})
	go func() {
		defer close(monitors)
		a.instances.RunMonitors(mctx)
	}()
	defer func() {
		stopMonitors()
		<-monitors
	}()
	// Live readers and webhooks; event streams end when shutdown starts,
	// or Shutdown would wait for them until its timeout.
	ectx, stopEvents := context.WithCancel(context.WithoutCancel(ctx))
	waitEvents := a.events.run(ectx)
	a.srv.RegisterOnShutdown(stopEvents)
	defer func() {
		stopEvents()
		waitEvents()
	}()
	if a.door != nil {
		dctx, stopDoor := context.WithCancel(context.WithoutCancel(ctx))
		doorDone := make(chan error, 1)
		go func() { doorDone <- a.door.run(dctx) }()
		defer func() {
			stopDoor()
			if err := <-doorDone; err != nil {
				a.log.Error("frontdoor", "err", err)
			}
		}()
	}

	servers := []struct {
		srv *http.Server
		ln  net.Listener
	}{{a.srv, a.ln}}
	if a.metricsSrv != nil {
		servers = append(servers, struct {
			srv *http.Server
			ln  net.Listener
		}{a.metricsSrv, a.metricsLn})
	}
	errc := make(chan error, len(servers))
	for _, s := range servers {
		go func() { errc <- s.srv.Serve(s.ln) }()
	}
	var failed error
	select {
	case failed = <-errc: // one listener died: stop the others too
	case <-ctx.Done():
	}
	a.log.Info("shutting down", "timeout", a.cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	var errs []error
	for _, s := range servers {
		if err := s.srv.Shutdown(sctx); err != nil {
			errs = append(errs, fmt.Errorf("shutdown: %w", err))
		}
	}
	pending := len(servers)
	if failed != nil {
		pending--
		errs = append(errs, failed)
	}
	for range pending {
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Instances is the instance service.
func (a *App) Instances() *instances.Service { return a.instances }

// Simulator is the in-process ECS simulator, or nil on a real cloud.
func (a *App) Simulator() *ecssim.Server { return a.cloud.sim }

// Close ends background operations at their next step, then releases the
// cloud and the database; call it after Run returns.
func (a *App) Close() error {
	a.instances.Close()
	a.events.bus.Close() // stores what the services emitted last
	a.cloud.Close()
	return a.db.Close()
}

// Serve is `seatide serve`: run until ctx ends, telling out where it
// listens once it is ready.
func Serve(ctx context.Context, cfg Config, log *slog.Logger, out io.Writer) (err error) {
	applyMemoryLimit(cfg.MemoryLimit, log)
	cfg.serving = true
	if cfg.File != "" {
		log.Info("configuration", "file", cfg.File)
	} else {
		log.Info("configuration", "file", "none (defaults and SEATIDE_* variables)")
	}
	log.Info("database", "driver", cfg.Database.Driver, "at", sqlstore.Location(cfg.Database.Driver, cfg.Database.DSN))
	a, err := New(ctx, cfg, log)
	if err != nil {
		return err
	}
	started := time.Now()
	defer func() {
		if cerr := a.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			log.Error("stopped", "err", err, "uptime", time.Since(started).Round(time.Second))
			return
		}
		log.Info("stopped", "uptime", time.Since(started).Round(time.Second))
	}()
	if err := a.Listen(); err != nil {
		return err
	}
	mode := "development"
	if cfg.Production {
		mode = "production"
	}
	metricsAt := "http://" + a.Addr() + "/metrics"
	if a.MetricsAddr() != "" {
		metricsAt = "http://" + a.MetricsAddr() + "/metrics"
	}
	log.Info("ready", "addr", a.Addr(), "mode", mode, "database", cfg.Database.Driver, "metrics", metricsAt,
		"frontdoor", a.FrontdoorAddr())
	fmt.Fprintf(out, "seatide listening on http://%s\n", a.Addr())
	// Once the first heartbeat and monitor rounds have run, what start-up
	// alone touched of the binary can go. Only serve does it: it is
	// process-wide.
	release := time.AfterFunc(startupPagesAfter, func() { releaseStartupPages(log) })
	defer release.Stop()
	return a.Run(ctx)
}

// startupPagesAfter is how long after ready serve releases the pages of
// the binary that start-up touched (see releaseStartupPages).
const startupPagesAfter = 2 * time.Second

// applyMemoryLimit sets the Go runtime's soft memory limit for a serving
// process, so a flood of logins (7 MiB per password hash) is collected
// before it doubles the heap. GOMEMLIMIT, when set, wins; 0 leaves the
// runtime's default (none). Only serve sets it: it is process-wide.
func applyMemoryLimit(limit int64, log *slog.Logger) {
	if os.Getenv("GOMEMLIMIT") != "" || limit <= 0 {
		return
	}
	debug.SetMemoryLimit(limit)
	log.Debug("memory limit", "bytes", limit)
}
