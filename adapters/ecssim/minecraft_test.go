package ecssim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	ecs "github.com/alibabacloud-go/ecs-20140526/v4/client"
	"github.com/alibabacloud-go/tea/tea"
	"github.com/mcstatus-io/mcutil/v4/options"
	"github.com/mcstatus-io/mcutil/v4/response"
	"github.com/mcstatus-io/mcutil/v4/status"

	"github.com/seatidemc/seatide/adapters/ecssim"
)

// mcPort is this package's port for the fake servers, so that a simulator
// in another package's test process never takes an address a test here has
// just seen go away.
const mcPort = 25571

// ping asks addr with mcutil's own client (ping/pong included), the
// independent check that the fake server speaks the real protocol.
func ping(addr string) (*response.StatusModern, error) {
	host, p, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(p)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return status.Modern(ctx, host, uint16(port), options.StatusModern{Timeout: 2 * time.Second, ProtocolVersion: -1, Ping: true})
}

// mustAnswer pings ip:mcPort and fails unless it answers.
func mustAnswer(t *testing.T, ip string) *response.StatusModern {
	t.Helper()
	st, err := ping(net.JoinHostPort(ip, strconv.Itoa(mcPort)))
	if err != nil {
		t.Fatalf("%s: no answer: %v", ip, err)
	}
	return st
}

