package frontdoor

import (
	"context"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// Names binds Minecraft player names to users: each user their own, an
// admin anyone's. The front door wakes the server for a bound name only.
type Names struct {
	store ports.MinecraftNameStore
}

// NewNames returns the binding rules over store.
func NewNames(store ports.MinecraftNameStore) *Names { return &Names{store: store} }

// mayManage: a user manages their own name, an admin everyone's.
func mayManage(actor *domain.User, username string) error {
	switch {
	case actor == nil:
		return domain.ErrPermissionDenied
	case actor.IsAdmin(), domain.FoldName(actor.Username) == domain.FoldName(username):
		return nil
	}
	return domain.ErrPermissionDenied
}

// Bind binds name to username's account, replacing its previous name.
func (n *Names) Bind(ctx context.Context, actor *domain.User, username, name string) (domain.MinecraftBinding, error) {
	if err := mayManage(actor, username); err != nil {
		return domain.MinecraftBinding{}, err
	}
	if err := domain.ValidateMinecraftName(name); err != nil {
		return domain.MinecraftBinding{}, err
	}
	return n.store.BindMinecraftName(ctx, username, name)
}

// Get is username's binding, or domain.ErrNoMinecraftName.
func (n *Names) Get(ctx context.Context, actor *domain.User, username string) (domain.MinecraftBinding, error) {
	if err := mayManage(actor, username); err != nil {
		return domain.MinecraftBinding{}, err
	}
	return n.store.MinecraftNameOf(ctx, username)
}

// Unbind removes username's binding.
func (n *Names) Unbind(ctx context.Context, actor *domain.User, username string) error {
	if err := mayManage(actor, username); err != nil {
		return err
	}
	return n.store.UnbindMinecraftName(ctx, username)
}
