package domain

import (
	"strings"
	"time"
	"unicode"
)

// APIToken is a long-lived credential for a bot or a script, limited by
// scopes. Only Hash is stored, never the token itself: it is shown once.
type APIToken struct {
	ID     int64
	UserID int64
	Name   string
	Scopes []Scope
	// Hash is the hex SHA-256 of the token. The token holds 256 random
	// bits, so a fast hash is enough: no guessing or dictionary can reach
	// it, and every request can check it without a slow hash.
	Hash string
	// UserVersion is the user's TokenVersion when it was minted: a password
	// change or a rename ends it, as it ends login tokens.
	UserVersion int64
	CreatedAt   time.Time
	ExpiresAt   time.Time
	LastUsedAt  time.Time // zero: never used
}

// Limits of API tokens.
const (
	APITokenNameMax = 50
	APITokensMax    = 20 // per user
	APITokenTTLMin  = time.Minute
	APITokenTTLMax  = 366 * 24 * time.Hour
	APITokenTTLDef  = 90 * 24 * time.Hour
)

// Errors of API tokens.
var (
	ErrAPITokenNotFound = Errorf(CodeNotFound, "API token not found")
	ErrTooManyAPITokens = Errorf(CodePrecondition, "too many API tokens; revoke one first")
)

// ValidateTokenName checks 1..50 printable characters.
func ValidateTokenName(s string) error {
	if strings.TrimSpace(s) == "" || len([]rune(s)) > APITokenNameMax {
		return Invalid("name")
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return Invalid("name")
		}
	}
	return nil
}
