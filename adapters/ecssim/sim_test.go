package ecssim_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"github.com/seatidemc/seatide/ports/portstest"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	ecs "github.com/alibabacloud-go/ecs-20140526/v4/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/seatidemc/seatide/adapters/ecssim"
)

// Network parameters the default simulated network accepts.
var (
	simImage = tea.String(ecssim.DefaultImage)
	simSG    = tea.String(ecssim.DefaultSecurityGroup)
)

func simVSwitch(zone string) *string { return tea.String(ecssim.DefaultVSwitch(zone)) }

// fixture runs a simulator behind httptest and a real SDK client.
type fixture struct {
	sim    *ecssim.Simulator
	srv    *httptest.Server
	client *ecs.Client
	clock  *portstest.ManualClock
}

func newFixture(t *testing.T, opts ecssim.Options) *fixture {
	t.Helper()
	clock := portstest.NewManualClock(time.Date(2026, 11, 24, 13, 40, 0, 0, time.UTC))
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	if opts.TransitionTime == 0 && !opts.NoDelay {
		opts.TransitionTime = 2 * time.Second
	}
	sim := ecssim.New(opts)
	srv := httptest.NewServer(sim)
	t.Cleanup(func() { srv.Close(); sim.Close() })
	id, secret := sim.Credentials()
	return &fixture{sim: sim, srv: srv, clock: clock, client: newClient(t, srv, id, secret)}
}

func newClient(t *testing.T, srv *httptest.Server, id, secret string) *ecs.Client {
	t.Helper()
	return newClientAt(t, strings.TrimPrefix(srv.URL, "http://"), "cn-hangzhou", id, secret)
}

