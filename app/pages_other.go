//go:build !linux

package app

import "log/slog"

// releaseStartupPages does nothing where MADV_PAGEOUT does not exist.
func releaseStartupPages(*slog.Logger) {}
