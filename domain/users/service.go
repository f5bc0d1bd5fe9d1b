// Package users is the user side of seatide: accounts, logins, tokens and
// admin rights. It holds the rules; stores, hashing and token signing are
// ports wired in by the app.
package users

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// TokenTTL is how long a login token lives, as in the original service.
const TokenTTL = 7 * 24 * time.Hour

// Options are the operator's switches for the user side.
type Options struct {
	// Signup is who may open an account without an admin (see
	// domain.SignupMode); "" means SignupOpen when OpenSignup is set, else
	// SignupClosed.
	Signup domain.SignupMode
	// OpenSignup is the former switch, kept for one release: Signup wins.
	OpenSignup bool
	// OpenReads lets anyone list users without a token (v1 did; it leaks emails).
	OpenReads bool
	// HideUnknownUsers answers a login for an unknown name as a wrong password,
	// so that the answer does not reveal which names exist.
	HideUnknownUsers bool
	// TokenTTL overrides TokenTTL when positive.
	TokenTTL time.Duration

	// AccountThrottle and AddressThrottle slow down failed logins per
	// account and per client address; SignupThrottle limits sign-ups per
	// address. nil: no limit.
	AccountThrottle ports.Throttle
	AddressThrottle ports.Throttle
	SignupThrottle  ports.Throttle
	// APITokens keeps the tokens of bots and scripts; nil: none are accepted.
	APITokens ports.APITokenStore
	// RevocationDelay is how long a deletion, a password change or a
	// demotion made elsewhere (another replica, the command line) may take
	// to reach this process's token checks. Positive: checks use copies of
	// the users, trusted for that long after a read of the store's change
	// stamp. Zero: every check reads its user from the store.
	RevocationDelay time.Duration
}

// Service runs the user rules over the ports it is given.
type Service struct {
	store  ports.UserStore
	hasher ports.PasswordHasher
	tokens ports.TokenService
	clock  ports.Clock
	opts   Options
	known  *knownUsers // nil: RevocationDelay is zero

	decoyMu sync.Mutex
	decoy   string // a real hash checked for unknown users, so both paths cost the same
}

// New returns a user service.
func New(store ports.UserStore, hasher ports.PasswordHasher, tokens ports.TokenService, clock ports.Clock, opts Options) *Service {
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = TokenTTL
	}
	if opts.Signup == "" {
		opts.Signup = domain.SignupClosed
		if opts.OpenSignup {
			opts.Signup = domain.SignupOpen
		}
	}
	s := &Service{store: store, hasher: hasher, tokens: tokens, clock: clock, opts: opts}
	if opts.RevocationDelay > 0 {
		s.known = newKnownUsers(store, clock, opts.RevocationDelay, DefaultKnownUsers)
	}
	return s
}

// changed tells the token checks of this process that a user changed here.
func (s *Service) changed() {
	if s.known != nil {
		s.known.drop()
	}
}

// NewUser is what it takes to open an account.
type NewUser struct {
	Username string
	Password string
	Email    string
}

func (n NewUser) validate() error {
	var fields []string
	if domain.ValidateUsername(n.Username) != nil {
		fields = append(fields, "username")
	}
	if domain.ValidatePassword("password", n.Password) != nil {
		fields = append(fields, "password")
	}
	if domain.ValidateEmail(n.Email) != nil {
		fields = append(fields, "email")
	}
	if len(fields) > 0 {
		return domain.Invalid(fields...)
	}
	return nil
}

// Changes are the fields an admin may alter; nothing else can be expressed.
// A nil field is left as it is.
type Changes struct {
	Username      *string
	Email         *string
	Group         *domain.Group
	Nickname      *string
	ClearNickname bool
	Approved      *bool // v2 only: let a self-registered account spend
}

// Login checks a password and returns a fresh token. Returns ErrUserNotFound
// (or ErrWrongPassword when HideUnknownUsers is on), ErrWrongPassword, and
// a *domain.WaitError (ErrTooManyAttempts) while the account or the client
// address is throttled: then no password is checked at all.
func (s *Service) Login(ctx context.Context, username, password string) (string, error) {
	if err := domain.ValidateLookupName(username); err != nil {
		return "", err
	}
	account, addr := "user:"+domain.FoldName(username), "addr:"+domain.ClientAddrFrom(ctx)
	if wait := max(delay(s.opts.AccountThrottle, account), delay(s.opts.AddressThrottle, addr)); wait > 0 {
		return "", &domain.WaitError{After: wait}
	}
	tok, err := s.login(ctx, username, password)
	switch {
	case err == nil:
		reset(s.opts.AccountThrottle, account)
	case errors.Is(err, domain.ErrWrongPassword) || errors.Is(err, domain.ErrUserNotFound):
		fail(s.opts.AccountThrottle, account)
		fail(s.opts.AddressThrottle, addr)
	}
	return tok, err
}

