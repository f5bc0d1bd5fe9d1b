package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/seatidemc/seatide/adapters/ecssim"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/users"
	"github.com/seatidemc/seatide/ports"
)

// Migrate is `seatide migrate up|down|status`.
func Migrate(ctx context.Context, cfg Config, direction string, out io.Writer) error {
	db, err := openDB(ctx, cfg, ports.SystemClock{})
	if err != nil {
		return err
	}
	defer db.Close()
	switch direction {
	case "up":
		var applied []string
		if applied, err = db.ApplyMigrations(ctx); err == nil {
			if len(applied) == 0 {
				fmt.Fprintln(out, "migrate up: nothing to apply, the schema is up to date")
			} else {
				fmt.Fprintf(out, "migrate up: applied %s\n", strings.Join(applied, ", "))
			}
			return nil
		}
	case "down":
		err = db.MigrateDown(ctx)
	case "status":
		err = db.MigrateStatus(ctx, out)
	default:
		return fmt.Errorf("migrate: unknown direction %q (want up, down or status)", direction)
	}
	if err == nil && direction != "status" {
		fmt.Fprintf(out, "migrate %s: done\n", direction)
	}
	return err
}

// CreateUser is `seatide user create`: it makes an account, in the admin
// group if asked, so the first admin needs no database editing.
func CreateUser(ctx context.Context, cfg Config, name, email string, admin bool, pw string, out io.Writer) error {
	a, err := New(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer a.Close()
	group := domain.GroupStd
	if admin {
		group = domain.GroupAdmin
	}
	u, err := a.Users().CreateAccount(ctx, users.NewUser{Username: name, Password: pw, Email: email}, group)
	switch {
	case errors.Is(err, domain.ErrUsernameTaken):
		return fmt.Errorf("user %q already exists", name)
	case errors.Is(err, domain.ErrEmailTaken):
		return fmt.Errorf("email %q is already in use", email)
	case errors.Is(err, domain.ErrInvalid):
		return fmt.Errorf("invalid %s (username: 3-20 of A-Z a-z 0-9 . _; password: %d-%d bytes; email: an address of at most %d bytes)",
			strings.Join(domain.ErrorFields(err), ", "), domain.PasswordMinLen, domain.PasswordMaxLen, domain.EmailMax)
	case err != nil:
		return err
	}
	fmt.Fprintf(out, "created user %q (id %d, group %s)\n", u.Username, u.ID, u.Group)
	return nil
}

// ReadPassword asks for a password on the terminal (twice, unechoed), or
// reads one line from in when it is not a terminal, so scripts can pipe it.
// It never comes from a flag, where it would land in shell history and ps.
func ReadPassword(in *os.File, prompt io.Writer) (string, error) {
	fd := int(in.Fd())
	if !term.IsTerminal(fd) {
		line, err := bufio.NewReader(in).ReadString('\n')
		if err != nil && !(errors.Is(err, io.EOF) && line != "") {
			return "", errors.New("reading the password from standard input: no line")
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	fmt.Fprint(prompt, "Password: ")
	first, err := term.ReadPassword(fd)
	fmt.Fprintln(prompt)
	if err != nil {
		return "", err
	}
	fmt.Fprint(prompt, "Repeat password: ")
	second, err := term.ReadPassword(fd)
	fmt.Fprintln(prompt)
	if err != nil {
		return "", err
	}
	if string(first) != string(second) {
		return "", errors.New("the passwords differ")
	}
	return string(first), nil
}

// SimulatorOptions configures `seatide ecs-sim`.
type SimulatorOptions struct {
	Listen          string
	AccessKeyID     string // random when empty
	AccessKeySecret string // random when empty
	Region          string
	TransitionTime  time.Duration // 0: instant
	MinecraftPort   int           // of the fake Minecraft servers; 0: 25565
	WaitForDeploy   bool          // fake Minecraft servers come up once a command has succeeded
}

// RunSimulator is `seatide ecs-sim`: a standalone ECS simulator that several
// service replicas can share, running until ctx ends.
func RunSimulator(ctx context.Context, o SimulatorOptions, out io.Writer) error {
	if o.TransitionTime < 0 {
		return errors.New("ecs-sim: --transition-time must not be negative")
	}
	sim, err := ecssim.Start(o.Listen, ecssim.Options{
		AccessKeyID:     o.AccessKeyID,
		AccessKeySecret: o.AccessKeySecret,
		RegionID:        o.Region,
		TransitionTime:  o.TransitionTime,
		NoDelay:         o.TransitionTime == 0,
		Minecraft:       &ecssim.MinecraftOptions{Port: o.MinecraftPort, WaitForDeploy: o.WaitForDeploy},
	})
	if err != nil {
		return fmt.Errorf("ecs-sim: %w", err)
	}
	defer sim.Close()
	id, secret := sim.Credentials()
	// The secret is printed on purpose: it only opens this simulator, and
	// the replicas need it.
	fmt.Fprintf(out, "ECS simulator listening on %s (region %s)\n", sim.URL, sim.RegionID())
	// With a key configured every ecs.* key is required: list simulated ones.
	fmt.Fprintf(out, "Point each replica at it with:\n")
	for _, kv := range [][2]string{
		{"ENDPOINT", sim.URL}, {"ACCESS_KEY_ID", id}, {"ACCESS_KEY_SECRET", secret},
		{"REGION", sim.RegionID()}, {"ZONE", sim.RegionID() + "-h"}, {"INSTANCE_TYPE", simInstanceType},
		{"IMAGE", simImage}, {"SECURITY_GROUP", simSecurityGroup}, {"VPC", simVPC},
	} {
		fmt.Fprintf(out, "  SEATIDE_ECS_%s=%s\n", kv[0], kv[1])
	}
	fmt.Fprintf(out, "Minecraft servers: curl %s/_sim/minecraft\n", sim.URL)
	fmt.Fprintf(out, "Instances: curl %s/_sim/instances\n", sim.URL)
	<-ctx.Done()
	return nil
}
