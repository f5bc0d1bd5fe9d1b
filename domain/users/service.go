// Package users is the user side of seatide: accounts, logins, tokens and
// admin rights. It holds the rules; stores, hashing and token signing are
// ports wired in by the app.
package users

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
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
	// OpenSignup lets anyone create a std account without a token (v1 did).
	OpenSignup bool
	// OpenReads lets anyone list users without a token (v1 did; it leaks emails).
	OpenReads bool
	// HideUnknownUsers answers a login for an unknown name as a wrong password,
	// so that the answer does not reveal which names exist.
	HideUnknownUsers bool
	// TokenTTL overrides TokenTTL when positive.
	TokenTTL time.Duration
}

// Service runs the user rules over the ports it is given.
type Service struct {
	store  ports.UserStore
	hasher ports.PasswordHasher
	tokens ports.TokenService
	clock  ports.Clock
	opts   Options

	decoyMu sync.Mutex
	decoy   string // a real hash checked for unknown users, so both paths cost the same
}

// New returns a user service.
func New(store ports.UserStore, hasher ports.PasswordHasher, tokens ports.TokenService, clock ports.Clock, opts Options) *Service {
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = TokenTTL
	}
	return &Service{store: store, hasher: hasher, tokens: tokens, clock: clock, opts: opts}
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
}

// Login checks a password and returns a fresh token. Returns ErrUserNotFound
// (or ErrWrongPassword when HideUnknownUsers is on) and ErrWrongPassword.
func (s *Service) Login(ctx context.Context, username, password string) (string, error) {
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

// upgradeHash replaces a legacy or outdated hash now that the password is known.
func (s *Service) upgradeHash(ctx context.Context, u domain.User, password string) (domain.User, error) {
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return u, err
	}
	old := u.PasswordHash
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

// Authenticate verifies a token and returns its user as stored now, so a
// demotion, a password change or a deletion takes effect at once.
// Returns ErrTokenExpired or ErrTokenInvalid.
func (s *Service) Authenticate(ctx context.Context, token string) (domain.User, error) {
	if token == "" {
		return domain.User{}, domain.ErrTokenInvalid
	}
	c, err := s.tokens.Verify(ctx, token)
	if err != nil {
		return domain.User{}, err
	}
	u, err := s.store.UserByName(ctx, c.Subject)
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

// Register opens a std account. Without open sign-up only an admin may do
// it; actor is nil for an anonymous caller.
func (s *Service) Register(ctx context.Context, actor *domain.User, n NewUser) (domain.User, error) {
	if !s.opts.OpenSignup && !isAdmin(actor) {
		return domain.User{}, domain.ErrPermissionDenied
	}
	return s.CreateAccount(ctx, n, domain.GroupStd)
}

// CreateAccount opens an account in any group. It checks no rights: it is
// for the operator's command line, which already owns the database.
func (s *Service) CreateAccount(ctx context.Context, n NewUser, g domain.Group) (domain.User, error) {
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
	})
}

// Get returns one user to an admin.
func (s *Service) Get(ctx context.Context, actor *domain.User, username string) (domain.User, error) {
	if err := s.MayManage(actor); err != nil {
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
	switch {
	case page < 0:
		return nil, domain.Invalid("page")
	case size < 1 || size > 100:
		return nil, domain.Invalid("pagin")
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
		if isProtected(name) {
			return DeleteResult{}, domain.WithFields(domain.ErrProtectedAccount, domain.ProtectedUsername)
		}
	}
	var res DeleteResult
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
	if err := c.validate(); err != nil {
		return domain.User{}, err
	}
	return s.store.UpdateUser(ctx, username, func(u *domain.User) error {
		if c.Username != nil {
			u.Username = *c.Username
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
	if err := domain.ValidatePassword("newPassword", password); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
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
