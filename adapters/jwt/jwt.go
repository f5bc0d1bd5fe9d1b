// Package jwt implements ports.TokenService with HS256-signed JWTs
// (github.com/lestrrat-go/jwx/v2).
//
// A token carries sub (the username), uid (the user's ID), grp (the group),
// ver (the user's token version), iat, exp and iss; uid and ver are JSON
// integers. Verify accepts only compact
// JWS tokens whose header says HS256 and whose signature checks out with the
// configured secret, whose iss is the configured issuer, and which carry all
// of those claims; then it checks iat/exp against the injected clock with a
// small skew. A well-formed, well-signed token past its expiry gives
// domain.ErrTokenExpired; anything else wrong gives domain.ErrTokenInvalid.
package jwt

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// Defaults of Options.
const (
	DefaultIssuer = "seatide"
	DefaultSkew   = 5 * time.Second
)

// Claim names beyond the registered ones.
const (
	ClaimUserID  = "uid"
	ClaimGroup   = "grp"
	ClaimVersion = "ver"
)

// maxTokenLen bounds what Verify even parses; real tokens are ~250 bytes.
const maxTokenLen = 4096

// Options configures a Service.
type Options struct {
	Secret []byte        // HS256 key; required, copied
	Issuer string        // iss written and required; "" means DefaultIssuer
	Clock  ports.Clock   // nil means ports.SystemClock
	Skew   time.Duration // leeway for exp and iat; 0 means DefaultSkew, negative is an error
	// CacheSize bounds how many verified tokens are remembered (0 means
	// DefaultCacheSize, negative turns the cache off).
	CacheSize int
}

// DefaultCacheSize is enough for every token of a small community.
const DefaultCacheSize = 4096

// Service issues and verifies tokens. It is safe for concurrent use.
type Service struct {
	secret []byte
	issuer string
	clock  ports.Clock
	skew   time.Duration
	cache  *verified // nil: off
}

var _ ports.TokenService = (*Service)(nil)

// New returns a Service, or an error when the secret is empty or the skew
// negative.
func New(opts Options) (*Service, error) {
	if len(opts.Secret) == 0 {
		return nil, errors.New("jwt: empty secret")
	}
	if opts.Skew < 0 {
		return nil, fmt.Errorf("jwt: negative skew %v", opts.Skew)
	}
	s := &Service{
		secret: append([]byte(nil), opts.Secret...),
		issuer: opts.Issuer,
		clock:  opts.Clock,
		skew:   opts.Skew,
	}
	if s.issuer == "" {
		s.issuer = DefaultIssuer
	}
	if s.clock == nil {
		s.clock = ports.SystemClock{}
	}
	if s.skew == 0 {
		s.skew = DefaultSkew
	}
	switch {
	case opts.CacheSize == 0:
		s.cache = newVerified(DefaultCacheSize)
	case opts.CacheSize > 0:
		s.cache = newVerified(opts.CacheSize)
	}
	return s, nil
}

// Issue signs claims as given (times are written in whole seconds). Claims
// without subject, with an unknown group, a negative version or no
// IssuedAt/ExpiresAt are a caller's bug: Issue refuses them (CodeInternal)
// rather than sign a token Verify would reject.
func (s *Service) Issue(_ context.Context, c domain.TokenClaims) (string, error) {
	if err := checkClaims(c); err != nil {
		return "", domain.Internal(err, "issuing token")
	}
	tok, err := jwt.NewBuilder().
		Issuer(s.issuer).
		Subject(c.Subject).
		IssuedAt(c.IssuedAt).
		Expiration(c.ExpiresAt).
		Claim(ClaimUserID, c.UserID).
		Claim(ClaimGroup, string(c.Group)).
		Claim(ClaimVersion, c.Version).
		Build()
	if err != nil {
		return "", domain.Internal(err, "building token")
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.HS256, s.secret))
	if err != nil {
		return "", domain.Internal(err, "signing token")
	}
	return string(signed), nil
}

func checkClaims(c domain.TokenClaims) error {
	switch {
	case c.Subject == "":
		return errors.New("token claims without subject")
	case c.UserID < 0:
		return fmt.Errorf("token claims with negative user id %d", c.UserID)
	case c.Version < 0:
		return fmt.Errorf("token claims with negative version %d", c.Version)
	case c.IssuedAt.IsZero() || c.ExpiresAt.IsZero():
		return errors.New("token claims without issue or expiry time")
	}
	if _, err := domain.ParseGroup(string(c.Group)); err != nil {
		return fmt.Errorf("token claims with group %q", c.Group)
	}
	return nil
}

func invalid(cause error) (domain.TokenClaims, error) {
	return domain.TokenClaims{}, domain.Wrap(domain.ErrTokenInvalid, cause)
}

