package domain

// ServerStatus is what a Minecraft (Java edition) server tells in a Server
// List Ping.
type ServerStatus struct {
	Version       string // e.g. "1.20.1" or "Forge 1.20.1"
	MaxPlayers    int
	OnlinePlayers int
	// MOTD is the description flattened to one string with its § colour
	// codes kept, as the original returned it.
	MOTD string
	// Players is the sample the server chose to list (it may list fewer
	// than are online); nil when it lists none.
	Players []Player
	// Mods is the Forge mod list as the server reports it, minecraft and
	// forge included; nil for a server without mods.
	Mods []Mod
}

// Player is one entry of a status sample.
type Player struct {
	Name string
	ID   string // UUID text
}

// Mod is one Forge mod: its id and version (Forge's "modmarker").
type Mod struct {
	ID      string
	Version string
}

// ErrServerSilent means the Minecraft server did not answer a status ping
// properly in time: refused, timed out, or spoke something else.
var ErrServerSilent = Errorf(CodeUnavailable, "the Minecraft server did not answer")
