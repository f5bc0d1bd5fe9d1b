package bench

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Memory is what /proc/<pid>/status says of a process's resident memory.
type Memory struct {
	RSS int64 // VmRSS, bytes: resident now
	HWM int64 // VmHWM, bytes: the highest RSS so far
	// RSS split, when the kernel tells (0 otherwise): anonymous memory
	// (heap, stacks) and file pages (mostly the binary's own code and data).
	Anon int64 // RssAnon
	File int64 // RssFile
}

// ParseStatus reads VmRSS and VmHWM ("VmRSS:	   12345 kB") from a
// /proc/<pid>/status text. Both must be there.
func ParseStatus(r io.Reader) (Memory, error) {
	var m Memory
	var seen int
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		key, rest, ok := strings.Cut(sc.Text(), ":")
		var dst *int64
		switch key {
		case "VmRSS":
			dst = &m.RSS
		case "VmHWM":
			dst = &m.HWM
		case "RssAnon":
			dst = &m.Anon
		case "RssFile":
			dst = &m.File
		}
		if !ok || dst == nil {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return m, fmt.Errorf("proc status: %s: unexpected %q", key, strings.TrimSpace(rest))
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || kb < 0 {
			return m, fmt.Errorf("proc status: %s: %q is not a size", key, f[0])
		}
		*dst = kb * 1024
		if key == "VmRSS" || key == "VmHWM" {
			seen++
		}
	}
	if err := sc.Err(); err != nil {
		return m, fmt.Errorf("proc status: %w", err)
	}
	if seen != 2 {
		return m, fmt.Errorf("proc status: VmRSS or VmHWM missing")
	}
	return m, nil
}

// ReadMemory reads the memory figures of process pid.
func ReadMemory(pid int) (Memory, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Memory{}, err
	}
	defer f.Close()
	return ParseStatus(f)
}

// MiB converts bytes to mebibytes.
func MiB(b int64) float64 { return float64(b) / (1 << 20) }

// ParseLoadAvg returns the 1-minute load average of a /proc/loadavg text.
func ParseLoadAvg(s string) (float64, error) {
	f := strings.Fields(s)
	if len(f) < 3 {
		return 0, fmt.Errorf("loadavg: %q", s)
	}
	return strconv.ParseFloat(f[0], 64)
}

func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	v, _ := ParseLoadAvg(string(b))
	return v
}
