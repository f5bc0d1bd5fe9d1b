package password

import (
	"context"
	"runtime"
	"syscall"
	"testing"
)

// threadNice is the calling thread's nice value (the raw syscall answers
// 20 - nice), or 99 when it cannot be read.
func threadNice() int {
	prio, err := syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid())
	if err != nil {
		return 99
	}
	return 20 - prio
}

// In the background, the computation runs at the lowest priority on a
// thread of its own, and the caller's thread keeps its priority.
func TestBackgroundLowersOnlyTheHashingThread(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	callerBefore := threadNice()
	for _, tc := range []struct {
		background bool
		want       int
	}{{false, callerBefore}, {true, backgroundNice}} {
		h := New(Options{Params: cheap, Background: tc.background})
		var got int
		if err := h.compute(context.Background(), func() { got = threadNice() }); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("background=%v: computed at nice %d, want %d", tc.background, got, tc.want)
		}
		if after := threadNice(); after != callerBefore {
			t.Errorf("background=%v: the caller's thread went from nice %d to %d", tc.background, callerBefore, after)
		}
	}
}
