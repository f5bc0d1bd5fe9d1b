package app

import (
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

// hashBursts gives the Go scheduler room while passwords are hashed and
// tidies up after them.
//
// A hash runs on a thread of the lowest priority (password.Options.
// Background), but it holds a P while it runs: with every P hashing, a
// token check waits for the scheduler to preempt a hash (up to 10 ms)
// before it even starts. So while hashes run, there is one P more per hash
// that may run, and the kernel gives the check the CPU at once. Spare Ps
// cost throughput when nothing is hashed (they spin and split the CPUs
// among more threads: a third fewer checks per second, measured), so
// GOMAXPROCS returns to the runtime's default a second after the last hash,
// together with the hashes' memory (7 MiB each, garbage once done, which
// the runtime would otherwise hand back to the system slowly).
type hashBursts struct {
	extra int  // Ps added while hashing: the number of hashes at once
	procs bool // false when GOMAXPROCS is the operator's (environment)

	mu     sync.Mutex
	raised bool
	over   *time.Timer
}

// burstQuiet is how long after the last hash a burst is over.
const burstQuiet = time.Second

func newHashBursts(extra int, widen bool) *hashBursts {
	b := &hashBursts{extra: extra, procs: widen && os.Getenv("GOMAXPROCS") == ""}
	b.over = time.AfterFunc(time.Hour, b.end)
	b.over.Stop()
	return b
}

// started runs as a hash starts.
func (b *hashBursts) started() {
	if !b.procs {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.raised {
		runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + b.extra)
		b.raised = true
	}
}

// done runs as a hash ends, and as a connection closes (a burst of
// requests leaves free heap behind too).
func (b *hashBursts) done() { b.over.Reset(burstQuiet) }

func (b *hashBursts) end() {
	b.mu.Lock()
	if b.raised {
		runtime.SetDefaultGOMAXPROCS()
		b.raised = false
	}
	b.mu.Unlock()
	debug.FreeOSMemory()
}
