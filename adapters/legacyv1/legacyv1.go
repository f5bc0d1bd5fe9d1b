// Package legacyv1 reads the databases of the original SEATiDE service
// (Python, Flask, MySQL): user.data, ecs.status, ecs.history and
// ecs.cmd_history, in one read-only transaction, into an importv1.Snapshot.
// Deciding what to write, and writing it, is the use case in domain/importv1;
// the source is never written to.
package legacyv1

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/seatidemc/seatide/domain/importv1"
)

// Default database names of the original service.
const (
	DefaultUserDB = "user"
	DefaultECSDB  = "ecs"
)

// Options tune an import.
type Options struct {
	// UserDB and ECSDB name the source databases (DefaultUserDB and
	// DefaultECSDB when empty).
	UserDB string
	ECSDB  string
	// Location is the zone of the source's DATETIME columns: v1 wrote them
	// with MySQL NOW(), a naive local time of the server. nil means UTC.
	Location *time.Location
}

// Read loads the source in one read-only transaction, so the snapshot is
// consistent even while the original service still runs.
func Read(ctx context.Context, src *sql.DB, opts Options) (importv1.Snapshot, error) {
	userDB, ecsDB, err := databases(opts)
	if err != nil {
		return importv1.Snapshot{}, err
	}
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	tx, err := src.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return importv1.Snapshot{}, fmt.Errorf("legacyv1: starting a read-only transaction on the source: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // read-only: nothing to undo

	var snap importv1.Snapshot
	if snap.Users, err = readUsers(ctx, tx, userDB, loc); err != nil {
		return importv1.Snapshot{}, err
	}
	if snap.Status, err = readStatus(ctx, tx, ecsDB); err != nil {
		return importv1.Snapshot{}, err
	}
	if snap.History, err = readHistory(ctx, tx, ecsDB, loc); err != nil {
		return importv1.Snapshot{}, err
	}
	if snap.Commands, err = readCommands(ctx, tx, ecsDB, loc); err != nil {
		return importv1.Snapshot{}, err
	}
	return snap, nil
}

// databases returns the quoted source database names.
func databases(opts Options) (userDB, ecsDB string, err error) {
	userDB, ecsDB = opts.UserDB, opts.ECSDB
	if userDB == "" {
		userDB = DefaultUserDB
	}
	if ecsDB == "" {
		ecsDB = DefaultECSDB
	}
	for _, name := range []string{userDB, ecsDB} {
		if !validDatabaseName(name) {
			return "", "", fmt.Errorf("legacyv1: database name %q: want 1-64 of A-Z a-z 0-9 _ $", name)
		}
	}
	return "`" + userDB + "`", "`" + ecsDB + "`", nil
}

// validDatabaseName keeps names to unquoted MySQL identifiers, so they can
// be spliced into queries (database names cannot be placeholders).
func validDatabaseName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '$') {
			return false
		}
	}
	return true
}

func readUsers(ctx context.Context, tx *sql.Tx, db string, loc *time.Location) ([]importv1.UserRow, error) {
	table := db + ".`data`"
	rows, err := tx.QueryContext(ctx,
		"SELECT id, created_at, username, password, email, `group`, nickname FROM "+table+" ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("legacyv1: reading %s: %w", table, err)
	}
	defer rows.Close()
	var out []importv1.UserRow
	for rows.Next() {
		var (
			r    importv1.UserRow
			nick sql.NullString
		)
		if err := rows.Scan(&r.ID, &r.CreatedAt, &r.Username, &r.Password, &r.Email, &r.Group, &nick); err != nil {
			return nil, fmt.Errorf("legacyv1: reading %s: %w", table, err)
		}
		r.CreatedAt = InZone(r.CreatedAt, loc)
		if nick.Valid {
			r.Nickname = &nick.String
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("legacyv1: reading %s: %w", table, err)
	}
	return out, nil
}

func readStatus(ctx context.Context, tx *sql.Tx, db string) (*importv1.StatusRow, error) {
	table := db + ".`status`"
	var instance, ip sql.NullString
	// v1 declared no key: LIMIT 1 in case a row was ever duplicated.
	err := tx.QueryRowContext(ctx, "SELECT instance, ip FROM "+table+" WHERE id = 1 LIMIT 1").Scan(&instance, &ip)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("legacyv1: reading %s: %w", table, err)
	}
	return &importv1.StatusRow{Instance: instance.String, IP: ip.String}, nil
}

func readHistory(ctx context.Context, tx *sql.Tx, db string, loc *time.Location) ([]importv1.HistoryRow, error) {
	table := db + ".`history`"
	rows, err := tx.QueryContext(ctx, "SELECT id, created_at, created_by, instance, action FROM "+table+" ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("legacyv1: reading %s: %w", table, err)
	}
	defer rows.Close()
	var out []importv1.HistoryRow
	for rows.Next() {
		var (
			r        importv1.HistoryRow
			instance sql.NullString
		)
		if err := rows.Scan(&r.ID, &r.CreatedAt, &r.CreatedBy, &instance, &r.Action); err != nil {
			return nil, fmt.Errorf("legacyv1: reading %s: %w", table, err)
		}
		r.CreatedAt = InZone(r.CreatedAt, loc)
		r.Instance = instance.String
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("legacyv1: reading %s: %w", table, err)
	}
	return out, nil
}

func readCommands(ctx context.Context, tx *sql.Tx, db string, loc *time.Location) ([]importv1.CommandRow, error) {
	table := db + ".`cmd_history`"
	rows, err := tx.QueryContext(ctx,
		"SELECT id, created_at, created_by, command_id, invocation_id FROM "+table+" ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("legacyv1: reading %s: %w", table, err)
	}
	defer rows.Close()
	var out []importv1.CommandRow
	for rows.Next() {
		var r importv1.CommandRow
		if err := rows.Scan(&r.ID, &r.CreatedAt, &r.CreatedBy, &r.CommandID, &r.InvocationID); err != nil {
			return nil, fmt.Errorf("legacyv1: reading %s: %w", table, err)
		}
		r.CreatedAt = InZone(r.CreatedAt, loc)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("legacyv1: reading %s: %w", table, err)
	}
	return out, nil
}

// InZone reads t's wall clock as a time in loc and returns that instant in
// UTC. The driver hands a naive DATETIME over as if it were UTC.
func InZone(t time.Time, loc *time.Location) time.Time {
	if t.IsZero() || loc == nil {
		return t.UTC()
	}
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	return time.Date(y, mo, d, h, mi, s, t.Nanosecond(), loc).UTC()
}
