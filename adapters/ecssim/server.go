package ecssim

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// actionFunc handles one API action. It runs with s.mu held and returns the
// response body without RequestId (added by the dispatcher).
type actionFunc func(s *Simulator, c *call) (map[string]any, error)

// product is one API version served at the same endpoint, selected by the
// x-acs-version header. ECS is 2014-05-26; BSS (2017-12-14) can be added by
// another file returning its own product and listing it in products().
type product struct {
	version string
	name    string // as in the Recommend link, e.g. "Ecs"
	hostID  string
	actions map[string]actionFunc
	// idempotent lists actions whose ClientToken makes retries return the
	// first result.
	idempotent map[string]bool
}

// products lists the APIs the simulator speaks.
func (s *Simulator) products() []product {
	return []product{ecsProduct(s.opts.RegionID), bssProduct(), vpcProduct(s.opts.RegionID), alidnsProduct()}
}

// Simulator is an in-process Aliyun ECS endpoint. It implements http.Handler:
// RPC calls on any path other than /_sim/, the admin API under /_sim/.
type Simulator struct {
	opts   Options
	log    *slog.Logger
	apis   map[string]product
	admin  http.Handler
	ipBase netip.Addr
	idTag  string // random per-simulator part of resource IDs

	mu          sync.Mutex
	closed      bool
	seq         uint64 // resource ID counter
	reqSeq      uint64
	lastIP      netip.Addr // last public IP handed out
	instances   map[string]*instance
	order       []string // instance IDs in creation order
	commands    map[string]*command
	invocations map[string]*invocation
	invOrder    []string
	tokens      map[string]tokenEntry
	nonces      map[string]time.Time
	soldOut     map[Offer]bool
	prices      map[Offer]float64
	cmdResult   CommandResult
	faults      map[string][]*Fault
	latency     map[string]time.Duration
	mcTemplate  MinecraftState // the state new instances' servers start in
	network     *Network       // vSwitches, security groups, images
	// visibility is how long a new instance or invocation stays invisible
	// to the Describe calls, and a create retried with its ClientToken
	// answers LastTokenProcessing (POST /_sim/visibility).
	visibility time.Duration

	disks         map[string]*disk     // disks.go
	snapshots     map[string]*snapshot // disks.go
	snapOrder     []string             // snapshot IDs in creation order
	failSnapshots int                  // the next snapshots that end failed
	snapshotQuota int                  // manual snapshots per disk

	mcWG sync.WaitGroup // the fake Minecraft servers' goroutines
	bss  ledger
	// spotPrices are the market prices set by SetSpotPrice, oldest first.
	spotPrices map[Offer][]pricePoint

	dnsRecords []DNSRecord // Alidns records of Options.DNSDomains (alidns.go)
}

type tokenEntry struct {
	fingerprint string
	resp        map[string]any
	doneAt      time.Time // before it, a retry answers LastTokenProcessing
}

// New returns a simulator configured by opts (see Options for defaults).
func New(opts Options) *Simulator {
	opts = opts.withDefaults()
	s := &Simulator{
		opts:        opts,
		log:         opts.Logger,
		apis:        map[string]product{},
		idTag:       randomHex(3),
		instances:   map[string]*instance{},
		commands:    map[string]*command{},
		invocations: map[string]*invocation{},
		tokens:      map[string]tokenEntry{},
		nonces:      map[string]time.Time{},
		soldOut:     map[Offer]bool{},
		prices:      map[Offer]float64{},
		cmdResult:   *opts.CommandResult,
		faults:      map[string][]*Fault{},
		latency:     map[string]time.Duration{},
		spotPrices:  map[Offer][]pricePoint{},
		disks:       map[string]*disk{},
		snapshots:   map[string]*snapshot{},
	}
	s.bss.tags = map[string][]Tag{}
	s.snapshotQuota = opts.SnapshotQuota
	if opts.Minecraft != nil {
		s.mcTemplate = opts.Minecraft.Initial.clone()
	}
	if opts.Network != nil {
		s.network = opts.Network.clone()
	} else {
		s.network = DefaultNetwork(opts.Zones)
	}
	s.ipBase = parseIPBase(opts.IPBase, s.log)
	s.lastIP = s.ipBase
	for _, p := range s.products() {
		s.apis[p.version] = p
	}
	for _, o := range opts.SoldOut {
		s.soldOut[o] = true
	}
	for o, p := range opts.Prices {
		s.prices[o] = p
	}
	if initial, err := parseMoney(opts.InitialBalance); err != nil || initial < 0 {
		s.log.Warn("ecssim: InitialBalance must be a non-negative amount; using the default", "InitialBalance", opts.InitialBalance)
		opts.InitialBalance = DefaultInitialBalance
	}
	initial, _ := parseMoney(opts.InitialBalance)
	start := s.now()
	s.bss.settled = start.Truncate(time.Hour)
	if initial > 0 {
		s.addTxn(start, FlowIncome, "Deposit", "Recharge", initial, start)
	}
	s.admin = s.adminHandler()
	return s
}

// Credentials returns the accepted AccessKey pair.
func (s *Simulator) Credentials() (accessKeyID, accessKeySecret string) {
	return s.opts.AccessKeyID, s.opts.AccessKeySecret
}

// RegionID returns the region the simulator serves.
func (s *Simulator) RegionID() string { return s.opts.RegionID }

