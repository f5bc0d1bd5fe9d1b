package app

import (
	"github.com/seatidemc/seatide/adapters/fairhash"
	httpadapter "github.com/seatidemc/seatide/adapters/http"
	"github.com/seatidemc/seatide/adapters/sqlstore"
	"github.com/seatidemc/seatide/adapters/throttle"
	"github.com/seatidemc/seatide/domain/users"
	"github.com/seatidemc/seatide/ports"
)

// fairHasher puts the password hasher behind a waiting room that serves
// client addresses in turn (a login flood from one address cannot starve
// another's login); it lets through as many at once as the hasher runs.
func fairHasher(cfg Config, inner ports.PasswordHasher) ports.PasswordHasher {
	return fairhash.New(inner, fairhash.Options{Slots: cfg.Users.MaxConcurrentHashes})
}

// usersOptions turns the users.* keys into the user service's options:
// who may sign up, the login and sign-up limits, and the API token store.
func usersOptions(cfg Config, db *sqlstore.DB, clock ports.Clock) users.Options {
	l := cfg.Users.Login
	return users.Options{
		Signup:           cfg.Users.Signup,
		OpenReads:        cfg.V1.OpenReads,
		HideUnknownUsers: cfg.Users.HideUnknown,
		RevocationDelay:  cfg.Users.RevocationDelay,
		AccountThrottle:  throttle.New(throttle.Options{Max: l.MaxFailures, Window: l.Window, MaxDelay: l.MaxDelay, Now: clock.Now}),
		AddressThrottle:  throttle.New(throttle.Options{Max: l.AddressMaxFailures, Window: l.Window, MaxDelay: l.MaxDelay, Now: clock.Now}),
		SignupThrottle: throttle.New(throttle.Options{Max: cfg.Users.SignupLimit, Window: cfg.Users.SignupWindow,
			MaxDelay: cfg.Users.SignupWindow, Now: clock.Now}),
		APITokens: db.APITokens(),
	}
}

// clientAddrOptions says how the HTTP adapter finds a client's address.
func clientAddrOptions(cfg Config) httpadapter.ClientAddrOptions {
	return httpadapter.ClientAddrOptions{Header: cfg.HTTP.TrustedProxyHeader, TrustedProxies: cfg.HTTP.TrustedProxies}
}
