package jwt_test

import (
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/jwt"
	"github.com/seatidemc/seatide/domain"
)

var (
	secret = []byte("test-secret-0123456789abcdef0123")
	now    = time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

func newService(t *testing.T, opts jwt.Options) (*jwt.Service, *fakeClock) {
	t.Helper()
	clock := &fakeClock{t: now}
	if opts.Secret == nil {
		opts.Secret = secret
	}
	opts.Clock = clock
	s, err := jwt.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return s, clock
}

func goodClaims() domain.TokenClaims {
	return domain.TokenClaims{UserID: 42, Subject: "alice", Group: domain.GroupStd, Version: 3, IssuedAt: now, ExpiresAt: now.Add(7 * 24 * time.Hour)}
}

// payload returns the claims a good token carries, as JSON values.
func payload() map[string]any {
	return map[string]any{
		"sub": "alice", "uid": 42, "grp": "std", "ver": 3, "iss": "seatide",
		"iat": now.Unix(), "exp": now.Add(7 * 24 * time.Hour).Unix(),
	}
}

func b64(v any) string {
	b, ok := v.([]byte)
	if !ok {
		var err error
		if b, err = json.Marshal(v); err != nil {
			panic(err)
		}
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// handToken builds a compact JWS by hand; sign gets the signing input and
// returns the raw signature (nil for none).
func handToken(header, claims any, sign func(input []byte) []byte) string {
	input := b64(header) + "." + b64(claims)
	var sig []byte
	if sign != nil {
		sig = sign([]byte(input))
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func hmacWith(h func() hash.Hash, key []byte) func([]byte) []byte {
	return func(in []byte) []byte {
		m := hmac.New(h, key)
		m.Write(in)
		return m.Sum(nil)
	}
}

func hs256(alg string, claims any) string {
	return handToken(map[string]string{"alg": alg, "typ": "JWT"}, claims, hmacWith(sha256.New, secret))
}

func with(mod func(map[string]any)) map[string]any {
	p := payload()
	mod(p)
	return p
}

func TestNew(t *testing.T) {
	for _, opts := range []jwt.Options{{}, {Secret: []byte{}}, {Secret: secret, Skew: -time.Second}} {
		if s, err := jwt.New(opts); err == nil || s != nil {
			t.Errorf("New(%+v) = %v, %v; want an error", opts, s, err)
		}
	}
	s, err := jwt.New(jwt.Options{Secret: secret}) // system clock, default issuer and skew
	if err != nil {
		t.Fatal(err)
	}
	c := goodClaims()
	c.IssuedAt, c.ExpiresAt = time.Now(), time.Now().Add(time.Hour)
	tok, err := s.Issue(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Verify(context.Background(), tok); err != nil {
		t.Fatalf("Verify with the system clock: %v", err)
	}
}

func TestSecretIsCopied(t *testing.T) {
	key := []byte("mutable-secret")
	s, _ := newService(t, jwt.Options{Secret: key})
	tok, err := s.Issue(context.Background(), goodClaims())
	if err != nil {
		t.Fatal(err)
	}
	key[0] = 'X'
	if _, err := s.Verify(context.Background(), tok); err != nil {
		t.Fatalf("changing the caller's slice changed the key: %v", err)
	}
}

// TestWireFormat pins the claims as other services (and the original
// service's clients) see them.
func TestWireFormat(t *testing.T) {
	s, _ := newService(t, jwt.Options{})
	tok, err := s.Issue(context.Background(), goodClaims())
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not compact JWS", tok)
	}
	var header, body map[string]any
	for i, dst := range []*map[string]any{&header, &body} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			t.Fatal(err)
		}
	}
	if header["alg"] != "HS256" {
		t.Errorf("header %v, want alg HS256", header)
	}
	want := map[string]any{
		"sub": "alice", "uid": 42.0, "grp": "std", "ver": 3.0, "iss": "seatide",
		"iat": float64(now.Unix()), "exp": float64(now.Add(7 * 24 * time.Hour).Unix()),
	}
	if len(body) != len(want) {
		t.Errorf("claims %v, want exactly %v", body, want)
	}
	for k, v := range want {
		if body[k] != v {
			t.Errorf("claim %s = %#v, want %#v", k, body[k], v)
		}
	}
	// And a hand-made token with the same claims verifies.
	if _, err := s.Verify(context.Background(), hs256("HS256", payload())); err != nil {
		t.Errorf("hand-made HS256 token: %v", err)
	}
}

func TestIssueRefusesIncompleteClaims(t *testing.T) {
	s, _ := newService(t, jwt.Options{})
	for name, mod := range map[string]func(*domain.TokenClaims){
		"no subject":     func(c *domain.TokenClaims) { c.Subject = "" },
		"unknown group":  func(c *domain.TokenClaims) { c.Group = "root" },
		"no group":       func(c *domain.TokenClaims) { c.Group = "" },
		"negative ver":   func(c *domain.TokenClaims) { c.Version = -1 },
		"negative uid":   func(c *domain.TokenClaims) { c.UserID = -1 },
		"no expiry":      func(c *domain.TokenClaims) { c.ExpiresAt = time.Time{} },
		"no issued time": func(c *domain.TokenClaims) { c.IssuedAt = time.Time{} },
	} {
		c := goodClaims()
		mod(&c)
		if tok, err := s.Issue(context.Background(), c); err == nil || domain.ErrorCode(err) != domain.CodeInternal {
			t.Errorf("%s: Issue = %q, %v; want a CodeInternal error", name, tok, err)
		}
	}
}

func TestRejected(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rs256 := func(in []byte) []byte {
		d := sha256.Sum256(in)
		sig, err := rsa.SignPKCS1v15(rand.Reader, rsaKey, crypto.SHA256, d[:])
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	hdr := func(alg string) map[string]string { return map[string]string{"alg": alg, "typ": "JWT"} }
	valid := hs256("HS256", payload())
	parts := strings.Split(valid, ".")
	expired := with(func(p map[string]any) {
		p["exp"] = now.Add(-time.Hour).Unix()
		p["iat"] = now.Add(-2 * time.Hour).Unix()
	})

	tests := []struct {
		name string
		tok  string
	}{
		{"wrong secret", handToken(hdr("HS256"), payload(), hmacWith(sha256.New, []byte("other-secret")))},
		{"alg none", handToken(hdr("none"), payload(), nil)},
		{"alg None", handToken(hdr("None"), payload(), nil)},
		{"alg none with HS256 signature", handToken(hdr("none"), payload(), hmacWith(sha256.New, secret))},
		{"no alg", handToken(map[string]string{"typ": "JWT"}, payload(), hmacWith(sha256.New, secret))},
		{"HS512 same secret", handToken(hdr("HS512"), payload(), hmacWith(sha512.New, secret))},
		{"HS384 same secret", handToken(hdr("HS384"), payload(), hmacWith(sha512.New384, secret))},
		{"header HS512, HS256 signature", hs256("HS512", payload())},
		{"RS256", handToken(hdr("RS256"), payload(), rs256)},
		{"RS256 header, HMAC signature", hs256("RS256", payload())},
		{"wrong issuer", hs256("HS256", with(func(p map[string]any) { p["iss"] = "someone-else" }))},
		{"no issuer", hs256("HS256", with(func(p map[string]any) { delete(p, "iss") }))},
		{"no sub", hs256("HS256", with(func(p map[string]any) { delete(p, "sub") }))},
		{"empty sub", hs256("HS256", with(func(p map[string]any) { p["sub"] = "" }))},
		{"no grp", hs256("HS256", with(func(p map[string]any) { delete(p, "grp") }))},
		{"unknown grp", hs256("HS256", with(func(p map[string]any) { p["grp"] = "root" }))},
		{"numeric grp", hs256("HS256", with(func(p map[string]any) { p["grp"] = 1 }))},
		{"no ver", hs256("HS256", with(func(p map[string]any) { delete(p, "ver") }))},
		{"string ver", hs256("HS256", with(func(p map[string]any) { p["ver"] = "3" }))},
		{"fractional ver", hs256("HS256", with(func(p map[string]any) { p["ver"] = 3.5 }))},
		{"negative ver", hs256("HS256", with(func(p map[string]any) { p["ver"] = -1 }))},
		{"null ver", hs256("HS256", with(func(p map[string]any) { p["ver"] = nil }))},
		{"no uid", hs256("HS256", with(func(p map[string]any) { delete(p, "uid") }))},
		{"null uid", hs256("HS256", with(func(p map[string]any) { p["uid"] = nil }))},
		{"string uid", hs256("HS256", with(func(p map[string]any) { p["uid"] = "42" }))},
		{"fractional uid", hs256("HS256", with(func(p map[string]any) { p["uid"] = 42.5 }))},
		{"negative uid", hs256("HS256", with(func(p map[string]any) { p["uid"] = -42 }))},
		{"uid beyond int64", hs256("HS256", with(func(p map[string]any) { p["uid"] = json.Number("9223372036854775808") }))},
		{"no exp", hs256("HS256", with(func(p map[string]any) { delete(p, "exp") }))},
		{"no iat", hs256("HS256", with(func(p map[string]any) { delete(p, "iat") }))},
		{"string exp", hs256("HS256", with(func(p map[string]any) { p["exp"] = "tomorrow" }))},
		{"issued in the future", hs256("HS256", with(func(p map[string]any) { p["iat"] = now.Add(time.Hour).Unix() }))},
		{"not yet valid", hs256("HS256", with(func(p map[string]any) { p["nbf"] = now.Add(time.Hour).Unix() }))},
		{"expired and wrong issuer", hs256("HS256", func() map[string]any {
			p := with(func(map[string]any) {})
			p["iss"] = "x"
			p["exp"] = expired["exp"]
			p["iat"] = expired["iat"]
			return p
		}())},
		{"expired and no ver", hs256("HS256", func() map[string]any { delete(expired, "ver"); return expired }())},
		{"payload not JSON", handToken(hdr("HS256"), []byte("not json"), hmacWith(sha256.New, secret))},
		{"payload array", handToken(hdr("HS256"), []any{1, 2}, hmacWith(sha256.New, secret))},
		{"header not JSON", handToken([]byte("nope"), payload(), hmacWith(sha256.New, secret))},
		{"swapped payload", parts[0] + "." + b64(with(func(p map[string]any) { p["grp"] = "admin" })) + "." + parts[2]},
		{"missing signature", parts[0] + "." + parts[1]},
		{"empty signature", parts[0] + "." + parts[1] + "."},
		{"padded base64", parts[0] + "=." + parts[1] + "." + parts[2]},
		{"JSON serialization", `{"payload":"` + parts[1] + `","signatures":[{"protected":"` + parts[0] + `","signature":"` + parts[2] + `"}]}`},
		{"flattened JSON serialization", `{"payload":"` + parts[1] + `","protected":"` + parts[0] + `","signature":"` + parts[2] + `"}`},
		{"garbage", "garbage"},
		{"empty", ""},
		{"too long", valid + strings.Repeat("A", 5000)},
	}
	s, _ := newService(t, jwt.Options{})
	if _, err := s.Verify(context.Background(), valid); err != nil {
		t.Fatalf("the untampered hand-made token fails: %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := s.Verify(context.Background(), tc.tok)
			if !errors.Is(err, domain.ErrTokenInvalid) || errors.Is(err, domain.ErrTokenExpired) {
				t.Fatalf("Verify = (%+v, %v), want ErrTokenInvalid only", c, err)
			}
			if domain.ErrorCode(err) != domain.CodeUnauthenticated {
				t.Errorf("code %q", domain.ErrorCode(err))
			}
		})
	}
}

func TestExpiryAndSkew(t *testing.T) {
	exp := now.Add(time.Hour)
	tok := hs256("HS256", with(func(p map[string]any) { p["exp"] = exp.Unix() }))
	tests := []struct {
		name    string
		skew    time.Duration
		at      time.Time
		expired bool
	}{
		{"before expiry", 0, exp.Add(-time.Second), false},
		{"within default skew", 0, exp.Add(jwt.DefaultSkew - time.Second), false},
		{"at default skew", 0, exp.Add(jwt.DefaultSkew), true},
		{"past default skew", 0, exp.Add(jwt.DefaultSkew + time.Second), true},
		{"long expired", 0, exp.Add(30 * 24 * time.Hour), true},
		{"within custom skew", time.Minute, exp.Add(59 * time.Second), false},
		{"past custom skew", time.Minute, exp.Add(61 * time.Second), true},
		{"tiny skew", time.Nanosecond, exp.Add(time.Second), true},
	}
	// Each case twice: verified afresh, and remembered from a check made
	// earlier (the cache must judge time exactly as the full check).
	for _, tc := range tests {
		for _, remembered := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/remembered=%v", tc.name, remembered), func(t *testing.T) {
				s, clock := newService(t, jwt.Options{Skew: tc.skew})
				if remembered {
					if _, err := s.Verify(context.Background(), tok); err != nil {
						t.Fatal(err)
					}
				}
				clock.Set(tc.at)
				c, err := s.Verify(context.Background(), tok)
				if tc.expired {
					if !errors.Is(err, domain.ErrTokenExpired) || errors.Is(err, domain.ErrTokenInvalid) ||
						domain.ErrorCode(err) != domain.CodeExpired {
						t.Fatalf("Verify = (%+v, %v), want ErrTokenExpired only", c, err)
					}
					return
				}
				if err != nil || c.Subject != "alice" || c.UserID != 42 || c.Version != 3 || !c.ExpiresAt.Equal(exp) {
					t.Fatalf("Verify = (%+v, %v), want alice's claims", c, err)
				}
			})
		}
	}
}

