package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// MinecraftNames returns the Minecraft name bindings of db's users.
func (db *DB) MinecraftNames() ports.MinecraftNameStore { return &nameStore{db: db} }

type nameStore struct{ db *DB }

var _ ports.MinecraftNameStore = (*nameStore)(nil)

// errNoName marks, inside a transaction, a user without a binding.
var errNoName = errors.New("no binding")

// nameError is the one place where the name store's driver errors become
// the domain errors ports.MinecraftNameStore documents.
func (s *nameStore) nameError(ctx context.Context, err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errNoName):
		return domain.ErrNoMinecraftName
	case errors.Is(err, sql.ErrNoRows):
		return domain.ErrUserNotFound
	}
	if key, ok := s.db.d.uniqueKeyName(err); ok && strings.Contains(key, "name") {
		return domain.ErrMinecraftNameTaken
	}
	return s.db.otherError(ctx, err, "minecraft names: "+what)
}

// userID finds the user's id and its name as stored (sql.ErrNoRows: none).
func (s *nameStore) userID(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, username, lock string) (int64, string, error) {
	var id int64
	var stored string
	err := q.QueryRowContext(ctx, s.db.d.q("SELECT id, username FROM users WHERE "+s.db.d.eqFold("username")+lock), username).
		Scan(&id, &stored)
	return id, stored, err
}

func (s *nameStore) BindMinecraftName(ctx context.Context, username, name string) (domain.MinecraftBinding, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	d := s.db.d
	var b domain.MinecraftBinding
	err := s.db.inTxRetry(ctx, func(tx *sql.Tx) error {
		id, stored, err := s.userID(ctx, tx, username, d.forUpdate)
		if err != nil {
			return err
		}
		// Replace: delete then insert, so the name's unique index alone
		// decides between two users binding the same name at once.
		if _, err := tx.ExecContext(ctx, d.q("DELETE FROM minecraft_names WHERE user_id = ?"), id); err != nil {
			return err
		}
		b = domain.MinecraftBinding{Name: name, UserID: id, Username: stored, BoundAt: s.db.now()}
		_, err = tx.ExecContext(ctx, d.q("INSERT INTO minecraft_names (user_id, name, bound_at) VALUES (?, ?, ?)"),
			id, name, d.timeArg(b.BoundAt))
		return err
	})
	if err != nil {
		return domain.MinecraftBinding{}, s.nameError(ctx, err, "bind")
	}
	return b, nil
}

func (s *nameStore) MinecraftNameOf(ctx context.Context, username string) (domain.MinecraftBinding, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	d := s.db.d
	var b domain.MinecraftBinding
	var name sql.NullString
	err := s.db.sql.QueryRowContext(ctx, d.q("SELECT u.id, u.username, m.name, m.bound_at FROM users u"+
		" LEFT JOIN minecraft_names m ON m.user_id = u.id WHERE "+d.eqFold("u.username")), username).
		Scan(&b.UserID, &b.Username, &name, scanNullTime{&b.BoundAt})
	if err == nil && !name.Valid {
		err = errNoName
	}
	if err != nil {
		return domain.MinecraftBinding{}, s.nameError(ctx, err, "get")
	}
	b.Name = name.String
	return b, nil
}

func (s *nameStore) UnbindMinecraftName(ctx context.Context, username string) error {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	err := s.db.inTxRetry(ctx, func(tx *sql.Tx) error {
		id, _, err := s.userID(ctx, tx, username, "")
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.db.d.q("DELETE FROM minecraft_names WHERE user_id = ?"), id)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err == nil && n == 0 {
			err = errNoName
		}
		return err
	})
	return s.nameError(ctx, err, "unbind")
}

func (s *nameStore) UserByMinecraftName(ctx context.Context, name string) (domain.User, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	d := s.db.d
	cols := "u." + strings.ReplaceAll(userColumns, ", ", ", u.")
	u, err := scanUser(s.db.sql.QueryRowContext(ctx, d.q("SELECT "+cols+" FROM minecraft_names m"+
		" JOIN users u ON u.id = m.user_id WHERE "+d.eqFold("m.name")), name))
	if errors.Is(err, sql.ErrNoRows) {
		err = errNoName
	}
	if err != nil {
		return domain.User{}, s.nameError(ctx, err, "user by name")
	}
	return u, nil
}
