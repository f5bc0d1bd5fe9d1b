package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/seatidemc/seatide/adapters/legacyv1"
	"github.com/seatidemc/seatide/adapters/memstore"
	"github.com/seatidemc/seatide/adapters/sqlstore"
	"github.com/seatidemc/seatide/domain/importv1"
	"github.com/seatidemc/seatide/ports"
)

// ImportV1Options are the flags of `seatide import-v1`.
type ImportV1Options struct {
	UserDB   string // the original's user database ("user" when empty)
	ECSDB    string // the original's ECS database ("ecs" when empty)
	Timezone string // IANA zone of the original MySQL server's clock (UTC when empty)
	DryRun   bool
}

// ImportV1 is `seatide import-v1`: it copies the original service's users,
// current instance, history and last deploy invocation from the MySQL
// server at from into the configured database, and prints what it read,
// wrote and skipped. A second run adds nothing. The password in from never
// appears in what it prints or returns.
func ImportV1(ctx context.Context, cfg Config, from string, opts ImportV1Options, out io.Writer) (err error) {
	defer func() { err = redact(err, dsnPassword(from)) }()
	tz := opts.Timezone
	if tz == "" {
		tz = "UTC"
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return fmt.Errorf("--timezone %q: not an IANA time zone (e.g. Asia/Shanghai): %w", tz, err)
	}
	srcDSN, err := sqlstore.NormalizeDSN("mysql", from)
	if err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	srcCfg, err := mysql.ParseDSN(srcDSN)
	if err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	srcCfg.ParseTime = true // even if --from says otherwise: legacyv1 scans DATETIMEs into time.Time
	src, err := sql.Open("mysql", srcCfg.FormatDSN())
	if err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	defer src.Close()
	if err := src.PingContext(ctx); err != nil {
		return fmt.Errorf("the v1 database at %s: %w", maskDSN(from), err)
	}
	snap, err := legacyv1.Read(ctx, src, legacyv1.Options{UserDB: opts.UserDB, ECSDB: opts.ECSDB, Location: loc})
	if err != nil {
		return fmt.Errorf("reading v1 at %s: %w", maskDSN(from), err)
	}

	clock := ports.SystemClock{}
	db, err := openDB(ctx, cfg, clock)
	if err != nil {
		return err
	}
	defer db.Close()
	dst, empty, err := importDestination(ctx, cfg, db, clock, opts.DryRun)
	if err != nil {
		return err
	}
	userDB, ecsDB := orDefault(opts.UserDB, legacyv1.DefaultUserDB), orDefault(opts.ECSDB, legacyv1.DefaultECSDB)
	fmt.Fprintf(out, "import-v1: from databases %s and %s at %s (times read as %s) into the %s database\n",
		userDB, ecsDB, maskDSN(from), loc, cfg.Database.Driver)
	if empty {
		fmt.Fprintln(out, "import-v1: the destination has no tables yet, so it is read as empty")
	}
	sum, err := importv1.Apply(ctx, snap, dst, importv1.Options{DryRun: opts.DryRun})
	if _, werr := sum.WriteTo(out); werr != nil && err == nil {
		err = werr
	}
	if err != nil {
		return fmt.Errorf("import-v1 stopped (run it again to finish: what was written is skipped then): %w", err)
	}
	return nil
}

// importDestination returns the configured stores, with the schema
// prepared as for serve. A dry run migrates nothing: it reads a database
// without tables as empty, and refuses one that is only partly migrated.
func importDestination(ctx context.Context, cfg Config, db *sqlstore.DB, clock ports.Clock, dry bool) (dst importv1.Destination, empty bool, err error) {
	if !dry {
		if err := (&App{cfg: cfg, db: db, log: slog.New(slog.DiscardHandler)}).prepareSchema(ctx); err != nil {
			return importv1.Destination{}, false, err
		}
		return sqlDestination(db, clock), false, nil
	}
	pending, err := db.MigrationsPending(ctx)
	if err != nil {
		return importv1.Destination{}, false, fmt.Errorf("reading the schema version: %w", err)
	}
	if !pending {
		return sqlDestination(db, clock), false, nil
	}
	v, err := db.MigrationVersion(ctx)
	if err != nil {
		return importv1.Destination{}, false, fmt.Errorf("reading the schema version: %w", err)
	}
	if v > 0 {
		return importv1.Destination{}, false, errors.New("the database schema is behind this binary: run `seatide migrate up` before a dry run")
	}
	return importv1.Destination{
		Users:     memstore.New(clock),
		Instances: memstore.NewInstances(clock),
		History:   &memstore.History{},
		Clock:     clock,
	}, true, nil
}

func sqlDestination(db *sqlstore.DB, clock ports.Clock) importv1.Destination {
	return importv1.Destination{Users: db.Users(), Instances: db.Instances(), History: db.History(), Clock: clock}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// maskDSN is a MySQL DSN fit for messages: its password replaced.
func maskDSN(dsn string) string {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return "(an unparsable DSN)"
	}
	if cfg.Passwd != "" {
		cfg.Passwd = "xxxxx"
	}
	return cfg.FormatDSN()
}

// dsnPassword is the password in a MySQL DSN, "" when there is none or it
// cannot be parsed.
func dsnPassword(dsn string) string {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return ""
	}
	return cfg.Passwd
}

// redact hides secret in err's text, in case a driver ever quotes it,
// keeping err's chain for errors.Is.
func redact(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return redacted{err, secret}
}

type redacted struct {
	err    error
	secret string
}

func (r redacted) Error() string { return strings.ReplaceAll(r.err.Error(), r.secret, "xxxxx") }
func (r redacted) Unwrap() error { return r.err }
