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

func TestAttackCountsRightAndWrongAnswers(t *testing.T) {
	srv := httptest.NewServer(NewBaseline(testSecret, "seatide"))
	defer srv.Close()
	body := []byte(`{"type":"check","username":"alice","token":"` + token(t, testSecret, "seatide", time.Now(), "alice") + `"}`)
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
			s := Attack(context.Background(), Load{Name: tt.name, Method: http.MethodPost, URL: srv.URL + "/api/user/v1/auth",
				Body: body, Workers: 4, Duration: 100 * time.Millisecond, Want: tt.want}).Summary()
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

func TestAttackStopsWithContext(t *testing.T) {
	srv := httptest.NewServer(NewBaseline(testSecret, "seatide"))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan Sample, 1)
	go func() {
		done <- Attack(ctx, Load{Method: http.MethodGet, URL: srv.URL, Workers: 2, Duration: time.Hour})
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second): // a bound on a hang, not synchronisation
		t.Fatal("Attack ignored its cancelled context")
	}
}
