package app_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/memstore"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/importv1"
	"github.com/seatidemc/seatide/ports"
)

// The import's decisions against destinations in various states, on the
// memory stores: no database needed.

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// faultyUsers, faultyInstances and faultyHistory let a case make one call
// fail as a store would under a concurrent writer or an outage.
type faultyUsers struct {
	ports.UserStore
	create func(u domain.User) error // nil: pass through
}

func (f faultyUsers) CreateUser(ctx context.Context, u domain.User) (domain.User, error) {
	if f.create != nil {
		if err := f.create(u); err != nil {
			return domain.User{}, err
		}
	}
	return f.UserStore.CreateUser(ctx, u)
}

type faultyInstances struct {
	ports.InstanceStore
	claim error
}

func (f faultyInstances) Claim(ctx context.Context, inst domain.Instance, op domain.Operation) (domain.Instance, error) {
	if f.claim != nil {
		return domain.Instance{}, f.claim
	}
	return f.InstanceStore.Claim(ctx, inst, op)
}

type faultyHistory struct {
	ports.HistoryStore
	append error
}

func (f faultyHistory) Append(ctx context.Context, e domain.HistoryEntry) (domain.HistoryEntry, error) {
	if f.append != nil {
		return domain.HistoryEntry{}, f.append
	}
	return f.HistoryStore.Append(ctx, e)
}

func v1Snapshot() importv1.Snapshot {
	at := time.Date(2021, 8, 10, 12, 0, 0, 0, time.UTC)
	hash := "pbkdf2:sha256:150000$vUoPepwsZ0OmYSze$d6eaa9b6e84837089cb627d9128bf5ee9a231db8db5a8474fc231bd8afe567a8"
	return importv1.Snapshot{
		Users: []importv1.UserRow{
			{ID: 1, CreatedAt: at, Username: "captain", Password: hash, Email: "captain@example.com", Group: "admin"},
			{ID: 2, CreatedAt: at, Username: "alex", Password: hash, Email: "alex@example.com", Group: "std"},
		},
		Status: &importv1.StatusRow{Instance: "i-new", IP: "47.103.88.21"},
		History: []importv1.HistoryRow{
			{ID: 1, CreatedAt: at, CreatedBy: "alex", Instance: "i-new", Action: "create"},
			{ID: 2, CreatedAt: at.Add(2 * time.Second), CreatedBy: "alex", Instance: "i-new", Action: "init"},
		},
		Commands: []importv1.CommandRow{{ID: 1, CreatedAt: at.Add(time.Minute), CreatedBy: "alex", CommandID: "c-1", InvocationID: "t-1"}},
	}
}

// destState is everything a destination holds, to prove a dry run left
// it alone.
type destState struct {
	Users    []domain.User
	Instance domain.Instance
	Ops      domain.Operation
	Invoke   [2]string
	History  []domain.HistoryEntry
}

