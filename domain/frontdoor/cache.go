package frontdoor

import (
	"context"
	"sync"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// outlookCache shares one look at the server among every status ping and
// login for ttl, and one look in flight among those who arrive during it:
// a flood of pings costs one cloud call per ttl, not one each.
type outlookCache struct {
	look func(ctx context.Context) (domain.Outlook, error)
	now  func() time.Time
	ttl  time.Duration

	mu       sync.Mutex
	at       time.Time // when the cached look was taken; zero: none
	o        domain.Outlook
	err      error
	inflight chan struct{}
}

// lookTimeout bounds one look, which belongs to every waiter.
const lookTimeout = 10 * time.Second

func (c *outlookCache) get(ctx context.Context) (domain.Outlook, error) {
	for {
		c.mu.Lock()
		if !c.at.IsZero() && c.now().Sub(c.at) < c.ttl {
			o, err := c.o, c.err
			c.mu.Unlock()
			return o, err
		}
		if wait := c.inflight; wait != nil {
			c.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return domain.Outlook{}, domain.Wrap(domain.ErrCloudUnavailable, ctx.Err())
			}
		}
		done := make(chan struct{})
		c.inflight = done
		c.mu.Unlock()

		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lookTimeout)
		o, err := c.look(lctx)
		cancel()

		c.mu.Lock()
		c.at, c.o, c.err, c.inflight = c.now(), o, err, nil
		c.mu.Unlock()
		close(done)
		return o, err
	}
}

// forget drops the cached look (after a wake changed the server).
func (c *outlookCache) forget() {
	c.mu.Lock()
	c.at = time.Time{}
	c.mu.Unlock()
}
