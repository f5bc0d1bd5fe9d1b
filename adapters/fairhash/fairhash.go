// Package fairhash decorates a ports.PasswordHasher with a waiting room that
// serves client addresses in turn. Password hashes are slow on purpose and
// only a few run at once; with one first-come queue, a flood of logins from
// one address would make everyone else wait behind all of it. Here each
// address (domain.ClientAddrFrom) has its own queue and a free slot goes to
// the next address in round-robin order, so a real login waits for at most
// one hash per address ahead of it, however long the flood's queue is.
package fairhash

import (
	"context"
	"sync"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// DefaultMaxQueuedPerAddr bounds one address's waiting room when
// Options.MaxQueuedPerAddr is zero; beyond it the address is told to wait.
const DefaultMaxQueuedPerAddr = 8

// Options configure a Hasher.
type Options struct {
	// Slots is how many hashes run at once (at least 1). The inner hasher
	// should allow at least as many, so that it never queues itself.
	Slots int
	// MaxQueuedPerAddr bounds the callers of one address waiting at once.
	MaxQueuedPerAddr int
	// Queued, when set, hears every caller that starts waiting (tests).
	Queued func(addr string)
}

// Hasher is safe for concurrent use.
type Hasher struct {
	inner ports.PasswordHasher
	opts  Options

	mu      sync.Mutex
	free    int
	waiting map[string][]chan struct{} // per address, first come first
	ring    []string                   // addresses with someone waiting, in turn order
}

var _ ports.PasswordHasher = (*Hasher)(nil)

// New wraps inner.
func New(inner ports.PasswordHasher, opts Options) *Hasher {
	if opts.Slots < 1 {
		opts.Slots = 1
	}
	if opts.MaxQueuedPerAddr < 1 {
		opts.MaxQueuedPerAddr = DefaultMaxQueuedPerAddr
	}
	return &Hasher{inner: inner, opts: opts, free: opts.Slots, waiting: make(map[string][]chan struct{})}
}

// Hash implements ports.PasswordHasher.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	return h.inner.Hash(ctx, password)
}

// Verify implements ports.PasswordHasher.
func (h *Hasher) Verify(ctx context.Context, hash, password string) (bool, bool, error) {
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	defer h.release()
	return h.inner.Verify(ctx, hash, password)
}

// ErrBusy: the context ended while waiting for a slot.
var ErrBusy = domain.Errorf(domain.CodeUnavailable, "password hashing busy")

func (h *Hasher) acquire(ctx context.Context) error {
	addr := domain.ClientAddrFrom(ctx)
	h.mu.Lock()
	if h.free > 0 && len(h.ring) == 0 {
		h.free--
		h.mu.Unlock()
		return nil
	}
	q := h.waiting[addr]
	if len(q) >= h.opts.MaxQueuedPerAddr {
		h.mu.Unlock()
		return &domain.WaitError{After: time.Second}
	}
	if len(q) == 0 {
		h.ring = append(h.ring, addr)
	}
	turn := make(chan struct{})
	h.waiting[addr] = append(q, turn)
	h.mu.Unlock()
	if h.opts.Queued != nil {
		h.opts.Queued(addr)
	}
	select {
	case <-turn:
		return nil
	case <-ctx.Done():
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	select {
	case <-turn: // handed a slot just as we gave up: pass it on
		h.handOff()
	default:
		h.drop(addr, turn)
	}
	return domain.Wrap(ErrBusy, ctx.Err())
}

// release frees a slot, or hands it to the next address's first caller.
func (h *Hasher) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.handOff()
}

// handOff gives a slot to the first waiter of the address whose turn it
// is, then moves that address to the back of the ring. The caller holds mu.
func (h *Hasher) handOff() {
	if len(h.ring) == 0 {
		h.free++
		return
	}
	addr := h.ring[0]
	h.ring = h.ring[1:]
	q := h.waiting[addr]
	turn := q[0]
	if len(q) == 1 {
		delete(h.waiting, addr)
	} else {
		h.waiting[addr] = q[1:]
		h.ring = append(h.ring, addr)
	}
	close(turn)
}

// drop removes a caller that gave up. The caller holds mu.
func (h *Hasher) drop(addr string, turn chan struct{}) {
	q := h.waiting[addr]
	for i, c := range q {
		if c == turn {
			q = append(q[:i:i], q[i+1:]...)
			break
		}
	}
	if len(q) > 0 {
		h.waiting[addr] = q
		return
	}
	delete(h.waiting, addr)
	for i, a := range h.ring {
		if a == addr {
			h.ring = append(h.ring[:i:i], h.ring[i+1:]...)
			break
		}
	}
}

// Waiting is how many callers wait, per address (tests, metrics).
func (h *Hasher) Waiting() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]int, len(h.waiting))
	for a, q := range h.waiting {
		out[a] = len(q)
	}
	return out
}