func (s *Service) login(ctx context.Context, username, password string) (string, error) {
	u, err := s.store.UserByName(ctx, username)
	if errors.Is(err, domain.ErrUserNotFound) {
		// Spend the same work as a real check, so timing does not tell.
		if decoy, derr := s.decoyHash(ctx); derr == nil {
			_, _, _ = s.hasher.Verify(ctx, decoy, password)
		}
		if s.opts.HideUnknownUsers {
			return "", domain.ErrWrongPassword
		}
		return "", err
	}
	if err != nil {
		return "", err
	}
	ok, rehash, err := s.hasher.Verify(ctx, u.PasswordHash, password)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", domain.ErrWrongPassword
	}
	if rehash {
		if u, err = s.upgradeHash(ctx, u, password); err != nil {
			return "", err
		}
	}
	return s.issue(ctx, u)
}

func delay(t ports.Throttle, key string) time.Duration {
	if t == nil {
		return 0
	}
	return t.Delay(key)
}

func fail(t ports.Throttle, key string) {
	if t != nil {
		t.Fail(key)
	}
}

func reset(t ports.Throttle, key string) {
	if t != nil {
		t.Reset(key)
	}
}

// upgradeHash replaces a legacy or outdated hash now that the password is known.
func (s *Service) upgradeHash(ctx context.Context, u domain.User, password string) (domain.User, error) {
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return u, err
	}
	old := u.PasswordHash
	defer s.changed()
	return s.store.UpdateUser(ctx, u.Username, func(cur *domain.User) error {
		if cur.PasswordHash == old { // a concurrent password change wins
			cur.PasswordHash = hash
		}
		return nil
	})
}

func (s *Service) issue(ctx context.Context, u domain.User) (string, error) {
	now := s.clock.Now()
	return s.tokens.Issue(ctx, domain.TokenClaims{
		UserID:    u.ID,
		Subject:   u.Username,
		Group:     u.Group,
		Version:   u.TokenVersion,
		IssuedAt:  now,
		ExpiresAt: now.Add(s.opts.TokenTTL),
	})
}

