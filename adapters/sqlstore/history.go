package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// History returns the history store of db.
func (db *DB) History() ports.HistoryStore { return &historyStore{db: db} }

type historyStore struct{ db *DB }

var _ ports.HistoryStore = (*historyStore)(nil)

const historyColumns = "id, actor, action, instance_id, result, request_id, api_request_id, detail, source, started_at, finished_at"

// historyError is the one place where the history store's driver errors
// become the domain errors ports.HistoryStore documents.
func (s *historyStore) historyError(ctx context.Context, err error, what string) error {
	if err == nil {
		return nil
	}
	if key, ok := s.db.d.uniqueKeyName(err); ok && strings.Contains(key, "source") {
		return domain.ErrHistoryImported
	}
	return s.db.otherError(ctx, err, "history: "+what)
}

func (s *historyStore) Append(ctx context.Context, e domain.HistoryEntry) (domain.HistoryEntry, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	d := s.db.d
	e.StartedAt, e.FinishedAt = storedTime(e.StartedAt), storedTime(e.FinishedAt)
	query := "INSERT INTO history (actor, action, instance_id, result, request_id, api_request_id, detail, source, started_at, finished_at)" +
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	// No source is NULL, which the unique index lets repeat.
	args := []any{e.Actor, e.Action, e.InstanceID, e.Result, e.RequestID, e.APIRequestID, e.Detail, nullIfEmpty(e.Source),
		d.nullTimeArg(e.StartedAt), d.nullTimeArg(e.FinishedAt)}
	if d.returningID {
		if err := s.db.sql.QueryRowContext(ctx, d.q(query+" RETURNING id"), args...).Scan(&e.ID); err != nil {
			return domain.HistoryEntry{}, s.historyError(ctx, err, "append")
		}
		return e, nil
	}
	res, err := s.db.sql.ExecContext(ctx, d.q(query), args...)
	if err != nil {
		return domain.HistoryEntry{}, s.historyError(ctx, err, "append")
	}
	if e.ID, err = res.LastInsertId(); err != nil {
		return domain.HistoryEntry{}, s.historyError(ctx, err, "append: last insert id")
	}
	return e, nil
}

func (s *historyStore) List(ctx context.Context, before int64, limit int) ([]domain.HistoryEntry, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	if err := ctx.Err(); err != nil {
		return nil, s.historyError(ctx, err, "list")
	}
	out := []domain.HistoryEntry{}
	if limit <= 0 {
		return out, nil
	}
	query, args := "SELECT "+historyColumns+" FROM history", []any{}
	if before > 0 {
		query += " WHERE id < ?"
		args = append(args, before)
	}
	rows, err := s.db.sql.QueryContext(ctx, s.db.d.q(query+" ORDER BY id DESC LIMIT ?"), append(args, limit)...)
	if err != nil {
		return nil, s.historyError(ctx, err, "list")
	}
	defer rows.Close()
	for rows.Next() {
		var (
			e      domain.HistoryEntry
			source sql.NullString
		)
		err := rows.Scan(&e.ID, &e.Actor, &e.Action, &e.InstanceID, &e.Result, &e.RequestID, &e.APIRequestID, &e.Detail, &source,
			scanNullTime{&e.StartedAt}, scanNullTime{&e.FinishedAt})
		if err != nil {
			return nil, s.historyError(ctx, err, "list: scan")
		}
		e.Source = source.String
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, s.historyError(ctx, err, "list")
	}
	return out, nil
}
