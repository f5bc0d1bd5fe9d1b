package portstest

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// ServerMode is how a fake Minecraft server started by a ServeFunc behaves.
type ServerMode int

const (
	// ServerAnswers answers status requests with FakeServer.Status.
	ServerAnswers ServerMode = iota
	// ServerRefuses: nothing listens at the address, connections are refused.
	ServerRefuses
	// ServerCloses accepts connections and closes them without a word.
	ServerCloses
	// ServerHangs accepts connections, reads, and never answers (a frozen
	// server).
	ServerHangs
	// ServerGarbage answers the status request with a malformed packet:
	// its string length is a negative VarInt.
	ServerGarbage
)

// FakeServer describes the Minecraft server a ServeFunc starts.
type FakeServer struct {
	Mode   ServerMode
	Status domain.ServerStatus // for ServerAnswers; the MOTD goes out with its § codes
}

// ServeFunc starts a fake Minecraft server behaving as fs says, for the
// length of t (cleanups registered on t), and returns where to probe it.
type ServeFunc func(t *testing.T, fs FakeServer) (host string, port int)

// hangBound is how long the suite waits for a probe whose context has long
// ended before calling it hung. Only a broken probe ever waits this long.
const hangBound = 5 * time.Second

type probeFixture struct {
	probe ports.ServerProbe
	serve ServeFunc
}

// RunServerProbeTests runs the ports.ServerProbe contract against fake
// servers started by serve. The probe is shared by the parallel subtests;
// its own default timeout should be long (minutes) so that the cases
// proving the context bounds a probe can fail.
func RunServerProbeTests(t *testing.T, probe ports.ServerProbe, serve ServeFunc) {
	t.Helper()
	newFixture := func(t *testing.T) probeFixture { return probeFixture{probe, serve} }
	runSuite(t, newFixture, []suiteCase[probeFixture]{
		{"Vanilla", testProbeVanilla},
		{"PlayersSample", testProbePlayers},
		{"ForgeMods", testProbeMods},
		{"MOTDColourCodes", testProbeMOTD},
		{"Concurrent", testProbeConcurrent},
		{"Refused", silentCase(ServerRefuses)},
		{"ClosedWithoutAnswer", silentCase(ServerCloses)},
		{"Garbage", silentCase(ServerGarbage)},
		{"HangsUntilDeadline", testProbeHangs},
		{"CancelledContext", testProbeCancelled},
	})
}

// probeWithin runs one Status call, failing the test if it outlives ctx by
// hangBound.
func probeWithin(t *testing.T, f probeFixture, ctx context.Context, host string, port int) (domain.ServerStatus, error) {
	t.Helper()
	type result struct {
		st  domain.ServerStatus
		err error
	}
	done := make(chan result, 1)
	go func() {
		st, err := f.probe.Status(ctx, host, port)
		done <- result{st, err}
	}()
	select {
	case r := <-done:
		return r.st, r.err
	case <-time.After(hangBound):
		t.Fatalf("Status(%s:%d) still running %v after it was called", host, port, hangBound)
		return domain.ServerStatus{}, nil
	}
}

func probeOK(t *testing.T, f probeFixture, want domain.ServerStatus) {
	t.Helper()
	host, port := f.serve(t, FakeServer{Mode: ServerAnswers, Status: want})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	got, err := probeWithin(t, f, ctx, host, port)
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Status:\n got %#v\nwant %#v", got, want)
	}
}

func testProbeVanilla(t *testing.T, f probeFixture) {
	probeOK(t, f, domain.ServerStatus{Version: "1.20.1", MaxPlayers: 20, MOTD: "A Minecraft Server"})
}

func testProbePlayers(t *testing.T, f probeFixture) {
	// A server may list fewer players than are online.
	probeOK(t, f, domain.ServerStatus{Version: "1.20.1", MaxPlayers: 10, OnlinePlayers: 3, MOTD: "busy",
		Players: []domain.Player{
			{Name: "Steve", ID: "8667ba71-b85a-4004-af54-457a9734eed7"},
			{Name: "Alex", ID: "ec561538-f3fd-461d-aff5-086b22154bce"},
		}})
}

func testProbeMods(t *testing.T, f probeFixture) {
	probeOK(t, f, domain.ServerStatus{Version: "1.20.1", MaxPlayers: 20, OnlinePlayers: 1, MOTD: "modded",
		Players: []domain.Player{{Name: "Steve", ID: "8667ba71-b85a-4004-af54-457a9734eed7"}},
		Mods: []domain.Mod{
			{ID: "minecraft", Version: "1.20.1"},
			{ID: "forge", Version: "47.2.0"},
			{ID: "create", Version: "0.5.1.f"},
		}})
}

func testProbeMOTD(t *testing.T, f probeFixture) {
	// Colour, bold and a second line, in the canonical form a client
	// would print back.
	probeOK(t, f, domain.ServerStatus{Version: "1.20.1", MaxPlayers: 20,
		MOTD: "§6§lSeatide §aSurvival\n§7play nicely"})
}

func testProbeConcurrent(t *testing.T, f probeFixture) {
	want := domain.ServerStatus{Version: "1.20.1", MaxPlayers: 20, OnlinePlayers: 1, MOTD: "§bhi",
		Players: []domain.Player{{Name: "Alex", ID: "ec561538-f3fd-461d-aff5-086b22154bce"}}}
	host, port := f.serve(t, FakeServer{Mode: ServerAnswers, Status: want})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			got, err := f.probe.Status(ctx, host, port)
			if err == nil && !reflect.DeepEqual(got, want) {
				err = errors.New("wrong status")
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent Status: %v", err)
		}
	}
}

// silentCase: whatever the server does wrong, the answer is ErrServerSilent
// (code unavailable), never a status, a panic or a hang.
func silentCase(mode ServerMode) func(t *testing.T, f probeFixture) {
	return func(t *testing.T, f probeFixture) {
		host, port := f.serve(t, FakeServer{Mode: mode, Status: domain.ServerStatus{Version: "1.20.1", MaxPlayers: 20}})
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		st, err := probeWithin(t, f, ctx, host, port)
		mustBeSilent(t, st, err)
	}
}

func mustBeSilent(t *testing.T, st domain.ServerStatus, err error) {
	t.Helper()
	if !errors.Is(err, domain.ErrServerSilent) || domain.ErrorCode(err) != domain.CodeUnavailable {
		t.Fatalf("want ErrServerSilent (unavailable), got %v (status %+v)", err, st)
	}
	if !reflect.DeepEqual(st, domain.ServerStatus{}) {
		t.Fatalf("a failed probe returned a status: %+v", st)
	}
}

func testProbeHangs(t *testing.T, f probeFixture) {
	host, port := f.serve(t, FakeServer{Mode: ServerHangs})
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	deadline, _ := ctx.Deadline()
	st, err := probeWithin(t, f, ctx, host, port)
	mustBeSilent(t, st, err)
	if time.Now().Before(deadline) {
		t.Fatalf("a server that never answers gave %v before the deadline", err)
	}
}

func testProbeCancelled(t *testing.T, f probeFixture) {
	host, port := f.serve(t, FakeServer{Mode: ServerAnswers, Status: domain.ServerStatus{Version: "1.20.1"}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	st, err := probeWithin(t, f, ctx, host, port)
	mustBeSilent(t, st, err)
}
