package app

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.TrimSpace(s))); err != nil {
		return 0, fmt.Errorf("log.level: %q is not debug, info, warn or error", s)
	}
	return l, nil
}

// NewLogger builds the process logger: text for people in development, JSON
// for collectors in production.
func NewLogger(w io.Writer, cfg LogConfig) *slog.Logger {
	level, _ := parseLevel(cfg.Level) // checked by LoadConfig
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: readableDuration}
	if cfg.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// readableDuration writes durations as "1.5s" rather than the JSON
// handler's raw nanoseconds (the text handler already does).
func readableDuration(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		a.Value = slog.StringValue(a.Value.Duration().String())
	}
	return a
}
