package bench

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/jwt"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports/portstest"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

// token signs a token the way the service does, by its own jwt adapter.
func token(t *testing.T, secret []byte, iss string, issued time.Time, sub string) string {
	t.Helper()
	svc, err := jwt.New(jwt.Options{Secret: secret, Issuer: iss, Clock: portstest.NewManualClock(issued)})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := svc.Issue(context.Background(), domain.TokenClaims{
		UserID: 7, Subject: sub, Group: domain.GroupStd, Version: 0,
		IssuedAt: issued, ExpiresAt: issued.Add(7 * 24 * time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestBaselineAnswersAsTheService(t *testing.T) {
	now := time.Now()
	good := token(t, testSecret, "seatide", now, "alice")
	expired := token(t, testSecret, "seatide", now.Add(-8*24*time.Hour), "alice")
	otherKey := token(t, []byte("another secret, also 32 bytes...."), "seatide", now, "alice")
	otherIssuer := token(t, testSecret, "someone-else", now, "alice")
	srv := httptest.NewServer(NewBaseline(testSecret, "seatide"))
	defer srv.Close()

	tests := []struct {
		name   string
		method string
		body   string
		code   int
		want   string
	}{
		{"valid", "POST", `{"type":"check","username":"alice","token":"` + good + `"}`, 200, string(answerOK)},
		{"username case folds", "POST", `{"type":"check","username":"ALICE","token":"` + good + `"}`, 200, string(answerOK)},
		{"issued to someone else", "POST", `{"type":"check","username":"bob","token":"` + good + `"}`, 200, string(answerInvalid)},
		{"expired", "POST", `{"type":"check","username":"alice","token":"` + expired + `"}`, 200, string(answerExpired)},
		{"other secret", "POST", `{"type":"check","username":"alice","token":"` + otherKey + `"}`, 200, string(answerInvalid)},
		{"other issuer", "POST", `{"type":"check","username":"alice","token":"` + otherIssuer + `"}`, 200, string(answerInvalid)},
		{"garbage token", "POST", `{"type":"check","username":"alice","token":"a.b.c"}`, 200, string(answerInvalid)},
		{"no token", "POST", `{"type":"check","username":"alice"}`, 200, string(answerMissing)},
		{"no username", "POST", `{"type":"check","token":"` + good + `"}`, 200, string(answerMissing)},
		{"not JSON", "POST", `type=check`, 200, string(answerParse)},
		{"other type", "POST", `{"type":"auth","username":"alice","password":"x"}`, 200, string(answerAction)},
		{"GET", "GET", ``, 404, `{"error": "NOT_FOUND", "code": 404, "status": "http-error"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+"/api/user/v1/auth", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.code || string(body) != tt.want {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, body, tt.code, tt.want)
			}
		})
	}
}

func TestRunBaselineRefusesEmptySecret(t *testing.T) {
	if err := RunBaseline(context.Background(), "127.0.0.1:0", nil, io.Discard); err == nil {
		t.Fatal("RunBaseline served with an empty secret")
	}
}

func TestProbeCountsRightAndWrongAnswers(t *testing.T) {
	srv := httptest.NewServer(NewBaseline(testSecret, "seatide"))
	defer srv.Close()
	bodies := [][]byte{[]byte(`{"type":"check","username":"alice","token":"` + token(t, testSecret, "seatide", time.Now(), "alice") + `"}`)}
	tests := []struct {
		name      string
		want      []byte
		wantRight bool
	}{
		{"expected answer", answerOK, true},
		{"unexpected answer", answerInvalid, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Probe(context.Background(), srv.URL+"/api/user/v1/auth", bodies, 100, 100*time.Millisecond, tt.want)
			if s.Requests == 0 {
				t.Fatal("no requests made")
			}
			if tt.wantRight && (s.Errors != 0 || s.RPS <= 0 || s.P99 <= 0) {
				t.Errorf("summary %+v: want only right answers", s)
			}
			if !tt.wantRight && (s.Errors != s.Requests || s.RPS != 0 || !strings.Contains(s.FirstError, "unexpected answer")) {
				t.Errorf("summary %+v: want every answer counted wrong", s)
			}
		})
	}
}

// wrk (a separate process, as in `make bench`) with the harness's script:
// the mix's tokens are all accepted, cold ones are counted, and a wrong
// answer is counted wrong.
func TestWrkRunsTheMix(t *testing.T) {
	if testing.Short() {
		t.Skip("runs wrk")
	}
	g, _, err := findWrk(context.Background(), t.TempDir(), io.Discard)
	if err != nil {
		t.Skipf("no wrk here: %v", err)
	}
	srv := httptest.NewServer(NewBaseline(testSecret, "seatide"))
	defer srv.Close()
	users := []benchUser{{ID: 1, Name: "alice"}, {ID: 2, Name: "bob"}}
	mix, err := writeTokenMix(t.TempDir(), testSecret, users, 2, 50, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		want      string
		wantRight bool
	}{{string(answerOK), true}, {string(answerInvalid), false}} {
		s, err := g.Run(context.Background(), Load{Name: "mix", Method: http.MethodPost, URL: srv.URL + "/api/user/v1/auth",
			Hot: mix.HotFile, Cold: mix.ColdFile, ColdPercent: 50, Connections: 2, Threads: 2, Duration: time.Second, Want: tt.want})
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case s.Requests == 0 || s.Cold == 0 || s.Cold > 50:
			t.Errorf("want %v: %+v: want requests and 1..50 cold ones", tt.want, s)
		case tt.wantRight && s.Errors != 0:
			t.Errorf("%+v: want every answer right", s)
		case !tt.wantRight && s.Errors != s.Requests:
			t.Errorf("%+v: want every answer wrong", s)
		}
	}
}

func TestCombine(t *testing.T) {
	runs := []Summary{
		{Requests: 100, Elapsed: time.Second, RPS: 100, P50: 1 * time.Millisecond, P99: 5 * time.Millisecond},
		{Requests: 310, Errors: 10, Elapsed: 2 * time.Second, RPS: 150, P50: 2 * time.Millisecond, P99: 9 * time.Millisecond, FirstError: "x"},
		{Requests: 50, Elapsed: time.Second, RPS: 50, P50: 3 * time.Millisecond, P99: 7 * time.Millisecond},
	}
	c := combine(runs)
	if c.Requests != 460 || c.Errors != 10 || c.RPS != 112.5 || c.P50 != 2*time.Millisecond || c.P99 != 7*time.Millisecond || c.FirstError != "x" {
		t.Errorf("combine = %+v", c)
	}
}
