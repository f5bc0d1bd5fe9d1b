package instances_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/instances"
)

// TestWake: a wake creates when nothing is recorded, starts a stopped
// server, presses nothing while one is up or under way, refuses while it
// stops, and its history rows name the front door.
func TestWake(t *testing.T) {
	ctx := domain.WithOrigin(context.Background(), domain.OriginFrontdoor)
	f := newFixture(t, nil)
	if got, err := f.svc.Wake(ctx, member); err != nil || got != domain.WakeCreated {
		t.Fatalf("first wake: %v, %v; want created", got, err)
	}
	f.svc.Wait()
	if got, err := f.svc.Wake(ctx, member); err != nil || got != domain.WakeAwake {
		t.Fatalf("wake of a running server: %v, %v; want awake", got, err)
	}
	if err := f.svc.Stop(context.Background(), admin); err != nil {
		t.Fatal(err)
	}
	st, _ := f.svc.Status(context.Background())
	set := func(s domain.InstanceStatus) { // the fake cloud moves at once; the steps between are set by hand
		f.cloud.mu.Lock()
		f.cloud.instances[st.ID].Status = s
		f.cloud.mu.Unlock()
	}
	set(domain.StatusStopping)
	if _, err := f.svc.Wake(ctx, member); !errors.Is(err, domain.ErrServerStopping) {
		t.Fatalf("wake while stopping: %v, want ErrServerStopping", err)
	}
	set(domain.StatusStopped)
	o, err := f.svc.Outlook(context.Background())
	if err != nil || !o.Asleep() || !o.PriceKnown {
		t.Fatalf("outlook of a stopped server: %+v, %v", o, err)
	}
	if got, err := f.svc.Wake(ctx, member); err != nil || got != domain.WakeStarted {
		t.Fatalf("wake of a stopped server: %v, %v; want started", got, err)
	}
	set(domain.StatusStarting)
	if got, err := f.svc.Wake(ctx, member); err != nil || got != domain.WakeUnderWay {
		t.Fatalf("wake while starting: %v, %v; want under_way", got, err)
	}
	list, _ := f.history.List(context.Background(), 0, 10)
	var rows []string
	for i := len(list) - 1; i >= 0; i-- {
		rows = append(rows, list[i].Actor+" "+list[i].Action+" "+list[i].Result+" "+list[i].Detail)
	}
	want := "steve create ok source frontdoor|steve init ok source frontdoor|admin stop ok |steve start ok source frontdoor"
	if got := strings.Join(rows, "|"); got != want {
		t.Errorf("history\n%s\nwant\n%s", got, want)
	}
}

// The right to wake is the right to press new.
func TestWakeRights(t *testing.T) {
	f := newFixture(t, func(c *instances.Config) { c.CreateRequiresAdmin = true })
	if _, err := f.svc.Wake(context.Background(), member); !errors.Is(err, domain.ErrPermissionDenied) {
		t.Fatalf("member, admin only: %v", err)
	}
	if _, err := f.svc.Wake(context.Background(), nil); !errors.Is(err, domain.ErrPermissionDenied) {
		t.Fatalf("nobody: %v", err)
	}
	if f.cloud.count() != 0 {
		t.Fatal("a refused wake made a server")
	}
}
