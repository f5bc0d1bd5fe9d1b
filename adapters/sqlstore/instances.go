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

// Instances returns the instance store of db.
func (db *DB) Instances() ports.InstanceStore { return &instanceStore{db: db} }

type instanceStore struct{ db *DB }

var _ ports.InstanceStore = (*instanceStore)(nil)

const (
	instanceColumns  = "instance_id, zone, instance_type, public_ip, last_status, created_by, operation_id, version, created_at, updated_at"
	operationColumns = "id, action, step, state, error_code, error_reason, instance_id, started_by, owner, started_at, finished_at"
)

// instanceError is the one place where the instance store's driver errors
// become the domain errors ports.InstanceStore documents. missing is what
// no row means to the caller (nil where no row cannot happen).
func (s *instanceStore) instanceError(ctx context.Context, err error, missing error, what string) error {
	if err == nil {
		return nil
	}
	var decided *domain.Error
	if errors.As(err, &decided) {
		return err // the store's own answer from inside a transaction
	}
	if missing != nil && errors.Is(err, sql.ErrNoRows) {
		return missing
	}
	if key, ok := s.db.d.uniqueKeyName(err); ok && (strings.Contains(key, "current_instance") || strings.Contains(key, "PRIMARY")) {
		// Operations and the invocation are upserted: only the claim's
		// insert into the single slot can collide.
		return domain.ErrInstanceExists
	}
	return s.db.otherError(ctx, err, "instances: "+what)
}

// execer and queryRower are a *sql.DB or a *sql.Tx.
type (
	execer interface {
		ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	}
	queryRower interface {
		QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	}
)

// storedTime is t as the database keeps it: UTC at microseconds, zero as zero.
func storedTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// nullIfEmpty stores "" as NULL, for columns where NULL means none.
func nullIfEmpty(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

func scanInstance(r rowScanner) (domain.Instance, error) {
	var (
		inst   domain.Instance
		status string
		opID   sql.NullString
	)
	err := r.Scan(&inst.ID, &inst.Zone, &inst.InstanceType, &inst.PublicIP, &status, &inst.CreatedBy, &opID, &inst.Version,
		scanTime{&inst.CreatedAt}, scanTime{&inst.UpdatedAt})
	inst.LastStatus, inst.OperationID = domain.InstanceStatus(status), opID.String
	return inst, err
}

func scanOperation(r rowScanner) (domain.Operation, error) {
	var op domain.Operation
	err := r.Scan(&op.ID, &op.Action, &op.Step, &op.State, &op.Error, &op.Reason, &op.InstanceID, &op.StartedBy, &op.Owner,
		scanTime{&op.StartedAt}, scanNullTime{&op.FinishedAt})
	return op, err
}

func (s *instanceStore) Current(ctx context.Context) (domain.Instance, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	row := s.db.sql.QueryRowContext(ctx, "SELECT "+instanceColumns+" FROM current_instance WHERE slot = 1")
	inst, err := scanInstance(row)
	if err != nil {
		return domain.Instance{}, s.instanceError(ctx, err, domain.ErrNoInstance, "current")
	}
	return inst, nil
}

func (s *instanceStore) Claim(ctx context.Context, inst domain.Instance, op domain.Operation) (domain.Instance, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	if op.StartedAt.IsZero() {
		return domain.Instance{}, domain.Invalid("started_at")
	}
	d := s.db.d
	now := s.db.now()
	inst.Version, inst.CreatedAt, inst.UpdatedAt = 1, now, now
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		// The operation first: the slot's row refers to it.
		if err := s.saveOp(ctx, tx, op); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, d.q("INSERT INTO current_instance (slot, "+instanceColumns+")"+
			" VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
			inst.ID, inst.Zone, inst.InstanceType, inst.PublicIP, string(inst.LastStatus), inst.CreatedBy, nullIfEmpty(inst.OperationID),
			inst.Version, d.timeArg(inst.CreatedAt), d.timeArg(inst.UpdatedAt))
		return err
	})
	if err != nil {
		return domain.Instance{}, s.instanceError(ctx, err, nil, "claim")
	}
	return inst, nil
}

