package ports

import (
	"context"

	"github.com/seatidemc/seatide/domain"
)

// MinecraftNameStore keeps which Minecraft player name belongs to which
// user. Names are unique ignoring ASCII case and lookups ignore case too;
// a user has at most one name, and deleting the user deletes its binding.
// Users are named by username, looked up ignoring case as in UserStore.
type MinecraftNameStore interface {
	// BindMinecraftName binds name to the user, replacing the user's
	// previous name. Returns domain.ErrUserNotFound, or
	// domain.ErrMinecraftNameTaken when another user holds the name
	// (in any case).
	BindMinecraftName(ctx context.Context, username, name string) (domain.MinecraftBinding, error)

	// MinecraftNameOf returns the user's binding: domain.ErrUserNotFound,
	// or domain.ErrNoMinecraftName when the user has none.
	MinecraftNameOf(ctx context.Context, username string) (domain.MinecraftBinding, error)

	// UnbindMinecraftName removes the user's binding: domain.ErrUserNotFound,
	// or domain.ErrNoMinecraftName when the user has none.
	UnbindMinecraftName(ctx context.Context, username string) error

	// UserByMinecraftName returns the user the name is bound to, or
	// domain.ErrNoMinecraftName.
	UserByMinecraftName(ctx context.Context, name string) (domain.User, error)
}
