package app

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// Version describes this binary from its build information: the module
// version, the VCS revision and time (with "+ local changes" when the tree
// was dirty), and the Go version. `make build` embeds the revision; a
// plain `go build` with -buildvcs=false (this project's GOFLAGS may set
// it) leaves it out, and the line says so.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "seatide (no build information)"
	}
	return versionLine(bi)
}

func versionLine(bi *debug.BuildInfo) string {
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	var b strings.Builder
	fmt.Fprintf(&b, "seatide %s", bi.Main.Version)
	if rev := settings["vcs.revision"]; rev != "" {
		fmt.Fprintf(&b, ", revision %s", rev[:min(len(rev), 12)])
		if t := settings["vcs.time"]; t != "" {
			fmt.Fprintf(&b, " (%s)", t)
		}
		if settings["vcs.modified"] == "true" {
			b.WriteString(" + local changes")
		}
	} else {
		b.WriteString(", revision unknown (built without VCS stamping: use `make build`)")
	}
	fmt.Fprintf(&b, ", %s", bi.GoVersion)
	return b.String()
}
