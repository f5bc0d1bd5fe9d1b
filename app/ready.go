package app

import (
	"context"

	httpadapter "github.com/seatidemc/seatide/adapters/http"
	"github.com/seatidemc/seatide/domain"
)

// readinessChecks are what /readyz runs. Their errors carry short, fixed
// messages (the HTTP adapter shows a domain error's Message only); the
// causes go to the log.
func (a *App) readinessChecks() []httpadapter.Check {
	return []httpadapter.Check{
		{Name: "database", Run: func(ctx context.Context) error {
			if err := a.db.Ping(ctx); err != nil {
				return domain.Wrap(domain.Errorf(domain.CodeUnavailable, "unreachable"), err)
			}
			return nil
		}},
		{Name: "writes", Run: func(ctx context.Context) error {
			// A database that answers reads while refusing every write (a
			// full disk) is not ready.
			if err := a.db.WriteProbe(ctx); err != nil {
				return domain.Wrap(domain.Errorf(domain.CodeUnavailable, "store cannot write"), err)
			}
			return nil
		}},
		{Name: "migrations", Run: func(ctx context.Context) error {
			have, err := a.db.MigrationVersion(ctx)
			if err != nil {
				return domain.Wrap(domain.Errorf(domain.CodeUnavailable, "schema version unreadable"), err)
			}
			want, err := a.db.LatestMigration(ctx)
			if err != nil {
				return domain.Wrap(domain.Errorf(domain.CodeUnavailable, "schema version unreadable"), err)
			}
			if have != want {
				return domain.Errorf(domain.CodeUnavailable, "schema version %d, want %d", have, want)
			}
			return nil
		}},
		{Name: "cloud", Run: func(context.Context) error {
			// Configured, not reachable: a cloud outage must not take every
			// replica out of the load balancer (user routes still work).
			if a.cloud == nil || a.cloud.Cloud == nil {
				return domain.Errorf(domain.CodeUnavailable, "not configured")
			}
			return nil
		}},
		// The account's cheap preflight checks (app/check.go).
		{Name: "account", Run: a.account.Run},
	}
}