// Verify checks token; see ports.TokenService and the package comment.
func (s *Service) Verify(_ context.Context, token string) (domain.TokenClaims, error) {
	if len(token) > maxTokenLen {
		return invalid(errors.New("token too long"))
	}
	if c, ok := s.cache.get(token); ok {
		return s.checkTimes(c)
	}
	// The algorithm is pinned twice: the header must say HS256 (jwx itself
	// only uses the algorithm it is given and ignores the header), and the
	// signature is checked with HS256 and our key alone. Only the compact
	// serialization is accepted. The header is read by hand: parsing the
	// whole JWS for it doubled the cost of every check.
	if err := strictShape(token); err != nil {
		return invalid(err)
	}
	if err := checkHeader(token); err != nil {
		return invalid(err)
	}
	tok, err := jwt.ParseString(token,
		jwt.WithKey(jwa.HS256, s.secret),
		jwt.WithValidate(false),
		// Integers only (no 1.5, "1" or float rounding), as pointers so
		// that null stays nil rather than becoming 0.
		jwt.WithTypedClaim(ClaimUserID, (*int64)(nil)),
		jwt.WithTypedClaim(ClaimVersion, (*int64)(nil)),
	)
	if err != nil {
		return invalid(err)
	}

	// Everything but time first, so that a token wrong in any other way is
	// invalid rather than expired.
	err = jwt.Validate(tok,
		jwt.WithResetValidators(true),
		jwt.WithIssuer(s.issuer),
		jwt.WithRequiredClaim(jwt.SubjectKey),
		jwt.WithRequiredClaim(jwt.IssuedAtKey),
		jwt.WithRequiredClaim(jwt.ExpirationKey),
		jwt.WithRequiredClaim(ClaimUserID),
		jwt.WithRequiredClaim(ClaimGroup),
		jwt.WithRequiredClaim(ClaimVersion),
	)
	if err != nil {
		return invalid(err)
	}
	c := domain.TokenClaims{
		Subject:   tok.Subject(),
		IssuedAt:  tok.IssuedAt().UTC(),
		ExpiresAt: tok.Expiration().UTC(),
	}
	grp, _ := tok.Get(ClaimGroup)
	g, _ := grp.(string)
	c.Group = domain.Group(g)
	uid, uidOK := claimInt(tok, ClaimUserID)
	ver, verOK := claimInt(tok, ClaimVersion)
	c.UserID, c.Version = uid, ver
	if !uidOK || !verOK || checkClaims(c) != nil {
		return invalid(errors.New("bad claim values"))
	}

	err = jwt.Validate(tok, jwt.WithClock(s.clock), jwt.WithAcceptableSkew(s.skew))
	if errors.Is(err, jwt.ErrTokenExpired()) {
		return domain.TokenClaims{}, domain.Wrap(domain.ErrTokenExpired, err)
	}
	if err != nil {
		return invalid(err) // issued in the future, or not yet valid (nbf)
	}
	if tok.NotBefore().IsZero() { // the times checkTimes repeats are all it has
		s.cache.put(token, c)
	}
	return c, nil
}

// checkTimes repeats, for a remembered token, the time checks jwt.Validate
// made when it was verified: the same second truncation and skew.
func (s *Service) checkTimes(c domain.TokenClaims) (domain.TokenClaims, error) {
	now := s.clock.Now().Truncate(time.Second)
	if !now.Before(c.ExpiresAt.Truncate(time.Second).Add(s.skew)) {
		return domain.TokenClaims{}, domain.Wrap(domain.ErrTokenExpired, errors.New("exp not satisfied"))
	}
	if now.Before(c.IssuedAt.Truncate(time.Second).Add(-s.skew)) {
		return invalid(errors.New("iat not satisfied"))
	}
	return c, nil
}

// claimInt returns an integer claim decoded as *int64, false when it is
// absent, null or of another type.
func claimInt(tok jwt.Token, name string) (int64, bool) {
	v, _ := tok.Get(name)
	p, ok := v.(*int64)
	if !ok || p == nil {
		return 0, false
	}
	return *p, true
}

// checkHeader accepts only a compact JWS (three dot-separated parts) whose
// protected header names HS256.
func checkHeader(token string) error {
	if strings.Count(token, ".") != 2 {
		return errors.New("not a compact JWS")
	}
	h, _, _ := strings.Cut(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		return fmt.Errorf("header: %w", err)
	}
	var hdr struct {
		Alg *string `json:"alg"`
	}
	if err := json.Unmarshal(raw, &hdr); err != nil {
		return fmt.Errorf("header: %w", err)
	}
	if hdr.Alg == nil || *hdr.Alg != jwa.HS256.String() {
		return errors.New("algorithm is not HS256")
	}
	return nil
}
