package app

import (
	"errors"
	"fmt"
	"net/netip"
	"net/textproto"
	"strings"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// LoginConfig throttles failed logins: after MaxFailures failures of one
// account (AddressMaxFailures of one client address) within Window, the
// next attempts are refused, for a delay that doubles with each refused
// failure up to MaxDelay.
type LoginConfig struct {
	MaxFailures        int           `mapstructure:"max_failures"`
	AddressMaxFailures int           `mapstructure:"address_max_failures"`
	Window             time.Duration `mapstructure:"window"`
	MaxDelay           time.Duration `mapstructure:"max_delay"`
}

// HTTPConfig says whom to believe about a client's address. With no
// header, the socket peer is the client. With one, it is read (its last
// address not itself a trusted proxy) only when the peer is one of
// TrustedProxies: anyone else could write it.
type HTTPConfig struct {
	TrustedProxyHeader string         `mapstructure:"trusted_proxy_header"`
	TrustedProxiesText []string       `mapstructure:"trusted_proxies"`
	TrustedProxies     []netip.Prefix `mapstructure:"-"`
}

// OpsConfig: an operation with no progress for StallAfter is taken over
// or failed by the reconciler, even when its owner is alive.
type OpsConfig struct {
	StallAfter time.Duration `mapstructure:"stall_after"`
}

// Deprecations are warnings about the configuration that app logs at start.
func (c Config) Deprecations() []string {
	var out []string
	if c.Users.OpenSignup != nil {
		out = append(out, fmt.Sprintf("users.open_signup is deprecated and goes in the next release: set users.signup: %s", c.Users.Signup))
	}
	return out
}

func (c *Config) finishSecurity() error {
	u := &c.Users
	mode, err := domain.ParseSignupMode(u.SignupText)
	if err != nil {
		return fmt.Errorf("users.signup: %q is not open, approval or closed", u.SignupText)
	}
	if u.OpenSignup != nil {
		alias := domain.SignupClosed
		if *u.OpenSignup {
			alias = domain.SignupOpen
		}
		// The alias speaks only where signup was left at its default.
		switch {
		case mode == domain.SignupApproval:
			mode = alias
		case mode != alias:
			return fmt.Errorf("users.open_signup: %v contradicts users.signup: %s (drop the deprecated open_signup)", *u.OpenSignup, mode)
		}
	}
	u.Signup = mode
	if u.SignupLimit < 1 || u.SignupWindow <= 0 {
		return errors.New("users.signup_limit, users.signup_window: must be positive")
	}
	l := u.Login
	if l.MaxFailures < 1 || l.AddressMaxFailures < 1 {
		return fmt.Errorf("users.login.max_failures, users.login.address_max_failures: %d, %d must be at least 1", l.MaxFailures, l.AddressMaxFailures)
	}
	if l.Window <= 0 || l.MaxDelay <= 0 {
		return fmt.Errorf("users.login.window, users.login.max_delay: %v, %v must be positive", l.Window, l.MaxDelay)
	}
	h := &c.HTTP
	h.TrustedProxyHeader = strings.TrimSpace(h.TrustedProxyHeader)
	if h.TrustedProxyHeader != "" {
		h.TrustedProxyHeader = textproto.CanonicalMIMEHeaderKey(h.TrustedProxyHeader)
		if len(h.TrustedProxiesText) == 0 {
			return fmt.Errorf("http.trusted_proxies: empty while http.trusted_proxy_header is %q; name the proxies' addresses (CIDRs), or anyone could choose their address", h.TrustedProxyHeader)
		}
	}
	h.TrustedProxies = h.TrustedProxies[:0]
	for _, s := range h.TrustedProxiesText {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return fmt.Errorf("http.trusted_proxies: %q is not an address or a CIDR such as 10.0.0.0/8", s)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		h.TrustedProxies = append(h.TrustedProxies, p.Masked())
	}
	if c.Ops.StallAfter <= 0 {
		return fmt.Errorf("ops.stall_after: %v must be positive", c.Ops.StallAfter)
	}
	return nil
}
