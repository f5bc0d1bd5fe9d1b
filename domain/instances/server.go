package instances

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// ServerView is the Minecraft server as players see it.
type ServerView struct {
	Created bool   // a public IP is recorded (as the original judged it)
	IP      string // "" when none is recorded
	Online  bool   // it answered the status ping
	Status  domain.ServerStatus
}

// Server pings the Minecraft server on the recorded IP. A crowd of page
// loads makes one probe: answers are cached for StatusCacheTTL and callers
// arriving while a probe runs wait for it instead of starting their own.
func (s *Service) Server(ctx context.Context) (ServerView, error) {
	ip, err := s.IP(ctx)
	if err != nil || ip == "" {
		return ServerView{}, err
	}
	st, err := s.probes.status(ctx, ip)
	if err != nil {
		if !errors.Is(err, domain.ErrServerSilent) {
			return ServerView{}, err
		}
		return ServerView{Created: true, IP: ip}, nil
	}
	return ServerView{Created: true, IP: ip, Online: true, Status: st}, nil
}

// probeCache remembers the last probe of one address and shares a probe
// in flight among the callers that want it.
type probeCache struct {
	probe   func(ctx context.Context, ip string) (domain.ServerStatus, error)
	now     func() time.Time
	ttl     time.Duration
	timeout time.Duration

	mu       sync.Mutex
	ip       string
	at       time.Time // when the cached answer was taken; zero: none
	st       domain.ServerStatus
	err      error
	inflight chan struct{} // closed when the running probe ends
	gen      int           // bumped by forget: a probe started before is not kept
}

// forget drops the cached answer, so that the next caller probes again:
// after a stop the old answer (online, with its players) is wrong at once.
func (c *probeCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = time.Time{}
	c.gen++
}

func (c *probeCache) status(ctx context.Context, ip string) (domain.ServerStatus, error) {
	for {
		c.mu.Lock()
		if c.ip == ip && !c.at.IsZero() && c.now().Sub(c.at) < c.ttl {
			st, err := c.st, c.err
			c.mu.Unlock()
			return st, err
		}
		if wait := c.inflight; wait != nil {
			c.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return domain.ServerStatus{}, domain.Wrap(domain.ErrServerSilent, ctx.Err())
			}
		}
		done := make(chan struct{})
		c.inflight = done
		gen := c.gen
		c.mu.Unlock()

		// The probe belongs to every waiter, not to the caller who started
		// it: it is bounded by its own timeout, not by one caller's ctx.
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
		st, err := c.probe(pctx, ip)
		cancel()

		c.mu.Lock()
		c.inflight = nil
		if c.gen == gen {
			c.ip, c.at, c.st, c.err = ip, c.now(), st, err
		}
		c.mu.Unlock()
		close(done)
		return st, err
	}
}
