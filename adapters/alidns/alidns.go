// Package alidns keeps the front door's DNS record (DNS mode) in Alibaba
// Cloud DNS through the official SDK
// (github.com/alibabacloud-go/alidns-20150109/v4): an A record naming the
// game server while it is awake and the front door while it sleeps, and
// optionally the SRV record _minecraft._tcp that Minecraft clients look up
// first. It implements ports.DNSRecords and shares nothing with the ECS
// adapter.
//
// TTL: records are written with the configured TTL; the free Alidns
// edition refuses anything below 600 s, so players' resolvers may keep the
// old address for up to ten minutes after a start. The front door relays
// logins that arrive at the old address meanwhile.
package alidns

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	alidns "github.com/alibabacloud-go/alidns-20150109/v4/client"
	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// Config is the account and the record.
type Config struct {
	AccessKeyID, AccessKeySecret string
	RegionID                     string
	// Endpoint is host[:port]; "" for alidns.aliyuncs.com (Alidns is a
	// central product: one endpoint serves every region).
	Endpoint    string
	Protocol    string // https (default) or http (a simulator)
	CallTimeout time.Duration
	Domain      string   // e.g. example.com
	RR          string   // e.g. mc; @ for the domain itself
	Records     []string // A and/or SRV
	TTL         int64    // seconds
	Logger      *slog.Logger
}

// DefaultEndpoint serves every region (the SDK's "central" endpoint rule).
const DefaultEndpoint = "alidns.aliyuncs.com"

// Records is a ports.DNSRecords on Alidns.
type Records struct {
	cfg    Config
	client *alidns.Client
	log    *slog.Logger
}

var _ ports.DNSRecords = (*Records)(nil)