func (s *Service) decoyHash(ctx context.Context) (string, error) {
	s.decoyMu.Lock()
	defer s.decoyMu.Unlock()
	if s.decoy != "" {
		return s.decoy, nil
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h, err := s.hasher.Hash(ctx, hex.EncodeToString(b))
	if err != nil {
		return "", err
	}
	s.decoy = h
	return h, nil
}

// Authenticate verifies a token and returns its user as stored at most
// Options.RevocationDelay ago (at once for changes made through this
// Service), so a demotion, a password change or a deletion takes effect
// within that delay on every replica. Returns ErrTokenExpired or
// ErrTokenInvalid.
func (s *Service) Authenticate(ctx context.Context, token string) (domain.User, error) {
	if token == "" {
		return domain.User{}, domain.ErrTokenInvalid
	}
	if IsAPIToken(token) {
		return s.authenticateAPIToken(ctx, token)
	}
	c, err := s.tokens.Verify(ctx, token)
	if err != nil {
		return domain.User{}, err
	}
	u, err := s.userForCheck(ctx, c.Subject)
	if errors.Is(err, domain.ErrUserNotFound) {
		return domain.User{}, domain.ErrTokenInvalid
	}
	if err != nil {
		return domain.User{}, err
	}
	if u.ID != c.UserID || u.TokenVersion != c.Version {
		return domain.User{}, domain.ErrTokenInvalid
	}
	return u, nil
}

func (s *Service) userForCheck(ctx context.Context, name string) (domain.User, error) {
	if s.known != nil {
		return s.known.user(ctx, name)
	}
	return s.store.UserByName(ctx, name)
}

// Check reports whether token is valid and was issued to username.
func (s *Service) Check(ctx context.Context, username, token string) error {
	u, err := s.Authenticate(ctx, token)
	if err != nil {
		return err
	}
	if !strings.EqualFold(u.Username, username) {
		return domain.ErrTokenInvalid
	}
	return nil
}

// Register opens a std account; actor is nil for an anonymous caller. An
// admin's accounts may spend at once; a self-registered one may only when
// sign-up is open, waits for an admin under SignupApproval, and is refused
// under SignupClosed. Anonymous sign-ups are limited per client address.
func (s *Service) Register(ctx context.Context, actor *domain.User, n NewUser) (domain.User, error) {
	if isAdmin(actor) {
		return s.create(ctx, n, domain.GroupStd, false)
	}
	if s.opts.Signup == domain.SignupClosed {
		return domain.User{}, domain.ErrPermissionDenied
	}
	addr := "addr:" + domain.ClientAddrFrom(ctx)
	if wait := delay(s.opts.SignupThrottle, addr); wait > 0 {
		return domain.User{}, &domain.WaitError{After: wait}
	}
	if err := n.validate(); err != nil {
		return domain.User{}, err // a typo does not count against the address
	}
	fail(s.opts.SignupThrottle, addr)
	return s.create(ctx, n, domain.GroupStd, s.opts.Signup == domain.SignupApproval)
}

// CreateAccount opens an account in any group. It checks no rights: it is
// for the operator's command line, which already owns the database.
func (s *Service) CreateAccount(ctx context.Context, n NewUser, g domain.Group) (domain.User, error) {
	return s.create(ctx, n, g, false)
}

func (s *Service) create(ctx context.Context, n NewUser, g domain.Group, pending bool) (domain.User, error) {
	if err := n.validate(); err != nil {
		return domain.User{}, err
	}
	if _, err := domain.ParseGroup(string(g)); err != nil {
		return domain.User{}, err
	}
	hash, err := s.hasher.Hash(ctx, n.Password)
	if err != nil {
		return domain.User{}, err
	}
	return s.store.CreateUser(ctx, domain.User{
		Username:     n.Username,
		Email:        n.Email,
		Group:        g,
		PasswordHash: hash,
		Pending:      pending,
	})
}

// Get returns one user to an admin.
func (s *Service) Get(ctx context.Context, actor *domain.User, username string) (domain.User, error) {
	if err := s.MayManage(actor); err != nil {
		return domain.User{}, err
	}
	if err := domain.ValidateLookupName(username); err != nil {
		return domain.User{}, err
	}
	return s.store.UserByName(ctx, username)
}

// List returns a page of users ordered by id, to an admin (or to anyone when
// OpenReads is on). page starts at 0; size is 1..100.
func (s *Service) List(ctx context.Context, actor *domain.User, page, size int) ([]domain.User, error) {
	if !s.opts.OpenReads && !isAdmin(actor) {
		return nil, domain.ErrPermissionDenied
	}
	return s.page(ctx, page, size)
}

// Users returns a page of users to an admin, whatever v1.open_reads says.
func (s *Service) Users(ctx context.Context, actor *domain.User, page, size int) ([]domain.User, error) {
	if !isAdmin(actor) {
		return nil, domain.ErrPermissionDenied
	}
	return s.page(ctx, page, size)
}

func (s *Service) page(ctx context.Context, page, size int) ([]domain.User, error) {
	switch {
	case page < 0:
		return nil, domain.Invalid("page")
	case size < 1 || size > 100:
		return nil, domain.Invalid("pagin")
	case page > math.MaxInt32/size:
		// Far past any real list: an empty page, never an offset that
		// wraps around to the first one.
		return []domain.User{}, nil
	}
	return s.store.ListUsers(ctx, page*size, size)
}

// Count returns how many users exist; it is public in v1.
func (s *Service) Count(ctx context.Context) (int, error) {
	return s.store.CountUsers(ctx)
}

// DeleteResult tells what a batch delete did.
type DeleteResult struct {
	Deleted int
	Missing []string
}

// Delete removes users for an admin. A list naming the admin account is
// refused whole; a single missing name is ErrUserNotFound, several report
// what they could not find.
func (s *Service) Delete(ctx context.Context, actor *domain.User, usernames []string) (DeleteResult, error) {
	if err := s.MayManage(actor); err != nil {
		return DeleteResult{}, err
	}
	if len(usernames) == 0 {
		return DeleteResult{}, domain.Invalid("usernames")
	}
	for _, name := range usernames {
		if err := domain.ValidateLookupName(name); err != nil {
			return DeleteResult{}, err
		}
		if isProtected(name) {
			return DeleteResult{}, domain.WithFields(domain.ErrProtectedAccount, domain.ProtectedUsername)
		}
	}
	var res DeleteResult
	defer s.changed()
	seen := make(map[string]bool, len(usernames))
	for _, name := range usernames {
		key := strings.ToLower(name)
		if seen[key] {
			continue
		}
		seen[key] = true
		err := s.store.DeleteUser(ctx, name)
		switch {
		case errors.Is(err, domain.ErrUserNotFound):
			if len(usernames) == 1 {
				return res, err
			}
			res.Missing = append(res.Missing, name)
		case err != nil:
			return res, err
		default:
			res.Deleted++
		}
	}
	return res, nil
}

// Alter changes an account's name, nickname, email or group for an admin.
func (s *Service) Alter(ctx context.Context, actor *domain.User, username string, c Changes) (domain.User, error) {
	if err := s.MayManage(actor); err != nil {
		return domain.User{}, err
	}
	if isProtected(username) {
		return domain.User{}, domain.WithFields(domain.ErrProtectedAccount, domain.ProtectedUsername)
	}
	if err := domain.ValidateLookupName(username); err != nil {
		return domain.User{}, err
	}
	if err := c.validate(); err != nil {
		return domain.User{}, err
	}
	defer s.changed()
	return s.store.UpdateUser(ctx, username, func(u *domain.User) error {
		if c.Username != nil && *c.Username != u.Username {
			// A rename ends the user's tokens: one issued before must not
			// come back to life if the name is given back later.
			u.Username = *c.Username
			u.TokenVersion++
		}
		if c.Approved != nil {
			u.Pending = !*c.Approved
		}
		if c.Email != nil {
			u.Email = *c.Email
		}
		if c.Group != nil {
			u.Group = *c.Group
		}
		if c.ClearNickname {
			u.Nickname = nil
		} else if c.Nickname != nil {
			nick := *c.Nickname
			u.Nickname = &nick
		}
		return nil
	})
}

func (c Changes) validate() error {
	var fields []string
	if c.Username != nil && domain.ValidateUsername(*c.Username) != nil {
		fields = append(fields, "username")
	}
	if c.Email != nil && domain.ValidateEmail(*c.Email) != nil {
		fields = append(fields, "email")
	}
	if c.Group != nil {
		if _, err := domain.ParseGroup(string(*c.Group)); err != nil {
			fields = append(fields, "group")
		}
	}
	if !c.ClearNickname && domain.ValidateNickname(c.Nickname) != nil {
		fields = append(fields, "nickname")
	}
	if len(fields) > 0 {
		return domain.Invalid(fields...)
	}
	return nil
}

// ChangePassword sets a new password for an admin and ends the user's
// earlier sessions.
func (s *Service) ChangePassword(ctx context.Context, actor *domain.User, username, password string) error {
	if err := s.MayManage(actor); err != nil {
		return err
	}
	if err := domain.ValidateLookupName(username); err != nil {
		return err
	}
	// The protected account is changed by its holder only, as alter and
	// delete refuse it to everyone.
	if isProtected(username) && !isProtected(actor.Username) {
		return domain.WithFields(domain.ErrProtectedAccount, domain.ProtectedUsername)
	}
	if err := domain.ValidatePassword("newPassword", password); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	defer s.changed()
	_, err = s.store.UpdateUser(ctx, username, func(u *domain.User) error {
		u.PasswordHash = hash
		u.TokenVersion++
		return nil
	})
	return err
}

// MayManage is the rule for managing accounts (get, alter, delete, change
// a password): admins only. Each of those methods applies it; a caller may
// also ask first, as v1 does to answer "Permission denied." before it reads
// the arguments.
func (s *Service) MayManage(actor *domain.User) error {
	if !isAdmin(actor) {
		return domain.ErrPermissionDenied
	}
	return nil
}

func isAdmin(u *domain.User) bool { return u != nil && u.IsAdmin() }

func isProtected(name string) bool { return strings.EqualFold(name, domain.ProtectedUsername) }
