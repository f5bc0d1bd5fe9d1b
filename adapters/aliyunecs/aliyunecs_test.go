package aliyunecs_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/aliyunecs"
	"github.com/seatidemc/seatide/adapters/ecssim"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
	"github.com/seatidemc/seatide/ports/portstest"
)

// callCounter is a slog.Handler for the simulator's logger: it counts the
// "ecssim call" line the simulator writes for every API call, by action,
// before the answer is sent.
type callCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

func newCallCounter() *callCounter { return &callCounter{counts: map[string]int{}} }

func (c *callCounter) Enabled(context.Context, slog.Level) bool { return true }
func (c *callCounter) WithAttrs([]slog.Attr) slog.Handler       { return c }
func (c *callCounter) WithGroup(string) slog.Handler            { return c }
func (c *callCounter) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "ecssim call" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "action" {
			c.mu.Lock()
			c.counts[a.Value.String()]++
			c.mu.Unlock()
			return false
		}
		return true
	})
	return nil
}

func (c *callCounter) get(action string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[action]
}

// sim is a simulator on loopback with a call counter and, unless NoDelay,
// a manual clock.
type sim struct {
	*ecssim.Server
	calls *callCounter
	clock *portstest.ManualClock
}

func startSim(t *testing.T, opts ecssim.Options) *sim {
	t.Helper()
	s := &sim{calls: newCallCounter()}
	opts.Logger = slog.New(s.calls)
	if !opts.NoDelay && opts.Now == nil {
		s.clock = portstest.NewManualClock(time.Now())
		opts.Now = s.clock.Now
		if opts.TransitionTime == 0 {
			opts.TransitionTime = 2 * time.Second
		}
		if opts.AgentReadyAfter == 0 {
			opts.AgentReadyAfter = time.Second
		}
	}
	srv, err := ecssim.Start("127.0.0.1:0", opts)
	if err != nil {
		t.Fatalf("ecssim.Start: %v", err)
	}
	t.Cleanup(srv.Close)
	s.Server = srv
	return s
}

// fastRetry keeps the contract's retries quick.
var fastRetry = aliyunecs.Retry{MaxAttempts: 5, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}

func clientConfig(s *sim) aliyunecs.Config {
	id, secret := s.Credentials()
	return aliyunecs.Config{
		AccessKeyID:     id,
		AccessKeySecret: secret,
		RegionID:        s.RegionID(),
		Endpoint:        s.Addr,
		Protocol:        "http",
		CallTimeout:     5 * time.Second,
		Retry:           fastRetry,
	}
}

