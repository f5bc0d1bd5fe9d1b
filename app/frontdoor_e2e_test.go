package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Tnze/go-mc/bot"
	"github.com/Tnze/go-mc/chat"

	"github.com/seatidemc/seatide/app"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports/portstest"
)

// pingDoor asks the front door for its status with go-mc's client, as a
// player's server list does, and returns the MOTD.
func pingDoor(t *testing.T, addr string) string {
	t.Helper()
	resp, _, err := bot.PingAndListTimeout(addr, 10*time.Second)
	if err != nil {
		t.Fatalf("ping: %v", err)
	}
	var st struct{ Description chat.Message }
	if err := json.Unmarshal(resp, &st); err != nil {
		t.Fatalf("status %s: %v", resp, err)
	}
	return st.Description.Text
}

// joinDoor logs in as name with go-mc's client and returns the disconnect
// reason it got (the front door's, or the game server's when relayed).
func joinDoor(t *testing.T, addr, name string) string {
	t.Helper()
	c := bot.NewClient()
	c.Auth.Name = name
	err := c.JoinServer(addr)
	var kick bot.DisconnectErr
	if !errors.As(err, &kick) {
		t.Fatalf("join as %s: %v, want a disconnect", name, err)
	}
	return chat.Message(kick).Text
}

// TestWakeOnJoin is issue 19's night, end to end: the real SDK against the
// simulator, go-mc's client at the front door.
func TestWakeOnJoin(t *testing.T) {
	ctx := context.Background()
	clock := portstest.NewManualClock(time.Date(2026, 12, 5, 20, 0, 0, 0, time.UTC))
	s := startService(t, func(c *app.Config) {
		instantCloud(c)
		c.World.Enabled = false // the wake's own history, without the world's restore note
		c.Clock = clock
		c.Frontdoor.Listen = "127.0.0.1:0"
		c.Idle.StopAfter, c.Idle.Grace = 30*time.Minute, 0
		c.Reconcile.Interval, c.Reconcile.LeaseTTL = time.Hour, 3*time.Hour
	})
	door := s.app.FrontdoorAddr()
	steve := s.login("steve", "steve-password")
	later := func() { clock.Add(10 * time.Second) } // past minecraft.cache_ttl: the next look is fresh

	// Asleep: the sleeping MOTD, from seatide's own data.
	if motd := pingDoor(t, door); !strings.Contains(motd, "Asleep") || !strings.Contains(motd, "about 2 minutes") ||
		!strings.Contains(motd, "an hour") {
		t.Fatalf("asleep MOTD %q", motd)
	}
	// An unbound name is refused, and nothing is created.
	if kick := joinDoor(t, door, "Steve"); !strings.Contains(kick, "Steve is not linked to a seatide account") {
		t.Fatalf("unbound: %q", kick)
	}
	if _, body := s.do("GET", "/api/ecs/v1/describe/status", nil); body != ng("No instance id found in database.") {
		t.Fatalf("after an unbound login: %s", body)
	}
	// Steve binds his name, and his login wakes the server.
	if code, body := s.do("PUT", "/api/v2/me/minecraft", m{"name": "Steve"}, "Authorization", "Bearer "+steve); code != 200 {
		t.Fatalf("bind: %d %s", code, body)
	}
	if kick := joinDoor(t, door, "Steve"); kick != "Waking up, rejoin in about 2 minutes." {
		t.Fatalf("bound: %q", kick)
	}
	admin := s.login("admin", "admin-password")
	s.app.Instances().Wait() // created, started, deployed
	if _, h := s.do("GET", "/api/ecs/v1/history?limit=2&token="+admin, nil); !strings.Contains(h, `"created_by": "steve", "action": "create"`) ||
		strings.Count(h, `"detail": "source frontdoor"`) != 2 {
		t.Fatalf("history of the wake: %s", h)
	}
	later()

	// Awake: the login is relayed to the game server, the status is its own.
	if kick := joinDoor(t, door, "Steve"); kick != "seatide-sim: hello Steve" {
		t.Fatalf("relayed: %q", kick)
	}
	if motd := pingDoor(t, door); motd != "A Minecraft Server" {
		t.Fatalf("awake MOTD %q", motd)
	}

	// Nobody plays: the idle watchdog stops it, and the door sleeps again.
	for minute := 0; minute <= 31; minute++ {
		clock.Add(time.Minute)
		rep, err := s.app.Instances().Watch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Acted == domain.ActionIStop {
			break
		}
		if minute == 31 {
			t.Fatal("no idle stop")
		}
	}
	later()
	if motd := pingDoor(t, door); !strings.Contains(motd, "Asleep") {
		t.Fatalf("MOTD after the idle stop %q", motd)
	}
}

