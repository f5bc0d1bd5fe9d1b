package domain

import "slices"

// Scope limits what a credential lets its bearer do, whatever the user's
// group allows. Scopes are ordered: each includes the ones before it.
type Scope string

const (
	// ScopeRead: status, players, history (admins), money (approved members).
	ScopeRead Scope = "read"
	// ScopePlay: read, and the actions that spend money: new, start, wake.
	ScopePlay Scope = "play"
	// ScopeAdmin: everything the user's group allows; only an admin mints it.
	ScopeAdmin Scope = "admin"
)

var scopeRank = map[Scope]int{ScopeRead: 1, ScopePlay: 2, ScopeAdmin: 3}

// ParseScope accepts exactly the three scope names.
func ParseScope(s string) (Scope, error) {
	if _, ok := scopeRank[Scope(s)]; !ok {
		return "", Invalid("scopes")
	}
	return Scope(s), nil
}

// WidestScope is the most a list of scopes allows ("" for none).
func WidestScope(scopes []Scope) Scope {
	var best Scope
	for _, s := range scopes {
		if scopeRank[s] > scopeRank[best] {
			best = s
		}
	}
	return best
}

// Need is what an action requires of its caller: a credential of at least
// Scope, and, when set, admin rights or an approved account. Services
// check it with Allowed; the HTTP adapters never decide rights.
type Need struct {
	Scope    Scope
	Admin    bool
	Approved bool
}

// The needs of seatide's actions, named once so every service agrees.
var (
	NeedRead      = Need{Scope: ScopeRead}                 // status, the last operation
	NeedMoney     = Need{Scope: ScopeRead, Approved: true} // balance, transactions, bills, cost
	NeedPlay      = Need{Scope: ScopePlay, Approved: true} // new, wake: they spend money
	NeedAdminRead = Need{Scope: ScopeRead, Admin: true}    // history
	NeedAdminPlay = Need{Scope: ScopePlay, Admin: true}    // start (admin-only in v1), new when admin-only
	NeedAdmin     = Need{Scope: ScopeAdmin, Admin: true}   // stop, delete, user management
)

// Allowed returns nil when u may do an action that needs n, else
// ErrPermissionDenied (a nil u is an anonymous caller).
func Allowed(u *User, n Need) error {
	switch {
	case u == nil:
		return ErrPermissionDenied
	case n.Admin && u.Group != GroupAdmin:
		return ErrPermissionDenied
	case n.Approved && !u.Approved():
		return ErrPermissionDenied
	case !u.Allows(n.Scope):
		return ErrPermissionDenied
	}
	return nil
}

// Allows reports whether the credential u signed in with covers scope: a
// login token (Scope "") covers all of them.
func (u User) Allows(scope Scope) bool {
	return u.Scope == "" || scopeRank[u.Scope] >= scopeRank[scope]
}

// Approved reports whether the account may spend: admins always, members
// unless they signed up alone and still wait for an admin.
func (u User) Approved() bool { return u.Group == GroupAdmin || !u.Pending }

// SignupMode is who may open an account without an admin.
type SignupMode string

const (
	// SignupOpen: anyone; the account may spend at once (the original).
	SignupOpen SignupMode = "open"
	// SignupApproval: anyone; the account waits for an admin before it may spend.
	SignupApproval SignupMode = "approval"
	// SignupClosed: only an admin opens accounts.
	SignupClosed SignupMode = "closed"
)

// ParseSignupMode accepts the three modes.
func ParseSignupMode(s string) (SignupMode, error) {
	m := SignupMode(s)
	if !slices.Contains([]SignupMode{SignupOpen, SignupApproval, SignupClosed}, m) {
		return "", Invalid("users.signup")
	}
	return m, nil
}
