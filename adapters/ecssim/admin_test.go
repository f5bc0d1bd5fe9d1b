package ecssim_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	ecs "github.com/alibabacloud-go/ecs-20140526/v4/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/seatidemc/seatide/adapters/ecssim"
)

type simInstance struct {
	InstanceId, Status, PublicIpAddress, ZoneId, InstanceType string
	Tags                                                      map[string]string
}

func simInstances(t *testing.T, base string) []simInstance {
	t.Helper()
	resp, err := http.Get(base + "/_sim/instances")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []simInstance
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func do(t *testing.T, method, url string) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestRunInstancesTagsAndAdmin(t *testing.T) {
	f := newFixture(t, ecssim.Options{})
	run := func(bw int32, spot string, tags ...string) string {
		req := &ecs.RunInstancesRequest{RegionId: tea.String("cn-hangzhou"), ZoneId: tea.String("cn-hangzhou-i"),
			ImageId: simImage, SecurityGroupId: simSG, VSwitchId: simVSwitch("cn-hangzhou-i"), InstanceType: tea.String("ecs.t6-c1m2.large"), InternetMaxBandwidthOut: tea.Int32(bw), SpotStrategy: tea.String(spot)}
		for i := 0; i+1 < len(tags); i += 2 {
			req.Tag = append(req.Tag, &ecs.RunInstancesRequestTag{Key: &tags[i], Value: &tags[i+1]})
		}
		return tea.StringValue(must(f.client.RunInstances(req)).Body.InstanceIdSets.InstanceIdSet[0])
	}
	spot := run(5, "SpotAsPriceGo", "managed-by", "seatide", "role", "mc")
	plain := run(0, "NoSpot", "managed-by", "someone-else")
	if st, ip := f.status(t, spot); st != "Pending" || ip != "127.0.1.1" {
		t.Fatalf("RunInstances: %s %q", st, ip)
	}
	f.clock.Add(2 * time.Second)
	if st, _ := f.status(t, spot); st != "Starting" {
		t.Fatalf("then %s", st)
	}
	f.clock.Add(2 * time.Second)
	if st, _ := f.status(t, spot); st != "Running" {
		t.Fatalf("then %s", st)
	}
	if _, ip := f.status(t, plain); ip != "" {
		t.Fatalf("no bandwidth, yet IP %q", ip)
	}

	// Reconciliation lists by tag.
	tagged := must(f.client.DescribeInstances(&ecs.DescribeInstancesRequest{RegionId: tea.String("cn-hangzhou"),
		Tag: []*ecs.DescribeInstancesRequestTag{{Key: tea.String("managed-by"), Value: tea.String("seatide")}}}))
	if l := tagged.Body.Instances.Instance; len(l) != 1 || tea.StringValue(l[0].InstanceId) != spot ||
		tea.StringValue(l[0].Tags.Tag[1].TagValue) != "mc" || tea.Int32Value(tagged.Body.TotalCount) != 1 {
		t.Fatalf("tag filter: %v", tagged.Body)
	}
	page := must(f.client.DescribeInstances(&ecs.DescribeInstancesRequest{RegionId: tea.String("cn-hangzhou"),
		PageSize: tea.Int32(1), PageNumber: tea.Int32(2)}))
	if l := page.Body.Instances.Instance; len(l) != 1 || tea.StringValue(l[0].InstanceId) != plain || tea.Int32Value(page.Body.TotalCount) != 2 {
		t.Fatalf("paging: %v", page.Body)
	}

	list := simInstances(t, f.srv.URL)
	if len(list) != 2 || list[0].InstanceId != spot || list[0].Status != "Running" || list[0].PublicIpAddress != "127.0.1.1" ||
		list[0].ZoneId != "cn-hangzhou-i" || list[0].InstanceType != "ecs.t6-c1m2.large" || list[0].Tags["managed-by"] != "seatide" ||
		list[1].PublicIpAddress != "" {
		t.Fatalf("/_sim/instances: %+v", list)
	}

	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{"POST", "/_sim/instances/" + spot + "/stop", 204},
		{"POST", "/_sim/instances/" + plain + "/reclaim", 409},
		{"POST", "/_sim/instances/" + spot + "/reclaim", 204},
		{"DELETE", "/_sim/instances/" + plain, 204},
		{"DELETE", "/_sim/instances/i-nope", 404},
		{"GET", "/_sim/instances/" + spot, 200}, // under its Recycling lock until the notice ends
	} {
		if got := do(t, tc.method, f.srv.URL+tc.path); got != tc.want {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, got, tc.want)
		}
	}
	f.clock.Add(ecssim.DefaultReclaimNotice)
	if got := do(t, "GET", f.srv.URL+"/_sim/instances/"+spot); got != 404 {
		t.Errorf("reclaimed after the notice: %d, want 404", got)
	}
	if list := simInstances(t, f.srv.URL); len(list) != 0 {
		t.Fatalf("after reclaim and delete: %+v", list)
	}
}

