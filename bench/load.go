package bench

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Load is one vegeta attack: one request, repeated by a fixed pool of
// workers, each answer checked.
type Load struct {
	Name    string
	Method  string
	URL     string
	Body    []byte
	Workers int // also the number of connections
	// Rate is requests per second; 0 is as fast as the workers go.
	Rate     int
	Duration time.Duration
	// Want is a prefix every correct answer body starts with.
	Want []byte
}

// Attack runs l until its duration is over or ctx ends.
func Attack(ctx context.Context, l Load) Sample {
	header := http.Header{}
	if l.Body != nil {
		header.Set("Content-Type", "application/json")
	}
	targeter := vegeta.NewStaticTargeter(vegeta.Target{Method: l.Method, URL: l.URL, Body: l.Body, Header: header})
	workers := uint64(max(l.Workers, 1))
	atk := vegeta.NewAttacker(
		vegeta.Workers(workers),
		vegeta.MaxWorkers(workers),
		vegeta.Connections(int(workers)),
		vegeta.MaxConnections(int(workers)),
		vegeta.KeepAlive(true),
		vegeta.Timeout(30*time.Second),
		vegeta.MaxBody(4096),
	)
	pacer := vegeta.ConstantPacer{Freq: l.Rate, Per: time.Second}
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stop()

	var lat []time.Duration
	var errs int
	var first string
	var begin, end time.Time
	for res := range atk.Attack(targeter, pacer, l.Duration, l.Name) {
		if begin.IsZero() || res.Timestamp.Before(begin) {
			begin = res.Timestamp
		}
		if e := res.End(); e.After(end) {
			end = e
		}
		if problem := checkResult(res, l.Want); problem != "" {
			errs++
			if first == "" {
				first = problem
			}
			continue
		}
		lat = append(lat, res.Latency)
	}
	return Sample{Latencies: lat, Errors: errs, Elapsed: end.Sub(begin), FirstError: first}
}

func checkResult(res *vegeta.Result, want []byte) string {
	switch {
	case res.Error != "":
		return res.Error
	case res.Code != http.StatusOK:
		return fmt.Sprintf("HTTP %d", res.Code)
	case !bytes.HasPrefix(res.Body, want):
		return fmt.Sprintf("unexpected answer %.120q", res.Body)
	}
	return ""
}
