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

// Events returns the event stream and webhook outbox of db.
func (db *DB) Events() *EventStore { return &EventStore{db: db} }

// EventStore is the `events`, `event_outbox` and `webhook_endpoints` tables:
// a ports.EventStore and a ports.OutboxStore.
type EventStore struct{ db *DB }

var (
	_ ports.EventStore  = (*EventStore)(nil)
	_ ports.OutboxStore = (*EventStore)(nil)
)

const eventColumns = "id, type, at, actor, instance_id, payload"

func (s *EventStore) err(ctx context.Context, err error, what string) error {
	if err == nil {
		return nil
	}
	return s.db.otherError(ctx, err, "events: "+what)
}

func scanEvent(r rowScanner) (domain.Event, error) {
	var (
		e       domain.Event
		typ     string
		payload string
	)
	err := r.Scan(&e.ID, &typ, scanTime{&e.Time}, &e.Actor, &e.Instance, &payload)
	e.Type, e.Payload = domain.EventType(typ), []byte(payload)
	return e, err
}

func (s *EventStore) Append(ctx context.Context, e domain.Event, outbox []string) (domain.Event, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	d := s.db.d
	e.Time = storedTime(e.Time)
	if len(e.Payload) == 0 {
		e.Payload = []byte("{}")
	}
	query := "INSERT INTO events (type, at, actor, instance_id, payload) VALUES (?, ?, ?, ?, ?)"
	args := []any{string(e.Type), d.timeArg(e.Time), e.Actor, e.Instance, string(e.Payload)}
	err := s.db.inTxRetry(ctx, func(tx *sql.Tx) error {
		if d.returningID {
			if err := tx.QueryRowContext(ctx, d.q(query+" RETURNING id"), args...).Scan(&e.ID); err != nil {
				return err
			}
		} else {
			res, err := tx.ExecContext(ctx, d.q(query), args...)
			if err != nil {
				return err
			}
			if e.ID, err = res.LastInsertId(); err != nil {
				return err
			}
		}
		for _, ep := range outbox {
			if _, err := tx.ExecContext(ctx, d.q("INSERT INTO event_outbox (endpoint, event_id, attempts, last_error) VALUES (?, ?, 0, '')"), ep, e.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return domain.Event{}, s.err(ctx, err, "append")
	}
	return e, nil
}

func (s *EventStore) After(ctx context.Context, after int64, limit int) ([]domain.Event, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	out := []domain.Event{}
	if limit <= 0 {
		return out, nil
	}
	rows, err := s.db.sql.QueryContext(ctx, s.db.d.q("SELECT "+eventColumns+" FROM events WHERE id > ? ORDER BY id LIMIT ?"), after, limit)
	if err != nil {
		return nil, s.err(ctx, err, "after")
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, s.err(ctx, err, "after: scan")
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, s.err(ctx, err, "after")
	}
	return out, nil
}

func (s *EventStore) LastID(ctx context.Context) (int64, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	var id sql.NullInt64
	if err := s.db.sql.QueryRowContext(ctx, "SELECT MAX(id) FROM events").Scan(&id); err != nil {
		return 0, s.err(ctx, err, "last id")
	}
	return id.Int64, nil
}

func (s *EventStore) Prune(ctx context.Context, before time.Time) (int64, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	res, err := s.db.sql.ExecContext(ctx, s.db.d.q("DELETE FROM events WHERE at < ? AND NOT EXISTS (SELECT 1 FROM event_outbox o WHERE o.event_id = events.id)"),
		s.db.d.timeArg(before))
	if err != nil {
		return 0, s.err(ctx, err, "prune")
	}
	n, err := res.RowsAffected()
	return n, s.err(ctx, err, "prune")
}

func (s *EventStore) Head(ctx context.Context, endpoint string) (ports.Delivery, bool, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	var (
		d       ports.Delivery
		typ     string
		payload string
	)
	row := s.db.sql.QueryRowContext(ctx, s.db.d.q("SELECT o.attempts, o.next_at, o.last_error, e.id, e.type, e.at, e.actor, e.instance_id, e.payload"+
		" FROM event_outbox o JOIN events e ON e.id = o.event_id WHERE o.endpoint = ? ORDER BY o.event_id LIMIT 1"), endpoint)
	err := row.Scan(&d.Attempts, scanNullTime{&d.NextAt}, &d.LastError, &d.Event.ID, &typ, scanTime{&d.Event.Time}, &d.Event.Actor, &d.Event.Instance, &payload)
	if errors.Is(err, sql.ErrNoRows) {
		return ports.Delivery{}, false, nil
	}
	if err != nil {
		return ports.Delivery{}, false, s.err(ctx, err, "head")
	}
	d.Endpoint, d.Event.Type, d.Event.Payload = endpoint, domain.EventType(typ), []byte(payload)
	return d, true, nil
}

// touchEndpoint makes sure endpoint has its status row.
func (s *EventStore) touchEndpoint(ctx context.Context, tx *sql.Tx, endpoint string) error {
	_, err := tx.ExecContext(ctx, s.db.d.q(s.db.d.insertNew("webhook_endpoints", "endpoint", "endpoint", "last_error")), endpoint, "")
	return err
}

func (s *EventStore) Done(ctx context.Context, endpoint string, eventID int64, at time.Time) error {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	d := s.db.d
	err := s.db.inTxRetry(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, d.q("DELETE FROM event_outbox WHERE endpoint = ? AND event_id = ?"), endpoint, eventID); err != nil {
			return err
		}
		if err := s.touchEndpoint(ctx, tx, endpoint); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, d.q("UPDATE webhook_endpoints SET last_success_at = ? WHERE endpoint = ?"), d.timeArg(at), endpoint)
		return err
	})
	return s.err(ctx, err, "done")
}

