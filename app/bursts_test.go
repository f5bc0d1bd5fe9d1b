package app

import (
	"os"
	"runtime"
	"testing"
)

// While hashes run there is a P more per hash; once the burst is over
// GOMAXPROCS is the runtime's default again. Without widen (tests, other
// commands) nothing changes.
func TestHashBurstsWidenThenRestore(t *testing.T) {
	if os.Getenv("GOMAXPROCS") != "" {
		t.Skip("GOMAXPROCS is the operator's here: serve leaves it alone")
	}
	runtime.SetDefaultGOMAXPROCS()
	base := runtime.GOMAXPROCS(0)
	for _, tc := range []struct {
		widen bool
		want  int
	}{{false, base}, {true, base + 2}} {
		b := newHashBursts(2, tc.widen)
		b.started()
		b.started() // a second hash of the same burst adds nothing
		if got := runtime.GOMAXPROCS(0); got != tc.want {
			t.Errorf("widen=%v: GOMAXPROCS %d while hashing, want %d", tc.widen, got, tc.want)
		}
		b.end()
		if got := runtime.GOMAXPROCS(0); got != base {
			t.Errorf("widen=%v: GOMAXPROCS %d after the burst, want %d", tc.widen, got, base)
		}
	}
}
