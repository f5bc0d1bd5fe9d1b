package portstest

import (
	"sync"
	"testing"
	"time"
)

// suiteCase is one named contract test on a fresh fixture of type F.
type suiteCase[F any] struct {
	name string
	run  func(t *testing.T, f F)
}

// runSuite runs every case as a parallel subtest, each on a fixture of its
// own made with the subtest's t (so cleanups belong to that subtest).
func runSuite[F any](t *testing.T, newFixture func(t *testing.T) F, cases []suiteCase[F]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newFixture(t))
		})
	}
}

// ManualClock is a ports.Clock that tests set and move by hand.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a clock reading start.
func NewManualClock(start time.Time) *ManualClock { return &ManualClock{now: start} }

func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Add moves the clock by d.
func (c *ManualClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
