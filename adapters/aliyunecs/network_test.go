package aliyunecs_test

import (
	"errors"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/ecssim"
	"github.com/seatidemc/seatide/domain"
)

// The lookups behind ecs.vpc discovery and preflight checks, through the
// ECS and VPC SDKs against the simulator.
func TestNetworkLookups(t *testing.T) {
	t.Parallel()
	zones := []string{"cn-hangzhou-h", "cn-hangzhou-i"}
	net := ecssim.DefaultNetwork(zones)
	for i := range 60 { // more than one DescribeVSwitches page (50)
		net.VSwitches = append(net.VSwitches, ecssim.VSwitch{VSwitchId: "vsw-many-" + string(rune('a'+i%26)) + string(rune('a'+i/26)), VpcId: "vpc-big", ZoneId: zones[i%2]})
	}
	s := startSim(t, ecssim.Options{NoDelay: true, Zones: zones, Network: net})
	c := newClient(t, clientConfig(s))
	ctx := ctxT(t)

	list, err := c.VSwitches(ctx, ecssim.DefaultVPC)
	if err != nil || len(list) != 2 || list[0].Zone != "cn-hangzhou-h" || list[0].ID != ecssim.DefaultVSwitch("cn-hangzhou-h") || list[0].Status != "Available" {
		t.Errorf("VSwitches = %+v, %v", list, err)
	}
	if big, err := c.VSwitches(ctx, "vpc-big"); err != nil || len(big) != 60 {
		t.Errorf("VSwitches of a big VPC: %d, %v; want all 60 pages through", len(big), err)
	}
	if none, err := c.VSwitches(ctx, "vpc-none"); err != nil || len(none) != 0 {
		t.Errorf("VSwitches of an unknown VPC = %+v, %v", none, err)
	}
	sg, err := c.SecurityGroup(ctx, ecssim.OtherSecurityGroup)
	if err != nil || sg.VPC != ecssim.OtherVPC {
		t.Errorf("SecurityGroup = %+v, %v", sg, err)
	}
	if _, err := c.SecurityGroup(ctx, "sg-nope"); !errors.Is(err, domain.ErrCloudNotFound) {
		t.Errorf("unknown security group: %v", err)
	}
	if im, err := c.Image(ctx, ecssim.DefaultImage); err != nil || im.ID != ecssim.DefaultImage {
		t.Errorf("Image = %+v, %v", im, err)
	}
	if _, err := c.Image(ctx, "m-nope"); !errors.Is(err, domain.ErrCloudNotFound) {
		t.Errorf("unknown image: %v", err)
	}
}

// A spot instance is created with its protection period and interruption
// mode; a pay-as-you-go one sends neither.
func TestSpotOptionsSent(t *testing.T) {
	t.Parallel()
	// A reclaim acts once its notice (a Recycling lock) has passed: a
	// nanosecond here, so the next look sees it done.
	s := startSim(t, ecssim.Options{NoDelay: true, ReclaimNotice: time.Nanosecond})
	c := newClient(t, clientConfig(s))
	spec := baseSpec(s.RegionID())
	spec.SpotStrategy, spec.SpotDuration, spec.SpotInterruption = "SpotAsPriceGo", 0, "Stop"
	id, _, err := c.RunInstance(ctxT(t), spec, "op-spot")
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := s.Instance(id); !ok || v.SpotInterruptionBehavior != "Stop" || v.SpotStrategy != "SpotAsPriceGo" {
		t.Errorf("simulator saw %+v", v)
	}
	if err := s.ReclaimSpot(id); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Instance(id); v.Status != "Stopped" || len(v.Disks) == 0 {
		t.Errorf("after a reclaim: %+v; want stopped with its disks", v)
	}
}
