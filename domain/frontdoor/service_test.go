package frontdoor_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/memstore"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/frontdoor"
	"github.com/seatidemc/seatide/ports"
	"github.com/seatidemc/seatide/ports/portstest"
)

// fakeLifecycle is a server the test moves by hand; Wake records who woke
// it and moves it to Pending.
type fakeLifecycle struct {
	mu      sync.Mutex
	o       domain.Outlook
	wakes   []string
	wakeErr error
	looks   int
}

func (f *fakeLifecycle) Outlook(context.Context) (domain.Outlook, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.looks++
	return f.o, nil
}

func (f *fakeLifecycle) Wake(ctx context.Context, actor *domain.User) (domain.WakeOutcome, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if domain.OriginFrom(ctx) != domain.OriginFrontdoor {
		return "", domain.Internal(nil, "a wake without the front door's origin")
	}
	if f.wakeErr != nil {
		return "", f.wakeErr
	}
	f.wakes = append(f.wakes, actor.Username)
	f.o.Status, f.o.Creating = domain.StatusPending, true
	return domain.WakeCreated, nil
}

func (f *fakeLifecycle) set(change func(o *domain.Outlook)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(&f.o)
}

func (f *fakeLifecycle) woken() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.wakes...)
}

type fixture struct {
	svc    *frontdoor.Service
	life   *fakeLifecycle
	clock  *portstest.ManualClock
	dns    *fakeDNS
	events *fakeEvents
}

type fakeEvents struct {
	mu sync.Mutex
	es []domain.Event
}

func (f *fakeEvents) Emit(_ context.Context, e domain.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.es = append(f.es, e)
}

type fakeDNS struct {
	mu     sync.Mutex
	points []ports.DNSTarget
}

func (d *fakeDNS) Point(_ context.Context, t ports.DNSTarget) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.points = append(d.points, t)
	return nil
}

var start = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)

