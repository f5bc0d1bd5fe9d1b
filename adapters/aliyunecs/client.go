// Package aliyunecs implements ports.Cloud with the official Aliyun ECS SDK
// (github.com/alibabacloud-go/ecs-20140526/v4).
//
// Every SDK error is turned into a domain sentinel in one place (mapError);
// transient failures (throttling, 5xx, timeouts, connection errors) are
// retried here with capped exponential backoff and full jitter, reusing the
// caller's ClientToken on mutating calls. The SDK's own retry is off.
//
// The SDK calls take no context: each call runs in its own goroutine, and a
// cancelled ctx returns at once while the abandoned HTTP request ends by
// itself within Config.CallTimeout.
package aliyunecs

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	ecs "github.com/alibabacloud-go/ecs-20140526/v4/client"
	util "github.com/alibabacloud-go/tea-utils/v2/service"
	"github.com/alibabacloud-go/tea/tea"
	vpc "github.com/alibabacloud-go/vpc-20160428/v6/client"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// Defaults applied by New.
const (
	DefaultProtocol    = "https"
	DefaultCallTimeout = 10 * time.Second
	DefaultMaxAttempts = 5
	DefaultBaseDelay   = 200 * time.Millisecond
	DefaultMaxDelay    = 5 * time.Second
)

// Retry is the policy for transient errors (ErrThrottled,
// ErrCloudUnavailable). Zero fields take the defaults.
type Retry struct {
	MaxAttempts int           // total attempts, first included (default 5)
	BaseDelay   time.Duration // backoff before the 2nd attempt, doubled each time (default 200ms)
	MaxDelay    time.Duration // cap of one backoff (default 5s)
}

// Config configures a Client.
type Config struct {
	AccessKeyID     string
	AccessKeySecret string // never logged
	RegionID        string
	// Endpoint is host[:port]; default "ecs.<RegionID>.aliyuncs.com". A VPC
	// endpoint or a local simulator can be named here.
	Endpoint string
	// VPCEndpoint is the VPC API's host[:port]; default
	// "vpc.<RegionID>.aliyuncs.com", or Endpoint when that is loopback (a
	// simulator serves every product).
	VPCEndpoint string
	// Protocol is "https" (default) or "http" (the simulator).
	Protocol string
	// CallTimeout bounds one HTTP call, connect included (default 10s).
	CallTimeout time.Duration
	Retry       Retry
	Logger      *slog.Logger // default: discard
	// OnRetry, when set, hears each retry of a transient failure: the API
	// action and the cloud's error code, or the domain code when there was
	// no answer (for a retry counter). It must not block.
	OnRetry func(action, code string)
}

// conn is what the clients of every Aliyun product share: the SDK
// configuration, a pool of SDK clients, the per-call options and the retry
// policy.
type conn struct {
	product string // "ecs", "bss": names the calls in logs and errors
	// sdk hands out SDK clients one call at a time: an SDK client is not
	// safe for concurrent calls (GetRpcHeaders reads and clears a field).
	sdk     *sync.Pool
	region  string
	timeout time.Duration
	retry   Retry
	log     *slog.Logger
	onRetry func(action, code string)
	// sleep waits d or until ctx ends; replaceable in tests.
	sleep func(ctx context.Context, d time.Duration) error
}

// Client is a ports.Cloud and ports.Network backed by Aliyun ECS, and
// the VPC API for vSwitches.
type Client struct {
	conn
	vpc conn // the VPC API (2016-04-28): same credentials, pool style and retries
}

var _ ports.Cloud = (*Client)(nil)

// New returns a Client. It makes no call.
func New(cfg Config) (*Client, error) {
	if cfg.Endpoint == "" && cfg.RegionID != "" {
		cfg.Endpoint = "ecs." + cfg.RegionID + ".aliyuncs.com"
	}
	c, err := newConn("ecs", cfg, func(oc *openapi.Config) (any, error) { return ecs.NewClient(oc) })
	if err != nil {
		return nil, err
	}
	vcfg := cfg
	switch {
	case cfg.VPCEndpoint != "":
		vcfg.Endpoint = cfg.VPCEndpoint
	case isLoopback(cfg.Endpoint):
	default:
		vcfg.Endpoint = "vpc." + cfg.RegionID + ".aliyuncs.com"
	}
	v, err := newConn("vpc", vcfg, func(oc *openapi.Config) (any, error) { return vpc.NewClient(oc) })
	if err != nil {
		return nil, err
	}
	return &Client{conn: c, vpc: v}, nil
}

