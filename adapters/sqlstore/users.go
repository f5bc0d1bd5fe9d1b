package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// Users returns the user store of db.
func (db *DB) Users() ports.UserStore { return &userStore{db: db} }

type userStore struct{ db *DB }

var _ ports.UserStore = (*userStore)(nil)

const userColumns = "id, username, email, grp, nickname, password_hash, token_version, created_at, updated_at"

// userError is the one place where the user store's driver errors become
// the domain errors ports.UserStore documents.
func (s *userStore) userError(ctx context.Context, err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return domain.ErrUserNotFound
	}
	if key, ok := s.db.d.uniqueKeyName(err); ok {
		switch {
		case strings.Contains(key, "email"):
			return domain.ErrEmailTaken
		case strings.Contains(key, "username"):
			return domain.ErrUsernameTaken
		}
		// An index this code does not know: a bug, not the caller's conflict.
	}
	return s.db.otherError(ctx, err, "users: "+what)
}

type rowScanner interface{ Scan(dest ...any) error }

func scanUser(r rowScanner) (domain.User, error) {
	var (
		u        domain.User
		group    string
		nickname sql.NullString
	)
	err := r.Scan(&u.ID, &u.Username, &u.Email, &group, &nickname, &u.PasswordHash, &u.TokenVersion,
		scanTime{&u.CreatedAt}, scanTime{&u.UpdatedAt})
	if err != nil {
		return domain.User{}, err
	}
	u.Group = domain.Group(group)
	if nickname.Valid {
		u.Nickname = &nickname.String
	}
	return u, nil
}

func nullString(p *string) sql.NullString {
	if p == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: *p, Valid: true}
}

func (s *userStore) CreateUser(ctx context.Context, u domain.User) (domain.User, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	d := s.db.d
	now := s.db.now()
	if u.CreatedAt.IsZero() {
		u.CreatedAt = now
	}
	u.CreatedAt = u.CreatedAt.UTC().Truncate(time.Microsecond) // as stored
	u.UpdatedAt = now
	if u.Nickname != nil {
		n := *u.Nickname
		u.Nickname = &n
	}
	query := "INSERT INTO users (username, email, grp, nickname, password_hash, token_version, created_at, updated_at)" +
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
	args := []any{u.Username, u.Email, string(u.Group), nullString(u.Nickname), u.PasswordHash, u.TokenVersion,
		d.timeArg(u.CreatedAt), d.timeArg(u.UpdatedAt)}
	if d.returningID {
		err := s.db.sql.QueryRowContext(ctx, d.q(query+" RETURNING id"), args...).Scan(&u.ID)
		if err != nil {
			return domain.User{}, s.createError(ctx, u, err)
		}
		return u, nil
	}
	res, err := s.db.sql.ExecContext(ctx, d.q(query), args...)
	if err != nil {
		return domain.User{}, s.createError(ctx, u, err)
	}
	if u.ID, err = res.LastInsertId(); err != nil {
		return domain.User{}, s.userError(ctx, err, "create: last insert id")
	}
	return u, nil
}

// createError names the username when both it and the email are taken,
// whichever index the database happened to check first (SQLite reports
// the email's): a sign-up form can only show one, and the name is the one
// its user chose to be known by.
func (s *userStore) createError(ctx context.Context, u domain.User, err error) error {
	err = s.userError(ctx, err, "create")
	if errors.Is(err, domain.ErrEmailTaken) {
		if _, nameErr := s.UserByName(ctx, u.Username); nameErr == nil {
			return domain.ErrUsernameTaken
		}
	}
	return err
}

func (s *userStore) UserByName(ctx context.Context, username string) (domain.User, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	d := s.db.d
	st, err := s.db.prepared(ctx, d.q("SELECT "+userColumns+" FROM users WHERE "+d.eqFold("username")))
	if err != nil {
		return domain.User{}, s.userError(ctx, err, "get by name: prepare")
	}
	u, err := scanUser(st.QueryRowContext(ctx, username))
	if err != nil {
		return domain.User{}, s.userError(ctx, err, "get by name")
	}
	return u, nil
}

func (s *userStore) UpdateUser(ctx context.Context, username string, fn func(u *domain.User) error) (domain.User, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	d := s.db.d
	var (
		updated domain.User
		fnErr   error
	)
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		row := tx.QueryRowContext(ctx, d.q("SELECT "+userColumns+" FROM users WHERE "+d.eqFold("username")+d.forUpdate), username)
		old, err := scanUser(row)
		if err != nil {
			return err
		}
		u := old
		if old.Nickname != nil {
			n := *old.Nickname
			u.Nickname = &n
		}
		if fnErr = fn(&u); fnErr != nil {
			return fnErr
		}
		u.ID, u.CreatedAt, u.UpdatedAt = old.ID, old.CreatedAt, s.db.now()
		if u.Nickname != nil {
			n := *u.Nickname
			u.Nickname = &n
		}
		_, err = tx.ExecContext(ctx, d.q("UPDATE users SET username = ?, email = ?, grp = ?, nickname = ?,"+
			" password_hash = ?, token_version = ?, updated_at = ? WHERE id = ?"),
			u.Username, u.Email, string(u.Group), nullString(u.Nickname), u.PasswordHash, u.TokenVersion,
			d.timeArg(u.UpdatedAt), u.ID)
		if err != nil {
			return err
		}
		updated = u
		return nil
	})
	if fnErr != nil {
		return domain.User{}, fnErr // unchanged, as the port promises
	}
	if err != nil {
		return domain.User{}, s.userError(ctx, err, "update")
	}
	return updated, nil
}

func (s *userStore) DeleteUser(ctx context.Context, username string) error {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	d := s.db.d
	res, err := s.db.sql.ExecContext(ctx, d.q("DELETE FROM users WHERE "+d.eqFold("username")), username)
	if err != nil {
		return s.userError(ctx, err, "delete")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return s.userError(ctx, err, "delete: rows affected")
	}
	if n == 0 {
		return domain.ErrUserNotFound
	}
	return nil
}

func (s *userStore) ListUsers(ctx context.Context, offset, limit int) ([]domain.User, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	if err := ctx.Err(); err != nil {
		return nil, s.userError(ctx, err, "list")
	}
	out := []domain.User{}
	if limit <= 0 {
		return out, nil
	}
	offset = max(offset, 0)
	rows, err := s.db.sql.QueryContext(ctx, s.db.d.q("SELECT "+userColumns+" FROM users ORDER BY id LIMIT ? OFFSET ?"), limit, offset)
	if err != nil {
		return nil, s.userError(ctx, err, "list")
	}
	defer rows.Close()
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, s.userError(ctx, err, "list: scan")
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, s.userError(ctx, err, "list")
	}
	return out, nil
}

func (s *userStore) CountUsers(ctx context.Context) (int, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	var n int
	if err := s.db.sql.QueryRowContext(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
		return 0, s.userError(ctx, err, "count")
	}
	return n, nil
}
