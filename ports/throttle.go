package ports

import (
	"context"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// Throttle slows down repeated attempts per key (an account, a client
// address). Implementations bound their memory however many keys they see.
type Throttle interface {
	// Delay is how long key must still wait before its next attempt; 0 when
	// it may try now.
	Delay(key string) time.Duration
	// Fail counts a failed attempt of key (for sign-ups: any attempt).
	Fail(key string)
	// Reset forgets key's failures, e.g. after a successful login.
	Reset(key string)
}

// APITokenStore keeps the API tokens of bots and scripts. Only a hash of
// each token is stored; it is unique.
type APITokenStore interface {
	// CreateAPIToken stores t and returns it with ID and CreatedAt set.
	CreateAPIToken(ctx context.Context, t domain.APIToken) (domain.APIToken, error)

	// APITokenByHash returns the token with this hash and its user as
	// stored now, in one read. domain.ErrAPITokenNotFound when there is
	// none (deleting a user deletes its tokens).
	APITokenByHash(ctx context.Context, hash string) (domain.APIToken, domain.User, error)

	// APITokens lists a user's tokens, oldest first.
	APITokens(ctx context.Context, userID int64) ([]domain.APIToken, error)

	// APITokenByID returns one token, or domain.ErrAPITokenNotFound.
	APITokenByID(ctx context.Context, id int64) (domain.APIToken, error)

	// DeleteAPIToken removes a token, or returns domain.ErrAPITokenNotFound.
	DeleteAPIToken(ctx context.Context, id int64) error

	// TouchAPIToken records that a token was used at (its last use).
	TouchAPIToken(ctx context.Context, id int64, at time.Time) error
}
