// Package bench is the benchmark harness behind `make bench`: it builds and
// starts seatide on SQLite (and MariaDB when one answers), a bare
// net/http + jwx token-check baseline beside it, drives both with wrk (a
// process of its own), alternating them, and writes results.json and
// results.md under bench/out/. bench/results.* are committed copies, made
// on purpose with `make bench-publish`.
package bench

import (
	"math"
	"slices"
	"time"
)

// Percentile returns the nearest-rank p-th percentile (0 < p <= 100) of
// sorted, or 0 when it is empty. Nearest rank, not interpolation: every
// value reported is a latency that was really seen.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 || p <= 0 {
		return 0
	}
	if p >= 100 {
		return sorted[len(sorted)-1]
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

// Sample is what one or more load runs saw: the latency of every correct
// answer, the count of wrong ones, and the time the runs took.
type Sample struct {
	Latencies  []time.Duration
	Errors     int
	Elapsed    time.Duration
	FirstError string
}

// Merge adds o to s, as if the runs had been one.
func (s *Sample) Merge(o Sample) {
	s.Latencies = append(s.Latencies, o.Latencies...)
	s.Errors += o.Errors
	s.Elapsed += o.Elapsed
	if s.FirstError == "" {
		s.FirstError = o.FirstError
	}
}

// Summary summarises s (sorting its latencies).
func (s Sample) Summary() Summary {
	sum := Summarize(s.Latencies, s.Errors, s.Elapsed)
	sum.FirstError = s.FirstError
	return sum
}

// Summarize sorts latencies (of correct answers) in place and fills a
// Summary; errors counts the wrong ones.
func Summarize(latencies []time.Duration, errors int, elapsed time.Duration) Summary {
	slices.Sort(latencies)
	s := Summary{
		Requests: len(latencies) + errors,
		Errors:   errors,
		Elapsed:  elapsed,
		P50:      Percentile(latencies, 50),
		P99:      Percentile(latencies, 99),
		Max:      Percentile(latencies, 100),
	}
	if elapsed > 0 {
		s.RPS = float64(len(latencies)) / elapsed.Seconds()
	}
	return s
}

// Median returns the middle value (the lower of the two middle ones for an
// even count, a value really measured), or 0 for none.
func Median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}