// newClientAt is the real SDK client pointed at a simulator on endpoint
// (host:port), over plain HTTP and never through a proxy.
func newClientAt(t *testing.T, endpoint, region, id, secret string) *ecs.Client {
	t.Helper()
	c, err := ecs.NewClient(&openapi.Config{
		AccessKeyId:     tea.String(id),
		AccessKeySecret: tea.String(secret),
		RegionId:        tea.String(region),
		Endpoint:        tea.String(endpoint),
		Protocol:        tea.String("http"),
		NoProxy:         tea.String(endpoint),
		ReadTimeout:     tea.Int(5000),
		ConnectTimeout:  tea.Int(5000),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sdkErr asserts err is a *tea.SDKError with the given code and status.
func sdkErr(t *testing.T, err error, code string, status int) {
	t.Helper()
	var se *tea.SDKError
	if !errors.As(err, &se) {
		t.Fatalf("want *tea.SDKError %s, got %T %v", code, err, err)
	}
	if tea.StringValue(se.Code) != code || tea.IntValue(se.StatusCode) != status {
		t.Fatalf("want %s/%d, got %s/%d: %s", code, status, tea.StringValue(se.Code), tea.IntValue(se.StatusCode), tea.StringValue(se.Message))
	}
}

// must unwraps an SDK call; a failure panics, which fails the test with
// the call's stack.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func (f *fixture) status(t *testing.T, id string) (status, ip string) {
	t.Helper()
	ids, _ := json.Marshal([]string{id})
	resp := must(f.client.DescribeInstances(&ecs.DescribeInstancesRequest{
		RegionId: tea.String("cn-hangzhou"), InstanceIds: tea.String(string(ids)),
	}))
	list := resp.Body.Instances.Instance
	if len(list) != 1 {
		t.Fatalf("DescribeInstances(%s): %d instances", id, len(list))
	}
	if ips := list[0].PublicIpAddress.IpAddress; len(ips) > 0 {
		ip = tea.StringValue(ips[0])
	}
	return tea.StringValue(list[0].Status), ip
}

func (f *fixture) create(t *testing.T, token string) string {
	t.Helper()
	resp := must(f.client.CreateInstance(&ecs.CreateInstanceRequest{
		RegionId: tea.String("cn-hangzhou"),
		ZoneId:   tea.String("cn-hangzhou-h"),
		ImageId:  simImage, SecurityGroupId: simSG, VSwitchId: simVSwitch("cn-hangzhou-h"),
		InstanceType:            tea.String("ecs.g6.large"),
		InternetMaxBandwidthOut: tea.Int32(10),
		ClientToken:             tea.String(token),
		SystemDisk:              &ecs.CreateInstanceRequestSystemDisk{Category: tea.String("cloud_essd"), Size: tea.Int32(40)},
		DataDisk:                []*ecs.CreateInstanceRequestDataDisk{{Category: tea.String("cloud_efficiency"), Size: tea.Int32(30)}},
		Tag:                     []*ecs.CreateInstanceRequestTag{{Key: tea.String("managed-by"), Value: tea.String("seatide")}},
	}))
	if resp.Body.RequestId == nil || resp.Body.InstanceId == nil {
		t.Fatalf("CreateInstance: %v", resp.Body)
	}
	return *resp.Body.InstanceId
}

func TestLifecycle(t *testing.T) {
	f := newFixture(t, ecssim.Options{TransitionTime: 2 * time.Second, AgentReadyAfter: 5 * time.Second})
	f.sim.SetCommandResult(ecssim.CommandResult{Output: "deployed\n"})
	id := f.create(t, "")

	if st, _ := f.status(t, id); st != "Pending" {
		t.Fatalf("after create: %s", st)
	}
	f.clock.Add(2 * time.Second)
	if st, ip := f.status(t, id); st != "Stopped" || ip != "" {
		t.Fatalf("after transition: %s %q", st, ip)
	}

	ip := tea.StringValue(must(f.client.AllocatePublicIpAddress(&ecs.AllocatePublicIpAddressRequest{InstanceId: &id})).Body.IpAddress)
	if ip != "127.0.1.1" {
		t.Fatalf("IpAddress %q", ip)
	}
	_, err := f.client.AllocatePublicIpAddress(&ecs.AllocatePublicIpAddressRequest{InstanceId: &id})
	sdkErr(t, err, "QuotaExceed.PublicIpAddress", 403)

	must(f.client.StartInstance(&ecs.StartInstanceRequest{InstanceId: &id}))
	if st, got := f.status(t, id); st != "Starting" || got != ip {
		t.Fatalf("after start: %s %q", st, got)
	}
	f.clock.Add(2 * time.Second)
	if st, _ := f.status(t, id); st != "Running" {
		t.Fatalf("after start transition: %s", st)
	}

	// The agent is not online yet: the invocation fails with ClientNotRunning.
	ca := must(f.client.DescribeCloudAssistantStatus(&ecs.DescribeCloudAssistantStatusRequest{
		RegionId: tea.String("cn-hangzhou"), InstanceId: []*string{&id}}))
	if got := tea.StringValue(ca.Body.InstanceCloudAssistantStatusSet.InstanceCloudAssistantStatus[0].CloudAssistantStatus); got != "false" {
		t.Fatalf("agent status before ready: %s", got)
	}
	early := must(f.client.RunCommand(&ecs.RunCommandRequest{RegionId: tea.String("cn-hangzhou"),
		Type: tea.String("RunShellScript"), CommandContent: tea.String("echo hi"), InstanceId: []*string{&id}}))
	r := f.result(t, *early.Body.InvokeId)
	if tea.StringValue(r.InvocationStatus) != "Failed" || tea.StringValue(r.ErrorCode) != "ClientNotRunning" {
		t.Fatalf("early invocation: %s %s", tea.StringValue(r.InvocationStatus), tea.StringValue(r.ErrorCode))
	}

	f.clock.Add(5 * time.Second)
	ca = must(f.client.DescribeCloudAssistantStatus(&ecs.DescribeCloudAssistantStatusRequest{
		RegionId: tea.String("cn-hangzhou"), InstanceId: []*string{&id}}))
	if got := tea.StringValue(ca.Body.InstanceCloudAssistantStatusSet.InstanceCloudAssistantStatus[0].CloudAssistantStatus); got != "true" {
		t.Fatalf("agent status: %s", got)
	}
	script := base64.StdEncoding.EncodeToString([]byte("#!/bin/sh\necho deploy\n"))
	run := must(f.client.RunCommand(&ecs.RunCommandRequest{RegionId: tea.String("cn-hangzhou"),
		Type: tea.String("RunShellScript"), CommandContent: &script, ContentEncoding: tea.String("Base64"),
		InstanceId: []*string{&id}, Timeout: tea.Int64(600)}))
	invoke := tea.StringValue(run.Body.InvokeId)
	for _, want := range []struct {
		advance      time.Duration
		status, rec  string
		output, fins string
	}{
		{0, "Pending", "Pending", "", ""},
		{time.Second, "Running", "Running", "", ""},
		{time.Second, "Success", "Finished", "deployed\n", "2026-11-24T13:40:11Z"},
	} {
		f.clock.Add(want.advance)
		r := f.result(t, invoke)
		out, _ := base64.StdEncoding.DecodeString(tea.StringValue(r.Output))
		if tea.StringValue(r.InvocationStatus) != want.status || tea.StringValue(r.InvokeRecordStatus) != want.rec ||
			string(out) != want.output || tea.StringValue(r.FinishedTime) != want.fins || tea.Int64Value(r.ExitCode) != 0 {
			t.Fatalf("result at +%v: %s %s %q %q", want.advance, tea.StringValue(r.InvocationStatus),
				tea.StringValue(r.InvokeRecordStatus), out, tea.StringValue(r.FinishedTime))
		}
	}
	if v := f.sim.Invocations(); len(v) != 2 || v[1].CommandContent != "#!/bin/sh\necho deploy\n" {
		t.Fatalf("Invocations: %+v", v)
	}

	_, err = f.client.DeleteInstance(&ecs.DeleteInstanceRequest{InstanceId: &id})
	sdkErr(t, err, "IncorrectInstanceStatus", 403)
	must(f.client.StopInstance(&ecs.StopInstanceRequest{InstanceId: &id, StoppedMode: tea.String("KeepCharging")}))
	if st, _ := f.status(t, id); st != "Stopping" {
		t.Fatalf("after stop: %s", st)
	}
	_, err = f.client.RunCommand(&ecs.RunCommandRequest{RegionId: tea.String("cn-hangzhou"),
		Type: tea.String("RunShellScript"), CommandContent: tea.String("true"), InstanceId: []*string{&id}})
	sdkErr(t, err, "InvalidInstance.NotRunning", 403)
	f.clock.Add(2 * time.Second)
	if st, got := f.status(t, id); st != "Stopped" || got != ip {
		t.Fatalf("after stop transition: %s %q", st, got)
	}
	must(f.client.DeleteInstance(&ecs.DeleteInstanceRequest{InstanceId: &id}))
	_, err = f.client.StartInstance(&ecs.StartInstanceRequest{InstanceId: &id})
	sdkErr(t, err, "InvalidInstanceId.NotFound", 404)
}

func (f *fixture) result(t *testing.T, invoke string) *ecs.DescribeInvocationResultsResponseBodyInvocationInvocationResultsInvocationResult {
	t.Helper()
	resp := must(f.client.DescribeInvocationResults(&ecs.DescribeInvocationResultsRequest{
		RegionId: tea.String("cn-hangzhou"), InvokeId: &invoke}))
	list := resp.Body.Invocation.InvocationResults.InvocationResult
	if len(list) != 1 {
		t.Fatalf("DescribeInvocationResults(%s): %d results", invoke, len(list))
	}
	return list[0]
}
