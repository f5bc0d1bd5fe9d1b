package ecssim_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	ecs "github.com/alibabacloud-go/ecs-20140526/v4/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/seatidemc/seatide/adapters/ecssim"
)

func describeAll(c *ecs.Client) error {
	_, err := c.DescribeInstances(&ecs.DescribeInstancesRequest{RegionId: tea.String("cn-hangzhou")})
	return err
}

func TestAuthentication(t *testing.T) {
	f := newFixture(t, ecssim.Options{AccessKeyID: "AKID", AccessKeySecret: "right"})
	if id, secret := f.sim.Credentials(); id != "AKID" || secret != "right" {
		t.Fatalf("Credentials() = %q, %q", id, secret)
	}
	for _, tc := range []struct {
		name, ak, secret string
		code             string
		status           int
	}{
		{"good", "AKID", "right", "", 200},
		{"wrong secret", "AKID", "wrong", "SignatureDoesNotMatch", 403},
		{"unknown access key", "AKOTHER", "right", "InvalidAccessKeyId.NotFound", 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := describeAll(newClient(t, f.srv, tc.ak, tc.secret))
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			sdkErr(t, err, tc.code, tc.status)
		})
	}

	t.Run("replayed nonce", func(t *testing.T) {
		endpoint := strings.TrimPrefix(f.srv.URL, "http://")
		c, err := ecs.NewClient(&openapi.Config{
			AccessKeyId: tea.String("AKID"), AccessKeySecret: tea.String("right"),
			Endpoint: tea.String(endpoint), Protocol: tea.String("http"), NoProxy: tea.String(endpoint),
			// A fixed nonce overrides the SDK's random one, replaying it.
			GlobalParameters: &openapi.GlobalParameters{Headers: map[string]*string{"x-acs-signature-nonce": tea.String("0123456789abcdef")}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := describeAll(c); err != nil {
			t.Fatal(err)
		}
		sdkErr(t, describeAll(c), "SignatureNonceUsed", 400)
	})

	t.Run("unsigned raw request", func(t *testing.T) {
		req, _ := http.NewRequest("POST", f.srv.URL+"/?RegionId=cn-hangzhou", nil)
		req.Header.Set("x-acs-action", "DescribeInstances")
		req.Header.Set("x-acs-version", "2014-05-26")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]string
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 400 || body["Code"] != "IncompleteSignature" {
			t.Fatalf("%d %v", resp.StatusCode, body)
		}
		for _, k := range []string{"RequestId", "HostId", "Code", "Message", "Recommend"} {
			if body[k] == "" {
				t.Errorf("error body lacks %s: %v", k, body)
			}
		}
	})
}

func TestIncorrectInstanceStatus(t *testing.T) {
	f := newFixture(t, ecssim.Options{})
	id := f.create(t, "") // Pending
	start := func() error { _, err := f.client.StartInstance(&ecs.StartInstanceRequest{InstanceId: &id}); return err }
	stop := func() error { _, err := f.client.StopInstance(&ecs.StopInstanceRequest{InstanceId: &id}); return err }
	del := func() error {
		_, err := f.client.DeleteInstance(&ecs.DeleteInstanceRequest{InstanceId: &id})
		return err
	}
	alloc := func() error {
		_, err := f.client.AllocatePublicIpAddress(&ecs.AllocatePublicIpAddressRequest{InstanceId: &id})
		return err
	}
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"start while Pending", start},
		{"stop while Pending", stop},
		{"delete while Pending", del},
		{"allocate IP while Pending", alloc},
	} {
		t.Run(tc.name, func(t *testing.T) { sdkErr(t, tc.call(), "IncorrectInstanceStatus", 403) })
	}
	f.clock.Add(2 * time.Second) // Stopped
	sdkErr(t, stop(), "IncorrectInstanceStatus", 403)
	if err := start(); err != nil {
		t.Fatal(err)
	}
	sdkErr(t, start(), "IncorrectInstanceStatus", 403) // Starting
	f.clock.Add(2 * time.Second)                       // Running
	sdkErr(t, start(), "IncorrectInstanceStatus", 403)
	sdkErr(t, del(), "IncorrectInstanceStatus", 403) // Running needs Force
	if _, err := f.client.DeleteInstance(&ecs.DeleteInstanceRequest{InstanceId: &id, Force: tea.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	sdkErr(t, start(), "InvalidInstanceId.NotFound", 404)
}

func TestClientTokenIdempotency(t *testing.T) {
	f := newFixture(t, ecssim.Options{NoDelay: true})
	a, b := f.create(t, "op-1"), f.create(t, "op-1")
	if a != b {
		t.Fatalf("same ClientToken, two instances: %s %s", a, b)
	}
	if c := f.create(t, "op-2"); c == a {
		t.Fatal("different ClientToken, same instance")
	}
	if n := len(f.sim.Instances()); n != 2 {
		t.Fatalf("%d instances, want 2", n)
	}
	_, err := f.client.CreateInstance(&ecs.CreateInstanceRequest{RegionId: tea.String("cn-hangzhou"),
		ImageId: simImage, SecurityGroupId: simSG, VSwitchId: simVSwitch("cn-hangzhou-h"), InstanceType: tea.String("ecs.c6.large"), ClientToken: tea.String("op-1")})
	sdkErr(t, err, "IdempotentParameterMismatch", 400)

	run := func() []string {
		resp := must(f.client.RunInstances(&ecs.RunInstancesRequest{RegionId: tea.String("cn-hangzhou"),
			ImageId: simImage, SecurityGroupId: simSG, VSwitchId: simVSwitch("cn-hangzhou-h"), InstanceType: tea.String("ecs.g6.large"), Amount: tea.Int32(2), ClientToken: tea.String("run-1")}))
		return tea.StringSliceValue(resp.Body.InstanceIdSets.InstanceIdSet)
	}
	r1, r2 := run(), run()
	if len(r1) != 2 || strings.Join(r1, ",") != strings.Join(r2, ",") {
		t.Fatalf("RunInstances replay: %v %v", r1, r2)
	}

	cmd := func() string {
		resp := must(f.client.RunCommand(&ecs.RunCommandRequest{RegionId: tea.String("cn-hangzhou"),
			Type: tea.String("RunShellScript"), CommandContent: tea.String("echo"), InstanceId: []*string{&r1[0]},
			ClientToken: tea.String("cmd-1")}))
		return tea.StringValue(resp.Body.InvokeId)
	}
	if i1, i2 := cmd(), cmd(); i1 != i2 || i1 == "" {
		t.Fatalf("RunCommand replay: %q %q", i1, i2)
	}
	if n := len(f.sim.Invocations()); n != 1 {
		t.Fatalf("%d invocations, want 1", n)
	}
}

func TestStockAndPrice(t *testing.T) {
	f := newFixture(t, ecssim.Options{
		NoDelay: true,
		SoldOut: []ecssim.Offer{{ZoneID: "cn-hangzhou-h", InstanceType: "ecs.g6.large"}},
		Prices:  map[ecssim.Offer]float64{{InstanceType: "ecs.g6.large"}: 0.85},
	})
	avail := func(zone string) string {
		resp := must(f.client.DescribeAvailableResource(&ecs.DescribeAvailableResourceRequest{
			RegionId: tea.String("cn-hangzhou"), DestinationResource: tea.String("InstanceType"),
			ZoneId: tea.String(zone), InstanceType: tea.String("ecs.g6.large")}))
		z := resp.Body.AvailableZones.AvailableZone
		if len(z) != 1 {
			t.Fatalf("zones: %d", len(z))
		}
		sr := z[0].AvailableResources.AvailableResource[0].SupportedResources.SupportedResource[0]
		return tea.StringValue(sr.Value) + "=" + tea.StringValue(sr.Status)
	}
	if got := avail("cn-hangzhou-h"); got != "ecs.g6.large=SoldOut" {
		t.Fatal(got)
	}
	if got := avail("cn-hangzhou-i"); got != "ecs.g6.large=Available" {
		t.Fatal(got)
	}
	_, err := f.client.CreateInstance(&ecs.CreateInstanceRequest{RegionId: tea.String("cn-hangzhou"),
		ZoneId: tea.String("cn-hangzhou-h"), ImageId: simImage, SecurityGroupId: simSG, VSwitchId: simVSwitch("cn-hangzhou-h"), InstanceType: tea.String("ecs.g6.large")})
	sdkErr(t, err, "OperationDenied.NoStock", 403)

	f.sim.SetStock("cn-hangzhou-h", "ecs.g6.large", true)
	if got := avail("cn-hangzhou-h"); got != "ecs.g6.large=Available" {
		t.Fatal(got)
	}

	price := func(typ string) (float32, string) {
		resp := must(f.client.DescribePrice(&ecs.DescribePriceRequest{RegionId: tea.String("cn-hangzhou"),
			ResourceType: tea.String("instance"), InstanceType: tea.String(typ), PriceUnit: tea.String("Hour"),
			SystemDisk: &ecs.DescribePriceRequestSystemDisk{Category: tea.String("cloud_essd"), Size: tea.Int32(40)}}))
		p := resp.Body.PriceInfo.Price
		return tea.Float32Value(p.TradePrice), tea.StringValue(p.Currency)
	}
	if p, cur := price("ecs.g6.large"); p != 0.85 || cur != "CNY" {
		t.Fatalf("configured price %v %s", p, cur)
	}
	p1, _ := price("ecs.c7.2xlarge")
	p2, _ := price("ecs.c7.2xlarge")
	if p1 <= 0 || p1 != p2 {
		t.Fatalf("default price not deterministic: %v %v", p1, p2)
	}
}

func TestFaultInjection(t *testing.T) {
	f := newFixture(t, ecssim.Options{NoDelay: true})
	f.sim.ThrottleNext("DescribeInstances", 2)
	f.sim.FailNext("DescribePrice", 1)
	for range 2 {
		sdkErr(t, describeAll(f.client), "Throttling.User", 400)
	}
	if err := describeAll(f.client); err != nil {
		t.Fatalf("after throttling: %v", err)
	}
	req := &ecs.DescribePriceRequest{RegionId: tea.String("cn-hangzhou"), InstanceType: tea.String("ecs.g6.large")}
	_, err := f.client.DescribePrice(req)
	sdkErr(t, err, "ServiceUnavailable", 503)
	must(f.client.DescribePrice(req))

	// The admin API does the same over HTTP.
	post(t, f.srv.URL+"/_sim/faults", `{"Action":"*","Count":1,"Kind":"error","Status":403,"Code":"InvalidAccountStatus.NotEnoughBalance"}`)
	_, err = f.client.DescribePrice(req)
	sdkErr(t, err, "InvalidAccountStatus.NotEnoughBalance", 403)
	must(f.client.DescribePrice(req))
}

func post(t *testing.T, url, body string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST %s: %s", url, resp.Status)
	}
}