// mustNotAnswer: refused, or closed without a status.
func mustNotAnswer(t *testing.T, ip string, refused bool) {
	t.Helper()
	addr := net.JoinHostPort(ip, strconv.Itoa(mcPort))
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if refused {
		if err == nil {
			c.Close()
			t.Fatalf("%s accepts a connection, want refused", addr)
		}
		return
	}
	if err != nil {
		t.Fatalf("%s: %v, want a connection closed without an answer", addr, err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	// Handshake (protocol -1, host "x", port, next state 1) and status request.
	_, _ = c.Write([]byte{0x08, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 'x', 0x63, 0xdd, 0x01, 0x01, 0x00})
	if n, err := io.Copy(io.Discard, c); n != 0 || !closedOK(err) {
		t.Fatalf("%s: %d bytes, %v; want the connection closed without an answer", addr, n, err)
	}
}

// closedOK: the peer closed, with a FIN or (having left our bytes unread)
// a reset.
func closedOK(err error) bool { return err == nil || errors.Is(err, syscall.ECONNRESET) }

func (f *fixture) runInstance(t *testing.T) (id, ip string) {
	t.Helper()
	resp := must(f.client.RunInstances(&ecs.RunInstancesRequest{RegionId: tea.String("cn-hangzhou"),
		ImageId: simImage, SecurityGroupId: simSG, VSwitchId: simVSwitch("cn-hangzhou-h"), InstanceType: tea.String("ecs.g6.large"), InternetMaxBandwidthOut: tea.Int32(5)}))
	id = tea.StringValue(resp.Body.InstanceIdSets.InstanceIdSet[0])
	_, ip = f.status(t, id)
	return id, ip
}

func mcOn(o ecssim.Options) ecssim.Options {
	if o.Minecraft == nil {
		o.Minecraft = &ecssim.MinecraftOptions{}
	}
	o.Minecraft.Port = mcPort
	return o
}

func TestMinecraftFollowsTheInstance(t *testing.T) {
	f := newFixture(t, mcOn(ecssim.Options{TransitionTime: 2 * time.Second}))
	id, ip := f.runInstance(t)
	mustNotAnswer(t, ip, false) // Pending
	f.clock.Add(2 * time.Second)
	mustNotAnswer(t, ip, false) // Starting
	f.clock.Add(2 * time.Second)
	st := mustAnswer(t, ip)
	if st.Version.Name.Clean != "1.20.1" || st.MOTD.Raw != "A Minecraft Server" || *st.Players.Max != 20 ||
		*st.Players.Online != 0 || st.Mods != nil {
		t.Fatalf("default status: %+v", st)
	}

	must(f.client.StopInstance(&ecs.StopInstanceRequest{InstanceId: &id}))
	mustNotAnswer(t, ip, false) // Stopping
	f.clock.Add(2 * time.Second)
	mustNotAnswer(t, ip, false) // Stopped, keeping its IP
	must(f.client.StartInstance(&ecs.StartInstanceRequest{InstanceId: &id}))
	f.clock.Add(2 * time.Second)
	mustAnswer(t, ip)

	// StopCharging releases the IP: nothing listens there any more, and
	// the server comes back on the next one.
	must(f.client.StopInstance(&ecs.StopInstanceRequest{InstanceId: &id, StoppedMode: tea.String("StopCharging")}))
	mustNotAnswer(t, ip, true)
	f.clock.Add(2 * time.Second)
	must(f.client.StartInstance(&ecs.StartInstanceRequest{InstanceId: &id}))
	f.clock.Add(2 * time.Second)
	_, ip2 := f.status(t, id)
	if ip2 == "" || ip2 == ip {
		t.Fatalf("new IP %q after StopCharging (was %q)", ip2, ip)
	}
	mustAnswer(t, ip2)
	views, _ := f.sim.Minecraft()
	if len(views) != 1 || views[0].Address != net.JoinHostPort(ip2, strconv.Itoa(mcPort)) || !views[0].Answering {
		t.Fatalf("Minecraft(): %+v", views)
	}

	must(f.client.DeleteInstance(&ecs.DeleteInstanceRequest{InstanceId: &id, Force: tea.Bool(true)}))
	mustNotAnswer(t, ip2, true)

	// Out of band: stop closes without an answer, delete refuses.
	id3, ip3 := f.runInstance(t)
	f.clock.Add(4 * time.Second)
	mustAnswer(t, ip3)
	if err := f.sim.StopBehindBack(id3); err != nil {
		t.Fatal(err)
	}
	mustNotAnswer(t, ip3, false)
	if err := f.sim.DeleteBehindBack(id3); err != nil {
		t.Fatal(err)
	}
	mustNotAnswer(t, ip3, true)
}

func TestMinecraftWaitForDeploy(t *testing.T) {
	f := newFixture(t, mcOn(ecssim.Options{NoDelay: true, Minecraft: &ecssim.MinecraftOptions{WaitForDeploy: true}}))
	id, ip := f.runInstance(t)
	mustNotAnswer(t, ip, false) // Running, not deployed
	run := func() {
		must(f.client.RunCommand(&ecs.RunCommandRequest{RegionId: tea.String("cn-hangzhou"), Type: tea.String("RunShellScript"),
			CommandContent: tea.String("echo hi"), InstanceId: []*string{&id}}))
	}
	f.sim.SetCommandResult(ecssim.CommandResult{ExitCode: 1})
	run()
	mustNotAnswer(t, ip, false) // a failed deploy deploys nothing
	f.sim.SetCommandResult(ecssim.CommandResult{EchoScript: true})
	run()
	mustAnswer(t, ip)
	// Deployed once is deployed: a restart brings the server back.
	must(f.client.StopInstance(&ecs.StopInstanceRequest{InstanceId: &id}))
	mustNotAnswer(t, ip, false)
	must(f.client.StartInstance(&ecs.StartInstanceRequest{InstanceId: &id}))
	mustAnswer(t, ip)
}

var (
	steve = ecssim.MinecraftPlayer{Name: "Steve", ID: "8667ba71-b85a-4004-af54-457a9734eed7"}
	alex  = ecssim.MinecraftPlayer{Name: "Alex", ID: "ec561538-f3fd-461d-aff5-086b22154bce"}
	mods  = []ecssim.MinecraftMod{{ID: "minecraft", Version: "1.20.1"}, {ID: "forge", Version: "47.2.0"}, {ID: "create", Version: "0.5.1.f"}}
)

func TestSetMinecraft(t *testing.T) {
	f := newFixture(t, mcOn(ecssim.Options{NoDelay: true, Minecraft: &ecssim.MinecraftOptions{
		Initial: ecssim.MinecraftState{MOTD: "§bfirst", MaxPlayers: 4}}}))
	a, ipA := f.runInstance(t)
	b, ipB := f.runInstance(t)
	if st := mustAnswer(t, ipA); st.MOTD.Raw != "§bfirst" || *st.Players.Max != 4 || st.Version.Name.Clean != "1.20.1" {
		t.Fatalf("initial status: %+v", st)
	}

	err := f.sim.SetMinecraft(a, ecssim.MinecraftState{Up: true, Version: "1.20.1", Protocol: 763, MaxPlayers: 10,
		OnlinePlayers: 3, MOTD: "§6§lSeatide §aSurvival\n§7play nicely", Players: []ecssim.MinecraftPlayer{steve, alex}, Mods: mods})
	if err != nil {
		t.Fatal(err)
	}
	st := mustAnswer(t, ipA)
	var names, modList []string
	for _, p := range st.Players.Sample {
		names = append(names, p.Name.Clean+"="+p.ID)
	}
	for _, m := range st.Mods.List {
		modList = append(modList, m.ID+"@"+m.Version)
	}
	if st.MOTD.Raw != "§6§lSeatide §aSurvival\n§7play nicely" || *st.Players.Online != 3 || *st.Players.Max != 10 ||
		strings.Join(names, ",") != "Steve="+steve.ID+",Alex="+alex.ID || st.Mods.Type != "FML2" ||
		strings.Join(modList, ",") != "minecraft@1.20.1,forge@47.2.0,create@0.5.1.f" {
		t.Fatalf("status: %+v %v %v", st, names, modList)
	}
	if st := mustAnswer(t, ipB); st.MOTD.Raw != "§bfirst" {
		t.Fatalf("the other instance changed: %q", st.MOTD.Raw)
	}

	// Empty ID: every server, and those of later instances.
	if err := f.sim.UpdateMinecraft("", func(m *ecssim.MinecraftState) error { m.Up = false; return nil }); err != nil {
		t.Fatal(err)
	}
	mustNotAnswer(t, ipA, false)
	mustNotAnswer(t, ipB, false)
	_, ipC := f.runInstance(t)
	mustNotAnswer(t, ipC, false)
	if err := f.sim.UpdateMinecraft(b, func(m *ecssim.MinecraftState) error { m.Up = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if st := mustAnswer(t, ipB); st.MOTD.Raw != "§bfirst" {
		t.Fatalf("Up kept the rest: %q", st.MOTD.Raw)
	}

	for name, err := range map[string]error{
		"unknown instance": f.sim.SetMinecraft("i-nope", ecssim.DefaultMinecraftState),
		"bad fault":        f.sim.SetMinecraft(a, ecssim.MinecraftState{Fault: "explode"}),
		"negative":         f.sim.SetMinecraft("", ecssim.MinecraftState{MaxPlayers: -1}),
	} {
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	off := ecssim.New(ecssim.Options{})
	defer off.Close()
	if err := off.SetMinecraft("", ecssim.DefaultMinecraftState); !errors.Is(err, ecssim.ErrMinecraftOff) {
		t.Errorf("off: %v", err)
	}
}

func TestMinecraftAdminAPI(t *testing.T) {
	f := newFixture(t, mcOn(ecssim.Options{NoDelay: true}))
	id, ip := f.runInstance(t)
	postMC := func(body string) int {
		t.Helper()
		resp, err := http.Post(f.srv.URL+"/_sim/minecraft", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	getMC := func() []ecssim.MinecraftView {
		t.Helper()
		resp, err := http.Get(f.srv.URL + "/_sim/minecraft")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out []ecssim.MinecraftView
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	body, _ := json.Marshal(map[string]any{"InstanceId": id, "MOTD": "§cadmin", "Players": []any{steve, alex}, "Mods": mods})
	for _, tc := range []struct {
		body string
		want int
	}{
		{string(body), 204},
		{`{"InstanceId":"i-nope","Up":false}`, 404},
		{`{"Up":false,"Colour":"red"}`, 400},
		{`{"Fault":"explode"}`, 400},
		{`{"MaxPlayers":"many"}`, 400},
		{`not json`, 400},
	} {
		if got := postMC(tc.body); got != tc.want {
			t.Errorf("POST %s: %d, want %d", tc.body, got, tc.want)
		}
	}
	st := mustAnswer(t, ip)
	if st.MOTD.Raw != "§cadmin" || *st.Players.Online != 2 || len(st.Players.Sample) != 2 || len(st.Mods.List) != 3 {
		t.Fatalf("after POST: %+v", st)
	}
	views := getMC()
	want := ecssim.MinecraftView{InstanceId: id, Address: net.JoinHostPort(ip, strconv.Itoa(mcPort)), Answering: true,
		MinecraftState: ecssim.MinecraftState{Up: true, Version: "1.20.1", Protocol: 763, MOTD: "§cadmin", MaxPlayers: 20,
			Players: []ecssim.MinecraftPlayer{steve, alex}, Mods: mods}}
	if len(views) != 1 || !reflect.DeepEqual(views[0], want) {
		t.Fatalf("GET /_sim/minecraft:\n%+v\nwant %+v", views, want)
	}

	// Fields left out keep their value.
	if got := postMC(`{"Up":false}`); got != 204 {
		t.Fatalf("POST Up false: %d", got)
	}
	mustNotAnswer(t, ip, false)
	if v := getMC()[0]; v.Answering || v.MOTD != "§cadmin" || len(v.Players) != 2 {
		t.Fatalf("after Up false: %+v", v)
	}

	off := httptestServer(t, ecssim.New(ecssim.Options{}))
	resp, err := http.Post(off+"/_sim/minecraft", "application/json", bytes.NewReader([]byte(`{}`)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("POST to a simulator without Minecraft: %d", resp.StatusCode)
	}
}

// Two simulators in one process hand out the same IPs: each instance must
// still report the IP its own server listens on.
func TestMinecraftIPCollision(t *testing.T) {
	f1 := newFixture(t, mcOn(ecssim.Options{NoDelay: true, Minecraft: &ecssim.MinecraftOptions{Initial: ecssim.MinecraftState{MOTD: "one"}}}))
	f2 := newFixture(t, mcOn(ecssim.Options{NoDelay: true, Minecraft: &ecssim.MinecraftOptions{Initial: ecssim.MinecraftState{MOTD: "two"}}}))
	_, ip1 := f1.runInstance(t)
	_, ip2 := f2.runInstance(t)
	_, ip3 := f1.runInstance(t)
	if ip1 == ip2 || ip2 == ip3 || ip1 == ip3 {
		t.Fatalf("IPs %s %s %s", ip1, ip2, ip3)
	}
	for ip, want := range map[string]string{ip1: "one", ip2: "two", ip3: "one"} {
		if st := mustAnswer(t, ip); st.MOTD.Raw != want {
			t.Errorf("%s: %q, want %q", ip, st.MOTD.Raw, want)
		}
	}
}

// Close ends the servers, hanging connections included, and returns only
// once their goroutines have.
func TestMinecraftClose(t *testing.T) {
	f := newFixture(t, mcOn(ecssim.Options{NoDelay: true}))
	id, ip := f.runInstance(t)
	if err := f.sim.SetMinecraft(id, ecssim.MinecraftState{Up: true, Fault: ecssim.FaultHang}); err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", net.JoinHostPort(ip, strconv.Itoa(mcPort)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = c.Write([]byte{0x08, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 'x', 0x63, 0xdd, 0x01, 0x01, 0x00})
	closed := make(chan struct{})
	go func() { f.sim.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return while a connection hung")
	}
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if n, err := io.Copy(io.Discard, c); n != 0 || !closedOK(err) {
		t.Fatalf("hanging connection after Close: %d bytes, %v", n, err)
	}
	mustNotAnswer(t, ip, true)
}

func httptestServer(t *testing.T, sim *ecssim.Simulator) string {
	t.Helper()
	srv := httptest.NewServer(sim)
	t.Cleanup(func() { srv.Close(); sim.Close() })
	return srv.URL
}
