// Package importv1 is the use case of `seatide import-v1`: it decides how
// each row of the original SEATiDE service (read by adapters/legacyv1)
// becomes a seatide record, and writes it through the ports: the accounts
// (keeping their Werkzeug password hashes, which the password adapter
// verifies and upgrades at the next login), the current instance, every
// history row, and the newest deploy invocation.
//
// Writing is idempotent: records already in the destination are skipped,
// so a second run adds nothing and an interrupted run can simply be
// repeated.
package importv1

import (
	"context"
	"errors"
	"fmt"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// Operation fields of an imported instance's record.
const (
	importAction = "import"
	importActor  = "import-v1"
)

// Options tune an import.
type Options struct {
	// DryRun reads the destination to decide what would be written or
	// skipped, and writes nothing.
	DryRun bool
}

// Destination is where an import writes.
type Destination struct {
	Users     ports.UserStore
	Instances ports.InstanceStore
	History   ports.HistoryStore
	Clock     ports.Clock // stamps the import operation
}

// pageSize is how many destination users or history rows are read at once.
const pageSize = 500

// Apply writes snap into dst, or with opts.DryRun only decides what it
// would write, reading dst to find what is there already. It goes users,
// instance, history, invocation, and stops at the first failure to write
// (conflicts are skips, not failures).
func Apply(ctx context.Context, snap Snapshot, dst Destination, opts Options) (Summary, error) {
	sum := Summary{DryRun: opts.DryRun}
	if dst.Clock == nil {
		dst.Clock = ports.SystemClock{}
	}
	if err := applyUsers(ctx, snap.Users, dst.Users, opts.DryRun, &sum.Users); err != nil {
		return sum, err
	}
	current, err := applyInstance(ctx, snap, dst, opts.DryRun, &sum.Instance)
	if err != nil {
		return sum, err
	}
	if err := applyHistory(ctx, snap.History, dst.History, opts.DryRun, &sum.History); err != nil {
		return sum, err
	}
	if err := applyInvocation(ctx, snap, current, dst.Instances, opts.DryRun, &sum.Invocation); err != nil {
		return sum, err
	}
	return sum, nil
}

func applyUsers(ctx context.Context, rows []UserRow, store ports.UserStore, dry bool, c *Counts) error {
	known, err := loadAccounts(ctx, store)
	if err != nil {
		return err
	}
	for _, r := range rows {
		c.Read++
		ref := fmt.Sprintf("#%d %q", r.ID, r.Username)
		u, notes, skip := MapUser(r)
		if skip == "" {
			skip = known.conflict(u)
		}
		if skip != "" {
			c.skip(ref, skip)
			continue
		}
		if !dry {
			_, err := store.CreateUser(ctx, u)
			switch {
			case errors.Is(err, domain.ErrUsernameTaken):
				// Created by someone else since loadAccounts.
				c.skip(ref, ReasonUsernameTaken)
				continue
			case errors.Is(err, domain.ErrEmailTaken):
				c.skip(ref, ReasonEmailTaken)
				continue
			case err != nil:
				return fmt.Errorf("importv1: writing user %s: %w", ref, err)
			}
		}
		known.add(u)
		c.Written++
		for _, n := range notes {
			c.note(ref, n)
		}
	}
	return nil
}

// accounts are the destination's usernames and emails, folded as the
// stores compare them, plus what this import has written.
type accounts struct {
	emailOf map[string]string // username -> email
	emails  map[string]bool
}

func loadAccounts(ctx context.Context, store ports.UserStore) (accounts, error) {
	a := accounts{emailOf: map[string]string{}, emails: map[string]bool{}}
	for offset := 0; ; offset += pageSize {
		page, err := store.ListUsers(ctx, offset, pageSize)
		if err != nil {
			return accounts{}, fmt.Errorf("importv1: reading the destination's users: %w", err)
		}
		for _, u := range page {
			a.add(u)
		}
		if len(page) < pageSize {
			return a, nil
		}
	}
}

func (a accounts) add(u domain.User) {
	a.emailOf[domain.FoldName(u.Username)] = domain.FoldName(u.Email)
	a.emails[domain.FoldName(u.Email)] = true
}

// conflict says why u cannot be created; the same name with the same email
// is taken for this import's own earlier work.
func (a accounts) conflict(u domain.User) string {
	if email, ok := a.emailOf[domain.FoldName(u.Username)]; ok {
		if email == domain.FoldName(u.Email) {
			return ReasonAlreadyImported
		}
		return ReasonUsernameTaken
	}
	if a.emails[domain.FoldName(u.Email)] {
		return ReasonEmailTaken
	}
	return ""
}

// applyInstance claims v1's instance when the destination records none,
// and returns v1's instance id ("" when it records none).
func applyInstance(ctx context.Context, snap Snapshot, dst Destination, dry bool, c *Counts) (string, error) {
	if snap.Status == nil {
		return "", nil
	}
	c.Read = 1
	inst, notes, skip := MapInstance(snap.Status, snap.History)
	if skip != "" {
		c.skip(fmt.Sprintf("%q", snap.Status.Instance), skip)
		return "", nil
	}
	ref := fmt.Sprintf("%q", inst.ID)
	cur, err := dst.Instances.Current(ctx)
	switch {
	case err == nil && cur.ID == inst.ID:
		c.skip(ref, ReasonAlreadyImported)
		return inst.ID, nil
	case err == nil:
		c.skip(fmt.Sprintf("%s (the destination has %q)", ref, cur.ID), ReasonOtherInstance)
		return inst.ID, nil
	case !errors.Is(err, domain.ErrNoInstance):
		return "", fmt.Errorf("importv1: reading the destination's instance: %w", err)
	}
	if !dry {
		now := dst.Clock.Now().UTC()
		op := domain.Operation{
			ID:         ImportOperationID(inst.ID),
			Action:     importAction,
			Step:       importAction,
			State:      domain.OpSucceeded,
			InstanceID: inst.ID,
			StartedBy:  importActor,
			StartedAt:  now,
			FinishedAt: now,
		}
		inst.OperationID = op.ID
		_, err := dst.Instances.Claim(ctx, inst, op)
		switch {
		case errors.Is(err, domain.ErrInstanceExists):
			c.skip(ref, ReasonOtherInstance)
			return inst.ID, nil
		case err != nil:
			return "", fmt.Errorf("importv1: recording instance %s: %w", ref, err)
		}
	}
	c.Written = 1
	for _, n := range notes {
		c.note(ref, n)
	}
	return inst.ID, nil
}

func applyHistory(ctx context.Context, rows []HistoryRow, store ports.HistoryStore, dry bool, c *Counts) error {
	var imported map[string]bool
	if dry {
		var err error
		if imported, err = historySources(ctx, store); err != nil {
			return err
		}
	}
	for _, r := range rows {
		c.Read++
		e := MapHistory(r)
		ref := fmt.Sprintf("#%d", r.ID)
		if dry {
			if imported[e.Source] {
				c.skip(ref, ReasonAlreadyImported)
			} else {
				c.Written++
			}
			continue
		}
		_, err := store.Append(ctx, e)
		switch {
		case errors.Is(err, domain.ErrHistoryImported):
			c.skip(ref, ReasonAlreadyImported)
		case err != nil:
			return fmt.Errorf("importv1: writing history row %s: %w", ref, err)
		default:
			c.Written++
		}
	}
	return nil
}

// historySources lists the Source of every history entry, for a dry run
// to tell which rows Append would refuse.
func historySources(ctx context.Context, store ports.HistoryStore) (map[string]bool, error) {
	seen := map[string]bool{}
	var before int64
	for {
		page, err := store.List(ctx, before, pageSize)
		if err != nil {
			return nil, fmt.Errorf("importv1: reading the destination's history: %w", err)
		}
		for _, e := range page {
			if e.Source != "" {
				seen[e.Source] = true
			}
			before = e.ID
		}
		if len(page) < pageSize || before <= 1 {
			return seen, nil
		}
	}
}

func applyInvocation(ctx context.Context, snap Snapshot, current string, store ports.InstanceStore, dry bool, c *Counts) error {
	c.Read = len(snap.Commands)
	instanceID, invokeID, ok := LastInvocation(snap.Commands, snap.History, current)
	if !ok {
		if c.Read > 0 {
			c.skip("cmd_history", ReasonNoInvocation)
		}
		return nil
	}
	ref := fmt.Sprintf("%q", invokeID)
	_, have, err := store.LastInvocation(ctx)
	switch {
	case err == nil && have == invokeID:
		c.skip(ref, ReasonAlreadyImported)
		return nil
	case err == nil:
		c.skip(ref, ReasonOtherInvocation)
		return nil
	case !errors.Is(err, domain.ErrNoInvocation):
		return fmt.Errorf("importv1: reading the destination's last invocation: %w", err)
	}
	if !dry {
		if err := store.SaveInvocation(ctx, instanceID, invokeID); err != nil {
			return fmt.Errorf("importv1: recording invocation %s: %w", ref, err)
		}
	}
	c.Written = 1
	return nil
}
