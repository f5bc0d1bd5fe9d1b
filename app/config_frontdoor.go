package app

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
)

// finish checks the front door's keys; with no listen address nothing
// else is looked at.
func (f *FrontdoorConfig) finish() error {
	if f.Listen == "" {
		return nil
	}
	if _, _, err := net.SplitHostPort(f.Listen); err != nil {
		return fmt.Errorf("frontdoor.listen: %q is not host:port (e.g. :25565): %v", f.Listen, err)
	}
	switch {
	case f.Mode != "proxy" && f.Mode != "dns":
		return fmt.Errorf("frontdoor.mode: %q is not proxy or dns", f.Mode)
	case f.Language != "en" && f.Language != "zh-CN":
		return fmt.Errorf("frontdoor.language: %q is not en or zh-CN", f.Language)
	case f.WakeLimit < 1:
		return fmt.Errorf("frontdoor.wake_limit: %d must be at least 1 wake an hour", f.WakeLimit)
	case f.MaxConns < 1:
		return fmt.Errorf("frontdoor.max_conns: %d must be at least 1", f.MaxConns)
	case f.HandshakeTimeout <= 0 || f.IdleTimeout <= 0:
		return errors.New("frontdoor.handshake_timeout, frontdoor.idle_timeout: must be positive")
	}
	if f.Mode == "dns" {
		return f.DNS.finish()
	}
	return nil
}

func (d *FrontdoorDNSConfig) finish() error {
	switch {
	case strings.TrimSpace(d.Domain) == "":
		return errors.New("frontdoor.dns.domain: required in dns mode (e.g. example.com)")
	case strings.TrimSpace(d.RR) == "":
		return errors.New("frontdoor.dns.rr: required in dns mode (e.g. mc, or @ for the domain itself)")
	case len(d.Records) == 0:
		return errors.New("frontdoor.dns.records: give A, SRV or both")
	case d.TTL < 1 || d.TTL > 86400:
		return fmt.Errorf("frontdoor.dns.ttl: %d is outside 1..86400 seconds (the free Alidns edition accepts 600 and more)", d.TTL)
	case d.Interval <= 0:
		return errors.New("frontdoor.dns.interval: must be positive")
	}
	for _, r := range d.Records {
		if !slices.Contains([]string{"A", "SRV"}, r) {
			return fmt.Errorf("frontdoor.dns.records: %q is not A or SRV", r)
		}
	}
	if a, err := netip.ParseAddr(d.Address); err != nil || !a.Is4() {
		return fmt.Errorf("frontdoor.dns.address: %q is not the front door's public IPv4 address (where the record points while the server sleeps)", d.Address)
	}
	d.Protocol = "https"
	if scheme, rest, ok := strings.Cut(d.Endpoint, "://"); ok {
		if scheme != "http" && scheme != "https" {
			return fmt.Errorf("frontdoor.dns.endpoint: scheme %q is not http or https", scheme)
		}
		d.Protocol, d.Endpoint = scheme, strings.TrimSuffix(rest, "/")
	}
	return nil
}
