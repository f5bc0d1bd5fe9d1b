package frontdoor

import (
	"context"

	"github.com/seatidemc/seatide/ports"
)

// SyncDNS points the DNS record at the game server while it is awake and
// at the front door otherwise (DNS mode; a no-op without Deps.DNS). It
// writes only when the target changed since the last successful write, so
// the caller may run it often: after every start and every IP change the
// next run moves the record.
func (s *Service) SyncDNS(ctx context.Context) error {
	if s.d.DNS == nil {
		return nil
	}
	o, err := s.looks.get(ctx)
	if err != nil {
		return err
	}
	target := s.cfg.Asleep
	if o.Awake() {
		target = ports.DNSTarget{IP: o.IP, Port: s.cfg.MinecraftPort}
	}
	s.dnsMu.Lock()
	defer s.dnsMu.Unlock()
	if target == s.dnsTarget {
		return nil
	}
	if err := s.d.DNS.Point(ctx, target); err != nil {
		return err
	}
	s.log.Info("frontdoor: DNS record moved", "ip", target.IP, "port", target.Port)
	s.dnsTarget = target
	return nil
}