// newConn validates cfg (whose Endpoint the caller has defaulted) and
// builds the pool of SDK clients with build, trying it once.
func newConn(product string, cfg Config, build func(*openapi.Config) (any, error)) (conn, error) {
	var bad []string
	if cfg.AccessKeyID == "" {
		bad = append(bad, "access_key_id")
	}
	if cfg.AccessKeySecret == "" {
		bad = append(bad, "access_key_secret")
	}
	if cfg.RegionID == "" {
		bad = append(bad, "region_id")
	}
	if cfg.Protocol == "" {
		cfg.Protocol = DefaultProtocol
	}
	cfg.Protocol = strings.ToLower(cfg.Protocol)
	if cfg.Protocol != "https" && cfg.Protocol != "http" {
		bad = append(bad, "protocol")
	}
	if cfg.CallTimeout < 0 || cfg.Retry.MaxAttempts < 0 || cfg.Retry.BaseDelay < 0 || cfg.Retry.MaxDelay < 0 {
		bad = append(bad, "timeouts")
	}
	if cfg.Endpoint == "" || strings.Contains(cfg.Endpoint, "/") {
		bad = append(bad, "endpoint")
	}
	if len(bad) > 0 {
		return conn{}, domain.Invalid(bad...)
	}
	if cfg.CallTimeout == 0 {
		cfg.CallTimeout = DefaultCallTimeout
	}
	if cfg.Retry.MaxAttempts == 0 {
		cfg.Retry.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.Retry.BaseDelay == 0 {
		cfg.Retry.BaseDelay = DefaultBaseDelay
	}
	if cfg.Retry.MaxDelay == 0 {
		cfg.Retry.MaxDelay = DefaultMaxDelay
	}
	if cfg.Retry.MaxDelay < cfg.Retry.BaseDelay {
		cfg.Retry.MaxDelay = cfg.Retry.BaseDelay
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}

	ms := int(cfg.CallTimeout / time.Millisecond)
	oc := &openapi.Config{
		AccessKeyId:     tea.String(cfg.AccessKeyID),
		AccessKeySecret: tea.String(cfg.AccessKeySecret),
		RegionId:        tea.String(cfg.RegionID),
		Endpoint:        tea.String(cfg.Endpoint),
		Protocol:        tea.String(cfg.Protocol),
		ReadTimeout:     tea.Int(ms),
		ConnectTimeout:  tea.Int(ms),
		HttpClient:      newHTTPClient(cfg.CallTimeout),
	}
	if isLoopback(cfg.Endpoint) {
		// The SDK's own transport honours HTTP(S)_PROXY unless the host is
		// listed here; our HttpClient bypasses proxies for loopback anyway.
		host, _, err := net.SplitHostPort(cfg.Endpoint)
		if err != nil {
			host = cfg.Endpoint
		}
		oc.NoProxy = tea.String(cfg.Endpoint + "," + host)
	}
	own := *oc
	first, err := build(&own)
	if err != nil {
		return conn{}, domain.Internal(err, "aliyunecs: cannot build the "+product+" SDK client")
	}
	sdk := &sync.Pool{New: func() any {
		own := *oc            // NewClient writes to its config
		e, err := build(&own) // it worked once with this very config
		if err != nil {
			return nil
		}
		return e
	}}
	sdk.Put(first)
	return conn{
		product: product,
		sdk:     sdk,
		region:  cfg.RegionID,
		timeout: cfg.CallTimeout,
		retry:   cfg.Retry,
		onRetry: cfg.OnRetry,
		log:     log.With("product", product, "region", cfg.RegionID), // the caller names the component
		sleep:   sleepCtx,
	}, nil
}

// IsLoopback reports whether endpoint (host[:port]) is localhost or a
// loopback address: a simulator, never Aliyun.
func IsLoopback(endpoint string) bool { return isLoopback(endpoint) }

func isLoopback(endpoint string) bool {
	host, _, err := net.SplitHostPort(endpoint)
	if err != nil {
		host = endpoint
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// httpClient is the SDK's dara.HttpClient: one pooled *http.Client per
// Client, so the SDK's shared per-host client (whose Timeout it rewrites on
// every call) is never used.
type httpClient struct{ c *http.Client }

func newHTTPClient(timeout time.Duration) *httpClient {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = func(r *http.Request) (*url.URL, error) {
		if isLoopback(r.URL.Host) {
			return nil, nil
		}
		return http.ProxyFromEnvironment(r)
	}
	tr.DialContext = (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext
	tr.ResponseHeaderTimeout = timeout
	return &httpClient{c: &http.Client{Transport: tr, Timeout: timeout}}
}

// Call implements dara.HttpClient; the transport the SDK builds per call is
// ignored in favour of the pooled one.
func (h *httpClient) Call(req *http.Request, _ *http.Transport) (*http.Response, error) {
	return h.c.Do(req)
}

// runtime returns the per-call SDK options: no SDK retry.
func (c *conn) runtime() *util.RuntimeOptions {
	ms := int(c.timeout / time.Millisecond)
	return &util.RuntimeOptions{
		Autoretry:      tea.Bool(false),
		MaxAttempts:    tea.Int(1),
		ReadTimeout:    tea.Int(ms),
		ConnectTimeout: tea.Int(ms),
	}
}

// do runs one ECS action with retries (see call).
func do[T any](ctx context.Context, c *Client, action string, fn func(e *ecs.Client, rt *util.RuntimeOptions) (T, *string, error)) (T, string, error) {
	return call(ctx, &c.conn, action, fn)
}

// call runs one API action with retries on an SDK client of type *S from
// c's pool. fn makes the SDK call and returns the response's RequestId; it
// must be safe to call again (mutating calls pass the same ClientToken
// every time).
func call[S, T any](ctx context.Context, c *conn, action string, fn func(e *S, rt *util.RuntimeOptions) (T, *string, error)) (T, string, error) {
	var zero T
	var lastErr error
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return zero, "", giveUp(c.product, action, lastErr, err)
		}
		res, reqID, abandoned, err := once(ctx, c, fn)
		if abandoned {
			// The caller gave up while the call was in flight.
			return zero, "", giveUp(c.product, action, lastErr, err)
		}
		// request_id is the API request's (X-Request-Id) behind the call,
		// cloud_request_id the cloud's own, so logs join both ways.
		apiReqID := domain.RequestIDFrom(ctx)
		if err == nil {
			c.log.DebugContext(ctx, "cloud call", "action", action, "attempt", attempt,
				"request_id", apiReqID, "cloud_request_id", reqID)
			return res, reqID, nil
		}
		mapped := mapError(c.product, action, err)
		lastErr = mapped
		if !transient(mapped) || attempt >= c.retry.MaxAttempts {
			c.log.DebugContext(ctx, "cloud call failed", "action", action, "attempt", attempt, "code", CloudCode(mapped),
				"request_id", apiReqID, "cloud_request_id", requestIDOf(mapped), "error", mapped)
			return zero, "", mapped
		}
		d := backoff(c.retry, attempt)
		code := CloudCode(mapped)
		if code == "" { // no answer: a timeout or a refused connection
			code = string(domain.ErrorCode(mapped))
		}
		c.log.WarnContext(ctx, "cloud call failed, retrying", "action", action, "attempt", attempt, "code", code,
			"error", mapped, "request_id", apiReqID, "cloud_request_id", requestIDOf(mapped), "backoff", d)
		if c.onRetry != nil {
			c.onRetry(action, code)
		}
		if err := c.sleep(ctx, d); err != nil {
			return zero, "", giveUp(c.product, action, lastErr, err)
		}
	}
}

// once makes one SDK call in a goroutine so that ctx can end the wait;
// abandoned is true (and err is ctx's error) when it did.
func once[S, T any](ctx context.Context, c *conn, fn func(e *S, rt *util.RuntimeOptions) (T, *string, error)) (v T, reqID string, abandoned bool, err error) {
	type result struct {
		v     T
		reqID string
		err   error
	}
	ch := make(chan result, 1)
	go func() {
		e, _ := c.sdk.Get().(*S)
		if e == nil {
			ch <- result{err: errors.New("aliyunecs: cannot build an SDK client")}
			return
		}
		v, reqID, err := fn(e, c.runtime())
		c.sdk.Put(e) // only once the call is over, even when abandoned
		ch <- result{v, tea.StringValue(reqID), err}
	}()
	select {
	case r := <-ch:
		return r.v, r.reqID, false, r.err
	case <-ctx.Done():
		return v, "", true, ctx.Err()
	}
}

// giveUp is the error when ctx ends before success: the last cloud error's
// sentinel (ErrCloudUnavailable if there was none), with ctx's error in the
// chain so errors.Is(err, context.Canceled) works.
func giveUp(product, action string, last, ctxErr error) error {
	if last == nil {
		return domain.Wrap(domain.ErrCloudUnavailable, &callError{Product: product, Action: action, err: ctxErr})
	}
	var de *domain.Error
	sentinel := domain.ErrCloudUnavailable
	if errors.As(last, &de) {
		sentinel = de
	}
	return domain.Wrap(sentinel, errors.Join(errors.Unwrap(last), ctxErr))
}

func requestIDOf(err error) string {
	var ce *callError
	if errors.As(err, &ce) {
		return ce.RequestID
	}
	return ""
}
