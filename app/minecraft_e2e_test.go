package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/ecssim"
	"github.com/seatidemc/seatide/app"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports/portstest"
)

// TestMinecraftWatchdogs runs the Minecraft side end to end, through the
// real SDK against the simulator and the real status ping against its fake
// Minecraft server: get/server shows what the fake server was set to say;
// then, on a manual clock, the idle stop fires after exactly
// idle.stop_after of 0 players and the crash watchdog after exactly
// watchdog.crash_after of silence, not a round before.
func TestMinecraftWatchdogs(t *testing.T) {
	ctx := context.Background()
	clock := portstest.NewManualClock(time.Date(2026, 11, 24, 20, 0, 0, 0, time.UTC))
	s := startService(t, func(c *app.Config) {
		instantCloud(c)
		c.Clock = clock
		c.Idle.StopAfter, c.Idle.Grace = 30*time.Minute, 0
		c.Watchdog.CrashAfter = 10 * time.Minute
		// Only the rounds this test makes: the background loop runs once at
		// start-up, before there is a server.
		c.Reconcile.Interval, c.Reconcile.LeaseTTL = time.Hour, 3*time.Hour
	})
	admin, steve := s.login("admin", "admin-password"), s.login("steve", "steve-password")
	if _, body := s.do("POST", "/api/ecs/v1/action", m{"type": "new", "token": steve}); body != ok("null") {
		t.Fatalf("new: %s", body)
	}
	s.app.Instances().Wait() // created, started and deployed
	sim := s.app.Simulator()
	err := sim.SetMinecraft("", ecssim.MinecraftState{Up: true, Version: "1.20.1", MOTD: "§aSea§rTide", MaxPlayers: 20,
		Players: []ecssim.MinecraftPlayer{{Name: "Steve", ID: "8667ba71-b85a-4004-af54-457a9734eed7"}},
		Mods:    []ecssim.MinecraftMod{{ID: "minecraft", Version: "1.20.1"}, {ID: "forge", Version: "47.2.0"}, {ID: "jei", Version: "15.2.0"}}})
	if err != nil {
		t.Fatal(err)
	}
	_, ipBody := s.do("GET", "/api/server/v1/get/ip", nil)
	ip := strings.TrimSuffix(strings.TrimPrefix(ipBody, `{"status": "ok", "data": "`), "\"}\n")
	want := ok(`{"created": true, "ip": "` + ip + `", "online": true, "maxPlayers": 20, "onlinePlayers": 1, "motd": "\u00a7aSea\u00a7rTide", ` +
		`"onlinePlayersDetails": [{"name": "Steve", "id": "8667ba71-b85a-4004-af54-457a9734eed7"}], "rawMods": [{"modId": "jei", "modmarker": "15.2.0"}]}`)
	if _, body := s.do("GET", "/api/server/v1/get/server", nil); body != want {
		t.Fatalf("get/server:\n got %s\nwant %s", body, want)
	}

	// rounds moves the clock a minute at a time from start and runs one
	// watchdog round per minute, up to `until`; it returns the minute at
	// which a watchdog acted, or -1.
	rounds := func(start time.Time, until int, before func(minute int)) (int, string) {
		t.Helper()
		for minute := 0; minute <= until; minute++ {
			clock.Set(start.Add(time.Duration(minute) * time.Minute))
			if before != nil {
				before(minute)
			}
			rep, err := s.app.Instances().Watch(ctx)
			if err != nil {
				t.Fatalf("minute %d: %v", minute, err)
			}
			if rep.Acted != "" {
				return minute, rep.Acted
			}
		}
		return -1, ""
	}
	setPlayers := func(n int) {
		if err := sim.UpdateMinecraft("", func(st *ecssim.MinecraftState) error {
			st.Players, st.OnlinePlayers = nil, n
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	lastHistory := func() string {
		t.Helper()
		_, body := s.do("GET", "/api/ecs/v1/history?limit=1&token="+admin, nil)
		return body
	}

	// Idle: players until minute 5, then nobody. The first empty answer is
	// at minute 5, so the stop comes at minute 35 and not at 34.
	start := clock.Now().Add(time.Minute)
	minute, acted := rounds(start, 60, func(minute int) {
		if minute == 5 {
			setPlayers(0)
		} else if minute == 0 {
			setPlayers(2)
		}
	})
	if minute != 35 || acted != domain.ActionIStop {
		t.Fatalf("idle stop at minute %d (%q), want 35", minute, acted)
	}
	if h := lastHistory(); !strings.Contains(h, `"created_by": "_monitor", "action": "istop"`) ||
		!strings.Contains(h, "0 players in 31 probes over 30m0s; last player seen: 2026-11-24T20:05:00Z") {
		t.Errorf("history after the idle stop: %s", h)
	}
	if _, body := s.do("GET", "/api/ecs/v1/describe/status", nil); !strings.Contains(body, `"status": "Stopped"`) {
		t.Fatalf("status after the idle stop: %s", body)
	}

	// Crash: started again, it answers at minute 0 and 1, then falls
	// silent; the watchdog stops it 10 minutes after the last answer.
	if _, body := s.do("POST", "/api/ecs/v1/action", m{"type": "start", "token": admin}); body != ok("null") {
		t.Fatalf("start: %s", body)
	}
	s.app.Instances().Wait() // the public IP read back: a new one after an economical-mode stop
	_, ipBody = s.do("GET", "/api/server/v1/get/ip", nil)
	ip = strings.TrimSuffix(strings.TrimPrefix(ipBody, `{"status": "ok", "data": "`), "\"}\n")
	setPlayers(3)
	start = clock.Now().Add(time.Hour)
	minute, acted = rounds(start, 30, func(minute int) {
		if minute == 2 {
			if err := sim.UpdateMinecraft("", func(st *ecssim.MinecraftState) error { st.Up = false; return nil }); err != nil {
				t.Fatal(err)
			}
		}
	})
	if minute != 11 || acted != domain.ActionSStop {
		t.Fatalf("crash stop at minute %d (%q), want 11", minute, acted)
	}
	if h := lastHistory(); !strings.Contains(h, `"action": "sstop"`) ||
		!strings.Contains(h, "crashed: no answer for 10m0s; last successful probe: 2026-11-24T21:37:00Z") {
		t.Errorf("history after the crash stop: %s", h)
	}
	if _, body := s.do("GET", "/api/server/v1/get/server", nil); body != ok(`{"created": true, "ip": "`+ip+`", "online": false}`) {
		t.Errorf("get/server after the crash stop: %s", body)
	}
}
