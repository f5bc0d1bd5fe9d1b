package sqlstore

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"path"
	"text/tabwriter"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/seatidemc/seatide/migrations"
)

// provider builds a goose provider for db's dialect over the embedded
// migrations. It is cheap and holds no state beyond this call, so nothing is
// kept between uses and nothing global is touched.
func (db *DB) provider(ctx context.Context) (*goose.Provider, error) {
	fsys, err := migrations.FS(db.d.name)
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if db.d.name == "postgres" {
		// Replicas auto-migrating at once take turns on an advisory lock,
		// one per database and schema so that tests on separate schemas do
		// not wait for each other.
		var where string
		if err := db.sql.QueryRowContext(ctx, "SELECT current_database() || '.' || current_schema()").Scan(&where); err != nil {
			return nil, fmt.Errorf("sqlstore: migrate: %w", err)
		}
		h := fnv.New64a()
		h.Write([]byte("seatide-migrate:" + where))
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64()>>1)), lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(db.d.goose, db.sql, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: migrate: %w", err)
	}
	return p, nil
}

// MigrateUp applies every pending migration. It runs under ctx alone, not
// the query timeout.
func (db *DB) MigrateUp(ctx context.Context) error {
	_, err := db.ApplyMigrations(ctx)
	return err
}

// ApplyMigrations is MigrateUp that also names the migration files it
// applied, in order (none when the schema was up to date), for start-up to
// say what it changed.
func (db *DB) ApplyMigrations(ctx context.Context) ([]string, error) {
	p, err := db.provider(ctx)
	if err != nil {
		return nil, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: migrate up: %w", err)
	}
	applied := make([]string, 0, len(results))
	for _, r := range results {
		applied = append(applied, path.Base(r.Source.Path))
	}
	return applied, nil
}

// MigrateDown rolls back the latest applied migration, one step.
func (db *DB) MigrateDown(ctx context.Context) error {
	p, err := db.provider(ctx)
	if err != nil {
		return err
	}
	if _, err := p.Down(ctx); err != nil {
		return fmt.Errorf("sqlstore: migrate down: %w", err)
	}
	return nil
}

// MigrationsPending reports whether some migration is not applied yet.
func (db *DB) MigrationsPending(ctx context.Context) (bool, error) {
	p, err := db.provider(ctx)
	if err != nil {
		return false, err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("sqlstore: migrate status: %w", err)
	}
	return pending, nil
}

// MigrationVersion returns the latest applied migration (0 for none).
func (db *DB) MigrationVersion(ctx context.Context) (int64, error) {
	p, err := db.provider(ctx)
	if err != nil {
		return 0, err
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: migrate version: %w", err)
	}
	return v, nil
}

// LatestMigration returns the newest migration this binary embeds: a
// database at that version has the schema the binary expects.
func (db *DB) LatestMigration(ctx context.Context) (int64, error) {
	p, err := db.provider(ctx)
	if err != nil {
		return 0, err
	}
	var latest int64
	for _, s := range p.ListSources() {
		latest = max(latest, s.Version)
	}
	return latest, nil
}

// MigrateStatus writes one line per known migration to w:
//
//	VERSION  STATE    APPLIED AT            FILE
//	1        applied  2025-01-02T03:04:05Z  00001_users.sql
func (db *DB) MigrateStatus(ctx context.Context, w io.Writer) error {
	p, err := db.provider(ctx)
	if err != nil {
		return err
	}
	status, err := p.Status(ctx)
	if err != nil {
		return fmt.Errorf("sqlstore: migrate status: %w", err)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "VERSION\tSTATE\tAPPLIED AT\tFILE\n")
	for _, s := range status {
		applied := "-"
		if s.State == goose.StateApplied && !s.AppliedAt.IsZero() {
			applied = s.AppliedAt.UTC().Format("2006-01-02T15:04:05Z")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", s.Source.Version, s.State, applied, path.Base(s.Source.Path))
	}
	return tw.Flush()
}

// Migrate runs a `seatide migrate` subcommand: "up", "down" (one step) or
// "status" (written to w).
func (db *DB) Migrate(ctx context.Context, command string, w io.Writer) error {
	switch command {
	case "up":
		return db.MigrateUp(ctx)
	case "down":
		return db.MigrateDown(ctx)
	case "status":
		return db.MigrateStatus(ctx, w)
	}
	return fmt.Errorf("sqlstore: unknown migrate command %q (want up, down or status)", command)
}