func readState(t *testing.T, d importv1.Destination) destState {
	t.Helper()
	ctx := context.Background()
	var s destState
	var err error
	if s.Users, err = d.Users.ListUsers(ctx, 0, 100); err != nil {
		t.Fatal(err)
	}
	s.Instance, _ = d.Instances.Current(ctx)
	s.Ops, _ = d.Instances.LastOperation(ctx)
	s.Invoke[0], s.Invoke[1], _ = d.Instances.LastInvocation(ctx)
	if s.History, err = d.History.List(ctx, 0, 100); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestImportV1Apply(t *testing.T) {
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	boom := errors.New("disk on fire")
	tests := []struct {
		name    string
		setup   func(ctx context.Context, d importv1.Destination) error
		faults  func(d *importv1.Destination) // applied to the real run only
		want    string                        // the real run's summary
		wantErr error
	}{
		{
			name: "empty destination",
			want: `users:      read 2, written 2, skipped 0
instance:   read 1, written 1, skipped 0
history:    read 2, written 2, skipped 0
invocation: read 1, written 1, skipped 0
`,
		},
		{
			name: "the destination already has other records",
			setup: func(ctx context.Context, d importv1.Destination) error {
				for _, u := range []domain.User{
					{Username: "ALEX", Email: "someone@example.com", Group: domain.GroupStd, PasswordHash: "x"},
					{Username: "skipper", Email: "Captain@example.com", Group: domain.GroupStd, PasswordHash: "x"},
				} {
					if _, err := d.Users.CreateUser(ctx, u); err != nil {
						return err
					}
				}
				if _, err := d.Instances.Claim(ctx, domain.Instance{ID: "i-other"}, domain.Operation{ID: "op-1", Action: "new", State: domain.OpSucceeded, StartedAt: now}); err != nil {
					return err
				}
				if err := d.Instances.SaveInvocation(ctx, "i-other", "t-other"); err != nil {
					return err
				}
				_, err := d.History.Append(ctx, domain.HistoryEntry{Actor: "alex", Action: "create", Source: importv1.HistorySource(1)})
				return err
			},
			want: `users:      read 2, written 0, skipped 2
  skipped, email used by another account in the destination (1): #1 "captain"
  skipped, username taken by another account in the destination (1): #2 "alex"
instance:   read 1, written 0, skipped 1
  skipped, the destination already records another instance (1): "i-new" (the destination has "i-other")
history:    read 2, written 1, skipped 1
  skipped, already imported (1): #1
invocation: read 1, written 0, skipped 1
  skipped, the destination already records another invocation (1): "t-1"
`,
		},
		{
			name: "someone writes between the check and the write",
			faults: func(d *importv1.Destination) {
				d.Users = faultyUsers{UserStore: d.Users, create: func(u domain.User) error {
					if u.Username == "alex" {
						return domain.ErrEmailTaken
					}
					return nil
				}}
				d.Instances = faultyInstances{InstanceStore: d.Instances, claim: domain.ErrInstanceExists}
			},
			want: `users:      read 2, written 1, skipped 1
  skipped, email used by another account in the destination (1): #2 "alex"
instance:   read 1, written 0, skipped 1
  skipped, the destination already records another instance (1): "i-new"
history:    read 2, written 2, skipped 0
invocation: read 1, written 1, skipped 0
`,
		},
		{
			name: "the user store fails half-way",
			faults: func(d *importv1.Destination) {
				d.Users = faultyUsers{UserStore: d.Users, create: func(u domain.User) error {
					if u.Username == "alex" {
						return domain.Internal(boom, "users: create")
					}
					return nil
				}}
			},
			want: `users:      read 2, written 1, skipped 0
instance:   read 0, written 0, skipped 0
history:    read 0, written 0, skipped 0
invocation: read 0, written 0, skipped 0
`,
			wantErr: boom,
		},
		{
			name:   "the history store fails",
			faults: func(d *importv1.Destination) { d.History = faultyHistory{HistoryStore: d.History, append: boom} },
			want: `users:      read 2, written 2, skipped 0
instance:   read 1, written 1, skipped 0
history:    read 1, written 0, skipped 0
invocation: read 0, written 0, skipped 0
`,
			wantErr: boom,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			clock := fixedClock{now}
			dst := importv1.Destination{Users: memstore.New(clock), Instances: memstore.NewInstances(clock), History: &memstore.History{}, Clock: clock}
			if tt.setup != nil {
				if err := tt.setup(ctx, dst); err != nil {
					t.Fatal(err)
				}
			}
			snap := v1Snapshot()

			before := readState(t, dst)
			dry, err := importv1.Apply(ctx, snap, dst, importv1.Options{DryRun: true})
			if err != nil {
				t.Fatalf("dry run: %v", err)
			}
			if after := readState(t, dst); !reflect.DeepEqual(after, before) {
				t.Fatalf("the dry run wrote:\n got %+v\nwant %+v", after, before)
			}

			real := dst
			if tt.faults != nil {
				tt.faults(&real)
			}
			sum, err := importv1.Apply(ctx, snap, real, importv1.Options{})
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			var got strings.Builder
			if _, err := sum.WriteTo(&got); err != nil {
				t.Fatal(err)
			}
			if got.String() != tt.want {
				t.Errorf("summary:\n%s\nwant\n%s", got.String(), tt.want)
			}
			if tt.faults == nil {
				// Without interference a dry run predicts the real run exactly.
				dry.DryRun = false
				if !reflect.DeepEqual(dry, sum) {
					t.Errorf("dry run %+v\nreal run %+v", dry, sum)
				}
			}
		})
	}
}

// TestImportV1ApplyRecords checks what an import into an empty
// destination records besides the counts.
func TestImportV1ApplyRecords(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	clock := fixedClock{now}
	dst := importv1.Destination{Users: memstore.New(clock), Instances: memstore.NewInstances(clock), History: &memstore.History{}, Clock: clock}
	if _, err := importv1.Apply(ctx, v1Snapshot(), dst, importv1.Options{}); err != nil {
		t.Fatal(err)
	}
	inst, err := dst.Instances.Current(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := domain.Instance{ID: "i-new", PublicIP: "47.103.88.21", CreatedBy: "alex", OperationID: "v1-import-i-new", Version: 1, CreatedAt: now, UpdatedAt: now}
	if inst != want {
		t.Errorf("instance = %+v\nwant       %+v", inst, want)
	}
	op, err := dst.Instances.Operation(ctx, "v1-import-i-new")
	wantOp := domain.Operation{ID: "v1-import-i-new", Action: "import", Step: "import", State: domain.OpSucceeded,
		InstanceID: "i-new", StartedBy: "import-v1", StartedAt: now, FinishedAt: now}
	if err != nil || op != wantOp {
		t.Errorf("operation = %+v, %v\nwant        %+v", op, err, wantOp)
	}
	if instID, invokeID, err := dst.Instances.LastInvocation(ctx); err != nil || instID != "i-new" || invokeID != "t-1" {
		t.Errorf("invocation = %q, %q, %v", instID, invokeID, err)
	}
	u, err := dst.Users.UserByName(ctx, "captain")
	if err != nil || u.Group != domain.GroupAdmin || !u.CreatedAt.Equal(time.Date(2021, 8, 10, 12, 0, 0, 0, time.UTC)) || !strings.HasPrefix(u.PasswordHash, "pbkdf2:") {
		t.Errorf("captain = %+v, %v", u, err)
	}
}
