package ports

import (
	"context"

	"github.com/seatidemc/seatide/domain"
)

// ServerProbe asks a Minecraft server for its status.
type ServerProbe interface {
	// Status sends a Java edition Server List Ping to host:port and returns
	// the answer. It gives up when ctx ends. Returns domain.ErrServerSilent
	// (wrapped, CodeUnavailable) when the server refuses, times out or
	// answers something that is not a status.
	Status(ctx context.Context, host string, port int) (domain.ServerStatus, error)
}
