package ecssim_test

import (
	"encoding/base64"
	"testing"
	"time"

	ecs "github.com/alibabacloud-go/ecs-20140526/v4/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/seatidemc/seatide/adapters/ecssim"
)

func TestInvokeCommandFailureAndTags(t *testing.T) {
	f := newFixture(t, ecssim.Options{NoDelay: true})
	id := tea.StringValue(must(f.client.RunInstances(&ecs.RunInstancesRequest{RegionId: tea.String("cn-hangzhou"),
		ImageId: simImage, SecurityGroupId: simSG, VSwitchId: simVSwitch("cn-hangzhou-h"), InstanceType: tea.String("ecs.g6.large")})).Body.InstanceIdSets.InstanceIdSet[0])

	post(t, f.srv.URL+"/_sim/command-result", `{"Output":"boom\n","ExitCode":3}`)
	content := base64.StdEncoding.EncodeToString([]byte("exit 3"))
	cmd := must(f.client.CreateCommand(&ecs.CreateCommandRequest{RegionId: tea.String("cn-hangzhou"),
		Name: tea.String("deploy"), Type: tea.String("RunShellScript"), CommandContent: &content}))
	inv := must(f.client.InvokeCommand(&ecs.InvokeCommandRequest{RegionId: tea.String("cn-hangzhou"),
		CommandId: cmd.Body.CommandId, InstanceId: []*string{&id}}))
	_, err := f.client.InvokeCommand(&ecs.InvokeCommandRequest{RegionId: tea.String("cn-hangzhou"),
		CommandId: tea.String("c-nope"), InstanceId: []*string{&id}})
	sdkErr(t, err, "InvalidCommandId.NotFound", 404)

	r := f.result(t, tea.StringValue(inv.Body.InvokeId))
	out, _ := base64.StdEncoding.DecodeString(tea.StringValue(r.Output))
	if tea.StringValue(r.InvocationStatus) != "Failed" || tea.Int64Value(r.ExitCode) != 3 || string(out) != "boom\n" ||
		tea.StringValue(r.ErrorInfo) == "" {
		t.Fatalf("failed invocation: %v", r)
	}

	invs := must(f.client.DescribeInvocations(&ecs.DescribeInvocationsRequest{RegionId: tea.String("cn-hangzhou"),
		InstanceId: &id, IncludeOutput: tea.Bool(true)}))
	l := invs.Body.Invocations.Invocation
	if len(l) != 1 || tea.StringValue(l[0].InvocationStatus) != "Failed" || tea.StringValue(l[0].CommandName) != "deploy" ||
		tea.Int64Value(l[0].InvokeInstances.InvokeInstance[0].ExitCode) != 3 {
		t.Fatalf("DescribeInvocations: %v", invs.Body)
	}

	must(f.client.TagResources(&ecs.TagResourcesRequest{RegionId: tea.String("cn-hangzhou"), ResourceType: tea.String("instance"),
		ResourceId: []*string{&id}, Tag: []*ecs.TagResourcesRequestTag{{Key: tea.String("managed-by"), Value: tea.String("seatide")}}}))
	tags := must(f.client.ListTagResources(&ecs.ListTagResourcesRequest{RegionId: tea.String("cn-hangzhou"),
		ResourceType: tea.String("instance"), Tag: []*ecs.ListTagResourcesRequestTag{{Key: tea.String("managed-by"), Value: tea.String("seatide")}}}))
	if tr := tags.Body.TagResources.TagResource; len(tr) != 1 || tea.StringValue(tr[0].ResourceId) != id {
		t.Fatalf("ListTagResources: %v", tags.Body)
	}
}

func TestLatency(t *testing.T) {
	f := newFixture(t, ecssim.Options{NoDelay: true, Now: time.Now})
	f.sim.SetLatency("DescribeInstances", 50*time.Millisecond)
	start := time.Now()
	if err := describeAll(f.client); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Fatalf("call took %v, want >= 50ms", d)
	}
}
