package ports

import "context"

// Regions lists the regions the account can use (the preflight check's
// one lookup that Network does not have). Errors are the Cloud sentinels.
type Regions interface {
	Regions(ctx context.Context) ([]string, error)
}
