package domain

import "time"

// Limits of a Minecraft (Java edition) player name: what Mojang allows for
// new accounts, 3 to 16 of [A-Za-z0-9_].
const (
	MinecraftNameMin = 3
	MinecraftNameMax = 16
)

// MinecraftBinding ties a Minecraft player name to a seatide user, so the
// front door knows whose `new` a login start presses. A name is bound to
// at most one user and a user has at most one name; names are unique
// ignoring ASCII case, as Mojang's are.
type MinecraftBinding struct {
	Name     string // as the user typed it
	UserID   int64
	Username string
	BoundAt  time.Time
}

// Sentinel errors of Minecraft name bindings.
var (
	ErrNoMinecraftName    = Errorf(CodeNotFound, "no Minecraft name is bound")
	ErrMinecraftNameTaken = Errorf(CodeConflict, "this Minecraft name is bound to another user")
)

// ValidateMinecraftName checks 3..16 characters of [A-Za-z0-9_].
func ValidateMinecraftName(s string) error {
	if len(s) < MinecraftNameMin || len(s) > MinecraftNameMax {
		return Invalid("name")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return Invalid("name")
		}
	}
	return nil
}
