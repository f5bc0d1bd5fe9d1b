package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// Leases returns the lease store of db. Expiry is judged by db's clock, not
// the database's, so every replica must keep its clock in sync.
func (db *DB) Leases() ports.LeaseStore { return &leaseStore{db: db} }

type leaseStore struct{ db *DB }

var _ ports.LeaseStore = (*leaseStore)(nil)

const leaseColumns = "name, holder, token, expires_at"

// leaseError is the one place where the lease store's driver errors become
// the domain errors ports.LeaseStore documents.
func (s *leaseStore) leaseError(ctx context.Context, err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return domain.ErrNoLease
	}
	return s.db.otherError(ctx, err, "leases: "+what)
}

func scanLease(r rowScanner) (ports.Lease, error) {
	var l ports.Lease
	err := r.Scan(&l.Name, &l.Holder, &l.Token, scanTime{&l.ExpiresAt})
	return l, err
}

func (s *leaseStore) Acquire(ctx context.Context, name, holder string, ttl time.Duration) (ports.Lease, bool, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	d := s.db.d
	now := s.db.now()
	expires := storedTime(now.Add(ttl))
	var (
		lease ports.Lease
		held  bool
	)
	err := s.db.inTxRetry(ctx, func(tx *sql.Tx) error {
		// Create the row if it is missing, then decide under its lock: one
		// path whether this call or a concurrent one inserted it.
		_, err := tx.ExecContext(ctx, d.q(d.insertNew("leases", "name", "name", "holder", "token", "expires_at")),
			name, holder, 1, d.timeArg(expires))
		if err != nil {
			return err
		}
		l, err := scanLease(tx.QueryRowContext(ctx, d.q("SELECT "+leaseColumns+" FROM leases WHERE name = ?"+d.forUpdate), name))
		if err != nil {
			return err
		}
		switch {
		case l.Holder == holder && l.ExpiresAt.Equal(expires):
			lease, held = l, true // just inserted: nothing to change
			return nil
		case l.Holder == holder:
			// A renewal keeps the token.
		case now.Before(l.ExpiresAt):
			lease, held = l, false
			return nil
		default:
			l.Holder, l.Token = holder, l.Token+1
		}
		l.ExpiresAt = expires
		lease, held = l, true
		_, err = tx.ExecContext(ctx, d.q("UPDATE leases SET holder = ?, token = ?, expires_at = ? WHERE name = ?"),
			l.Holder, l.Token, d.timeArg(l.ExpiresAt), name)
		return err
	})
	if err != nil {
		return ports.Lease{}, false, s.leaseError(ctx, err, "acquire")
	}
	return lease, held, nil
}

func (s *leaseStore) Release(ctx context.Context, name, holder string) error {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	d := s.db.d
	// Expiring now rather than deleting keeps the token, so the next holder's
	// is still larger.
	_, err := s.db.sql.ExecContext(ctx, d.q("UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ?"),
		d.timeArg(s.db.now()), name, holder)
	return s.leaseError(ctx, err, "release")
}

func (s *leaseStore) Get(ctx context.Context, name string) (ports.Lease, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	l, err := scanLease(s.db.sql.QueryRowContext(ctx, s.db.d.q("SELECT "+leaseColumns+" FROM leases WHERE name = ?"), name))
	if err != nil {
		return ports.Lease{}, s.leaseError(ctx, err, "get")
	}
	return l, nil
}