func newClient(t *testing.T, cfg aliyunecs.Config) *aliyunecs.Client {
	t.Helper()
	c, err := aliyunecs.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// harness implements portstest.CloudHarness on the simulator.
type harness struct {
	s *sim
}

// ecsActions maps a ports.Cloud method to the ECS action behind it.
var ecsActions = map[portstest.CloudOp]string{
	portstest.OpRunInstance:      "RunInstances",
	portstest.OpDescribeInstance: "DescribeInstances",
	portstest.OpListManaged:      "DescribeInstances",
	portstest.OpAllocatePublicIP: "AllocatePublicIpAddress",
	portstest.OpStartInstance:    "StartInstance",
	portstest.OpStopInstance:     "StopInstance",
	portstest.OpDeleteInstance:   "DeleteInstance",
	portstest.OpAvailable:        "DescribeAvailableResource",
	portstest.OpPrice:            "DescribePrice",
	portstest.OpAgentReady:       "DescribeCloudAssistantStatus",
	portstest.OpRunCommand:       "RunCommand",
	portstest.OpInvocation:       "DescribeInvocationResults",
}

func (h harness) action(op portstest.CloudOp) string {
	a, ok := ecsActions[op]
	if !ok {
		panic("harness: unknown op " + string(op))
	}
	return a
}

func (h harness) BaseSpec() ports.InstanceSpec { return baseSpec(h.s.RegionID()) }

// baseSpec is a spec the simulator accepts in region.
func baseSpec(region string) ports.InstanceSpec {
	return ports.InstanceSpec{
		Zone:               region + "-h",
		InstanceType:       "ecs.g6.large",
		Image:              ecssim.DefaultImage,
		SecurityGroup:      ecssim.DefaultSecurityGroup,
		VSwitch:            ecssim.DefaultVSwitch(region + "-h"),
		InternetChargeType: "PayByTraffic",
		BandwidthOut:       10,
		SystemDisk:         ports.Disk{Category: "cloud_essd", Size: 40},
		Tags:               map[string]string{"managed-by": "seatide"},
	}
}

func (h harness) Tick() {
	if h.s.clock != nil {
		h.s.clock.Add(500 * time.Millisecond)
	}
}

func (h harness) SetStock(zone, typ string, available bool) { h.s.SetStock(zone, typ, available) }

func (h harness) SetPrice(zone, typ, amount string) {
	f, err := strconv.ParseFloat(amount, 64)
	if err != nil {
		panic(err)
	}
	h.s.SetPrice(zone, typ, f)
}

func (h harness) SetCommandResult(output string, exitCode int) {
	h.s.SetCommandResult(ecssim.CommandResult{Output: output, ExitCode: int64(exitCode)})
}

func (h harness) ThrottleNext(op portstest.CloudOp, n int) { h.s.ThrottleNext(h.action(op), n) }
func (h harness) FailNext(op portstest.CloudOp, n int)     { h.s.FailNext(h.action(op), n) }
func (h harness) ClearFaults()                             { h.s.ClearFaults() }
func (h harness) Calls(op portstest.CloudOp) int           { return h.s.calls.get(h.action(op)) }
func (h harness) StopBehindBack(id string) error           { return h.s.StopBehindBack(id) }
func (h harness) DeleteBehindBack(id string) error         { return h.s.DeleteBehindBack(id) }

func TestCloudContract(t *testing.T) {
	portstest.RunCloudTests(t, func(t *testing.T) (ports.Cloud, portstest.CloudHarness) {
		s := startSim(t, ecssim.Options{})
		return newClient(t, clientConfig(s)), harness{s}
	})
}

func TestCloudContractNoDelay(t *testing.T) {
	portstest.RunCloudTests(t, func(t *testing.T) (ports.Cloud, portstest.CloudHarness) {
		s := startSim(t, ecssim.Options{NoDelay: true})
		return newClient(t, clientConfig(s)), harness{s}
	})
}

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestErrorMapping injects each cloud code and checks the sentinel, the
// code kept for history, and that only transient errors are retried.
func TestErrorMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code     string
		status   int
		sentinel error // nil: internal
	}{
		{"Throttling", 400, domain.ErrThrottled},
		{"Throttling.User", 400, domain.ErrThrottled},
		{"Throttling.Api", 400, domain.ErrThrottled},
		{"ServiceUnavailable", 503, domain.ErrCloudUnavailable},
		{"InternalError", 500, domain.ErrCloudUnavailable},
		{"UnknownError", 502, domain.ErrCloudUnavailable},
		{"IncorrectInstanceStatus", 403, domain.ErrWrongState},
		{"IncorrectInstanceStatus.Initializing", 403, domain.ErrWrongState},
		{"InvalidInstance.NotRunning", 403, domain.ErrWrongState},
		{"InvalidInstanceId.NotFound", 404, domain.ErrCloudNotFound},
		{"OperationDenied.NoStock", 403, domain.ErrNoStock},
		{"Zone.NotOnSale", 403, domain.ErrNoStock},
		{"InvalidResourceType.NotSupported", 400, domain.ErrNoStock},
		{"InvalidAccessKeyId.NotFound", 404, domain.ErrCloudAuth},
		{"InvalidAccessKeyId.Inactive", 400, domain.ErrCloudAuth},
		{"SignatureDoesNotMatch", 400, domain.ErrCloudAuth},
		{"Forbidden.RAM", 403, domain.ErrCloudAuth},
		{"InvalidAccountStatus.NotEnoughBalance", 403, domain.ErrNoBalance},
		{"QuotaExceed.ElasticQuota", 403, domain.ErrQuota},
		{"QuotaExceed.PublicIpAddress", 403, domain.ErrQuota},
		{"InvalidParameter", 400, nil},
		{"IdempotentParameterMismatch", 400, nil},
	}
	sentinels := []error{domain.ErrThrottled, domain.ErrCloudUnavailable, domain.ErrWrongState,
		domain.ErrCloudNotFound, domain.ErrNoStock, domain.ErrCloudAuth, domain.ErrNoBalance, domain.ErrQuota}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			t.Parallel()
			s := startSim(t, ecssim.Options{NoDelay: true})
			c := newClient(t, clientConfig(s))
			s.InjectFault(ecssim.Fault{Action: "DescribeInstances", Count: 100, Status: tc.status, Code: tc.code,
				Message: "secret-ish message text"})
			_, err := c.DescribeInstance(ctxT(t), "i-any")
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range sentinels {
				if got, want := errors.Is(err, s), s == tc.sentinel; got != want {
					t.Errorf("errors.Is(err, %v) = %v, want %v (err: %v)", s, got, want, err)
				}
			}
			if tc.sentinel == nil && domain.ErrorCode(err) != domain.CodeInternal {
				t.Errorf("code = %v, want internal", domain.ErrorCode(err))
			}
			if got := aliyunecs.CloudCode(err); got != tc.code {
				t.Errorf("CloudCode = %q, want %q", got, tc.code)
			}
			if !strings.Contains(err.Error(), "DescribeInstances") || !strings.Contains(err.Error(), "request ") {
				t.Errorf("error text %q lacks the action or the request id (for logs)", err)
			}
			wantCalls := 1
			if tc.sentinel == domain.ErrThrottled || tc.sentinel == domain.ErrCloudUnavailable {
				wantCalls = fastRetry.MaxAttempts
			}
			if n := s.calls.get("DescribeInstances"); n != wantCalls {
				t.Errorf("%d calls, want %d", n, wantCalls)
			}
		})
	}
}

