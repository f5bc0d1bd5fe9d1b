package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
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