func (s *EventStore) Retry(ctx context.Context, endpoint string, eventID int64, next time.Time, errText string, at time.Time) error {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	d := s.db.d
	err := s.db.inTxRetry(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, d.q("UPDATE event_outbox SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE endpoint = ? AND event_id = ?"),
			d.timeArg(next), errText, endpoint, eventID); err != nil {
			return err
		}
		if err := s.touchEndpoint(ctx, tx, endpoint); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, d.q("UPDATE webhook_endpoints SET last_error = ?, last_error_at = ? WHERE endpoint = ?"), errText, d.timeArg(at), endpoint)
		return err
	})
	return s.err(ctx, err, "retry")
}

func (s *EventStore) DropOthers(ctx context.Context, keep []string) (int64, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	query, args := "DELETE FROM event_outbox", []any{}
	if len(keep) > 0 {
		query += " WHERE endpoint NOT IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(keep)), ", ") + ")"
		for _, k := range keep {
			args = append(args, k)
		}
	}
	res, err := s.db.sql.ExecContext(ctx, s.db.d.q(query), args...)
	if err != nil {
		return 0, s.err(ctx, err, "drop others")
	}
	n, err := res.RowsAffected()
	return n, s.err(ctx, err, "drop others")
}

func (s *EventStore) Status(ctx context.Context, endpoints []string) ([]ports.EndpointStatus, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	d := s.db.d
	out := make([]ports.EndpointStatus, 0, len(endpoints))
	for _, ep := range endpoints {
		st := ports.EndpointStatus{Endpoint: ep}
		err := s.db.sql.QueryRowContext(ctx, d.q("SELECT last_success_at, last_error, last_error_at FROM webhook_endpoints WHERE endpoint = ?"), ep).
			Scan(scanNullTime{&st.LastSuccess}, &st.LastError, scanNullTime{&st.LastErrorAt})
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, s.err(ctx, err, "status")
		}
		if err := s.db.sql.QueryRowContext(ctx, d.q("SELECT COUNT(*) FROM event_outbox WHERE endpoint = ?"), ep).Scan(&st.Backlog); err != nil {
			return nil, s.err(ctx, err, "status: backlog")
		}
		out = append(out, st)
	}
	return out, nil
}
