// Command seatide-bench is `make bench`: it measures seatide against its
// targets (package bench) and writes bench/out/results.json and
// bench/out/results.md. `seatide-bench baseline` is the bare token-check
// server it compares with.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/seatidemc/seatide/bench"
)

const usage = `seatide-bench measures seatide (see bench/results.md, the committed run).

Usage:
  seatide-bench [flags]               build seatide, run every measurement, write the results
  seatide-bench baseline --listen ADDR
                                      serve the bare token-check baseline; the HS256 secret
                                      comes from SEATIDE_BENCH_SECRET

Flags:
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		fmt.Fprintln(os.Stderr, "seatide-bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "baseline" {
		fs := flag.NewFlagSet("baseline", flag.ContinueOnError)
		listen := fs.String("listen", "127.0.0.1:0", "address to listen on")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		// From the environment, not a flag: flags show in ps.
		return bench.RunBaseline(ctx, *listen, []byte(os.Getenv("SEATIDE_BENCH_SECRET")), os.Stdout)
	}

	o := bench.DefaultOptions()
	fs := flag.NewFlagSet("seatide-bench", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), usage); fs.PrintDefaults() }
	fs.StringVar(&o.Repo, "repo", o.Repo, "the seatide module root (where ./cmd/seatide is built)")
	fs.StringVar(&o.OutDir, "out", o.OutDir, "directory for results.json and results.md (make bench-publish copies them to bench/)")
	fs.StringVar(&o.Go, "go", o.Go, "the go command")
	fs.DurationVar(&o.Slice, "slice", o.Slice, "each side's turn in the alternated check, and each other throughput run")
	fs.IntVar(&o.Rounds, "rounds", o.Rounds, "check and baseline alternate this many times")
	fs.DurationVar(&o.Warmup, "warmup", o.Warmup, "check load before the idle RSS is read")
	fs.DurationVar(&o.Settle, "settle", o.Settle, "quiet time before the idle RSS is read")
	fs.IntVar(&o.Connections, "connections", o.Connections, "wrk connections for check, get and get/server")
	fs.IntVar(&o.Users, "users", o.Users, "accounts in the check mix")
	fs.IntVar(&o.TokensPerUse, "tokens-per-user", o.TokensPerUse, "live tokens per account in the check mix")
	fs.IntVar(&o.ColdPercent, "cold-percent", o.ColdPercent, "checks carrying a token never seen before")
	fs.IntVar(&o.FloodClients, "flood-clients", o.FloodClients, "concurrent clients in the login flood")
	fs.DurationVar(&o.Flood, "flood", o.Flood, "length of the quiet check probe and of the login flood")
	fs.IntVar(&o.ProbeRate, "probe-rate", o.ProbeRate, "check requests per second beside the flood (and alone)")
	fs.IntVar(&o.Cycles, "cycles", o.Cycles, "new/stop/delete rounds")
	fs.IntVar(&o.ReadyRuns, "ready-runs", o.ReadyRuns, "start-to-ready measurements, service and baseline in turn (medians reported)")
	fs.StringVar(&o.MySQLDSN, "mysql", o.MySQLDSN, "MariaDB/MySQL server DSN for a throwaway database; empty to skip")
	fs.Func("set", "KEY=VALUE added to the service's environment, to try a setting (repeatable), e.g.\n-set GOMEMLIMIT=48MiB -set SEATIDE_USERS_MAX_CONCURRENT_HASHES=1", func(kv string) error {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return fmt.Errorf("want KEY=VALUE, got %q", kv)
		}
		o.ServiceEnv = append(o.ServiceEnv, kv)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	o.Self, o.Log = []string{self}, os.Stderr
	res, err := bench.Run(ctx, o)
	if err != nil {
		return err
	}
	fmt.Print(res.Markdown())
	fmt.Printf("\nThe targets (load average %.2f at the start, %.2f at the end; written to %s):\n\n%s",
		res.Environment.LoadAvgStart, res.Environment.LoadAvgEnd, o.OutDir, res.VerdictTable())
	return nil
}
