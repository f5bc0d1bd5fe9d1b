// Package webhook delivers events to HTTP endpoints: Standard Webhooks JSON
// (signed), the custom-robot webhooks of Discord, DingTalk, Feishu and WeCom
// (signed where the robot has signing), and QQ groups through a OneBot 11
// HTTP endpoint. It implements ports.WebhookSender; which event goes where
// and when is the outbox's business (domain/events).
package webhook

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// Formats.
const (
	FormatJSON     = "json"
	FormatDiscord  = "discord"
	FormatDingTalk = "dingtalk"
	FormatFeishu   = "feishu"
	FormatWeCom    = "wecom"
	FormatOneBot   = "onebot"
)

// Formats lists every format.
var Formats = []string{FormatJSON, FormatDiscord, FormatDingTalk, FormatFeishu, FormatWeCom, FormatOneBot}

// Config is one configured endpoint (an item of notify.webhooks).
type Config struct {
	Name   string   // shown to operators and keyed in the outbox; "" makes one from format and URL
	URL    string   // may carry a robot's key in its query: never logged or shown
	Format string   // one of Formats
	Events []string // event types; empty: every type
	// Secret signs: the whsec_ secret for json, the robot's signing secret
	// for dingtalk and feishu, the access token for onebot. Unused by
	// discord and wecom (their key is in the URL).
	Secret string
}

// Endpoint is a validated Config.
type Endpoint struct {
	Config
	Types []domain.EventType
	url   *url.URL
	key   []byte // json: the decoded whsec_ secret
	group int64  // onebot: the QQ group
}

// Redacted is the URL without its query or user info: safe to show.
func (e *Endpoint) Redacted() string {
	return e.url.Scheme + "://" + e.url.Host + e.url.Path
}

// Parse validates c: the URL (absolute http or https), the format, the
// event types and the secret the format needs. index is c's place in
// notify.webhooks, for the error.
func Parse(c Config, index int) (*Endpoint, error) {
	key := fmt.Sprintf("notify.webhooks[%d]", index)
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s.url: %q is not an absolute http(s) URL", key, redactRaw(c.URL))
	}
	e := &Endpoint{Config: c, url: u}
	switch c.Format {
	case FormatJSON:
		if c.Secret != "" {
			b64, ok := strings.CutPrefix(c.Secret, "whsec_")
			if e.key, err = decodeBase64(b64); !ok || err != nil || len(e.key) == 0 {
				return nil, fmt.Errorf("%s.secret: want whsec_ followed by base64 (Standard Webhooks)", key)
			}
		}
	case FormatDiscord, FormatWeCom, FormatDingTalk, FormatFeishu:
	case FormatOneBot:
		g, err := strconv.ParseInt(u.Query().Get("group_id"), 10, 64)
		if err != nil || g <= 0 {
			return nil, fmt.Errorf("%s.url: a onebot URL names its QQ group: ...?group_id=123456", key)
		}
		e.group = g
	default:
		return nil, fmt.Errorf("%s.format: unknown format %q (want one of %s)", key, c.Format, strings.Join(Formats, ", "))
	}
	for _, t := range c.Events {
		if !domain.EventType(t).Known() {
			return nil, fmt.Errorf("%s.events: unknown event type %q", key, t)
		}
		e.Types = append(e.Types, domain.EventType(t))
	}
	if e.Name == "" {
		sum := sha256.Sum256([]byte(c.Format + " " + c.URL))
		e.Name = c.Format + "-" + hex.EncodeToString(sum[:4])
	}
	return e, nil
}

// redactRaw cuts a URL that did not parse to what precedes its query.
func redactRaw(s string) string {
	s, _, _ = strings.Cut(s, "?")
	return s
}

// Sender sends to the endpoints it was made with; a ports.WebhookSender.
type Sender struct {
	endpoints map[string]*Endpoint
	client    *http.Client
	lang      string
	now       func() time.Time
}

var _ ports.WebhookSender = (*Sender)(nil)