func TestCloudCode(t *testing.T) {
	t.Parallel()
	if got := aliyunecs.CloudCode(nil); got != "" {
		t.Errorf("CloudCode(nil) = %q", got)
	}
	if got := aliyunecs.CloudCode(errors.New("x")); got != "" {
		t.Errorf("CloudCode(foreign) = %q", got)
	}
	if got := aliyunecs.CloudCode(domain.ErrCloudNotFound); got != "" {
		t.Errorf("CloudCode(sentinel) = %q", got)
	}
}

func TestWrongCredentials(t *testing.T) {
	t.Parallel()
	s := startSim(t, ecssim.Options{NoDelay: true})
	tests := []struct {
		name, code string
		mutate     func(*aliyunecs.Config)
	}{
		{"WrongSecret", "SignatureDoesNotMatch", func(c *aliyunecs.Config) { c.AccessKeySecret += "x" }},
		{"UnknownKey", "InvalidAccessKeyId.NotFound", func(c *aliyunecs.Config) { c.AccessKeyID = "LTAIunknown" }},
	}
	for _, tc := range tests {
		cfg := clientConfig(s)
		tc.mutate(&cfg)
		c := newClient(t, cfg)
		before := s.calls.get("RunInstances")
		_, _, err := c.RunInstance(ctxT(t), harness{s}.BaseSpec(), "op-"+tc.name)
		if !errors.Is(err, domain.ErrCloudAuth) {
			t.Errorf("%s: err = %v, want ErrCloudAuth", tc.name, err)
		}
		if got := aliyunecs.CloudCode(err); got != tc.code {
			t.Errorf("%s: CloudCode = %q, want %q", tc.name, got, tc.code)
		}
		if n := s.calls.get("RunInstances") - before; n != 1 {
			t.Errorf("%s: %d calls, want 1 (auth errors are not retried)", tc.name, n)
		}
		if strings.Contains(err.Error(), cfg.AccessKeySecret) {
			t.Errorf("%s: the error text holds the secret", tc.name)
		}
	}
	if n := len(s.Instances()); n != 0 {
		t.Errorf("%d instances created with bad credentials", n)
	}
}