func newFixture(t *testing.T, change func(*frontdoor.Config)) *fixture {
	t.Helper()
	users := memstore.New(nil)
	for _, u := range []string{"steve", "alex"} {
		if _, err := users.CreateUser(context.Background(), portstest.UserFixture(u)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := users.BindMinecraftName(context.Background(), "steve", "Steve"); err != nil {
		t.Fatal(err)
	}
	f := &fixture{life: &fakeLifecycle{o: domain.Outlook{Hourly: 3_520_000, Currency: "CNY", PriceKnown: true}},
		clock: portstest.NewManualClock(start), dns: &fakeDNS{}, events: &fakeEvents{}}
	cfg := frontdoor.Config{WakeLimit: 3, MinecraftPort: 25565, OutlookTTL: time.Second,
		Asleep: ports.DNSTarget{IP: "203.0.113.1", Port: 25565}}
	if change != nil {
		change(&cfg)
	}
	f.svc = frontdoor.New(frontdoor.Deps{Lifecycle: f.life, Names: users, History: &memstore.History{}, DNS: f.dns,
		Events: f.events, Clock: f.clock}, cfg)
	return f
}

// tick moves past the outlook's cache.
func (f *fixture) tick() { f.clock.Add(2 * time.Second) }

func TestAsleepStatus(t *testing.T) {
	tests := []struct {
		name   string
		lang   string
		change func(o *domain.Outlook)
		want   []string
	}{
		{"no budget", "en", nil, []string{"Asleep", "join to wake it (about 2 minutes)", "3.52 CNY an hour"}},
		{"budget left", "en", func(o *domain.Outlook) { o.Budget, o.Spent = 50_000_000, 12_500_000 },
			[]string{"Asleep", "3.52 CNY an hour, 37.50 CNY left this month"}},
		{"budget used up", "en", func(o *domain.Outlook) { o.Budget, o.Spent = 50_000_000, 48_000_000 },
			[]string{"Asleep", "budget is used up"}},
		{"stopped", "en", func(o *domain.Outlook) { o.Status = domain.StatusStopped }, []string{"Asleep"}},
		{"in Chinese", "zh-CN", func(o *domain.Outlook) { o.Budget, o.Spent = 50_000_000, 12_500_000 },
			[]string{"休眠中", "约 2 分钟", "每小时 3.52 CNY，本月预算剩余 37.50 CNY"}},
		{"price unknown", "en", func(o *domain.Outlook) { o.PriceKnown = false }, []string{"Asleep"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, func(c *frontdoor.Config) { c.Language = tt.lang })
			if tt.change != nil {
				f.life.set(tt.change)
			}
			st := f.svc.Status(context.Background())
			if st.Awake || st.MaxPlayers != 0 {
				t.Fatalf("status %+v", st)
			}
			for _, w := range tt.want {
				if !strings.Contains(st.MOTD, w) {
					t.Errorf("MOTD %q lacks %q", st.MOTD, w)
				}
			}
		})
	}
}

// TestWakeOnJoin walks a night: refusals, one wake, a crowd while it
// wakes, the server up, players relayed, the boot measured, asleep again.
func TestWakeOnJoin(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, nil)
	steps := []struct {
		name, player string
		relay        string // want a relay to this, or
		message      string // a disconnect containing this
	}{
		{"bad name", "St eve", "", "not valid"},
		{"unbound", "Alex", "", "Alex is not linked to a seatide account"},
		{"bound", "Steve", "", "Waking up, rejoin in about 2 minutes"},
		{"again while it wakes", "Steve", "", "waking up already"},
		{"unbound while it wakes", "Alex", "", "waking up already"},
	}
	for _, st := range steps {
		f.tick()
		d := f.svc.Join(ctx, st.player)
		if d.RelayTo != st.relay || !strings.Contains(d.Message, st.message) {
			t.Fatalf("%s: %+v, want relay %q, message with %q", st.name, d, st.relay, st.message)
		}
	}
	if got := f.life.woken(); len(got) != 1 || got[0] != "steve" {
		t.Fatalf("wakes %v, want one, by steve", got)
	}
	f.events.mu.Lock()
	if len(f.events.es) != 1 || f.events.es[0].Type != domain.EventWakeRequested || f.events.es[0].Actor != "steve" ||
		f.events.es[0].Data().Player != "Steve" || f.events.es[0].Data().Action != "new" {
		t.Errorf("events %+v, want one instance.wake_requested by steve for Steve", f.events.es)
	}
	f.events.mu.Unlock()
	f.tick()
	if st := f.svc.Status(ctx); !strings.Contains(st.MOTD, "Waking up") {
		t.Fatalf("status while waking: %q", st.MOTD)
	}
	// Up after three minutes: relayed, the real status passed on, the boot measured.
	f.clock.Add(3 * time.Minute)
	f.life.set(func(o *domain.Outlook) {
		o.Status, o.Creating, o.Online, o.IP = domain.StatusRunning, false, true, "198.51.100.7"
		o.Server = domain.ServerStatus{MOTD: "§bSEATiDE", MaxPlayers: 20}
	})
	if d := f.svc.Join(ctx, "Alex"); d.RelayTo != "198.51.100.7:25565" {
		t.Fatalf("awake: %+v, want a relay (any name: the game server judges)", d)
	}
	if st := f.svc.Status(ctx); !st.Awake || st.Server.MOTD != "§bSEATiDE" {
		t.Fatalf("awake status %+v", st)
	}
	// Stopped by the idle watchdog: asleep again, the measured boot told.
	f.tick()
	f.life.set(func(o *domain.Outlook) { o.Status, o.Online = domain.StatusStopped, false })
	if st := f.svc.Status(ctx); !strings.Contains(st.MOTD, "about 4 minutes") {
		t.Fatalf("asleep after a measured boot of 3m2s: %q, want about 4 minutes", st.MOTD)
	}
}

func TestWakeRefusals(t *testing.T) {
	tests := []struct {
		name    string
		change  func(o *domain.Outlook)
		wakeErr error
		want    string
		pressed bool
	}{
		{"budget reached (seen before pressing)", func(o *domain.Outlook) { o.Budget, o.Spent = 10_000_000, 9_000_000 }, nil,
			"budget is used up", false},
		{"budget refused by the lifecycle", nil, &domain.BudgetError{Currency: "CNY"}, "budget is used up", false},
		{"not allowed to press new", nil, domain.ErrPermissionDenied, "may not start the server", false},
		{"stopping", func(o *domain.Outlook) { o.Status = domain.StatusStopping }, nil, "going to sleep", false},
		{"the cloud fails", nil, domain.ErrCloudUnavailable, "could not be woken (unavailable)", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			if tt.change != nil {
				f.life.set(tt.change)
			}
			f.life.wakeErr = tt.wakeErr
			d := f.svc.Join(context.Background(), "steve") // names ignore case
			if d.RelayTo != "" || !strings.Contains(d.Message, tt.want) {
				t.Fatalf("%+v, want a disconnect with %q", d, tt.want)
			}
			if len(f.life.woken()) != 0 {
				t.Fatalf("woken: %v", f.life.woken())
			}
		})
	}
}

