// Package legacyv1 moves the data of the original SEATiDE service (Python,
// Flask, MySQL) into seatide's stores: the accounts of user.data (keeping
// their Werkzeug password hashes, which the password adapter verifies and
// upgrades at the next login), the current instance of ecs.status, every
// ecs.history row, and the newest deploy invocation of ecs.cmd_history.
//
// Import reads the whole source first, in one read-only transaction, and
// then writes. Writing is idempotent: rows already in the destination are
// skipped, so a second run adds nothing and an interrupted run can simply be
// repeated. The source is never written to.
package legacyv1

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/seatidemc/seatide/ports"
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
	// DryRun reads the destination to decide what would be written or
	// skipped, and writes nothing.
	DryRun bool
}

// Destination is where an import writes.
type Destination struct {
	Users     ports.UserStore
	Instances ports.InstanceStore
	History   ports.HistoryStore
	Clock     ports.Clock // stamps the import operation
}

// Import reads the v1 databases from src and writes them into dst. src must
// be opened with parseTime=true and loc=UTC (sqlstore.NormalizeDSN adds
// both), so DATETIMEs arrive as their wall-clock reading. The
// summary counts what was read, written and skipped so far even when an
// error stops the import half-way; running it again completes it.
func Import(ctx context.Context, src *sql.DB, dst Destination, opts Options) (Summary, error) {
	snap, err := Read(ctx, src, opts)
	if err != nil {
		return Summary{DryRun: opts.DryRun}, err
	}
	return Apply(ctx, snap, dst, opts)
}

// UserRow is one row of user.data.
type UserRow struct {
	ID        int64
	CreatedAt time.Time
	Username  string
	Password  string // the Werkzeug hash
	Email     string
	Group     string
	Nickname  *string // NULL: nil
}

// StatusRow is the row id=1 of ecs.status: the current instance and its IP.
type StatusRow struct {
	Instance string // NULL: ""
	IP       string // NULL: ""
}

// HistoryRow is one row of ecs.history.
type HistoryRow struct {
	ID        int64
	CreatedAt time.Time
	CreatedBy string
	Instance  string // NULL: ""
	Action    string
}

// CommandRow is one row of ecs.cmd_history: a Cloud Assistant run.
type CommandRow struct {
	ID           int64
	CreatedAt    time.Time
	CreatedBy    string
	CommandID    string
	InvocationID string
}

// Snapshot is everything read from the source, rows in id order, times
// already moved from the source's zone to UTC.
type Snapshot struct {
	Users    []UserRow
	Status   *StatusRow // nil: ecs.status has no row id=1
	History  []HistoryRow
	Commands []CommandRow
}

// Read loads the source in one read-only transaction, so the snapshot is
// consistent even while the original service still runs.
func Read(ctx context.Context, src *sql.DB, opts Options) (Snapshot, error) {
	userDB, ecsDB, err := databases(opts)
	if err != nil {
		return Snapshot{}, err
	}
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	tx, err := src.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Snapshot{}, fmt.Errorf("legacyv1: starting a read-only transaction on the source: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // read-only: nothing to undo

	var snap Snapshot
	if snap.Users, err = readUsers(ctx, tx, userDB, loc); err != nil {
		return Snapshot{}, err
	}
	if snap.Status, err = readStatus(ctx, tx, ecsDB); err != nil {
		return Snapshot{}, err
	}
	if snap.History, err = readHistory(ctx, tx, ecsDB, loc); err != nil {
		return Snapshot{}, err
	}
	if snap.Commands, err = readCommands(ctx, tx, ecsDB, loc); err != nil {
		return Snapshot{}, err
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

func readUsers(ctx context.Context, tx *sql.Tx, db string, loc *time.Location) ([]UserRow, error) {
	table := db + ".`data`"
	rows, err := tx.QueryContext(ctx,
		"SELECT id, created_at, username, password, email, `group`, nickname FROM "+table+" ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("legacyv1: reading %s: %w", table, err)
	}
	defer rows.Close()
	var out []UserRow
	for rows.Next() {
		var (
			r    UserRow
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

func readStatus(ctx context.Context, tx *sql.Tx, db string) (*StatusRow, error) {
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
	return &StatusRow{Instance: instance.String, IP: ip.String}, nil
}

func readHistory(ctx context.Context, tx *sql.Tx, db string, loc *time.Location) ([]HistoryRow, error) {
	table := db + ".`history`"
	rows, err := tx.QueryContext(ctx, "SELECT id, created_at, created_by, instance, action FROM "+table+" ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("legacyv1: reading %s: %w", table, err)
	}
	defer rows.Close()
	var out []HistoryRow
	for rows.Next() {
		var (
			r        HistoryRow
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

func readCommands(ctx context.Context, tx *sql.Tx, db string, loc *time.Location) ([]CommandRow, error) {
	table := db + ".`cmd_history`"
	rows, err := tx.QueryContext(ctx,
		"SELECT id, created_at, created_by, command_id, invocation_id FROM "+table+" ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("legacyv1: reading %s: %w", table, err)
	}
	defer rows.Close()
	var out []CommandRow
	for rows.Next() {
		var r CommandRow
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