// A remembered token is only ever the exact string that was verified: a
// token changed in any byte is checked afresh and refused.
func TestRememberedTokensAreExact(t *testing.T) {
	s, _ := newService(t, jwt.Options{})
	tok := hs256("HS256", payload())
	if _, err := s.Verify(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	forged := tok[:len(tok)-2] + "AA"
	if _, err := s.Verify(context.Background(), forged); !errors.Is(err, domain.ErrTokenInvalid) {
		t.Fatalf("forged signature: %v", err)
	}
	other := hs256("HS256", with(func(p map[string]any) { p["sub"] = "mallory" }))
	if c, err := s.Verify(context.Background(), other); err != nil || c.Subject != "mallory" {
		t.Fatalf("another token: %+v %v", c, err)
	}
}

func TestIssuerOption(t *testing.T) {
	a, _ := newService(t, jwt.Options{Issuer: "seatide-eu"})
	b, _ := newService(t, jwt.Options{}) // same secret, default issuer
	tok, err := a.Issue(context.Background(), goodClaims())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Verify(context.Background(), tok); err != nil {
		t.Fatalf("own issuer: %v", err)
	}
	if _, err := b.Verify(context.Background(), tok); !errors.Is(err, domain.ErrTokenInvalid) {
		t.Fatalf("other issuer: %v, want ErrTokenInvalid", err)
	}
}

func TestOtherServiceSecret(t *testing.T) {
	a, _ := newService(t, jwt.Options{})
	b, _ := newService(t, jwt.Options{Secret: []byte("another-secret")})
	tok, err := a.Issue(context.Background(), goodClaims())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Verify(context.Background(), tok); !errors.Is(err, domain.ErrTokenInvalid) {
		t.Fatalf("token of another secret: %v, want ErrTokenInvalid", err)
	}
}