func TestWakeLimit(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(c *frontdoor.Config) { c.WakeLimit = 2 })
	asleep := func() { f.life.set(func(o *domain.Outlook) { o.Status, o.Creating = "", false }) }
	for i := range 2 {
		f.tick()
		if d := f.svc.Join(ctx, "Steve"); !strings.Contains(d.Message, "Waking up") {
			t.Fatalf("wake %d: %+v", i+1, d)
		}
		asleep() // it failed, or was stopped at once
	}
	f.clock.Add(10 * time.Minute)
	if d := f.svc.Join(ctx, "Steve"); !strings.Contains(d.Message, "Too many wakes this hour; try again in 50 minutes") {
		t.Fatalf("third wake in the hour: %+v", d)
	}
	f.clock.Add(51 * time.Minute)
	if d := f.svc.Join(ctx, "Steve"); !strings.Contains(d.Message, "Waking up") {
		t.Fatalf("after the hour: %+v", d)
	}
	if n := len(f.life.woken()); n != 3 {
		t.Fatalf("%d wakes, want 3", n)
	}
}

// A crowd of logins at once presses once.
func TestConcurrentJoinsWakeOnce(t *testing.T) {
	f := newFixture(t, nil)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() { f.svc.Join(context.Background(), "Steve") })
	}
	wg.Wait()
	if n := len(f.life.woken()); n != 1 {
		t.Fatalf("%d wakes, want 1", n)
	}
}

// A flood of status pings makes one look per TTL.
func TestStatusFloodLooksOnce(t *testing.T) {
	f := newFixture(t, nil)
	var wg sync.WaitGroup
	for range 200 {
		wg.Go(func() { f.svc.Status(context.Background()) })
	}
	wg.Wait()
	f.life.mu.Lock()
	defer f.life.mu.Unlock()
	if f.life.looks != 1 {
		t.Fatalf("%d looks, want 1", f.life.looks)
	}
}

func TestSyncDNS(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, nil)
	sync := func() {
		t.Helper()
		f.tick()
		if err := f.svc.SyncDNS(ctx); err != nil {
			t.Fatal(err)
		}
	}
	sync()
	sync() // unchanged: no write
	f.life.set(func(o *domain.Outlook) { o.Status, o.Online, o.IP = domain.StatusRunning, true, "198.51.100.7" })
	sync()
	f.life.set(func(o *domain.Outlook) { o.IP = "198.51.100.9" }) // a new IP
	sync()
	f.life.set(func(o *domain.Outlook) { o.Status, o.Online = domain.StatusStopped, false })
	sync()
	want := []ports.DNSTarget{{IP: "203.0.113.1", Port: 25565}, {IP: "198.51.100.7", Port: 25565},
		{IP: "198.51.100.9", Port: 25565}, {IP: "203.0.113.1", Port: 25565}}
	f.dns.mu.Lock()
	defer f.dns.mu.Unlock()
	if len(f.dns.points) != len(want) {
		t.Fatalf("points %v, want %v", f.dns.points, want)
	}
	for i := range want {
		if f.dns.points[i] != want[i] {
			t.Fatalf("points %v, want %v", f.dns.points, want)
		}
	}
}

func TestNamesRights(t *testing.T) {
	users := memstore.New(nil)
	for _, u := range []string{"steve", "alex"} {
		if _, err := users.CreateUser(context.Background(), portstest.UserFixture(u)); err != nil {
			t.Fatal(err)
		}
	}
	names := frontdoor.NewNames(users)
	steve := &domain.User{Username: "steve", Group: domain.GroupStd}
	root := &domain.User{Username: "root", Group: domain.GroupAdmin}
	ctx := context.Background()
	if _, err := names.Bind(ctx, steve, "alex", "Alex"); domain.ErrorCode(err) != domain.CodeForbidden {
		t.Errorf("a member binding another's: %v", err)
	}
	if _, err := names.Bind(ctx, nil, "steve", "Steve"); domain.ErrorCode(err) != domain.CodeForbidden {
		t.Errorf("nobody: %v", err)
	}
	if _, err := names.Bind(ctx, steve, "Steve", "x"); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Errorf("a bad name: %v", err)
	}
	if b, err := names.Bind(ctx, root, "alex", "Alex"); err != nil || b.Username != "alex" {
		t.Errorf("an admin for alex: %+v, %v", b, err)
	}
	if _, err := names.Get(ctx, steve, "STEVE"); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("own, none yet (name in another case): %v", err)
	}
}

func TestAbout(t *testing.T) {
	tests := []struct {
		d    time.Duration
		lang string
		want string
	}{
		{0, "en", "1 second"},
		{45 * time.Second, "en", "45 seconds"},
		{time.Minute, "en", "1 minute"},
		{90 * time.Second, "en", "2 minutes"},
		{2 * time.Minute, "en", "2 minutes"},
		{2 * time.Minute, "zh-CN", "2 分钟"},
		{30 * time.Second, "zh-CN", "30 秒"},
	}
	for _, tt := range tests {
		if got := frontdoor.About(tt.lang, tt.d); got != tt.want {
			t.Errorf("About(%s, %v) = %q, want %q", tt.lang, tt.d, got, tt.want)
		}
	}
}