// TestDNSMode: the simulated Alidns record names the front door while the
// server sleeps and the server while it is awake, after every start and
// every IP change (an economical stop gives the address back; a new server
// has a new one).
func TestDNSMode(t *testing.T) {
	ctx := context.Background()
	clock := portstest.NewManualClock(time.Date(2026, 12, 5, 20, 0, 0, 0, time.UTC))
	s := startService(t, func(c *app.Config) {
		instantCloud(c)
		c.World.Enabled = false // the wake's own history, without the world's restore note
		c.Clock = clock
		c.Frontdoor.Listen, c.Frontdoor.Mode = "127.0.0.1:0", "dns"
		c.Frontdoor.DNS = app.FrontdoorDNSConfig{Domain: "example.com", RR: "mc", Records: []string{"A", "SRV"}, TTL: 600,
			Address: "203.0.113.1", Interval: time.Hour}
		c.Reconcile.Interval, c.Reconcile.LeaseTTL = time.Hour, 3*time.Hour
	})
	sim, door := s.app.Simulator(), s.app.Frontdoor()
	admin := s.login("admin", "admin-password")
	record := func(rr, typ string) string {
		t.Helper()
		clock.Add(10 * time.Second) // a fresh look at the server
		if err := door.SyncDNS(ctx); err != nil {
			t.Fatal(err)
		}
		for _, r := range simDNS(t, sim.URL) {
			if r.RR == rr && r.Type == typ {
				return r.Value
			}
		}
		return ""
	}
	serverIP := func() string {
		_, body := s.do("GET", "/api/server/v1/get/ip", nil)
		return strings.TrimSuffix(strings.TrimPrefix(body, `{"status": "ok", "data": "`), "\"}\n")
	}
	act := func(typ string) {
		t.Helper()
		if _, body := s.do("POST", "/api/ecs/v1/action", m{"type": typ, "token": admin}); body != ok("null") {
			t.Fatalf("%s: %s", typ, body)
		}
		s.app.Instances().Wait()
	}

	if a := record("mc", "A"); a != "203.0.113.1" {
		t.Fatalf("asleep: A %q, want the front door", a)
	}
	port := strings.Split(s.app.FrontdoorAddr(), ":")[1]
	if srv := record("_minecraft._tcp.mc", "SRV"); srv != "1 1 "+port+" mc.example.com" {
		t.Fatalf("asleep: SRV %q", srv)
	}
	act("new")
	first := serverIP()
	if a := record("mc", "A"); a != first {
		t.Fatalf("awake: A %q, want the server's %q", a, first)
	}
	if srv := record("_minecraft._tcp.mc", "SRV"); srv != "1 1 25565 mc.example.com" {
		t.Fatalf("awake: SRV %q", srv)
	}
	act("stop")
	if a := record("mc", "A"); a != "203.0.113.1" {
		t.Fatalf("stopped: A %q, want the front door", a)
	}
	// The economical stop (ecs.stopped_mode StopCharging) gives the IP
	// back: started again, the server has a new address.
	act("start")
	second := serverIP()
	if second == first {
		t.Fatalf("started again with the address %s", first)
	}
	if a := record("mc", "A"); a != second {
		t.Fatalf("started again: A %q, want the new address %q", a, second)
	}
	act("delete")
	act("new")
	third := serverIP()
	if a := record("mc", "A"); a != third || third == second {
		t.Fatalf("a new server: A %q, want its address %q (was %q)", a, third, second)
	}
}

type simRecord struct{ RR, Type, Value string }

func simDNS(t *testing.T, simURL string) []simRecord {
	t.Helper()
	resp, err := http.Get(simURL + "/_sim/dns")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []simRecord
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDoorFloodLeavesTheAPIAlone: a flood of pings, login starts and junk
// at the front door from one address wakes nothing and the HTTP API keeps
// answering.
func TestDoorFloodLeavesTheAPIAlone(t *testing.T) {
	s := startService(t, func(c *app.Config) {
		instantCloud(c)
		c.World.Enabled = false // the wake's own history, without the world's restore note
		c.Frontdoor.Listen = "127.0.0.1:0"
		c.Frontdoor.HandshakeTimeout = 200 * time.Millisecond
	})
	steve := s.login("steve", "steve-password")
	if code, body := s.do("PUT", "/api/v2/me/minecraft", m{"name": "Steve"}, "Authorization", "Bearer "+steve); code != 200 {
		t.Fatalf("bind: %d %s", code, body)
	}
	door := s.app.FrontdoorAddr()
	hs := func(next byte) []byte {
		body := append([]byte{0x00, 0xfc, 0x05, 1, 'x', 0x63, 0xdd}, next)
		return append([]byte{byte(len(body))}, body...)
	}
	junk := [][]byte{
		append(hs(1), 0x01, 0x00),                                // a status ping
		append(hs(2), 0x07, 0x00, 0x05, 'A', 'l', 'e', 'x', '_'), // an unbound login
		{0xff, 0xff, 0xff, 0xff, 0x07},                           // a 2 GiB claim
		hs(2)[:4],                                                // a handshake that never ends
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				c, err := net.Dial("tcp", door)
				if err != nil {
					continue
				}
				c.Write(junk[(w+i)%len(junk)])
				c.SetReadDeadline(time.Now().Add(2 * time.Second))
				io.Copy(io.Discard, c)
				c.Close()
			}
		})
	}
	for range 20 {
		started := time.Now()
		if code, body := s.do("GET", "/api/user/v1/get/count", nil); code != 200 || body != ok("2") {
			t.Errorf("count during the flood: %d %s", code, body)
		}
		if d := time.Since(started); d > 5*time.Second { // generous: CI machines are shared
			t.Errorf("count took %v during the flood", d)
		}
	}
	close(stop)
	wg.Wait()
	if _, body := s.do("GET", "/api/ecs/v1/describe/status", nil); body != ng("No instance id found in database.") {
		t.Fatalf("after the flood: %s", body)
	}
}
