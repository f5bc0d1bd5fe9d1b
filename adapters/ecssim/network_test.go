package ecssim_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	ecs "github.com/alibabacloud-go/ecs-20140526/v4/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/seatidemc/seatide/adapters/ecssim"
)

// runReq is a RunInstances request the default network accepts in zone h.
func runReq() *ecs.RunInstancesRequest {
	return &ecs.RunInstancesRequest{RegionId: tea.String("cn-hangzhou"), ZoneId: tea.String("cn-hangzhou-h"),
		ImageId: simImage, SecurityGroupId: simSG, VSwitchId: simVSwitch("cn-hangzhou-h"),
		InstanceType: tea.String("ecs.g6.large"), InternetMaxBandwidthOut: tea.Int32(5)}
}

// TestRunInstancesRefuses: each rule of RunInstances the simulator
// enforces (sources in network.go, disks.go, instances.go), through the
// SDK, with its code and status.
func TestRunInstancesRefuses(t *testing.T) {
	tests := []struct {
		name   string
		change func(*ecs.RunInstancesRequest)
		code   string
		status int
	}{
		{"no image", func(r *ecs.RunInstancesRequest) { r.ImageId = nil }, "MissingParameter", 400},
		{"unknown image", func(r *ecs.RunInstancesRequest) { r.ImageId = tea.String("m-nope") }, "InvalidImageId.NotFound", 404},
		{"no security group", func(r *ecs.RunInstancesRequest) { r.SecurityGroupId = nil }, "MissingParameter", 400},
		{"unknown security group", func(r *ecs.RunInstancesRequest) { r.SecurityGroupId = tea.String("sg-nope") }, "InvalidSecurityGroupId.NotFound", 404},
		{"no vSwitch", func(r *ecs.RunInstancesRequest) { r.VSwitchId = nil }, "MissingParameter", 400},
		{"unknown vSwitch", func(r *ecs.RunInstancesRequest) { r.VSwitchId = tea.String("vsw-nope") }, "InvalidVSwitchId.NotFound", 404},
		{"vSwitch of another zone", func(r *ecs.RunInstancesRequest) { r.VSwitchId = simVSwitch("cn-hangzhou-i") }, "InvalidParameter.Mismatch", 400},
		{"security group of another VPC", func(r *ecs.RunInstancesRequest) { r.SecurityGroupId = tea.String(ecssim.OtherSecurityGroup) }, "InvalidParameter.Mismatch", 400},
		{"password too short", func(r *ecs.RunInstancesRequest) { r.Password = tea.String("Ab1!") }, "InvalidPassword.Malformed", 400},
		{"password too long", func(r *ecs.RunInstancesRequest) { r.Password = tea.String("Abcdefgh1!Abcdefgh1!Abcdefgh1!x") }, "InvalidPassword.Malformed", 400},
		{"password of two classes", func(r *ecs.RunInstancesRequest) { r.Password = tea.String("abcdefgh12") }, "InvalidPassword.Malformed", 400},
		{"password with a space", func(r *ecs.RunInstancesRequest) { r.Password = tea.String("Abcd efg1!") }, "InvalidPassword.Malformed", 400},
		{"system disk category", func(r *ecs.RunInstancesRequest) {
			r.SystemDisk = &ecs.RunInstancesRequestSystemDisk{Category: tea.String("floppy")}
		}, "InvalidSystemDiskCategory.ValueNotSupported", 400},
		{"spot duration", func(r *ecs.RunInstancesRequest) {
			r.SpotStrategy, r.SpotDuration = tea.String("SpotAsPriceGo"), tea.Int32(3)
		}, "InvalidParameter", 400},
		{"spot interruption", func(r *ecs.RunInstancesRequest) {
			r.SpotStrategy, r.SpotInterruptionBehavior = tea.String("SpotAsPriceGo"), tea.String("Hibernate")
		}, "InvalidParameter", 400},
		{"spot price limit missing", func(r *ecs.RunInstancesRequest) { r.SpotStrategy = tea.String("SpotWithPriceLimit") }, "MissingParameter", 400},
		{"dry run", func(r *ecs.RunInstancesRequest) { r.DryRun = tea.Bool(true) }, "DryRunOperation", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, ecssim.Options{})
			req := runReq()
			tt.change(req)
			_, err := f.client.RunInstances(req)
			sdkErr(t, err, tt.code, tt.status)
			if n := len(f.sim.Instances()); n != 0 {
				t.Errorf("a refused RunInstances made %d instances", n)
			}
		})
	}
}

// Accepted: a password of three classes with allowed specials, an empty
// ZoneId taking the vSwitch's zone, disks and spot options recorded.
func TestRunInstancesAccepts(t *testing.T) {
	f := newFixture(t, ecssim.Options{})
	req := runReq()
	req.ZoneId = nil
	req.VSwitchId = simVSwitch("cn-hangzhou-j")
	req.Password = tea.String("Sea-tide_2026")
	req.SystemDisk = &ecs.RunInstancesRequestSystemDisk{Category: tea.String("cloud_essd"), Size: tea.String("60")}
	req.DataDisk = []*ecs.RunInstancesRequestDataDisk{{Category: tea.String("cloud_essd"), Size: tea.Int32(100)}}
	req.SpotStrategy, req.SpotInterruptionBehavior = tea.String("SpotAsPriceGo"), tea.String("Stop")
	id := tea.StringValue(must(f.client.RunInstances(req)).Body.InstanceIdSets.InstanceIdSet[0])
	v := simView(t, f, id)
	if v.ZoneId != "cn-hangzhou-j" || v.SpotInterruptionBehavior != "Stop" || len(v.Disks) != 2 ||
		v.Disks[0].Type != "system" || v.Disks[0].Size != 60 || v.Disks[1].Category != "cloud_essd" || v.Disks[1].Size != 100 ||
		v.Disks[0].DiskId == "" {
		t.Errorf("instance %+v", v)
	}
	// A reclaim with SpotInterruptionBehavior=Stop stops it in economical
	// mode: the disks stay, the IP goes.
	f.clock.Add(10 * time.Second)
	if err := f.sim.ReclaimSpot(id); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(time.Hour) // past the notice (a Recycling lock, sim.reclaim_notice) it acts
	v = simView(t, f, id)
	if v.Status != "Stopped" || v.StoppedMode != "StopCharging" || v.PublicIpAddress != "" || len(v.Disks) != 2 {
		t.Errorf("after a reclaim: %+v", v)
	}
}

