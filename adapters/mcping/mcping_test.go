package mcping_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	ecs "github.com/alibabacloud-go/ecs-20140526/v4/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/seatidemc/seatide/adapters/ecssim"
	"github.com/seatidemc/seatide/adapters/mcping"
	"github.com/seatidemc/seatide/ports/portstest"
)

// simPort is this package's own port, so that no simulator of another
// package's tests (running in parallel processes) takes an address this
// package has just released.
const simPort = 25581

func TestServerProbeContract(t *testing.T) {
	// A long own timeout: only the contexts can end the hanging cases.
	portstest.RunServerProbeTests(t, mcping.New(mcping.Options{Timeout: time.Hour}), serveOnSimulator)
}

// serveOnSimulator runs the fake server on an instance of the ECS
// simulator, reached through the real SDK as the service reaches it.
func serveOnSimulator(t *testing.T, fs portstest.FakeServer) (string, int) {
	t.Helper()
	sim := ecssim.New(ecssim.Options{NoDelay: true, Minecraft: &ecssim.MinecraftOptions{Port: simPort}})
	srv := httptest.NewServer(sim)
	t.Cleanup(func() { srv.Close(); sim.Close() })
	id, secret := sim.Credentials()
	endpoint := strings.TrimPrefix(srv.URL, "http://")
	client, err := ecs.NewClient(&openapi.Config{AccessKeyId: &id, AccessKeySecret: &secret,
		RegionId: tea.String(sim.RegionID()), Endpoint: &endpoint, Protocol: tea.String("http"), NoProxy: &endpoint})
	if err != nil {
		t.Fatal(err)
	}
	// The simulator refuses what Aliyun refuses: a create names its zone,
	// image and network, as a real one must.
	zone := sim.RegionID() + "-h"
	resp, err := client.RunInstances(&ecs.RunInstancesRequest{RegionId: tea.String(sim.RegionID()), ZoneId: tea.String(zone),
		InstanceType: tea.String("ecs.g6.large"), InternetMaxBandwidthOut: tea.Int32(5), ImageId: tea.String(ecssim.DefaultImage),
		SecurityGroupId: tea.String(ecssim.DefaultSecurityGroup), VSwitchId: tea.String(ecssim.DefaultVSwitch(zone))})
	if err != nil {
		t.Fatal(err)
	}
	inst := tea.StringValue(resp.Body.InstanceIdSets.InstanceIdSet[0])
	view, _ := sim.Instance(inst)

	st := ecssim.MinecraftState{
		Up: fs.Mode != portstest.ServerCloses, Version: fs.Status.Version, MOTD: fs.Status.MOTD,
		MaxPlayers: fs.Status.MaxPlayers, OnlinePlayers: fs.Status.OnlinePlayers,
	}
	for _, p := range fs.Status.Players {
		st.Players = append(st.Players, ecssim.MinecraftPlayer{Name: p.Name, ID: p.ID})
	}
	for _, m := range fs.Status.Mods {
		st.Mods = append(st.Mods, ecssim.MinecraftMod{ID: m.ID, Version: m.Version})
	}
	switch fs.Mode {
	case portstest.ServerHangs:
		st.Fault = ecssim.FaultHang
	case portstest.ServerGarbage:
		st.Fault = ecssim.FaultGarbage
	}
	if err := sim.SetMinecraft(inst, st); err != nil {
		t.Fatal(err)
	}
	if fs.Mode == portstest.ServerRefuses {
		if err := sim.DeleteBehindBack(inst); err != nil {
			t.Fatal(err)
		}
	}
	return view.PublicIpAddress, simPort
}
