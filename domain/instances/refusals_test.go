package instances_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/instances"
)

// Capacity refusals and a vSwitch of the wrong zone move on to the next
// offer; when every offer is refused for its vSwitch, the answer says so
// (not "no stock"); other refusals stop at once.
func TestCreateFallsThroughOffers(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		refusals map[string]error // by zone
		wantErr  error
		wantZone string
	}{
		{"capacity, then stock", map[string]error{"cn-h": domain.ErrNoStock}, nil, "cn-i"},
		{"vSwitch mismatch, then fits", map[string]error{"cn-h": domain.ErrCloudMismatch}, nil, "cn-i"},
		{"every vSwitch mismatched", map[string]error{"cn-h": domain.ErrCloudMismatch, "cn-i": domain.ErrCloudMismatch}, domain.ErrCloudMismatch, ""},
		{"mismatch and no stock: the configuration first", map[string]error{"cn-h": domain.ErrCloudMismatch, "cn-i": domain.ErrNoStock}, domain.ErrCloudMismatch, ""},
		{"no balance stops at once", map[string]error{"cn-h": domain.ErrNoBalance}, domain.ErrNoBalance, ""},
		{"a spot limit below the price stops at once", map[string]error{"cn-h": domain.ErrSpotPriceTooLow}, domain.ErrSpotPriceTooLow, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, func(c *instances.Config) { c.DeployEnabled = false })
			f.cloud.offerErr = map[string]error{}
			for zone, err := range tt.refusals {
				f.cloud.offerErr[key(zone, "ecs.g6.large")] = err
			}
			err := f.svc.Create(ctx, admin)
			f.svc.Wait()
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("Create = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				if got := strings.Join(f.actions(t), " "); got != "create:"+string(domain.ErrorCode(tt.wantErr)) {
					t.Errorf("history %q", got)
				}
				return
			}
			inst, err := f.store.Current(ctx)
			if err != nil || inst.Zone != tt.wantZone {
				t.Errorf("record %+v %v, want zone %s", inst, err, tt.wantZone)
			}
		})
	}
}

// LastTokenProcessing (ErrCloudBusy) is asked again with the same token;
// a NotFound right after the create is waited out.
func TestCreateWaitsOutBusyAndInvisible(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(c *instances.Config) { c.DeployEnabled = false })
	f.cloud.busy, f.cloud.hidden = 3, 3
	if err := f.svc.Create(ctx, admin); err != nil {
		t.Fatal(err)
	}
	f.svc.Wait()
	if f.cloud.runCalls != 4 || f.cloud.count() != 1 {
		t.Errorf("%d RunInstance calls, %d instances; want 4 calls (3 busy) making 1", f.cloud.runCalls, f.cloud.count())
	}
	op, _ := f.svc.LastOperation(ctx)
	if op.State != domain.OpSucceeded {
		t.Errorf("operation %+v; a NotFound just after the create must be waited out", op)
	}
}

// A delete while the instance is between states is retried until it
// settles (terraform does the same); one that never settles names the
// state, never an internal error.
func TestDeleteRetriesWhileSettling(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(c *instances.Config) { c.DeployEnabled = false })
	if err := f.svc.Create(ctx, admin); err != nil {
		t.Fatal(err)
	}
	f.svc.Wait()
	f.cloud.settling = 3
	if err := f.svc.Delete(ctx, admin); err != nil {
		t.Fatalf("Delete while settling: %v", err)
	}
	if f.cloud.count() != 0 {
		t.Error("not deleted")
	}

	g := newFixture(t, func(c *instances.Config) { c.DeployEnabled = false })
	if err := g.svc.Create(ctx, admin); err != nil {
		t.Fatal(err)
	}
	g.svc.Wait()
	g.cloud.settling = 1 << 30
	err := g.svc.Delete(ctx, admin)
	var se *domain.StateError
	if !errors.As(err, &se) || se.Action != domain.ActionDelete {
		t.Fatalf("Delete that never settles = %v, want a StateError", err)
	}
	if got := g.actions(t); got[len(got)-1] != "delete:failed_precondition" {
		t.Errorf("history %v", got)
	}
}
