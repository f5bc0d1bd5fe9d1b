package sqlstore

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect holds everything that differs between the three databases. Queries
// are written once with ? placeholders and plain = lookups; the dialect
// rewrites what it must. Keep this type small: a difference that does not fit
// here probably wants its own query in the store's file.
type dialect struct {
	name       string        // database.driver value and migrations directory
	driverName string        // database/sql driver
	goose      goose.Dialect // for the migration provider

	dollarArgs    bool   // $1, $2 instead of ?
	returningID   bool   // INSERT ... RETURNING id instead of LastInsertId
	lowerLookup   bool   // compare lower(col) = lower(?): postgres's unique indexes are on lower()
	forUpdate     string // row lock for read-modify-write ("" where the transaction already locks)
	timeAsText    bool   // times go in and out as UTC text (sqlite has no time type)
	upsertValues  bool   // ON DUPLICATE KEY UPDATE c = VALUES(c) instead of ON CONFLICT (key) DO UPDATE
	uniqueKeyName func(error) (string, bool)
	// txAborted reports a deadlock or serialization failure: the database
	// rolled the transaction back and running it again may succeed.
	txAborted func(error) bool
}

var dialects = map[string]*dialect{
	"sqlite": {
		name: "sqlite", driverName: "sqlite", goose: goose.DialectSQLite3,
		// Transactions begin IMMEDIATE (see the DSN), which already takes the
		// write lock: there is no row lock to ask for.
		timeAsText: true, uniqueKeyName: sqliteUnique,
		// One writer at a time: waiting is busy_timeout's job, never a deadlock.
		txAborted: func(error) bool { return false },
	},
	"mysql": {
		name: "mysql", driverName: "mysql", goose: goose.DialectMySQL,
		forUpdate: " FOR UPDATE", upsertValues: true, uniqueKeyName: mysqlUnique, txAborted: mysqlTxAborted,
	},
	"postgres": {
		name: "postgres", driverName: "pgx", goose: goose.DialectPostgres,
		dollarArgs: true, returningID: true, lowerLookup: true,
		forUpdate: " FOR UPDATE", uniqueKeyName: postgresUnique, txAborted: postgresTxAborted,
	},
}

// q rewrites a query written with ? placeholders for the dialect. Queries
// must not contain ? anywhere else.
func (d *dialect) q(query string) string {
	if !d.dollarArgs {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// upsert is an INSERT of cols into table that, when a row with the same key
// column exists, sets its other columns instead. Columns the statement does
// not name (an insertion sequence, say) keep their values.
func (d *dialect) upsert(table, key string, cols ...string) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES (")
	b.WriteString(strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")")
	if d.upsertValues {
		b.WriteString(" ON DUPLICATE KEY UPDATE ")
	} else {
		b.WriteString(" ON CONFLICT (" + key + ") DO UPDATE SET ")
	}
	sep := ""
	for _, c := range cols {
		if c == key {
			continue
		}
		b.WriteString(sep)
		sep = ", "
		if d.upsertValues {
			b.WriteString(c + " = VALUES(" + c + ")")
		} else {
			b.WriteString(c + " = excluded." + c)
		}
	}
	return b.String()
}

// insertNew is an INSERT of cols into table that does nothing, without an
// error, when a row with the same key column exists. MySQL has no DO
// NOTHING: setting the key to itself changes nothing, and unlike INSERT
// IGNORE it keeps strict mode's errors.
func (d *dialect) insertNew(table, key string, cols ...string) string {
	query := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES (" +
		strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	if d.upsertValues {
		return query + " ON DUPLICATE KEY UPDATE " + key + " = " + key
	}
	return query + " ON CONFLICT (" + key + ") DO NOTHING"
}

// eqFold is a condition "col = ?" that ignores ASCII case, using the index
// that enforces uniqueness.
func (d *dialect) eqFold(col string) string {
	if d.lowerLookup {
		return "lower(" + col + ") = lower(?)"
	}
	return col + " = ?" // the column's collation ignores case
}

// textTime is how times are stored where the database has no time type:
// fixed width, so text order is time order.
const textTime = "2006-01-02 15:04:05.000000"

// timeArg converts a time to a query argument, in UTC at microseconds (the
// precision all three keep).
func (d *dialect) timeArg(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if d.timeAsText {
		return t.Format(textTime)
	}
	return t
}

// nullTimeArg is timeArg with the zero time as NULL.
func (d *dialect) nullTimeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return d.timeArg(t)
}

// scanTime reads a time column whatever the driver hands over: time.Time
// (pgx, mysql with parseTime), or text (sqlite, mysql without parseTime).
type scanTime struct{ t *time.Time }

func (s scanTime) Scan(v any) error {
	switch v := v.(type) {
	case time.Time:
		*s.t = v.UTC()
		return nil
	case string:
		return s.parse(v)
	case []byte:
		return s.parse(string(v))
	}
	return fmt.Errorf("sqlstore: cannot scan a time from %T", v)
}

// scanNullTime is scanTime reading NULL as the zero time.
type scanNullTime struct{ t *time.Time }

func (s scanNullTime) Scan(v any) error {
	if v == nil {
		*s.t = time.Time{}
		return nil
	}
	return scanTime(s).Scan(v)
}

func (s scanTime) parse(v string) error {
	for _, layout := range []string{textTime, time.DateTime, "2006-01-02 15:04:05.999999999", time.RFC3339Nano} {
		if t, err := time.Parse(layout, v); err == nil {
			*s.t = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("sqlstore: cannot parse time %q", v)
}

// sqliteUnique reports a UNIQUE or PRIMARY KEY violation and what it names:
// "UNIQUE constraint failed: users.email".
func sqliteUnique(err error) (string, bool) {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return "", false
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		msg := e.Error()
		if i := strings.LastIndex(msg, "failed: "); i >= 0 {
			return msg[i+len("failed: "):], true
		}
		return msg, true
	}
	return "", false
}

// mysqlUnique reports error 1062 and the key it names: "Duplicate entry
// 'x' for key 'users_email_key'" (MySQL 8 says 'users.users_email_key').
// Only the key is returned: the entry is user data and could be anything.
func mysqlUnique(err error) (string, bool) {
	var e *mysql.MySQLError
	if !errors.As(err, &e) || e.Number != 1062 {
		return "", false
	}
	if i := strings.LastIndex(e.Message, " for key "); i >= 0 {
		return e.Message[i+len(" for key "):], true
	}
	return "", true
}

// postgresUnique reports SQLSTATE 23505 and the constraint or index named.
func postgresUnique(err error) (string, bool) {
	var e *pgconn.PgError
	if !errors.As(err, &e) || e.Code != "23505" {
		return "", false
	}
	return e.ConstraintName, true
}

// mysqlTxAborted reports a deadlock (1213), which InnoDB resolves by rolling
// one transaction back, and MariaDB's 1020 "record has changed since last
// read" (innodb_snapshot_isolation, on by default from 11.6), which asks for
// the transaction to be retried too.
func mysqlTxAborted(err error) bool {
	var e *mysql.MySQLError
	return errors.As(err, &e) && (e.Number == 1213 || e.Number == 1020)
}

// postgresTxAborted reports SQLSTATE 40P01 (deadlock_detected) and 40001
// (serialization_failure).
func postgresTxAborted(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && (e.Code == "40P01" || e.Code == "40001")
}
