package fairhash_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/seatidemc/seatide/adapters/fairhash"
	"github.com/seatidemc/seatide/domain"
)

// gated is a hasher whose every computation waits for a turn from the test
// and records whose it was.
type gated struct {
	started chan string   // the address of each computation, as it starts
	gate    chan struct{} // one receive per computation allowed to end
}

func (g *gated) Hash(ctx context.Context, _ string) (string, error) {
	g.started <- domain.ClientAddrFrom(ctx)
	<-g.gate
	return "h", nil
}

func (g *gated) Verify(ctx context.Context, _, _ string) (bool, bool, error) {
	g.started <- domain.ClientAddrFrom(ctx)
	<-g.gate
	return false, false, nil
}

// A flood of 400 logins from one address is queued; one real login from
// another address comes last, yet is the second computation served: the
// flood's queue is far from drained.
func TestFloodDoesNotStarveAnotherAddress(t *testing.T) {
	const flood = 400
	g := &gated{started: make(chan string, flood+1), gate: make(chan struct{})}
	var queued sync.WaitGroup
	queued.Add(flood - 1) // all but the one that gets the free slot
	realQueued := make(chan struct{})
	h := fairhash.New(g, fairhash.Options{Slots: 1, MaxQueuedPerAddr: flood, Queued: func(addr string) {
		if addr == "203.0.113.7" {
			queued.Done()
		} else {
			close(realQueued)
		}
	}})
	floodCtx := domain.WithClientAddr(context.Background(), "203.0.113.7")
	var done sync.WaitGroup
	for range flood {
		done.Go(func() { _, _, _ = h.Verify(floodCtx, "x", "wrong") })
	}
	queued.Wait()
	done.Go(func() { _, _, _ = h.Verify(domain.WithClientAddr(context.Background(), "198.51.100.9"), "x", "right") })
	<-realQueued
	var order []string
	for range flood + 1 {
		order = append(order, <-g.started)
		g.gate <- struct{}{}
	}
	done.Wait()
	pos := -1
	for i, a := range order {
		if a == "198.51.100.9" {
			pos = i
		}
	}
	// 0 was in progress when it came; 1 is the flood's turn, 2 its own.
	if pos < 0 || pos > 2 {
		t.Fatalf("the real login was computation %d of %d, want at most 2", pos, len(order))
	}
	t.Logf("the real login was served as computation %d; %d flood computations were still queued", pos, flood-pos)
}

func TestPerAddressQueueIsBounded(t *testing.T) {
	g := &gated{started: make(chan string, 10), gate: make(chan struct{})}
	var queued sync.WaitGroup
	queued.Add(2)
	h := fairhash.New(g, fairhash.Options{Slots: 1, MaxQueuedPerAddr: 2, Queued: func(string) { queued.Done() }})
	ctx := domain.WithClientAddr(context.Background(), "a")
	var done sync.WaitGroup
	for range 3 {
		done.Go(func() { _, _ = h.Hash(ctx, "p") })
	}
	queued.Wait()
	_, err := h.Hash(ctx, "p")
	if wait, ok := domain.RetryAfter(err); !ok || wait <= 0 || !errors.Is(err, domain.ErrTooManyAttempts) {
		t.Fatalf("fourth caller of one address: %v, want a wait", err)
	}
	for range 3 {
		<-g.started
		g.gate <- struct{}{}
	}
	done.Wait()
}

func TestGivingUpLeavesTheQueue(t *testing.T) {
	g := &gated{started: make(chan string, 10), gate: make(chan struct{})}
	var queued sync.WaitGroup
	queued.Add(1)
	h := fairhash.New(g, fairhash.Options{Slots: 1, Queued: func(string) { queued.Done() }})
	var done sync.WaitGroup
	done.Go(func() { _, _ = h.Hash(context.Background(), "p") })
	<-g.started
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { _, err := h.Hash(ctx, "p"); errc <- err }()
	queued.Wait()
	cancel()
	if err := <-errc; !errors.Is(err, fairhash.ErrBusy) {
		t.Fatalf("cancelled waiter: %v, want ErrBusy", err)
	}
	if w := h.Waiting(); len(w) != 0 {
		t.Fatalf("still waiting after giving up: %v", w)
	}
	g.gate <- struct{}{}
	done.Wait()
	// The slot came back: the next caller runs at once.
	go func() { <-g.started; g.gate <- struct{}{} }()
	if _, err := h.Hash(context.Background(), "p"); err != nil {
		t.Fatal(err)
	}
}
