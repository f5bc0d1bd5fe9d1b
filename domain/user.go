package domain

import (
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Group is a user's rights: std members use the game server, admins run it.
type Group string

const (
	GroupStd   Group = "std"
	GroupAdmin Group = "admin"
)

// ParseGroup accepts exactly the two v1 group names.
func ParseGroup(s string) (Group, error) {
	switch Group(s) {
	case GroupStd, GroupAdmin:
		return Group(s), nil
	}
	return "", Invalid("group")
}

// ProtectedUsername is the account that v1 never lets anyone delete or alter.
const ProtectedUsername = "admin"

// Limits of user fields; the database columns are sized from the same numbers.
const (
	UsernameMin    = 3
	UsernameMax    = 20
	EmailMax       = 50
	NicknameMax    = 20
	PasswordMinLen = 8
	PasswordMaxLen = 128
)

// User is an account. PasswordHash is opaque to everything but the hasher;
// TokenVersion is bumped whenever earlier tokens must stop working.
type User struct {
	ID           int64
	Username     string
	Email        string
	Group        Group
	Nickname     *string // nil when the user never set one (v1 answers null)
	PasswordHash string
	TokenVersion int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// Pending marks an account that signed itself up while sign-up needs
	// an admin's approval: it may sign in, but not spend (see Approved).
	Pending bool

	// Scope is not stored: it is what the credential the caller presented
	// allows. "" for a login token (no limit beyond the group), an API
	// token's widest scope otherwise. TokenID names that API token (0 for
	// a login).
	Scope   Scope
	TokenID int64
}

// IsAdmin reports whether the caller may use admin rights now: an admin,
// signed in with a credential that carries them (an API token of scope
// read or play does not, even for an admin).
func (u User) IsAdmin() bool { return u.Group == GroupAdmin && u.Allows(ScopeAdmin) }

// Sentinel errors of the user side; the HTTP adapter maps each to its v1 text.
var (
	ErrUserNotFound     = Errorf(CodeNotFound, "user not found")
	ErrUsernameTaken    = Errorf(CodeConflict, "username already exists")
	ErrEmailTaken       = Errorf(CodeConflict, "email already in use")
	ErrWrongPassword    = Errorf(CodeUnauthenticated, "wrong password")
	ErrTokenInvalid     = Errorf(CodeUnauthenticated, "invalid token")
	ErrTokenExpired     = Errorf(CodeExpired, "expired token")
	ErrPermissionDenied = Errorf(CodeForbidden, "permission denied")
	ErrProtectedAccount = Errorf(CodeForbidden, "the admin account cannot be changed")
)

// ValidateLookupName refuses a name no account can have before it reaches a
// store: empty, too long, not UTF-8, or holding a control character (a NUL
// byte is an error on PostgreSQL and silently cut elsewhere). Legacy names
// that break today's rules for new names still pass.
func ValidateLookupName(s string) error {
	if s == "" || len(s) > 4*UsernameMax || !utf8.ValidString(s) {
		return Invalid("username")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return Invalid("username")
		}
	}
	return nil
}

// ValidateUsername checks 3..20 characters of [A-Za-z0-9._].
func ValidateUsername(s string) error {
	if len(s) < UsernameMin || len(s) > UsernameMax {
		return Invalid("username")
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_'
		if !ok {
			return Invalid("username")
		}
	}
	return nil
}

// ValidateEmail checks a bare address of at most 50 bytes.
func ValidateEmail(s string) error {
	if len(s) == 0 || len(s) > EmailMax || strings.ContainsAny(s, " <>\t\r\n") {
		return Invalid("email")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") {
		return Invalid("email")
	}
	return nil
}

// ValidateNickname allows nil (no nickname) or 1..20 characters.
func ValidateNickname(s *string) error {
	if s == nil {
		return nil
	}
	n := len([]rune(*s))
	if n == 0 || n > NicknameMax || strings.TrimSpace(*s) == "" {
		return Invalid("nickname")
	}
	return nil
}

// ValidatePassword checks the length of a new password in bytes. Legacy
// passwords shorter than this still log in: only new ones are checked.
func ValidatePassword(field, s string) error {
	if len(s) < PasswordMinLen || len(s) > PasswordMaxLen {
		return Invalid(field)
	}
	return nil
}

// TokenClaims is what a login token asserts. UserID and Version must equal
// the user's current ID and TokenVersion for the token to be honoured, so a
// token outlives neither a password change nor its user (even when someone
// later registers the same name).
type TokenClaims struct {
	UserID    int64
	Subject   string
	Group     Group
	Version   int64
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// FoldName is the key under which usernames and emails are unique: ASCII
// letters lowered, nothing else touched (the SQL stores' collations agree).
func FoldName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}
