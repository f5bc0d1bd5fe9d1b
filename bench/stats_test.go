package bench

import (
	"testing"
	"time"
)

func ms2(v ...int) []time.Duration {
	out := make([]time.Duration, len(v))
	for i, x := range v {
		out[i] = time.Duration(x) * time.Millisecond
	}
	return out
}

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value is every percentile", ms2(7), 99, 7 * time.Millisecond},
		{"p50 of 1..100 is 50", hundred, 50, 50 * time.Millisecond},
		{"p99 of 1..100 is 99", hundred, 99, 99 * time.Millisecond},
		{"p100 is the max", hundred, 100, 100 * time.Millisecond},
		{"p0 is nothing", hundred, 0, 0},
		{"nearest rank rounds up", ms2(1, 2, 3), 50, 2 * time.Millisecond},
		{"p99 of 10 values is the max", ms2(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
		{"p1 of 3 values is the min", ms2(1, 2, 3), 1, time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("Percentile(%v, %v) = %v, want %v", tt.sorted, tt.p, got, tt.want)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	tests := []struct {
		name             string
		lat              []time.Duration
		errors           int
		elapsed          time.Duration
		wantRequests     int
		wantRPS          float64
		wantP50, wantP99 time.Duration
		wantMax          time.Duration
	}{
		{"unsorted input", ms2(30, 10, 20, 40), 0, 2 * time.Second, 4, 2, 20 * time.Millisecond, 40 * time.Millisecond, 40 * time.Millisecond},
		{"errors count as requests, not throughput", ms2(5, 5), 3, time.Second, 5, 2, 5 * time.Millisecond, 5 * time.Millisecond, 5 * time.Millisecond},
		{"no time, no rate", ms2(1), 0, 0, 1, 0, time.Millisecond, time.Millisecond, time.Millisecond},
		{"nothing right", nil, 4, time.Second, 4, 0, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize(tt.lat, tt.errors, tt.elapsed)
			if s.Requests != tt.wantRequests || s.Errors != tt.errors || s.RPS != tt.wantRPS ||
				s.P50 != tt.wantP50 || s.P99 != tt.wantP99 || s.Max != tt.wantMax {
				t.Errorf("Summarize = %+v, want requests %d, rps %v, p50 %v, p99 %v, max %v",
					s, tt.wantRequests, tt.wantRPS, tt.wantP50, tt.wantP99, tt.wantMax)
			}
		})
	}
}

func TestSampleMerge(t *testing.T) {
	a := Sample{Latencies: ms2(1, 3), Elapsed: time.Second}
	a.Merge(Sample{Latencies: ms2(2), Errors: 1, Elapsed: time.Second, FirstError: "HTTP 500"})
	a.Merge(Sample{Errors: 1, FirstError: "later"})
	s := a.Summary()
	if s.Requests != 5 || s.Errors != 2 || s.RPS != 1.5 || s.P50 != 2*time.Millisecond || s.FirstError != "HTTP 500" {
		t.Errorf("merged summary = %+v", s)
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []time.Duration
		want time.Duration
	}{
		{nil, 0},
		{ms2(9), 9 * time.Millisecond},
		{ms2(30, 10, 20), 20 * time.Millisecond},
		{ms2(40, 10, 30, 20), 20 * time.Millisecond}, // the lower middle: a value really measured
	}
	for _, tt := range tests {
		in := append([]time.Duration(nil), tt.in...)
		if got := Median(tt.in); got != tt.want {
			t.Errorf("Median(%v) = %v, want %v", tt.in, got, tt.want)
		}
		for i := range in {
			if in[i] != tt.in[i] {
				t.Fatalf("Median reordered its input: %v", tt.in)
			}
		}
	}
}
