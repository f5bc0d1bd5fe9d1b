// Package throttle implements ports.Throttle with a token bucket per key
// (golang.org/x/time/rate): Max failures are allowed per Window, refilling
// steadily; once the bucket is empty every further failure doubles the wait
// before the next attempt, up to MaxDelay. A success resets the key.
//
// State is per process: replicas each keep their own, so a cluster of n
// allows up to n times the budget. That is enough to turn a password
// guessing run from thousands of tries a minute into a few an hour.
package throttle

import (
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/seatidemc/seatide/ports"
)

// DefaultMaxKeys bounds the keys remembered when Options.MaxKeys is zero.
const DefaultMaxKeys = 100_000

// Options configure a Throttle.
type Options struct {
	Max      int           // failures allowed per Window before waits begin
	Window   time.Duration // in which Max failures refill
	MaxDelay time.Duration // the longest wait; 0: Window
	MaxKeys  int           // keys remembered at most (memory bound)
	Now      func() time.Time
}

type entry struct {
	lim     *rate.Limiter
	strikes int       // failures since the bucket ran dry
	until   time.Time // no attempt before this
	last    time.Time // the latest failure
}

// quiet reports whether key saw no failure for a window since its last
// failure or wait.
func (e *entry) quiet(now time.Time, window time.Duration) bool {
	last := e.last
	if e.until.After(last) {
		last = e.until
	}
	return now.Sub(last) >= window
}

// Throttle is safe for concurrent use.
type Throttle struct {
	opts Options
	base time.Duration // the first wait: the time to refill one failure

	mu   sync.Mutex
	keys map[string]*entry
}

var _ ports.Throttle = (*Throttle)(nil)

// New returns a Throttle; Max and Window must be positive.
func New(opts Options) *Throttle {
	if opts.MaxDelay <= 0 {
		opts.MaxDelay = opts.Window
	}
	if opts.MaxKeys <= 0 {
		opts.MaxKeys = DefaultMaxKeys
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Throttle{opts: opts, base: opts.Window / time.Duration(opts.Max), keys: make(map[string]*entry)}
}

// Delay implements ports.Throttle.
func (t *Throttle) Delay(key string) time.Duration {
	now := t.opts.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.keys[key]
	if !ok || !now.Before(e.until) {
		return 0
	}
	return e.until.Sub(now)
}

// Fail implements ports.Throttle.
func (t *Throttle) Fail(key string) {
	now := t.opts.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.keys[key]
	if !ok {
		t.makeRoom(now)
		e = &entry{lim: rate.NewLimiter(rate.Every(t.base), t.opts.Max)}
		t.keys[key] = e
	} else if e.quiet(now, t.opts.Window) {
		e.strikes = 0 // no failure for a whole window after the last wait: start over
	}
	e.last = now
	e.lim.AllowN(now, 1)
	if e.strikes == 0 && e.lim.TokensAt(now) >= 1 {
		return // still within the budget
	}
	// Past the budget, every failure until a quiet window doubles the wait.
	e.strikes++
	wait := t.base
	for i := 1; i < e.strikes && wait < t.opts.MaxDelay; i++ {
		wait *= 2
	}
	e.until = now.Add(min(wait, t.opts.MaxDelay))
}

// Reset implements ports.Throttle.
func (t *Throttle) Reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.keys, key)
}

// Len is how many keys are remembered (for tests and metrics).
func (t *Throttle) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.keys)
}

// makeRoom forgets keys that have nothing left to remember (a full bucket,
// no wait), and, if the map is still full, arbitrary others: under a flood
// of distinct keys memory stays bounded, at the cost of forgetting some.
// The caller holds mu.
func (t *Throttle) makeRoom(now time.Time) {
	if len(t.keys) < t.opts.MaxKeys {
		return
	}
	for k, e := range t.keys {
		if e.quiet(now, t.opts.Window) {
			delete(t.keys, k)
		}
	}
	for k := range t.keys {
		if len(t.keys) < t.opts.MaxKeys {
			break
		}
		delete(t.keys, k)
	}
}
