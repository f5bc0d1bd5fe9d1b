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

// APITokens returns the API token store of db.
func (db *DB) APITokens() ports.APITokenStore { return &apiTokenStore{db: db} }

type apiTokenStore struct{ db *DB }

var _ ports.APITokenStore = (*apiTokenStore)(nil)

const apiTokenColumns = "t.id, t.user_id, t.name, t.scopes, t.token_hash, t.user_version, t.created_at, t.expires_at, t.last_used_at"

// tokenError is the one place where the token store's driver errors
// become the domain errors ports.APITokenStore documents.
func (s *apiTokenStore) tokenError(ctx context.Context, err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return domain.ErrAPITokenNotFound
	}
	return s.db.otherError(ctx, err, "api tokens: "+what)
}

// Scopes are stored as a comma-separated list of the fixed scope names.
func joinScopes(scopes []domain.Scope) string {
	parts := make([]string, len(scopes))
	for i, sc := range scopes {
		parts[i] = string(sc)
	}
	return strings.Join(parts, ",")
}

func splitScopes(s string) []domain.Scope {
	var out []domain.Scope
	for _, p := range strings.Split(s, ",") {
		if p != "" {
			out = append(out, domain.Scope(p))
		}
	}
	return out
}

func scanAPIToken(r rowScanner, extra ...any) (domain.APIToken, error) {
	var (
		t      domain.APIToken
		scopes string
	)
	dest := append([]any{&t.ID, &t.UserID, &t.Name, &scopes, &t.Hash, &t.UserVersion,
		scanTime{&t.CreatedAt}, scanTime{&t.ExpiresAt}, scanNullTime{&t.LastUsedAt}}, extra...)
	if err := r.Scan(dest...); err != nil {
		return domain.APIToken{}, err
	}
	t.Scopes = splitScopes(scopes)
	return t, nil
}

func (s *apiTokenStore) CreateAPIToken(ctx context.Context, t domain.APIToken) (domain.APIToken, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	d := s.db.d
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.db.now()
	}
	t.CreatedAt, t.ExpiresAt, t.LastUsedAt = storedTime(t.CreatedAt), storedTime(t.ExpiresAt), time.Time{}
	query := "INSERT INTO api_tokens (user_id, name, scopes, token_hash, user_version, created_at, expires_at)" +
		" VALUES (?, ?, ?, ?, ?, ?, ?)"
	args := []any{t.UserID, t.Name, joinScopes(t.Scopes), t.Hash, t.UserVersion, d.timeArg(t.CreatedAt), d.timeArg(t.ExpiresAt)}
	if d.returningID {
		if err := s.db.sql.QueryRowContext(ctx, d.q(query+" RETURNING id"), args...).Scan(&t.ID); err != nil {
			return domain.APIToken{}, s.tokenError(ctx, err, "create")
		}
		return t, nil
	}
	res, err := s.db.sql.ExecContext(ctx, d.q(query), args...)
	if err != nil {
		return domain.APIToken{}, s.tokenError(ctx, err, "create")
	}
	if t.ID, err = res.LastInsertId(); err != nil {
		return domain.APIToken{}, s.tokenError(ctx, err, "create: last insert id")
	}
	return t, nil
}

// APITokenByHash reads the token and its user in one query, so an API
// token costs one read, as a login token does.
func (s *apiTokenStore) APITokenByHash(ctx context.Context, hash string) (domain.APIToken, domain.User, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	d := s.db.d
	cols := apiTokenColumns + ", u." + strings.ReplaceAll(userColumns, ", ", ", u.")
	st, err := s.db.prepared(ctx, d.q("SELECT "+cols+" FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?"))
	if err != nil {
		return domain.APIToken{}, domain.User{}, s.tokenError(ctx, err, "by hash: prepare")
	}
	var (
		u        domain.User
		group    string
		nickname sql.NullString
	)
	t, err := scanAPIToken(st.QueryRowContext(ctx, hash), &u.ID, &u.Username, &u.Email, &group, &nickname,
		&u.PasswordHash, &u.TokenVersion, scanTime{&u.CreatedAt}, scanTime{&u.UpdatedAt}, &u.Pending)
	if err != nil {
		return domain.APIToken{}, domain.User{}, s.tokenError(ctx, err, "by hash")
	}
	u.Group = domain.Group(group)
	if nickname.Valid {
		u.Nickname = &nickname.String
	}
	return t, u, nil
}

func (s *apiTokenStore) APITokens(ctx context.Context, userID int64) ([]domain.APIToken, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	rows, err := s.db.sql.QueryContext(ctx, s.db.d.q("SELECT "+apiTokenColumns+" FROM api_tokens t WHERE t.user_id = ? ORDER BY t.id"), userID)
	if err != nil {
		return nil, s.tokenError(ctx, err, "list")
	}
	defer rows.Close()
	out := []domain.APIToken{}
	for rows.Next() {
		t, err := scanAPIToken(rows)
		if err != nil {
			return nil, s.tokenError(ctx, err, "list: scan")
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, s.tokenError(ctx, err, "list")
	}
	return out, nil
}

func (s *apiTokenStore) APITokenByID(ctx context.Context, id int64) (domain.APIToken, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	t, err := scanAPIToken(s.db.sql.QueryRowContext(ctx, s.db.d.q("SELECT "+apiTokenColumns+" FROM api_tokens t WHERE t.id = ?"), id))
	if err != nil {
		return domain.APIToken{}, s.tokenError(ctx, err, "by id")
	}
	return t, nil
}

func (s *apiTokenStore) DeleteAPIToken(ctx context.Context, id int64) error {
	return s.exec1(ctx, "delete", "DELETE FROM api_tokens WHERE id = ?", id)
}

func (s *apiTokenStore) TouchAPIToken(ctx context.Context, id int64, at time.Time) error {
	return s.exec1(ctx, "touch", "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", s.db.d.timeArg(at), id)
}

// exec1 runs a statement that must change one token row.
func (s *apiTokenStore) exec1(ctx context.Context, what, query string, args ...any) error {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	res, err := s.db.sql.ExecContext(ctx, s.db.d.q(query), args...)
	if err != nil {
		return s.tokenError(ctx, err, what)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return s.tokenError(ctx, err, what+": rows affected")
	}
	if n == 0 {
		return domain.ErrAPITokenNotFound
	}
	return nil
}
