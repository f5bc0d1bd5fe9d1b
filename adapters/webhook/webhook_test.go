package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/webhook"
	"github.com/seatidemc/seatide/domain"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var sendTime = time.Date(2026, 12, 5, 8, 0, 30, 0, time.UTC)

func upEvent() domain.Event {
	e := domain.NewEvent(domain.EventInstanceStatus, time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC), "steve", "i-abc",
		domain.EventData{Status: domain.StatusRunning, Previous: domain.StatusStarting, IP: "1.2.3.4",
			Zone: "cn-hangzhou-k", Price: "0.31", Currency: "CNY"})
	e.ID = 42
	return e
}

// received is one request a test receiver saw.
type received struct {
	path, query string
	header      http.Header
	body        []byte
}

// receiver is an httptest server on loopback answering with answer.
func receiver(t *testing.T, status int, answer string) (*httptest.Server, func() []received) {
	t.Helper()
	var (
		mu  sync.Mutex
		got []received
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, received{r.URL.Path, r.URL.RawQuery, r.Header.Clone(), b})
		mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []received {
		mu.Lock()
		defer mu.Unlock()
		return append([]received(nil), got...)
	}
}

func sender(t *testing.T, lang string, eps ...*webhook.Endpoint) *webhook.Sender {
	t.Helper()
	s, err := webhook.NewSender(eps, nil, lang, func() time.Time { return sendTime })
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func parse(t *testing.T, c webhook.Config) *webhook.Endpoint {
	t.Helper()
	ep, err := webhook.Parse(c, 0)
	if err != nil {
		t.Fatal(err)
	}
	return ep
}

// verifyStandard checks a Standard Webhooks delivery as a receiver would,
// written from the specification alone (not from the sender's code): the
// signed content is "<webhook-id>.<webhook-timestamp>.<body>", the key is
// the base64 part of the whsec_ secret, the header holds space-separated
// "v1,<base64 HMAC-SHA256>" signatures, and a timestamp more than five
// minutes off is refused.
func verifyStandard(secret string, h http.Header, body []byte, now time.Time) error {
	id, ts, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return fmt.Errorf("missing headers: id %q timestamp %q signature %q", id, ts, sigs)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("timestamp %q: %v", ts, err)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return fmt.Errorf("timestamp %s is %v off", ts, d)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "." + string(body)))
	want := mac.Sum(nil)
	for _, s := range strings.Fields(sigs) {
		version, sig, ok := strings.Cut(s, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return fmt.Errorf("no signature matches")
}

const testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

func TestStandardWebhooksSignatureVerifies(t *testing.T) {
	srv, got := receiver(t, 204, "")
	ep := parse(t, webhook.Config{URL: srv.URL + "/hook", Format: "json", Secret: testSecret})
	s := sender(t, "en", ep)
	if err := s.Send(context.Background(), ep.Name, upEvent()); err != nil {
		t.Fatal(err)
	}
	r := got()[0]
	if err := verifyStandard(testSecret, r.header, r.body, sendTime.Add(time.Minute)); err != nil {
		t.Fatalf("independent verifier: %v", err)
	}
	if r.header.Get("webhook-id") != "evt_42" || r.header.Get("webhook-timestamp") != strconv.FormatInt(sendTime.Unix(), 10) {
		t.Fatalf("headers %v", r.header)
	}
	// Tampering is caught: the verifier is able to fail.
	if verifyStandard(testSecret, r.header, append(r.body, ' '), sendTime) == nil {
		t.Fatal("a changed body verified")
	}
	if verifyStandard("whsec_"+base64.StdEncoding.EncodeToString([]byte("another key")), r.header, r.body, sendTime) == nil {
		t.Fatal("another secret verified")
	}
	if verifyStandard(testSecret, r.header, r.body, sendTime.Add(time.Hour)) == nil {
		t.Fatal("a stale timestamp verified")
	}
}

// The spec's own example: this secret, id, timestamp and body sign to the
// signature the specification prints.
func TestStandardSignatureSpecExample(t *testing.T) {
	key, _ := base64.StdEncoding.DecodeString("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	got := webhook.StandardSignature(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330",
		[]byte(`{"test": 2432232314}`))
	if got != "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" {
		t.Fatalf("got %s", got)
	}
}

// Golden bodies for every format (go test -update rewrites them), and the
// request each robot expects: path, query, headers, signing.
func TestGoldenPayloads(t *testing.T) {
	for _, tc := range []struct {
		format, secret, url, answer, lang string
		check                             func(t *testing.T, r received)
	}{
		{"json", testSecret, "/hook", "", "en", func(t *testing.T, r received) {
			if err := verifyStandard(testSecret, r.header, r.body, sendTime); err != nil {
				t.Error(err)
			}
		}},
		{"discord", "", "/api/webhooks/1/tok", "", "en", nil},
		{"dingtalk", "SEC000secret", "/robot/send?access_token=abc", `{"errcode":0,"errmsg":"ok"}`, "zh-CN", func(t *testing.T, r received) {
			q, _ := urlQuery(r.query)
			ts := strconv.FormatInt(sendTime.UnixMilli(), 10)
			mac := hmac.New(sha256.New, []byte("SEC000secret"))
			mac.Write([]byte(ts + "\n" + "SEC000secret"))
			if q["access_token"] != "abc" || q["timestamp"] != ts || q["sign"] != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
				t.Errorf("query %s", r.query)
			}
		}},
		{"feishu", "fs-secret", "/open-apis/bot/v2/hook/x", `{"code":0,"msg":"success","data":{}}`, "zh-CN", func(t *testing.T, r received) {
			var b struct{ Timestamp, Sign string }
			_ = json.Unmarshal(r.body, &b)
			mac := hmac.New(sha256.New, []byte(b.Timestamp+"\n"+"fs-secret"))
			if b.Timestamp != strconv.FormatInt(sendTime.Unix(), 10) || b.Sign != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
				t.Errorf("signed %+v", b)
			}
		}},
		{"wecom", "", "/cgi-bin/webhook/send?key=k", `{"errcode":0,"errmsg":"ok"}`, "en", nil},
		{"onebot", "qq-token", "/?group_id=123456", `{"status":"ok","retcode":0,"data":{"message_id":1}}`, "zh-CN", func(t *testing.T, r received) {
			if r.path != "/send_group_msg" || r.query != "" || r.header.Get("Authorization") != "Bearer qq-token" {
				t.Errorf("path %s query %s auth %q", r.path, r.query, r.header.Get("Authorization"))
			}
		}},
	} {
		t.Run(tc.format, func(t *testing.T) {
			srv, got := receiver(t, 200, tc.answer)
			ep := parse(t, webhook.Config{URL: srv.URL + tc.url, Format: tc.format, Secret: tc.secret})
			if err := sender(t, tc.lang, ep).Send(context.Background(), ep.Name, upEvent()); err != nil {
				t.Fatal(err)
			}
			r := got()[0]
			if r.header.Get("Content-Type") != "application/json" {
				t.Errorf("content type %q", r.header.Get("Content-Type"))
			}
			golden(t, filepath.Join("testdata", tc.format+".golden.json"), r.body)
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func urlQuery(raw string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range strings.Split(raw, "&") {
		k, v, _ := strings.Cut(kv, "=")
		v, err := url.QueryUnescape(v)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if string(want) != string(got)+"\n" {
		t.Errorf("%s:\n got %s\nwant %s", path, got, want)
	}
}

// The robots answer HTTP 200 with their error inside; those are failures,
// and no failure text carries the URL's key.
func TestRobotRefusalsAreFailures(t *testing.T) {
	for _, tc := range []struct {
		format, answer string
		status         int
		want           string
	}{
		{"dingtalk", `{"errcode":310000,"errmsg":"sign not match"}`, 200, "errcode 310000"},
		{"wecom", `{"errcode":93000,"errmsg":"invalid webhook url"}`, 200, "errcode 93000"},
		{"feishu", `{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}`, 200, "code 19021"},
		{"onebot", `{"status":"failed","retcode":100}`, 200, "retcode 100"},
		{"discord", `{"message":"Unknown Webhook"}`, 404, "HTTP 404"},
		{"json", ``, 500, "HTTP 500"},
		{"wecom", `<html>`, 200, "not JSON"},
	} {
		t.Run(tc.format+"/"+tc.want, func(t *testing.T) {
			srv, _ := receiver(t, tc.status, tc.answer)
			ep := parse(t, webhook.Config{URL: srv.URL + "/x?key=SECRETKEY&group_id=1", Format: tc.format})
			err := sender(t, "en", ep).Send(context.Background(), ep.Name, upEvent())
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "SECRETKEY") {
				t.Fatalf("got %v, want an error with %q and no key", err, tc.want)
			}
		})
	}
	// A receiver that is not there: the error names the host, not the key.
	srv, _ := receiver(t, 200, "")
	gone := srv.URL + "/x?key=SECRETKEY"
	srv.Close()
	ep := parse(t, webhook.Config{URL: gone, Format: "wecom"})
	if err := sender(t, "en", ep).Send(context.Background(), ep.Name, upEvent()); err == nil || strings.Contains(err.Error(), "SECRETKEY") {
		t.Fatalf("got %v", err)
	}
}

func TestParseRefusesBadConfig(t *testing.T) {
	for _, tc := range []struct {
		c    webhook.Config
		want string
	}{
		{webhook.Config{URL: "not a url", Format: "json"}, "notify.webhooks[3].url"},
		{webhook.Config{URL: "ftp://x/y", Format: "json"}, "notify.webhooks[3].url"},
		{webhook.Config{URL: "/relative", Format: "json"}, "notify.webhooks[3].url"},
		{webhook.Config{URL: "https://x/y", Format: "slack"}, `unknown format "slack"`},
		{webhook.Config{URL: "https://x/y", Format: "json", Secret: "nope"}, "notify.webhooks[3].secret"},
		{webhook.Config{URL: "https://x/y", Format: "json", Events: []string{"player.exploded"}}, `unknown event type "player.exploded"`},
		{webhook.Config{URL: "http://127.0.0.1:5700/", Format: "onebot"}, "group_id"},
	} {
		_, err := webhook.Parse(tc.c, 3)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want %q", tc.c, err, tc.want)
		}
	}
	if _, err := webhook.NewSender(nil, nil, "fr", time.Now); err == nil || !strings.Contains(err.Error(), "notify.language") {
		t.Errorf("language: %v", err)
	}
	ep, err := webhook.Parse(webhook.Config{URL: "https://oapi.dingtalk.com/robot/send?access_token=SECRET", Format: "dingtalk"}, 0)
	if err != nil || ep.Redacted() != "https://oapi.dingtalk.com/robot/send" || !strings.HasPrefix(ep.Name, "dingtalk-") {
		t.Fatalf("%v %s %s", err, ep.Redacted(), ep.Name)
	}
}

func TestMessages(t *testing.T) {
	two := 2
	for _, tc := range []struct {
		e      domain.Event
		en, zh string
	}{
		{upEvent(), "Server is up at 1.2.3.4 (cn-hangzhou-k, 0.31 CNY/h)", "服务器已启动：1.2.3.4 (cn-hangzhou-k, 0.31 CNY/h)"},
		{domain.NewEvent(domain.EventPlayerJoined, sendTime, "", "i-1", domain.EventData{Player: "alex", Players: &two}),
			"alex joined (2 online)", "alex 加入了游戏（在线 2 人）"},
		{domain.NewEvent(domain.EventOperationFailed, sendTime, "steve", "i-1", domain.EventData{Action: "new", Step: "deploy", Reason: "the deploy script did not succeed"}),
			"new failed at deploy: the deploy script did not succeed", "new 在 deploy 步骤失败：the deploy script did not succeed"},
		{domain.NewEvent(domain.EventBudgetThreshold, sendTime, "", "", domain.EventData{Percent: 80, Spent: "80", Budget: "100", Currency: "CNY"}),
			"Budget: 80% used (80 of 100 CNY)", "预算已用 80%（80 / 100 CNY）"},
		{domain.NewEvent(domain.EventInstanceStatus, sendTime, "", "i-1", domain.EventData{Status: domain.StatusStopped, Previous: domain.StatusStopping}),
			"Server is stopped (was stopping)", "服务器已停止（之前停止中）"},
	} {
		if got := webhook.Message(tc.e, "en"); got != tc.en {
			t.Errorf("en: %q, want %q", got, tc.en)
		}
		if got := webhook.Message(tc.e, "zh-CN"); got != tc.zh {
			t.Errorf("zh-CN: %q, want %q", got, tc.zh)
		}
	}
	for _, et := range domain.EventTypes { // every type has words of its own
		if m := webhook.Message(domain.Event{Type: et}, "en"); strings.HasPrefix(m, "Event ") {
			t.Errorf("%s has no message", et)
		}
	}
}