func simView(t *testing.T, f *fixture, id string) ecssim.InstanceView {
	t.Helper()
	resp, err := http.Get(f.srv.URL + "/_sim/instances/" + id)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v ecssim.InstanceView
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// Stop modes on the wire: StopCharging releases the IP and a start
// without stock is refused; a subscription instance reports
// Not-applicable; an unknown mode is refused.
func TestStopModesOnTheWire(t *testing.T) {
	f := newFixture(t, ecssim.Options{NoDelay: true})
	id := tea.StringValue(must(f.client.RunInstances(runReq())).Body.InstanceIdSets.InstanceIdSet[0])
	_, err := f.client.StopInstance(&ecs.StopInstanceRequest{InstanceId: tea.String(id), StoppedMode: tea.String("Sleep")})
	sdkErr(t, err, "InvalidParameter", 400)
	must(f.client.StopInstance(&ecs.StopInstanceRequest{InstanceId: tea.String(id), StoppedMode: tea.String("StopCharging")}))
	if v := simView(t, f, id); v.StoppedMode != "StopCharging" || v.PublicIpAddress != "" {
		t.Fatalf("after StopCharging: %+v", v)
	}
	f.sim.SetStock("cn-hangzhou-h", "ecs.g6.large", false)
	_, err = f.client.StartInstance(&ecs.StartInstanceRequest{InstanceId: tea.String(id)})
	sdkErr(t, err, "OperationDenied.NoStock", 403)

	pre := runReq()
	pre.InstanceChargeType = tea.String("PrePaid")
	f.sim.SetStock("cn-hangzhou-h", "ecs.g6.large", true)
	pid := tea.StringValue(must(f.client.RunInstances(pre)).Body.InstanceIdSets.InstanceIdSet[0])
	must(f.client.StopInstance(&ecs.StopInstanceRequest{InstanceId: tea.String(pid), StoppedMode: tea.String("StopCharging")}))
	if v := simView(t, f, pid); v.StoppedMode != "Not-applicable" || v.PublicIpAddress == "" {
		t.Errorf("a subscription instance after StopCharging: %+v", v)
	}
}

// POST /_sim/visibility: a new instance is not listed for the delay, and
// the same ClientToken answers LastTokenProcessing meanwhile, then the
// first answer.
func TestVisibilityDelay(t *testing.T) {
	f := newFixture(t, ecssim.Options{})
	post(t, f.srv.URL+"/_sim/visibility", `{"Delay":"30s"}`)
	req := runReq()
	req.ClientToken = tea.String("op-visible")
	id := tea.StringValue(must(f.client.RunInstances(req)).Body.InstanceIdSets.InstanceIdSet[0])
	ids, _ := json.Marshal([]string{id})
	describe := func() int {
		return len(must(f.client.DescribeInstances(&ecs.DescribeInstancesRequest{RegionId: tea.String("cn-hangzhou"),
			InstanceIds: tea.String(string(ids))})).Body.Instances.Instance)
	}
	if n := describe(); n != 0 {
		t.Fatalf("listed %d at once", n)
	}
	_, err := f.client.RunInstances(req)
	sdkErr(t, err, "LastTokenProcessing", 400)
	f.clock.Add(30 * time.Second)
	if n := describe(); n != 1 {
		t.Fatalf("listed %d after the delay", n)
	}
	again := tea.StringValue(must(f.client.RunInstances(req)).Body.InstanceIdSets.InstanceIdSet[0])
	if again != id {
		t.Errorf("the token gave %s, then %s", id, again)
	}
}

// GET /_sim/network and the ECS lookups: what seatide check reads.
func TestNetworkLookups(t *testing.T) {
	f := newFixture(t, ecssim.Options{})
	resp, err := http.Get(f.srv.URL + "/_sim/network")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var n ecssim.Network
	if err := json.NewDecoder(resp.Body).Decode(&n); err != nil || len(n.VSwitches) != 3 || len(n.SecurityGroups) != 2 || len(n.Images) == 0 {
		t.Fatalf("network %+v %v", n, err)
	}
	sgs := must(f.client.DescribeSecurityGroups(&ecs.DescribeSecurityGroupsRequest{RegionId: tea.String("cn-hangzhou"),
		SecurityGroupIds: tea.String(`["` + ecssim.OtherSecurityGroup + `"]`)})).Body.SecurityGroups.SecurityGroup
	if len(sgs) != 1 || tea.StringValue(sgs[0].VpcId) != ecssim.OtherVPC {
		t.Errorf("DescribeSecurityGroups: %v", sgs)
	}
	imgs := must(f.client.DescribeImages(&ecs.DescribeImagesRequest{RegionId: tea.String("cn-hangzhou"), ImageId: simImage})).Body.Images.Image
	if len(imgs) != 1 {
		t.Errorf("DescribeImages: %v", imgs)
	}
}