func (s *instanceStore) UpdateInstance(ctx context.Context, inst domain.Instance) (domain.Instance, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	d := s.db.d
	inst.UpdatedAt = s.db.now()
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		// The version bump makes every successful update change the row, so
		// MySQL's rows-affected (changed rows) counts it too.
		res, err := tx.ExecContext(ctx, d.q("UPDATE current_instance SET instance_id = ?, zone = ?, instance_type = ?,"+
			" public_ip = ?, last_status = ?, created_by = ?, operation_id = ?, version = version + 1, updated_at = ?"+
			" WHERE slot = 1 AND version = ?"),
			inst.ID, inst.Zone, inst.InstanceType, inst.PublicIP, string(inst.LastStatus), inst.CreatedBy, nullIfEmpty(inst.OperationID),
			d.timeArg(inst.UpdatedAt), inst.Version)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return s.missOrConflict(ctx, tx)
		}
		return tx.QueryRowContext(ctx, "SELECT created_at FROM current_instance WHERE slot = 1").Scan(scanTime{&inst.CreatedAt})
	})
	if err != nil {
		return domain.Instance{}, s.instanceError(ctx, err, nil, "update")
	}
	inst.Version++
	return inst, nil
}

// missOrConflict tells why a compare-and-set touched no row.
func (s *instanceStore) missOrConflict(ctx context.Context, q queryRower) error {
	var v int64
	err := q.QueryRowContext(ctx, "SELECT version FROM current_instance WHERE slot = 1").Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return domain.ErrNoInstance
	case err != nil:
		return err
	}
	return domain.ErrVersionConflict
}

func (s *instanceStore) Clear(ctx context.Context, version int64) error {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	res, err := s.db.sql.ExecContext(ctx, s.db.d.q("DELETE FROM current_instance WHERE slot = 1 AND version = ?"), version)
	if err != nil {
		return s.instanceError(ctx, err, nil, "clear")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return s.instanceError(ctx, err, nil, "clear: rows affected")
	}
	if n == 0 {
		return s.instanceError(ctx, s.missOrConflict(ctx, s.db.sql), nil, "clear")
	}
	return nil
}

// saveOp upserts op; its insertion sequence, set on first insert, stays.
func (s *instanceStore) saveOp(ctx context.Context, ex execer, op domain.Operation) error {
	d := s.db.d
	_, err := ex.ExecContext(ctx, d.q(d.upsert("operations", "id",
		"id", "action", "step", "state", "error_code", "error_reason", "instance_id", "started_by", "owner", "started_at", "finished_at")),
		op.ID, op.Action, op.Step, op.State, op.Error, clipReason(op.Reason), op.InstanceID, op.StartedBy, op.Owner,
		d.timeArg(op.StartedAt), d.nullTimeArg(op.FinishedAt))
	return err
}

func (s *instanceStore) SaveOperation(ctx context.Context, op domain.Operation) error {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	if op.StartedAt.IsZero() {
		return domain.Invalid("started_at")
	}
	return s.instanceError(ctx, s.saveOp(ctx, s.db.sql, op), nil, "save operation")
}

func (s *instanceStore) Operation(ctx context.Context, id string) (domain.Operation, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	row := s.db.sql.QueryRowContext(ctx, s.db.d.q("SELECT "+operationColumns+" FROM operations WHERE id = ?"), id)
	op, err := scanOperation(row)
	if err != nil {
		return domain.Operation{}, s.instanceError(ctx, err, domain.ErrNoOperation, "operation")
	}
	return op, nil
}

func (s *instanceStore) LastOperation(ctx context.Context) (domain.Operation, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	row := s.db.sql.QueryRowContext(ctx, "SELECT "+operationColumns+" FROM operations ORDER BY seq DESC LIMIT 1")
	op, err := scanOperation(row)
	if err != nil {
		return domain.Operation{}, s.instanceError(ctx, err, domain.ErrNoOperation, "last operation")
	}
	return op, nil
}

func (s *instanceStore) SaveInvocation(ctx context.Context, instanceID, invokeID string) error {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	d := s.db.d
	_, err := s.db.sql.ExecContext(ctx, d.q(d.upsert("last_invocation", "slot", "slot", "instance_id", "invoke_id")),
		1, instanceID, invokeID)
	return s.instanceError(ctx, err, nil, "save invocation")
}

func (s *instanceStore) LastInvocation(ctx context.Context) (string, string, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	var instanceID, invokeID string
	// An empty invoke id records none, as in memstore.
	err := s.db.sql.QueryRowContext(ctx, "SELECT instance_id, invoke_id FROM last_invocation WHERE slot = 1 AND invoke_id <> ''").
		Scan(&instanceID, &invokeID)
	if err != nil {
		return "", "", s.instanceError(ctx, err, domain.ErrNoInvocation, "last invocation")
	}
	return instanceID, invokeID, nil
}

// clipReason fits a failure reason in its column (500 characters).
func clipReason(s string) string {
	if r := []rune(s); len(r) > 500 {
		return string(r[:500])
	}
	return s
}
