package http

import (
	"context"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/users"
)

// fakeAccounts serves the account routes in the router tests; the
// exchanges themselves are tested end to end in app (TestAccountsV2).
type fakeAccounts struct{}

var _ AccountService = fakeAccounts{}

func (fakeAccounts) Users(context.Context, *domain.User, int, int) ([]domain.User, error) {
	return nil, domain.ErrPermissionDenied
}
func (fakeAccounts) MintAPIToken(context.Context, *domain.User, users.NewAPIToken) (domain.APIToken, string, error) {
	return domain.APIToken{}, "", domain.ErrPermissionDenied
}
func (fakeAccounts) APITokens(context.Context, *domain.User) ([]domain.APIToken, error) {
	return nil, domain.ErrPermissionDenied
}
func (fakeAccounts) RevokeAPIToken(context.Context, *domain.User, int64) error {
	return domain.ErrPermissionDenied
}

// Every answer, v1, v2 or operational, is kept out of caches and typed.
func TestEveryAnswerIsNoStoreNoSniff(t *testing.T) {
	srv := fullServer()
	for _, path := range []string{"/api/user/v1/get/count", "/api/nothing", "/healthz", "/api/v2/me", "/api/openapi.yaml"} {
		rec := httptest.NewRecorder()
		func() {
			defer func() { _ = recover() }() // fakeUsers.Count panics: the crash answer counts too
			srv.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		}()
		if rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: Cache-Control %q, X-Content-Type-Options %q", path, rec.Header().Get("Cache-Control"), rec.Header().Get("X-Content-Type-Options"))
		}
	}
}

func TestClientAddr(t *testing.T) {
	proxies := ClientAddrOptions{Header: "X-Forwarded-For", TrustedProxies: mustPrefixes("10.0.0.0/8")}
	tests := []struct {
		name, remote, xff string
		opts              ClientAddrOptions
		want              string
	}{
		{"no header configured: the peer", "203.0.113.7:5555", "1.2.3.4", ClientAddrOptions{}, "203.0.113.7"},
		{"untrusted peer's header ignored", "203.0.113.7:5555", "1.2.3.4", proxies, "203.0.113.7"},
		{"trusted proxy: the last untrusted hop", "10.0.0.2:5555", "6.6.6.6, 198.51.100.9, 10.0.0.3", proxies, "198.51.100.9"},
		{"trusted proxy, no header", "10.0.0.2:5555", "", proxies, "10.0.0.2"},
		{"garbage hop stops the walk", "10.0.0.2:5555", "198.51.100.9, junk", proxies, "10.0.0.2"},
		{"IPv4-mapped peer", "[::ffff:203.0.113.7]:5555", "", ClientAddrOptions{}, "203.0.113.7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			if got := tt.opts.clientAddr(r); got != tt.want {
				t.Errorf("clientAddr = %q, want %q", got, tt.want)
			}
		})
	}
}

func mustPrefixes(s ...string) (out []netip.Prefix) {
	for _, p := range s {
		out = append(out, netip.MustParsePrefix(p))
	}
	return out
}

// v1 takes a token from the query only on GETs (the token-guarded GETs of
// its contract); a POST must carry it in its body or a Bearer header.
func TestV1TokenInURLOnlyOnGets(t *testing.T) {
	r := httptest.NewRequest("POST", "/api/ecs/v1/action?token=secret", strings.NewReader(`{"type": "new"}`))
	r.Header.Set("Content-Type", "application/json")
	p, err := readParams(r)
	if err != nil || p.token() != "" {
		t.Fatalf("POST with ?token=: token %q, %v; want none", p.token(), err)
	}
	g := httptest.NewRequest("GET", "/api/ecs/v1/history?token=secret", nil)
	if p, _ := readParams(g); p.token() != "secret" {
		t.Fatalf("GET with ?token=: %q", p.token())
	}
}