func TestStopBehindBackAndStopCharging(t *testing.T) {
	f := newFixture(t, ecssim.Options{NoDelay: true})
	resp := must(f.client.RunInstances(&ecs.RunInstancesRequest{RegionId: tea.String("cn-hangzhou"),
		ImageId: simImage, SecurityGroupId: simSG, VSwitchId: simVSwitch("cn-hangzhou-h"), InstanceType: tea.String("ecs.g6.large"), InternetMaxBandwidthOut: tea.Int32(1)}))
	id := tea.StringValue(resp.Body.InstanceIdSets.InstanceIdSet[0])
	if st, ip := f.status(t, id); st != "Running" || ip == "" {
		t.Fatalf("NoDelay RunInstances: %s %q", st, ip)
	}
	if err := f.sim.StopBehindBack(id); err != nil {
		t.Fatal(err)
	}
	if st, _ := f.status(t, id); st != "Stopped" {
		t.Fatalf("behind back: %s", st)
	}
	must(f.client.StartInstance(&ecs.StartInstanceRequest{InstanceId: &id}))
	_, before := f.status(t, id)
	must(f.client.StopInstance(&ecs.StopInstanceRequest{InstanceId: &id, StoppedMode: tea.String("StopCharging")}))
	if _, ip := f.status(t, id); ip != "" {
		t.Fatalf("StopCharging kept IP %q", ip)
	}
	must(f.client.StartInstance(&ecs.StartInstanceRequest{InstanceId: &id}))
	if _, ip := f.status(t, id); ip == "" || ip == before {
		t.Fatalf("restart after StopCharging: IP %q (before %q)", ip, before)
	}
}

func TestStartServer(t *testing.T) {
	srv, err := ecssim.Start("127.0.0.1:0", ecssim.Options{NoDelay: true, RegionID: "cn-beijing"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	id, secret := srv.Credentials()
	if id == "" || secret == "" || !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("Start: %q %q %q", id, secret, srv.URL)
	}
	c := newClientAt(t, srv.Addr, "cn-beijing", id, secret)
	resp := must(c.DescribeAvailableResource(&ecs.DescribeAvailableResourceRequest{RegionId: tea.String("cn-beijing"),
		DestinationResource: tea.String("Zone")}))
	if n := len(resp.Body.AvailableZones.AvailableZone); n != 3 {
		t.Fatalf("zones: %d", n)
	}
	_, err = c.DescribeInstances(&ecs.DescribeInstancesRequest{RegionId: tea.String("cn-hangzhou")})
	sdkErr(t, err, "InvalidRegionId.NotFound", 404)

	r, err := http.Get(srv.URL + "/_sim/info")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var info map[string]any
	_ = json.NewDecoder(r.Body).Decode(&info)
	if info["AccessKeyId"] != id || info["RegionId"] != "cn-beijing" || info["AccessKeySecret"] != nil {
		t.Fatalf("/_sim/info: %v", info)
	}
}