// TestRetryGivesUpWhenCtxEnds: a long backoff ends with ctx, not after it.
func TestRetryGivesUpWhenCtxEnds(t *testing.T) {
	t.Parallel()
	s := startSim(t, ecssim.Options{NoDelay: true})
	cfg := clientConfig(s)
	cfg.Retry = aliyunecs.Retry{MaxAttempts: 1000, BaseDelay: time.Hour, MaxDelay: time.Hour}
	c := newClient(t, cfg)
	s.FailNext("DescribeInstances", 1000)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.DescribeInstance(ctx, "i-any")
	if !errors.Is(err, domain.ErrCloudUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrCloudUnavailable and DeadlineExceeded", err)
	}
	if aliyunecs.CloudCode(err) != "ServiceUnavailable" {
		t.Errorf("CloudCode = %q, want the last cloud code", aliyunecs.CloudCode(err))
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("gave up after %v", d)
	}
	if n := s.calls.get("DescribeInstances"); n < 1 || n > 3 {
		t.Errorf("%d calls; want the first and very few retries", n)
	}
}

// TestCtxEndsDuringCall: a slow answer is abandoned when ctx ends.
func TestCtxEndsDuringCall(t *testing.T) {
	t.Parallel()
	s := startSim(t, ecssim.Options{NoDelay: true})
	c := newClient(t, clientConfig(s))
	s.SetLatency("DescribeInstances", 3*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.DescribeInstance(ctx, "i-any")
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, domain.ErrCloudUnavailable) {
		t.Fatalf("err = %v, want DeadlineExceeded as ErrCloudUnavailable", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("returned after %v; want about 100ms", d)
	}
}

// TestCallTimeout: a call slower than CallTimeout is a transient failure.
func TestCallTimeout(t *testing.T) {
	t.Parallel()
	s := startSim(t, ecssim.Options{NoDelay: true})
	cfg := clientConfig(s)
	cfg.CallTimeout = 100 * time.Millisecond
	cfg.Retry.MaxAttempts = 2
	c := newClient(t, cfg)
	s.SetLatency("DescribeInstances", 2*time.Second)
	_, err := c.DescribeInstance(ctxT(t), "i-any")
	if !errors.Is(err, domain.ErrCloudUnavailable) {
		t.Fatalf("err = %v, want ErrCloudUnavailable", err)
	}
	if aliyunecs.CloudCode(err) != "" {
		t.Errorf("CloudCode = %q for a timeout, want none", aliyunecs.CloudCode(err))
	}
}

// TestConnectionRefused: nobody listening is a transient failure, retried.
func TestConnectionRefused(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := newClient(t, aliyunecs.Config{AccessKeyID: "a", AccessKeySecret: "b", RegionID: "cn-hangzhou",
		Endpoint: addr, Protocol: "http", Retry: fastRetry})
	_, err = c.DescribeInstance(ctxT(t), "i-any")
	if !errors.Is(err, domain.ErrCloudUnavailable) {
		t.Fatalf("err = %v, want ErrCloudUnavailable", err)
	}
}

// lostAnswer runs the simulator behind a handler that lets the first
// RunInstances act but answers 503, as if the response was lost, and
// records every ClientToken sent.
type lostAnswer struct {
	sim    *ecssim.Simulator
	mu     sync.Mutex
	tokens []string
}

func (l *lostAnswer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("x-acs-action") != "RunInstances" {
		l.sim.ServeHTTP(w, r)
		return
	}
	l.mu.Lock()
	l.tokens = append(l.tokens, r.URL.Query().Get("ClientToken"))
	first := len(l.tokens) == 1
	l.mu.Unlock()
	if !first {
		l.sim.ServeHTTP(w, r)
		return
	}
	l.sim.ServeHTTP(httptest.NewRecorder(), r)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write([]byte(`{"RequestId":"lost-1","Code":"ServiceUnavailable","Message":"lost"}`))
}

func TestRetryKeepsClientToken(t *testing.T) {
	t.Parallel()
	l := &lostAnswer{sim: ecssim.New(ecssim.Options{NoDelay: true})}
	srv := httptest.NewServer(l)
	t.Cleanup(srv.Close)
	id, secret := l.sim.Credentials()
	c := newClient(t, aliyunecs.Config{AccessKeyID: id, AccessKeySecret: secret, RegionID: l.sim.RegionID(),
		Endpoint: strings.TrimPrefix(srv.URL, "http://"), Protocol: "http", Retry: fastRetry})
	spec := baseSpec(l.sim.RegionID())
	got, _, err := c.RunInstance(ctxT(t), spec, "op-lost-answer")
	if err != nil {
		t.Fatalf("RunInstance: %v", err)
	}
	if len(l.tokens) != 2 || l.tokens[0] != "op-lost-answer" || l.tokens[1] != "op-lost-answer" {
		t.Errorf("tokens sent = %q, want the same token twice", l.tokens)
	}
	all := l.sim.Instances()
	if len(all) != 1 || all[0].InstanceId != got {
		t.Errorf("instances = %+v, want only %s", all, got)
	}
}

func TestCreateRequestParameters(t *testing.T) {
	t.Parallel()
	s := startSim(t, ecssim.Options{NoDelay: true})
	c := newClient(t, clientConfig(s))
	spec := harness{s}.BaseSpec()
	spec.SpotStrategy = "SpotWithPriceLimit"
	spec.SpotPriceLimit = "0.25"
	spec.Name = "mc-1"
	spec.Tags = map[string]string{"managed-by": "seatide", "b": "2", "a": "1"}
	id, _, err := c.RunInstance(ctxT(t), spec, "op-params")
	if err != nil {
		t.Fatalf("RunInstance: %v", err)
	}
	v, ok := s.Instance(id)
	if !ok {
		t.Fatal("instance not in the simulator")
	}
	if v.InstanceName != "mc-1" || v.SpotStrategy != "SpotWithPriceLimit" || v.InternetMaxBandwidthOut != 10 ||
		v.ZoneId != spec.Zone || v.InstanceType != spec.InstanceType || len(v.Tags) != 3 || v.Tags["a"] != "1" {
		t.Errorf("simulator saw %+v", v)
	}

	spec.SpotPriceLimit = "cheap"
	before := s.calls.get("RunInstances")
	_, _, err = c.RunInstance(ctxT(t), spec, "op-bad-limit")
	if !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("bad SpotPriceLimit: err = %v, want ErrInvalid", err)
	}
	if s.calls.get("RunInstances") != before {
		t.Error("a bad SpotPriceLimit reached the cloud")
	}
}

