package ports

import (
	"context"

	"github.com/seatidemc/seatide/domain"
)

// Lifecycle is what the front door needs of the instance service
// (*instances.Service provides it).
type Lifecycle interface {
	// Outlook reports the server's state, price and budget for players.
	// A price or budget that cannot be read leaves its fields unknown
	// rather than failing; a store or cloud failure reading the state is
	// returned.
	Outlook(ctx context.Context) (domain.Outlook, error)

	// Wake creates the server (`new`) when none is recorded, or starts it
	// when it is Stopped, as actor, who needs the right to press `new`;
	// the budget applies as to `new` and `start`. A create or start under
	// way, or a running server, is no error (the outcome says so);
	// domain.ErrServerStopping while it stops.
	Wake(ctx context.Context, actor *domain.User) (domain.WakeOutcome, error)
}

// DNSTarget is where the front door's DNS record points: an IPv4 address
// for the A record and, for the SRV record, the port.
type DNSTarget struct {
	IP   string
	Port int
}

// DNSRecords keeps the front door's name pointing somewhere (DNS mode).
type DNSRecords interface {
	// Point makes the configured records name target, creating them when
	// absent and leaving them alone when they already do (no write, so
	// calling it often costs reads only). CodeUnavailable when the DNS
	// service cannot be reached or throttles; CodeUnauthenticated or
	// CodeForbidden when it refuses the credentials.
	Point(ctx context.Context, target DNSTarget) error
}
