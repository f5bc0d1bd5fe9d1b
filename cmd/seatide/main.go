// Command seatide runs the seatide service and its operator tools.
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
	"time"
	_ "time/tzdata" // --timezone works on hosts without zoneinfo

	"github.com/seatidemc/seatide/app"
)

const usage = `seatide runs a Minecraft server on Alibaba Cloud ECS only while it is needed.

Usage:
  seatide [--config PATH] [command] [flags]

Commands:
  serve                      run the HTTP service (the default)
  version                    print the version and the revision built from
  migrate up|down|status     apply, roll back one, or list database migrations
  user create NAME --email ADDR [--admin]
                             create an account; the password is asked on the
                             terminal, or read as one line from standard input
  ecs-sim [--listen ADDR] [--access-key-id ID] [--access-key-secret SECRET]
                             run the ECS simulator standalone, so that several
                             replicas can share one simulated cloud
  import-v1 --from 'USER:PASS@tcp(HOST:3306)/' [--dry-run] [--timezone ZONE]
                             copy the original service's users, instance and
                             history from its MySQL server; a second run adds nothing

Global flags:
  --config PATH   configuration file (default ./config.yml when present);
                  every key can be overridden by SEATIDE_<KEY>, e.g.
                  SEATIDE_DATABASE_DSN for database.dsn

Run 'seatide COMMAND --help' for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		fmt.Fprintln(os.Stderr, "seatide:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	global := flag.NewFlagSet("seatide", flag.ContinueOnError)
	global.Usage = func() { fmt.Fprint(os.Stderr, usage) }
	configPath := global.String("config", "", "configuration file")
	if err := global.Parse(args); err != nil {
		return err
	}
	args = global.Args()
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	load := func() (app.Config, error) { return app.LoadConfig(*configPath, os.Environ()) }

	switch cmd {
	case "serve":
		fs := subcommand("serve", "", "Run the HTTP service until SIGINT or SIGTERM, then shut down gracefully.")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			fs.Usage()
			return fmt.Errorf("serve: unexpected argument %q: serve takes no arguments (the global --config goes before the command)", fs.Arg(0))
		}
		cfg, err := load()
		if err != nil {
			return err
		}
		return app.Serve(ctx, cfg, app.NewLogger(os.Stderr, cfg.Log), os.Stdout)

	case "migrate":
		fs := subcommand("migrate", "up|down|status", "Apply all pending migrations (up), roll back the last one (down), or list them (status).")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			fs.Usage()
			return errors.New("migrate: want exactly one of up, down, status")
		}
		cfg, err := load()
		if err != nil {
			return err
		}
		return app.Migrate(ctx, cfg, fs.Arg(0), os.Stdout)

	case "user":
		if len(args) == 0 || args[0] != "create" {
			if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
				fmt.Fprint(os.Stderr, "Usage: seatide user create NAME --email ADDR [--admin]\n")
				return flag.ErrHelp
			}
			return errors.New("user: the only command is `user create NAME --email ADDR [--admin]`")
		}
		uc, err := parseUserCreate(args[1:])
		if err != nil {
			return err
		}
		cfg, err := load()
		if err != nil {
			return err
		}
		pw, err := app.ReadPassword(os.Stdin, os.Stderr)
		if err != nil {
			return err
		}
		return app.CreateUser(ctx, cfg, uc.name, uc.email, uc.admin, pw, os.Stdout)

	case "ecs-sim":
		fs := subcommand("ecs-sim", "[flags]",
			"Run the ECS simulator (the ECS RPC API, signatures checked, with an admin API under /_sim/)\nuntil SIGINT or SIGTERM. It prints the endpoint and the access key it accepts: give them\nto each replica as ecs.endpoint, ecs.access_key_id and ecs.access_key_secret.")
		var o app.SimulatorOptions
		fs.StringVar(&o.Listen, "listen", "127.0.0.1:8722", "address to listen on")
		fs.StringVar(&o.AccessKeyID, "access-key-id", "", "the access key id to accept (default: random)")
		fs.StringVar(&o.AccessKeySecret, "access-key-secret", "", "the access key secret to accept (default: random)")
		fs.StringVar(&o.Region, "region", "cn-hangzhou", "the region served")
		fs.DurationVar(&o.TransitionTime, "transition-time", 3*time.Second, "how long each state change takes (0: instant)")
		fs.IntVar(&o.MinecraftPort, "minecraft-port", 25565, "port of the fake Minecraft server on each instance's IP")
		fs.BoolVar(&o.WaitForDeploy, "wait-for-deploy", false, "fake Minecraft servers come up only once a Cloud Assistant command\non the instance has succeeded (for replicas with deploy.enabled)")
		if err := fs.Parse(args); err != nil {
			return err
		}
		return app.RunSimulator(ctx, o, os.Stdout)

	case "import-v1":
		fs := subcommand("import-v1", "--from 'USER:PASS@tcp(HOST:3306)/' [flags]",
			"Copy the original SEATiDE service's data from its MySQL server into the configured database:\n"+
				"the users of user.data (keeping their password hashes: they log in with their old passwords),\n"+
				"the instance and IP of ecs.status, every ecs.history row and the last deploy of ecs.cmd_history.\n"+
				"Rows already there are skipped, so a second run adds nothing. It prints what it read, wrote\n"+
				"and skipped, and why.")
		var o app.ImportV1Options
		from := fs.String("from", "", "the original MySQL server, as a go-sql-driver DSN (required)")
		fs.StringVar(&o.UserDB, "user-db", "user", "the original's user database")
		fs.StringVar(&o.ECSDB, "ecs-db", "ecs", "the original's ECS database")
		fs.StringVar(&o.Timezone, "timezone", "UTC", "the IANA time zone of the original MySQL server's clock, e.g. Asia/Shanghai\n(its DATETIMEs hold that zone's local time)")
		fs.BoolVar(&o.DryRun, "dry-run", false, "read everything and say what would be written, writing nothing")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if *from == "" || fs.NArg() > 0 {
			fs.Usage()
			return errors.New("import-v1: --from is required and nothing else may follow the flags")
		}
		cfg, err := load()
		if err != nil {
			return err
		}
		return app.ImportV1(ctx, cfg, *from, o, os.Stdout)

	case "version":
		fs := subcommand("version", "", "Print the module version, the VCS revision it was built from and the Go version.")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return fmt.Errorf("version: unexpected argument %q", fs.Arg(0))
		}
		fmt.Println(app.Version())
		return nil

	case "help", "-h", "--help":
		fmt.Fprint(os.Stderr, usage)
		return flag.ErrHelp
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

type userCreate struct {
	name, email string
	admin       bool
}

// parseUserCreate reads `user create` arguments with the flags before or
// after NAME (`--admin carl --email x` and `carl --email x --admin` alike),
// which the flag package alone would not: it stops at the first non-flag.
func parseUserCreate(args []string) (userCreate, error) {
	fs := subcommand("user create", "NAME --email ADDR [--admin]",
		"Create an account. The password is asked on the terminal (twice), or read as one line\nfrom standard input when it is not a terminal; it is never taken from a flag.")
	var uc userCreate
	fs.StringVar(&uc.email, "email", "", "the account's email address (required)")
	fs.BoolVar(&uc.admin, "admin", false, "put the account in the admin group")
	var names []string
	for {
		if err := fs.Parse(args); err != nil {
			return uc, err
		}
		if fs.NArg() == 0 {
			break
		}
		names = append(names, fs.Arg(0))
		args = fs.Args()[1:]
	}
	var problems []string
	switch len(names) {
	case 0:
		problems = append(problems, "NAME is missing")
	case 1:
		uc.name = names[0]
	default:
		problems = append(problems, fmt.Sprintf("one NAME only, got %q", names))
	}
	if uc.email == "" {
		problems = append(problems, "--email is missing")
	}
	if len(problems) > 0 {
		fs.Usage()
		return uc, fmt.Errorf("user create: %s", strings.Join(problems, "; "))
	}
	return uc, nil
}

func subcommand(name, argsUsage, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: seatide %s %s\n\n%s\n", name, argsUsage, about)
		if hasFlags(fs) {
			fmt.Fprintln(out, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}
