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

// Ledger returns the cost ledger of db.
func (db *DB) Ledger() ports.LedgerStore { return &ledgerStore{db: db} }

type ledgerStore struct{ db *DB }

var _ ports.LedgerStore = (*ledgerStore)(nil)

const ledgerColumns = "id, instance_id, product, started_at, ended_at, price_micro, currency"

// openKey is open_for's value while an interval of the instance's product
// is open: its unique index allows one per instance and product.
func openKey(instanceID string, p domain.Product) string {
	if p == "" {
		p = domain.ProductInstance
	}
	return instanceID + "/" + string(p)
}

// ledgerError is the one place where the ledger's driver errors become the
// domain errors ports.LedgerStore documents.
func (s *ledgerStore) ledgerError(ctx context.Context, err error, what string) error {
	if key, ok := s.db.d.uniqueKeyName(err); ok && strings.Contains(key, "open_for") {
		return domain.ErrIntervalOpen
	}
	return s.db.otherError(ctx, err, "ledger: "+what)
}

func scanInterval(r rowScanner) (domain.CostInterval, error) {
	var iv domain.CostInterval
	var price int64
	var product string
	err := r.Scan(&iv.ID, &iv.InstanceID, &product, scanTime{&iv.Start}, scanNullTime{&iv.End}, &price, &iv.Currency)
	iv.Price, iv.Product = domain.Money(price), domain.Product(product)
	return iv, err
}

func (s *ledgerStore) Begin(ctx context.Context, iv domain.CostInterval) (domain.CostInterval, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	d := s.db.d
	iv.Start, iv.End, iv.Product = storedTime(iv.Start), time.Time{}, iv.ProductOrInstance()
	query := "INSERT INTO cost_intervals (instance_id, product, started_at, ended_at, price_micro, currency, open_for) VALUES (?, ?, ?, NULL, ?, ?, ?)"
	args := []any{iv.InstanceID, string(iv.Product), d.timeArg(iv.Start), int64(iv.Price), iv.Currency, openKey(iv.InstanceID, iv.Product)}
	if d.returningID {
		if err := s.db.sql.QueryRowContext(ctx, d.q(query+" RETURNING id"), args...).Scan(&iv.ID); err != nil {
			return domain.CostInterval{}, s.ledgerError(ctx, err, "begin")
		}
		return iv, nil
	}
	res, err := s.db.sql.ExecContext(ctx, d.q(query), args...)
	if err != nil {
		return domain.CostInterval{}, s.ledgerError(ctx, err, "begin")
	}
	if iv.ID, err = res.LastInsertId(); err != nil {
		return domain.CostInterval{}, s.ledgerError(ctx, err, "begin: last insert id")
	}
	return iv, nil
}

func (s *ledgerStore) End(ctx context.Context, instanceID string, product domain.Product, at time.Time) (bool, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	d := s.db.d
	var ended bool
	err := s.db.inTxRetry(ctx, func(tx *sql.Tx) error {
		iv, err := scanInterval(tx.QueryRowContext(ctx, d.q("SELECT "+ledgerColumns+" FROM cost_intervals WHERE open_for = ?"+d.forUpdate), openKey(instanceID, product)))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		end := storedTime(at)
		if end.Before(iv.Start) {
			end = iv.Start // never a negative stretch
		}
		_, err = tx.ExecContext(ctx, d.q("UPDATE cost_intervals SET ended_at = ?, open_for = NULL WHERE id = ?"), d.timeArg(end), iv.ID)
		ended = err == nil
		return err
	})
	if err != nil {
		return false, s.ledgerError(ctx, err, "end")
	}
	return ended, nil
}

func (s *ledgerStore) Running(ctx context.Context, instanceID string, product domain.Product) (domain.CostInterval, bool, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	d := s.db.d
	iv, err := scanInterval(s.db.sql.QueryRowContext(ctx, d.q("SELECT "+ledgerColumns+" FROM cost_intervals WHERE open_for = ?"), openKey(instanceID, product)))
	if errors.Is(err, sql.ErrNoRows) {
		return domain.CostInterval{}, false, nil
	}
	if err != nil {
		return domain.CostInterval{}, false, s.ledgerError(ctx, err, "running")
	}
	return iv, true, nil
}

func (s *ledgerStore) Intervals(ctx context.Context, from, to time.Time) ([]domain.CostInterval, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	d := s.db.d
	rows, err := s.db.sql.QueryContext(ctx, d.q("SELECT "+ledgerColumns+" FROM cost_intervals"+
		" WHERE started_at < ? AND (ended_at IS NULL OR ended_at > ?) ORDER BY started_at, id"),
		d.timeArg(storedTime(to)), d.timeArg(storedTime(from)))
	if err != nil {
		return nil, s.ledgerError(ctx, err, "intervals")
	}
	defer rows.Close()
	var out []domain.CostInterval
	for rows.Next() {
		iv, err := scanInterval(rows)
		if err != nil {
			return nil, s.ledgerError(ctx, err, "intervals: scan")
		}
		out = append(out, iv)
	}
	if err := rows.Err(); err != nil {
		return nil, s.ledgerError(ctx, err, "intervals")
	}
	return out, nil
}