func TestListManagedAllPages(t *testing.T) {
	t.Parallel()
	s := startSim(t, ecssim.Options{NoDelay: true})
	c := newClient(t, clientConfig(s))
	ctx := ctxT(t)
	spec := harness{s}.BaseSpec()
	spec.Tags = map[string]string{"managed-by": "seatide", "page": "yes"}
	const n = 105
	for i := range n {
		if _, _, err := c.RunInstance(ctx, spec, "op-page-"+strconv.Itoa(i)); err != nil {
			t.Fatalf("RunInstance %d: %v", i, err)
		}
	}
	spec.Tags = map[string]string{"managed-by": "seatide"}
	if _, _, err := c.RunInstance(ctx, spec, "op-page-other"); err != nil {
		t.Fatal(err)
	}
	before := s.calls.get("DescribeInstances")
	list, err := c.ListManaged(ctx, map[string]string{"page": "yes"})
	if err != nil {
		t.Fatalf("ListManaged: %v", err)
	}
	if len(list) != n {
		t.Errorf("ListManaged = %d instances, want %d", len(list), n)
	}
	if calls := s.calls.get("DescribeInstances") - before; calls != 2 {
		t.Errorf("%d DescribeInstances calls, want 2 pages", calls)
	}
	all, err := c.ListManaged(ctx, map[string]string{"managed-by": "seatide"})
	if err != nil || len(all) != n+1 {
		t.Errorf("ListManaged(managed-by) = %d, %v; want %d", len(all), err, n+1)
	}
}

