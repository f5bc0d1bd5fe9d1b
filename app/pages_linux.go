package app

import (
	"log/slog"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// madvPageout is MADV_PAGEOUT (Linux 5.4+, include/uapi/asm-generic/mman-common.h),
// which the syscall package does not name.
const madvPageout = 21

// releaseStartupPages drops this process's mappings of its own executable
// once start-up is over. Start-up runs every package's initialisation,
// which touches code and tables all over the binary, and the kernel maps
// the neighbours of every page touched (fault-around): some 30 MiB of the
// binary stay resident although serving needs a few MiB of it. The pages
// are clean copies of the file, still in the page cache: what a request
// needs is mapped back at its first touch. So the resident set shows what
// serving uses. Errors (an older kernel) only leave the pages where they are.
func releaseStartupPages(log *slog.Logger) {
	exe, err := os.Executable()
	if err != nil {
		return
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return
	}
	var released uintptr
	for _, line := range strings.Split(string(maps), "\n") {
		f := strings.Fields(line)
		// address perms offset dev inode path; only read-only and code
		// mappings of the executable: its data is not a clean copy.
		if len(f) < 6 || f[5] != exe || strings.Contains(f[1], "w") {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if !ok || err1 != nil || err2 != nil || end <= start {
			continue
		}
		if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, uintptr(start), uintptr(end-start), madvPageout); errno == 0 {
			released += uintptr(end - start)
		}
	}
	log.Debug("start-up pages released", "mapped_bytes", released)
}
