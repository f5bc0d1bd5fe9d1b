package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	fdlistener "github.com/seatidemc/seatide/adapters/frontdoor"
	"github.com/seatidemc/seatide/adapters/prom"
	"github.com/seatidemc/seatide/domain/frontdoor"
	"github.com/seatidemc/seatide/ports"
)

// door is the front door when frontdoor.listen is set: its rules, its
// Minecraft listener and, in DNS mode, the record it keeps. The rules are
// made once the listener is bound: asleep, the SRV record names its port.
type door struct {
	cfg      FrontdoorConfig
	deps     frontdoor.Deps
	rcfg     frontdoor.Config
	metrics  *prom.Frontdoor
	rules    *frontdoor.Service
	listener *fdlistener.Server
	ln       net.Listener
	log      *slog.Logger
}

// openDoor prepares the front door; nil when frontdoor.listen is empty.
func (a *App) openDoor(reg prometheus.Registerer, dns ports.DNSRecords) (*door, error) {
	cfg := a.cfg.Frontdoor
	if cfg.Listen == "" {
		return nil, nil
	}
	metrics, err := prom.NewFrontdoor(reg)
	if err != nil {
		return nil, fmt.Errorf("frontdoor metrics: %w", err)
	}
	log := a.log.With("component", "frontdoor")
	return &door{cfg: cfg, metrics: metrics, log: log,
		deps: frontdoor.Deps{Lifecycle: a.instances, Names: a.db.MinecraftNames(), History: a.db.History(),
			DNS: dns, Events: a.events.bus, Clock: a.clock, Log: log},
		rcfg: frontdoor.Config{Language: cfg.Language, Title: cfg.Title, WakeLimit: cfg.WakeLimit,
			MinecraftPort: a.cfg.Minecraft.Port, OutlookTTL: a.cfg.Minecraft.CacheTTL},
	}, nil
}

// listen binds frontdoor.listen and makes the rules and the listener.
func (d *door) listen() error {
	ln, err := net.Listen("tcp", d.cfg.Listen)
	if err != nil {
		return fmt.Errorf("frontdoor.listen %s: %w", d.cfg.Listen, err)
	}
	d.ln = ln
	d.rcfg.Asleep = ports.DNSTarget{IP: d.cfg.DNS.Address, Port: ln.Addr().(*net.TCPAddr).Port}
	d.rules = frontdoor.New(d.deps, d.rcfg)
	d.listener = fdlistener.New(fdlistener.Options{Rules: d.rules, MaxConns: d.cfg.MaxConns,
		HandshakeTimeout: d.cfg.HandshakeTimeout, IdleTimeout: d.cfg.IdleTimeout, ProxyProtocol: d.cfg.ProxyProtocol,
		Observer: d.metrics, Log: d.log})
	return nil
}

// run serves players, and in DNS mode keeps the record, until ctx ends;
// then it closes every connection.
func (d *door) run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- d.listener.Serve(d.ln) }()
	var tick <-chan time.Time
	if d.cfg.Mode == "dns" {
		t := time.NewTicker(d.cfg.DNS.Interval)
		defer t.Stop()
		tick = t.C
		d.syncDNS(ctx)
	}
	for {
		select {
		case <-tick:
			d.syncDNS(ctx)
		case err := <-errc:
			return err
		case <-ctx.Done():
			_ = d.listener.Close()
			return <-errc
		}
	}
}

func (d *door) syncDNS(ctx context.Context) {
	if err := d.rules.SyncDNS(ctx); err != nil {
		d.log.Warn("frontdoor: updating the DNS record", "err", err)
	}
}

// Frontdoor is the front door's rules, nil when it is off (for tests).
func (a *App) Frontdoor() *frontdoor.Service {
	if a.door == nil {
		return nil
	}
	return a.door.rules
}

// FrontdoorAddr is where the front door listens, once Listen has run; ""
// when it is off.
func (a *App) FrontdoorAddr() string {
	if a.door == nil || a.door.ln == nil {
		return ""
	}
	return a.door.ln.Addr().String()
}
