// Package ports declares the interfaces the core needs from the outside
// world. Each method documents the domain error codes it returns; adapters
// must translate their own failures into those codes (anything else is
// treated as internal). Every adapter passes the suite in ports/portstest.
package ports

import (
	"context"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// Clock tells the time; tests inject a fake one.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock, in UTC.
type SystemClock struct{}

func (SystemClock) Now() time.Time { return time.Now().UTC() }

// UserStore keeps accounts. Usernames and emails are unique ignoring ASCII
// case, and lookups by name ignore case too (as the original MySQL did).
// Times are stored and returned in UTC with at least second precision.
type UserStore interface {
	// CreateUser stores u and returns it with ID, CreatedAt and UpdatedAt
	// set (CreatedAt is kept when u carries one, for imports).
	// Returns domain.ErrUsernameTaken or domain.ErrEmailTaken (CodeConflict);
	// ErrUsernameTaken when both are taken.
	CreateUser(ctx context.Context, u domain.User) (domain.User, error)

	// UserByName returns the user, or domain.ErrUserNotFound.
	UserByName(ctx context.Context, username string) (domain.User, error)

	// UpdateUser reads the user, lets fn change it, and writes it back in one
	// transaction; fn's error aborts the update and is returned unchanged.
	// ID and CreatedAt cannot be changed; UpdatedAt is set by the store.
	// Returns domain.ErrUserNotFound, or ErrUsernameTaken/ErrEmailTaken when
	// the change would collide with another user.
	UpdateUser(ctx context.Context, username string, fn func(u *domain.User) error) (domain.User, error)

	// DeleteUser removes the user, or returns domain.ErrUserNotFound.
	DeleteUser(ctx context.Context, username string) error

	// ListUsers returns up to limit users ordered by ID, skipping offset.
	ListUsers(ctx context.Context, offset, limit int) ([]domain.User, error)

	// CountUsers returns how many users exist.
	CountUsers(ctx context.Context) (int, error)
}

// PasswordHasher makes and checks password hashes. Implementations bound how
// many hashes run at once; a caller waiting for a slot gives up when ctx ends
// (CodeUnavailable).
type PasswordHasher interface {
	// Hash returns a self-describing hash string of password.
	Hash(ctx context.Context, password string) (string, error)

	// Verify reports whether password matches hash. rehash is true when the
	// hash uses an outdated scheme or parameters and should be replaced by
	// Hash(password) now that the password is known. A hash it cannot parse
	// gives ok=false and no error.
	Verify(ctx context.Context, hash, password string) (ok, rehash bool, err error)
}

// TokenService issues and verifies login tokens.
type TokenService interface {
	// Issue signs claims into a token string.
	Issue(ctx context.Context, claims domain.TokenClaims) (string, error)

	// Verify checks signature, algorithm, issuer and expiry and returns the
	// claims. Returns domain.ErrTokenExpired for a well-signed token past its
	// expiry, domain.ErrTokenInvalid for anything else wrong with it.
	Verify(ctx context.Context, token string) (domain.TokenClaims, error)
}
