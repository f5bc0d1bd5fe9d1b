package users

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// APITokenPrefix starts every API token. A login token (a JWS) never does,
// so one look tells the two apart, and secret scanners can spot a leaked
// one.
const APITokenPrefix = "seatide_"

// apiTokenBytes of randomness: 256 bits, beyond any guessing.
const apiTokenBytes = 32

// touchEvery bounds how often a token's last use is written: a bot polling
// every second must not write every second.
const touchEvery = time.Minute

// IsAPIToken reports whether token has the shape of an API token: the
// prefix and exactly 43 unpadded base64url characters (no '=', which a
// lenient decoder would ignore).
func IsAPIToken(token string) bool {
	body, ok := strings.CutPrefix(token, APITokenPrefix)
	if !ok || len(body) != base64.RawURLEncoding.EncodedLen(apiTokenBytes) {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(body)
	return err == nil && len(b) == apiTokenBytes
}

func hashAPIToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewAPIToken is what a caller asks for when minting a token.
type NewAPIToken struct {
	Name      string
	Scopes    []string
	ExpiresIn time.Duration // 0: domain.APITokenTTLDef
}

// MintAPIToken makes a token for actor and returns it with its secret,
// which is never shown again. Only a signed-in person (a login token, not
// another API token) mints; scope admin needs an admin.
func (s *Service) MintAPIToken(ctx context.Context, actor *domain.User, n NewAPIToken) (domain.APIToken, string, error) {
	if actor == nil || actor.Scope != "" || s.opts.APITokens == nil {
		return domain.APIToken{}, "", domain.ErrPermissionDenied
	}
	var fields []string
	if domain.ValidateTokenName(n.Name) != nil {
		fields = append(fields, "name")
	}
	var scopes []domain.Scope
	for _, raw := range n.Scopes {
		sc, err := domain.ParseScope(raw)
		if err != nil {
			fields = append(fields, "scopes")
			break
		}
		if !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	if len(scopes) == 0 && !slices.Contains(fields, "scopes") {
		fields = append(fields, "scopes")
	}
	ttl := n.ExpiresIn
	if ttl == 0 {
		ttl = domain.APITokenTTLDef
	}
	if ttl < domain.APITokenTTLMin || ttl > domain.APITokenTTLMax {
		fields = append(fields, "expires_in")
	}
	if len(fields) > 0 {
		return domain.APIToken{}, "", domain.Invalid(fields...)
	}
	if slices.Contains(scopes, domain.ScopeAdmin) && !actor.IsAdmin() {
		return domain.APIToken{}, "", domain.ErrPermissionDenied
	}
	have, err := s.opts.APITokens.APITokens(ctx, actor.ID)
	if err != nil {
		return domain.APIToken{}, "", err
	}
	if len(have) >= domain.APITokensMax {
		return domain.APIToken{}, "", domain.ErrTooManyAPITokens
	}
	b := make([]byte, apiTokenBytes)
	_, _ = rand.Read(b) // crypto/rand never fails (Go 1.24+)
	secret := APITokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	now := s.clock.Now()
	t, err := s.opts.APITokens.CreateAPIToken(ctx, domain.APIToken{
		UserID: actor.ID, Name: n.Name, Scopes: scopes, Hash: hashAPIToken(secret),
		UserVersion: actor.TokenVersion, CreatedAt: now, ExpiresAt: now.Add(ttl),
	})
	if err != nil {
		return domain.APIToken{}, "", err
	}
	return t, secret, nil
}

// APITokens lists the caller's own tokens (never their secrets).
func (s *Service) APITokens(ctx context.Context, actor *domain.User) ([]domain.APIToken, error) {
	if actor == nil || s.opts.APITokens == nil {
		return nil, domain.ErrPermissionDenied
	}
	return s.opts.APITokens.APITokens(ctx, actor.ID)
}

// RevokeAPIToken deletes a token: the caller's own, or anyone's for an
// admin. Another user's token is reported as not found to a member, so ids
// do not reveal whose they are.
func (s *Service) RevokeAPIToken(ctx context.Context, actor *domain.User, id int64) error {
	if actor == nil || s.opts.APITokens == nil {
		return domain.ErrPermissionDenied
	}
	t, err := s.opts.APITokens.APITokenByID(ctx, id)
	if err != nil {
		return err
	}
	if t.UserID != actor.ID && !actor.IsAdmin() {
		return domain.ErrAPITokenNotFound
	}
	return s.opts.APITokens.DeleteAPIToken(ctx, id)
}

// authenticateAPIToken is Authenticate for an API token: one read finds the
// token and its user; the user comes back limited to the token's scopes.
func (s *Service) authenticateAPIToken(ctx context.Context, token string) (domain.User, error) {
	if s.opts.APITokens == nil {
		return domain.User{}, domain.ErrTokenInvalid
	}
	t, u, err := s.opts.APITokens.APITokenByHash(ctx, hashAPIToken(token))
	if err != nil {
		if errors.Is(err, domain.ErrAPITokenNotFound) {
			return domain.User{}, domain.ErrTokenInvalid
		}
		return domain.User{}, err
	}
	now := s.clock.Now()
	switch {
	case u.ID != t.UserID || u.TokenVersion != t.UserVersion:
		return domain.User{}, domain.ErrTokenInvalid
	case !now.Before(t.ExpiresAt):
		return domain.User{}, domain.ErrTokenExpired
	}
	if now.Sub(t.LastUsedAt) >= touchEvery {
		if err := s.opts.APITokens.TouchAPIToken(ctx, t.ID, now); err != nil && !errors.Is(err, domain.ErrAPITokenNotFound) {
			return domain.User{}, err
		}
	}
	u.Scope, u.TokenID = domain.WidestScope(t.Scopes), t.ID
	return u, nil
}