// TestProxyBypassedForLoopback: a proxy in the environment must not catch
// calls to a loopback endpoint.
func TestProxyBypassedForLoopback(t *testing.T) {
	s := startSim(t, ecssim.Options{NoDelay: true})
	t.Setenv("HTTP_PROXY", "http://127.0.0.1:1")
	t.Setenv("http_proxy", "http://127.0.0.1:1")
	t.Setenv("HTTPS_PROXY", "http://127.0.0.1:1")
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")
	c := newClient(t, clientConfig(s))
	if _, err := c.Available(ctxT(t), s.RegionID()+"-h", "ecs.g6.large"); err != nil {
		t.Fatalf("Available through a bogus proxy: %v", err)
	}
}

// TestSecretsNeverLogged: neither the AccessKey secret nor the instance
// password appear in the adapter's logs, whatever happens.
func TestSecretsNeverLogged(t *testing.T) {
	t.Parallel()
	s := startSim(t, ecssim.Options{NoDelay: true})
	var buf bytes.Buffer
	var mu sync.Mutex
	cfg := clientConfig(s)
	cfg.Logger = slog.New(slog.NewTextHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newClient(t, cfg)
	spec := harness{s}.BaseSpec()
	spec.Password = "Pa55word-Never-Logged"
	ctx := ctxT(t)
	s.ThrottleNext("RunInstances", 2)
	if _, _, err := c.RunInstance(ctx, spec, "op-log"); err != nil {
		t.Fatal(err)
	}
	s.InjectFault(ecssim.Fault{Action: "RunInstances", Count: 1, Status: 403, Code: "QuotaExceed.Instance"})
	_, _, _ = c.RunInstance(ctx, spec, "op-log-2")
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	if !strings.Contains(out, "Throttling.User") {
		t.Errorf("the retries were not logged: %s", out)
	}
	_, secret := s.Credentials()
	for _, bad := range []string{secret, spec.Password} {
		if strings.Contains(out, bad) {
			t.Errorf("log holds a secret %q:\n%s", bad, out)
		}
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	good := aliyunecs.Config{AccessKeyID: "a", AccessKeySecret: "b", RegionID: "cn-hangzhou"}
	if _, err := aliyunecs.New(good); err != nil {
		t.Fatalf("New with defaults: %v", err)
	}
	for name, mutate := range map[string]func(*aliyunecs.Config){
		"no key":       func(c *aliyunecs.Config) { c.AccessKeyID = "" },
		"no secret":    func(c *aliyunecs.Config) { c.AccessKeySecret = "" },
		"no region":    func(c *aliyunecs.Config) { c.RegionID = "" },
		"bad protocol": func(c *aliyunecs.Config) { c.Protocol = "ftp" },
		"url endpoint": func(c *aliyunecs.Config) { c.Endpoint = "https://ecs.example.com/" },
		"neg timeout":  func(c *aliyunecs.Config) { c.CallTimeout = -time.Second },
	} {
		cfg := good
		mutate(&cfg)
		if _, err := aliyunecs.New(cfg); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

// One Client serves concurrent callers (the HTTP handlers, background steps
// and the reconciler at once): the SDK client is not safe for that, so each
// call borrows its own. Run with -race.
func TestConcurrentCalls(t *testing.T) {
	s := startSim(t, ecssim.Options{NoDelay: true})
	c := newClient(t, clientConfig(s))
	ctx := context.Background()
	id, _, err := c.RunInstance(ctx, baseSpec(s.RegionID()), "tok-concurrent")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if i%2 == 0 {
				_, err = c.DescribeInstance(ctx, id)
			} else {
				_, err = c.Available(ctx, s.RegionID()+"-h", "ecs.g6.large")
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}