// NewSender returns a Sender writing messages in lang (en or zh-CN).
// client nil uses a client that follows no redirects (a robot that
// redirects is misconfigured; following could leak the body elsewhere).
func NewSender(endpoints []*Endpoint, client *http.Client, lang string, now func() time.Time) (*Sender, error) {
	if _, ok := catalog[lang]; !ok {
		return nil, fmt.Errorf("notify.language: %q is not en or zh-CN", lang)
	}
	if client == nil {
		client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	s := &Sender{endpoints: map[string]*Endpoint{}, client: client, lang: lang, now: now}
	for _, e := range endpoints {
		if _, dup := s.endpoints[e.Name]; dup {
			return nil, fmt.Errorf("notify.webhooks: two endpoints named %q", e.Name)
		}
		s.endpoints[e.Name] = e
	}
	return s, nil
}

// Send posts e to the named endpoint and checks the receiver's answer.
func (s *Sender) Send(ctx context.Context, name string, e domain.Event) error {
	ep, ok := s.endpoints[name]
	if !ok {
		return fmt.Errorf("no endpoint named %q is configured", name)
	}
	req, err := s.Request(ctx, ep, e)
	if err != nil {
		return err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // its text carries the URL, and with it a robot's key
		}
		return fmt.Errorf("%s: %v", ep.url.Host, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%s answered HTTP %d", ep.url.Host, resp.StatusCode)
	}
	return checkAnswer(ep.Format, body)
}

// Request builds the signed request of e for ep, at the Sender's clock.
func (s *Sender) Request(ctx context.Context, ep *Endpoint, e domain.Event) (*http.Request, error) {
	now := s.now()
	body, err := s.Body(ep, e, now)
	if err != nil {
		return nil, err
	}
	u := *ep.url
	switch ep.Format {
	case FormatDingTalk:
		if ep.Secret != "" {
			ts, sign := dingTalkSign(ep.Secret, now)
			q := u.Query()
			q.Set("timestamp", ts)
			q.Set("sign", sign)
			u.RawQuery = q.Encode()
		}
	case FormatOneBot:
		if !strings.HasSuffix(u.Path, "/send_group_msg") { // the API's base, or the action's own URL
			u.Path = strings.TrimSuffix(u.Path, "/") + "/send_group_msg"
		}
		u.RawQuery = ""
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", ep.url.Host, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "seatide-webhook")
	switch ep.Format {
	case FormatJSON:
		id := MessageID(e)
		ts := strconv.FormatInt(now.Unix(), 10)
		req.Header.Set("webhook-id", id)
		req.Header.Set("webhook-timestamp", ts)
		if ep.key != nil {
			req.Header.Set("webhook-signature", StandardSignature(ep.key, id, ts, body))
		}
	case FormatOneBot:
		if ep.Secret != "" {
			req.Header.Set("Authorization", "Bearer "+ep.Secret)
		}
	}
	return req, nil
}

// MessageID is the webhook-id of e: the same on every retry, so receivers
// deduplicate by it.
func MessageID(e domain.Event) string { return "evt_" + strconv.FormatInt(e.ID, 10) }

// checkAnswer reads the robots' own success codes: they answer HTTP 200
// with an error inside.
func checkAnswer(format string, body []byte) error {
	var a struct {
		ErrCode    *int   `json:"errcode"`    // dingtalk, wecom
		ErrMsg     string `json:"errmsg"`     //
		Code       *int   `json:"code"`       // feishu
		StatusCode *int   `json:"StatusCode"` // feishu, older answers
		Msg        string `json:"msg"`        //
		Status     string `json:"status"`     // onebot: ok, async or failed
		RetCode    *int   `json:"retcode"`    //
	}
	switch format {
	case FormatDingTalk, FormatWeCom, FormatFeishu, FormatOneBot:
		if err := json.Unmarshal(body, &a); err != nil {
			return fmt.Errorf("%s answered something that is not JSON", format)
		}
	default:
		return nil
	}
	bad := func(p *int) bool { return p != nil && *p != 0 }
	switch {
	case bad(a.ErrCode):
		return fmt.Errorf("%s refused: errcode %d %s", format, *a.ErrCode, clip(a.ErrMsg, 100))
	case bad(a.Code):
		return fmt.Errorf("%s refused: code %d %s", format, *a.Code, clip(a.Msg, 100))
	case bad(a.StatusCode):
		return fmt.Errorf("%s refused: StatusCode %d", format, *a.StatusCode)
	case format == FormatOneBot && (a.Status == "failed" || bad(a.RetCode)):
		return fmt.Errorf("onebot refused: status %s retcode %d", a.Status, deref(a.RetCode))
	}
	return nil
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