// Close makes later API calls fail with ServiceUnavailable and stops the
// fake Minecraft servers, returning once their goroutines have ended.
// Transitions are evaluated lazily, so there are no timers to stop.
func (s *Simulator) Close() {
	s.mu.Lock()
	s.closed = true
	for _, in := range s.instances {
		s.closeMinecraft(in)
	}
	s.mu.Unlock()
	s.mcWG.Wait()
}

func (s *Simulator) now() time.Time { return s.opts.Now().UTC() }

// ServeHTTP serves the RPC API and, under /_sim/, the admin API.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sim/") || r.URL.Path == "/_sim" {
		s.admin.ServeHTTP(w, r)
		return
	}
	action := r.Header.Get("x-acs-action")
	version := r.Header.Get("x-acs-version")
	if s.opts.OnCall != nil {
		s.opts.OnCall(action)
	}
	s.wait(r.Context(), s.opts.Latency+s.actionLatency(action))

	s.mu.Lock()
	s.reqSeq++
	reqID := fmt.Sprintf("%08X-5EC5-4A1D-8000-%012X", uint32(s.reqSeq>>32), s.reqSeq)
	s.mu.Unlock()

	p := s.apis[version]
	resp, err := s.handle(r, p, action, version, reqID)
	status := http.StatusOK
	if err != nil {
		ae, ok := err.(*apiError)
		if !ok {
			ae = newErr(http.StatusInternalServerError, "InternalError", "%v", err)
		}
		status = ae.Status
		host := p.hostID
		if host == "" {
			host = r.Host
		}
		resp = map[string]any{
			"Code":      ae.Code,
			"Message":   ae.Message,
			"HostId":    host,
			"Recommend": "https://api.aliyun.com/troubleshoot?q=" + ae.Code + "&product=" + orDefault(p.name, "Ecs"),
		}
	}
	resp["RequestId"] = reqID
	s.log.Debug("ecssim call", "action", action, "status", status, "code", resp["Code"], "request_id", reqID)
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.Header().Set("x-acs-request-id", reqID)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(resp)
}

// handle authenticates, applies injected faults and dispatches one call.
func (s *Simulator) handle(r *http.Request, p product, action, version, reqID string) (map[string]any, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, newErr(http.StatusBadRequest, "InvalidParameter", "cannot read body: %v", err)
	}
	q := r.URL.Query()
	if r.Header.Get("Content-Type") == "application/x-www-form-urlencoded" {
		// The SDK puts RPC parameters in the query, but a form body is legal too.
		if form, err := parseForm(body); err == nil {
			for k, v := range form {
				q[k] = v
			}
		}
	}
	if err := s.authenticate(r, body); err != nil {
		return nil, err
	}
	if version == "" {
		return nil, errMissing("Version")
	}
	if p.actions == nil {
		return nil, newErr(http.StatusBadRequest, "InvalidVersion", "Specified parameter Version is not valid: %q.", version)
	}
	if action == "" {
		return nil, errMissing("Action")
	}
	fn := p.actions[action]
	if fn == nil {
		return nil, newErr(http.StatusNotFound, "InvalidAction.NotFound",
			"Specified api is not found, please check your url and method: %s.", action)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errUnavailable()
	}
	if err := s.takeFault(action); err != nil {
		return nil, err
	}
	c := &call{action: action, version: version, q: q, now: s.now(), requestID: reqID}
	s.reclaimDue(c.now)
	if rid := c.str("RegionId"); rid != "" && rid != s.opts.RegionID {
		return nil, newErr(http.StatusNotFound, "InvalidRegionId.NotFound",
			"The specified RegionId %q does not exist (the simulator serves %q).", rid, s.opts.RegionID)
	}

	token := c.str("ClientToken")
	if token == "" || !p.idempotent[action] {
		return fn(s, c)
	}
	if len(token) > 64 {
		return nil, errInvalid("ClientToken", token)
	}
	key := version + "/" + action + "/" + token
	if prev, ok := s.tokens[key]; ok {
		if prev.fingerprint != c.fingerprint() {
			return nil, errIdempotentMismatch()
		}
		if c.now.Before(prev.doneAt) {
			return nil, errLastTokenProcessing()
		}
		return cloneResp(prev.resp), nil
	}
	resp, err := fn(s, c)
	if err == nil {
		s.tokens[key] = tokenEntry{fingerprint: c.fingerprint(), resp: cloneResp(resp), doneAt: c.now.Add(s.visibility)}
	}
	return resp, err
}

// cloneResp copies the top level so that adding RequestId to a replayed
// response does not touch the stored one.
func cloneResp(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// wait sleeps for d unless the client goes away first.
func (s *Simulator) wait(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// newID returns a resource ID such as "i-sim3fa2c1000007": unique within the
// simulator and unlikely to collide with IDs of a previous run.
func (s *Simulator) newID(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s-sim%s%06x", prefix, s.idTag, s.seq)
}

// Server is a simulator listening on a TCP address.
type Server struct {
	*Simulator
	// Addr is the host:port the server listens on: use it as
	// openapi.Config.Endpoint with Protocol "http".
	Addr string
	// URL is "http://" + Addr, for the admin API.
	URL string
	srv *http.Server
}

// Start runs a simulator on addr (e.g. "127.0.0.1:0") until Close.
func Start(addr string, opts Options) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	sim := New(opts)
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	a := ln.Addr().String()
	return &Server{Simulator: sim, Addr: a, URL: "http://" + a, srv: srv}, nil
}

// Close stops the listener and the simulator.
func (s *Server) Close() {
	_ = s.srv.Close()
	s.Simulator.Close()
}