// New returns the record keeper; it makes no call.
func New(cfg Config) (*Records, error) {
	if cfg.Endpoint == "" {
		cfg.Endpoint = DefaultEndpoint
	}
	if cfg.Protocol == "" {
		cfg.Protocol = "https"
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = 10 * time.Second
	}
	if cfg.TTL <= 0 {
		cfg.TTL = 600
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	var bad []string
	for field, empty := range map[string]bool{"access_key_id": cfg.AccessKeyID == "", "access_key_secret": cfg.AccessKeySecret == "",
		"domain": cfg.Domain == "", "rr": cfg.RR == "", "records": len(cfg.Records) == 0} {
		if empty {
			bad = append(bad, field)
		}
	}
	if len(bad) > 0 {
		return nil, domain.Invalid(bad...)
	}
	ms := int(cfg.CallTimeout / time.Millisecond)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = func(r *http.Request) (*url.URL, error) {
		if host, _, _ := net.SplitHostPort(r.URL.Host); net.ParseIP(host).IsLoopback() {
			return nil, nil // a simulator on loopback is never behind a proxy
		}
		return http.ProxyFromEnvironment(r)
	}
	c, err := alidns.NewClient(&openapi.Config{
		AccessKeyId:     dara.String(cfg.AccessKeyID),
		AccessKeySecret: dara.String(cfg.AccessKeySecret),
		RegionId:        dara.String(cfg.RegionID),
		Endpoint:        dara.String(cfg.Endpoint),
		Protocol:        dara.String(cfg.Protocol),
		ReadTimeout:     dara.Int(ms),
		ConnectTimeout:  dara.Int(ms),
		HttpClient:      httpClient{&http.Client{Transport: tr, Timeout: cfg.CallTimeout}},
	})
	if err != nil {
		return nil, domain.Internal(err, "alidns: cannot build the SDK client")
	}
	return &Records{cfg: cfg, client: c, log: cfg.Logger.With("component", "alidns")}, nil
}

// httpClient lets the SDK use a transport that bypasses proxies for
// loopback (the simulator).
type httpClient struct{ c *http.Client }

func (h httpClient) Call(req *http.Request, _ *http.Transport) (*http.Response, error) {
	return h.c.Do(req)
}

// record is one record as this adapter wants it.
type record struct{ rr, typ, value string }

// wanted is what the records must say for target.
func (r *Records) wanted(t ports.DNSTarget) []record {
	var out []record
	for _, typ := range r.cfg.Records {
		switch typ {
		case "A":
			out = append(out, record{r.cfg.RR, "A", t.IP})
		case "SRV":
			// _minecraft._tcp.RR: priority, weight, port, target (the A
			// name), as Alidns writes SRV values.
			rr, name := "_minecraft._tcp."+r.cfg.RR, r.cfg.RR+"."+r.cfg.Domain
			if r.cfg.RR == "@" {
				rr, name = "_minecraft._tcp", r.cfg.Domain
			}
			out = append(out, record{rr, "SRV", fmt.Sprintf("1 1 %d %s", t.Port, name)})
		}
	}
	return out
}

// Point makes every configured record name target: an absent record is
// added, a different one updated, an equal one left alone.
func (r *Records) Point(ctx context.Context, t ports.DNSTarget) error {
	for _, want := range r.wanted(t) {
		if err := r.ensure(ctx, want); err != nil {
			return err
		}
	}
	return nil
}

func (r *Records) runtime() *dara.RuntimeOptions {
	ms := int(r.cfg.CallTimeout / time.Millisecond)
	return &dara.RuntimeOptions{Autoretry: dara.Bool(false), MaxAttempts: dara.Int(1), ReadTimeout: dara.Int(ms), ConnectTimeout: dara.Int(ms)}
}

func (r *Records) ensure(ctx context.Context, want record) error {
	// RRKeyWord matches fuzzily (the SDK's comment on
	// DescribeDomainRecordsRequest.RRKeyWord): the exact RR is picked here.
	resp, err := r.client.DescribeDomainRecordsWithContext(ctx, &alidns.DescribeDomainRecordsRequest{
		DomainName: dara.String(r.cfg.Domain), RRKeyWord: dara.String(want.rr), Type: dara.String(want.typ),
		PageSize: dara.Int64(100),
	}, r.runtime())
	if err != nil {
		return mapErr("DescribeDomainRecords", err)
	}
	var found *alidns.DescribeDomainRecordsResponseBodyDomainRecordsRecord
	if resp.Body != nil && resp.Body.DomainRecords != nil {
		for _, rec := range resp.Body.DomainRecords.Record {
			if strings.EqualFold(dara.StringValue(rec.RR), want.rr) && dara.StringValue(rec.Type) == want.typ {
				found = rec
				break
			}
		}
	}
	switch {
	case found == nil:
		_, err = r.client.AddDomainRecordWithContext(ctx, &alidns.AddDomainRecordRequest{DomainName: dara.String(r.cfg.Domain),
			RR: dara.String(want.rr), Type: dara.String(want.typ), Value: dara.String(want.value), TTL: dara.Int64(r.cfg.TTL)}, r.runtime())
		if err != nil {
			return mapErr("AddDomainRecord", err)
		}
		r.log.Info("record added", "rr", want.rr, "type", want.typ, "value", want.value)
	case dara.StringValue(found.Value) == want.value && dara.Int64Value(found.TTL) == r.cfg.TTL:
	default:
		_, err = r.client.UpdateDomainRecordWithContext(ctx, &alidns.UpdateDomainRecordRequest{RecordId: found.RecordId,
			RR: dara.String(want.rr), Type: dara.String(want.typ), Value: dara.String(want.value), TTL: dara.Int64(r.cfg.TTL)}, r.runtime())
		if err != nil {
			return mapErr("UpdateDomainRecord", err)
		}
		r.log.Info("record updated", "rr", want.rr, "type", want.typ, "value", want.value, "was", dara.StringValue(found.Value))
	}
	return nil
}

// mapErr is the one place where Alidns failures become domain codes.
func mapErr(action string, err error) error {
	// The SDK answers *tea.SDKError (or dara's, by version); anything else
	// is the transport's.
	var code string
	var status int
	var teaErr *tea.SDKError
	var daraErr *dara.SDKError
	switch {
	case errors.As(err, &teaErr):
		code, status = tea.StringValue(teaErr.Code), tea.IntValue(teaErr.StatusCode)
	case errors.As(err, &daraErr):
		code, status = dara.StringValue(daraErr.Code), dara.IntValue(daraErr.StatusCode)
	default:
		return domain.Wrap(domain.ErrCloudUnavailable, fmt.Errorf("alidns %s: %w", action, err))
	}
	cause := fmt.Errorf("alidns %s: %d %s", action, status, code)
	switch {
	case strings.HasPrefix(code, "Throttling") || status >= 500:
		return domain.Wrap(domain.ErrCloudUnavailable, cause)
	case code == "InvalidAccessKeyId.NotFound" || code == "SignatureDoesNotMatch" || code == "IncompleteSignature":
		return domain.Wrap(domain.ErrCloudAuth, cause)
	case status == http.StatusForbidden || strings.HasPrefix(code, "Forbidden"):
		return domain.Wrap(domain.Errorf(domain.CodeForbidden, "alidns refused the action"), cause)
	}
	return domain.Internal(cause, "alidns "+action)
}
