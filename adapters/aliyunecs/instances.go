package aliyunecs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	ecs "github.com/alibabacloud-go/ecs-20140526/v4/client"
	util "github.com/alibabacloud-go/tea-utils/v2/service"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// pageSize is the DescribeInstances page size (the API's maximum).
const pageSize = 100

// commandTimeout is the Cloud Assistant timeout of RunCommand, in seconds.
const commandTimeout = 3600

// str returns nil for "" so that unset parameters stay out of the query.
func str(s string) *string {
	if s == "" {
		return nil
	}
	return tea.String(s)
}

func i32(n int) *int32 {
	if n == 0 {
		return nil
	}
	return tea.Int32(int32(n))
}

// sortedTags returns tags in key order, so that a retried or replayed call
// sends the very same query (ClientToken fingerprints compare it).
func sortedKeys(tags map[string]string) []string {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// RunInstance creates a pay-as-you-go instance with RunInstances, which
// also starts it and, with bandwidth, gives it its public IP (Pending ->
// Starting -> Running). The same clientToken returns the same instance.
//
// Why RunInstances and not CreateInstance: the API reference marks
// CreateInstance as no longer updated and points to RunInstances, which
// terraform-provider-alicloud's alicloud_instance also uses. It takes the
// spot protection period and interruption mode CreateInstance lacks, and
// one idempotent call replaces create, AllocatePublicIpAddress and
// StartInstance, two of which carry no ClientToken. What it changes:
// billing starts with the call (the instance runs at once).
func (c *Client) RunInstance(ctx context.Context, spec ports.InstanceSpec, clientToken string) (string, string, error) {
	req, err := runRequest(c.region, spec)
	if err != nil {
		return "", "", err
	}
	req.ClientToken = str(clientToken)
	id, reqID, err := do(ctx, c, "RunInstances", func(e *ecs.Client, rt *util.RuntimeOptions) (string, *string, error) {
		resp, err := e.RunInstancesWithOptions(req, rt)
		if err != nil {
			return "", nil, err
		}
		b := resp.Body
		if b.InstanceIdSets == nil || len(b.InstanceIdSets.InstanceIdSet) == 0 {
			return "", b.RequestId, nil
		}
		return tea.StringValue(b.InstanceIdSets.InstanceIdSet[0]), b.RequestId, nil
	})
	if err != nil {
		return "", "", err
	}
	if id == "" {
		return "", reqID, domain.Internal(nil, "aliyunecs: RunInstances returned no InstanceId")
	}
	return id, reqID, nil
}

// CheckCreate dry-runs RunInstances: the cloud checks the parameters,
// permissions, quota and stock and answers DryRunOperation when the call
// would be accepted (the SDK's RunInstancesRequest.DryRun comment).
func (c *Client) CheckCreate(ctx context.Context, spec ports.InstanceSpec) error {
	req, err := runRequest(c.region, spec)
	if err != nil {
		return err
	}
	req.DryRun = tea.Bool(true)
	_, _, err = do(ctx, c, "RunInstances", func(e *ecs.Client, rt *util.RuntimeOptions) (struct{}, *string, error) {
		resp, err := e.RunInstancesWithOptions(req, rt)
		if err != nil {
			return struct{}{}, nil, err
		}
		return struct{}{}, resp.Body.RequestId, nil
	})
	if CloudCode(err) == codeDryRunOK {
		return nil
	}
	if err == nil {
		return domain.Internal(nil, "aliyunecs: a dry-run RunInstances created something")
	}
	return err
}

// runRequest is the RunInstances request of spec: one pay-as-you-go
// instance, its disks released with it.
func runRequest(region string, spec ports.InstanceSpec) (*ecs.RunInstancesRequest, error) {
	req := &ecs.RunInstancesRequest{
		RegionId:                tea.String(region),
		Amount:                  tea.Int32(1),
		InstanceChargeType:      tea.String("PostPaid"),
		ZoneId:                  str(spec.Zone),
		InstanceType:            str(spec.InstanceType),
		ImageId:                 str(spec.Image),
		SecurityGroupId:         str(spec.SecurityGroup),
		VSwitchId:               str(spec.VSwitch),
		InternetChargeType:      str(spec.InternetChargeType),
		InternetMaxBandwidthOut: i32(spec.BandwidthOut),
		SpotStrategy:            str(spec.SpotStrategy),
		Password:                str(spec.Password),
		KeyPairName:             str(spec.KeyPair),
		InstanceName:            str(spec.Name),
	}
	if spec.SystemDisk != (ports.Disk{}) {
		req.SystemDisk = &ecs.RunInstancesRequestSystemDisk{Category: str(spec.SystemDisk.Category)}
		if spec.SystemDisk.Size > 0 {
			// RunInstances takes the system disk size as text (the SDK's type).
			req.SystemDisk.Size = tea.String(strconv.Itoa(spec.SystemDisk.Size))
		}
	}
	if spec.DataDisk != nil {
		req.DataDisk = []*ecs.RunInstancesRequestDataDisk{{
			Category:           str(spec.DataDisk.Category),
			Size:               i32(spec.DataDisk.Size),
			SnapshotId:         str(spec.DataDisk.Snapshot), // the world restored
			DeleteWithInstance: tea.Bool(true),
		}}
	}
	if spec.SpotStrategy != "" && spec.SpotStrategy != "NoSpot" {
		// Sent only for spot instances; SpotInterruptionBehavior defaults
		// to Terminate on Aliyun, which would release the disks.
		req.SpotDuration = tea.Int32(int32(spec.SpotDuration))
		req.SpotInterruptionBehavior = str(spec.SpotInterruption)
	}
	if spec.SpotPriceLimit != "" {
		// The decimal text becomes a float only here, at the SDK boundary.
		f, err := strconv.ParseFloat(spec.SpotPriceLimit, 32)
		if err != nil || f < 0 {
			return nil, domain.Invalid("spot_price_limit")
		}
		req.SpotPriceLimit = tea.Float32(float32(f))
	}
	for _, k := range sortedKeys(spec.Tags) {
		req.Tag = append(req.Tag, &ecs.RunInstancesRequestTag{Key: tea.String(k), Value: tea.String(spec.Tags[k])})
	}
	return req, nil
}

// DescribeInstance returns one instance, or domain.ErrCloudNotFound.
func (c *Client) DescribeInstance(ctx context.Context, id string) (ports.CloudInstance, error) {
	if id == "" {
		return ports.CloudInstance{}, domain.Invalid("instance_id")
	}
	ids, _ := json.Marshal([]string{id})
	req := &ecs.DescribeInstancesRequest{RegionId: tea.String(c.region), InstanceIds: tea.String(string(ids))}
	list, _, err := do(ctx, c, "DescribeInstances", func(e *ecs.Client, rt *util.RuntimeOptions) ([]*ecs.DescribeInstancesResponseBodyInstancesInstance, *string, error) {
		resp, err := e.DescribeInstancesWithOptions(req, rt)
		if err != nil {
			return nil, nil, err
		}
		return instancesOf(resp.Body), resp.Body.RequestId, nil
	})
	if err != nil {
		return ports.CloudInstance{}, err
	}
	for _, in := range list {
		if tea.StringValue(in.InstanceId) == id {
			return toCloudInstance(in), nil
		}
	}
	return ports.CloudInstance{}, domain.Wrap(domain.ErrCloudNotFound, &callError{Action: "DescribeInstances"})
}

// ListManaged returns every instance carrying all of tags, all pages.
func (c *Client) ListManaged(ctx context.Context, tags map[string]string) ([]ports.CloudInstance, error) {
	var reqTags []*ecs.DescribeInstancesRequestTag
	for _, k := range sortedKeys(tags) {
		reqTags = append(reqTags, &ecs.DescribeInstancesRequestTag{Key: tea.String(k), Value: tea.String(tags[k])})
	}
	out := []ports.CloudInstance{}
	seen := map[string]bool{}
	token := ""
	for page := 1; ; page++ {
		req := &ecs.DescribeInstancesRequest{
			RegionId:   tea.String(c.region),
			Tag:        reqTags,
			MaxResults: tea.Int32(pageSize),
			NextToken:  str(token),
		}
		type pageT struct {
			list []*ecs.DescribeInstancesResponseBodyInstancesInstance
			next string
		}
		p, _, err := do(ctx, c, "DescribeInstances", func(e *ecs.Client, rt *util.RuntimeOptions) (pageT, *string, error) {
			resp, err := e.DescribeInstancesWithOptions(req, rt)
			if err != nil {
				return pageT{}, nil, err
			}
			return pageT{instancesOf(resp.Body), tea.StringValue(resp.Body.NextToken)}, resp.Body.RequestId, nil
		})
		if err != nil {
			return nil, err
		}
		for _, in := range p.list {
			ci := toCloudInstance(in)
			if !hasAll(ci.Tags, tags) || seen[ci.ID] {
				continue
			}
			seen[ci.ID] = true
			out = append(out, ci)
		}
		if p.next == "" || p.next == token || len(p.list) == 0 {
			return out, nil
		}
		if page > 10000 {
			return nil, domain.Internal(nil, "aliyunecs: DescribeInstances paging does not end")
		}
		token = p.next
	}
}

func hasAll(have, want map[string]string) bool {
	for k, v := range want {
		if hv, ok := have[k]; !ok || hv != v {
			return false
		}
	}
	return true
}

func instancesOf(b *ecs.DescribeInstancesResponseBody) []*ecs.DescribeInstancesResponseBodyInstancesInstance {
	if b == nil || b.Instances == nil {
		return nil
	}
	return b.Instances.Instance
}

// creationLayouts are the CreationTime forms ECS uses.
var creationLayouts = []string{"2006-01-02T15:04Z", "2006-01-02T15:04:05Z", time.RFC3339}

func toCloudInstance(in *ecs.DescribeInstancesResponseBodyInstancesInstance) ports.CloudInstance {
	ci := ports.CloudInstance{
		ID:           tea.StringValue(in.InstanceId),
		Status:       domain.InstanceStatus(tea.StringValue(in.Status)),
		Zone:         tea.StringValue(in.ZoneId),
		InstanceType: tea.StringValue(in.InstanceType),
		Tags:         map[string]string{},
		StoppedMode:  ports.StopMode(tea.StringValue(in.StoppedMode)),
	}
	if in.PublicIpAddress != nil {
		for _, ip := range in.PublicIpAddress.IpAddress {
			if v := tea.StringValue(ip); v != "" {
				ci.PublicIP = v
				break
			}
		}
	}
	if ci.PublicIP == "" && in.EipAddress != nil {
		ci.PublicIP = tea.StringValue(in.EipAddress.IpAddress)
	}
	if in.Tags != nil {
		for _, t := range in.Tags.Tag {
			ci.Tags[tea.StringValue(t.TagKey)] = tea.StringValue(t.TagValue)
		}
	}
	for _, l := range creationLayouts {
		if t, err := time.Parse(l, tea.StringValue(in.CreationTime)); err == nil {
			ci.CreatedAt = t.UTC()
			break
		}
	}
	// A spot instance about to be reclaimed is locked "Recycling" (SDK
	// comment on OperationLocks LockReason; the docs write it lower-case).
	if in.OperationLocks != nil {
		for _, l := range in.OperationLocks.LockReason {
			if strings.EqualFold(tea.StringValue(l.LockReason), "recycling") {
				ci.Reclaiming = true
			}
		}
	}
	return ci
}

// AllocatePublicIP gives a Stopped or Running instance its public IP.
func (c *Client) AllocatePublicIP(ctx context.Context, id string) (string, string, error) {
	if id == "" {
		return "", "", domain.Invalid("instance_id")
	}
	req := &ecs.AllocatePublicIpAddressRequest{InstanceId: tea.String(id)}
	return do(ctx, c, "AllocatePublicIpAddress", func(e *ecs.Client, rt *util.RuntimeOptions) (string, *string, error) {
		resp, err := e.AllocatePublicIpAddressWithOptions(req, rt)
		if err != nil {
			return "", nil, err
		}
		return tea.StringValue(resp.Body.IpAddress), resp.Body.RequestId, nil
	})
}

// StartInstance starts a Stopped instance (Starting -> Running).
func (c *Client) StartInstance(ctx context.Context, id string) (string, error) {
	if id == "" {
		return "", domain.Invalid("instance_id")
	}
	req := &ecs.StartInstanceRequest{InstanceId: tea.String(id)}
	_, reqID, err := do(ctx, c, "StartInstance", func(e *ecs.Client, rt *util.RuntimeOptions) (struct{}, *string, error) {
		resp, err := e.StartInstanceWithOptions(req, rt)
		if err != nil {
			return struct{}{}, nil, err
		}
		return struct{}{}, resp.Body.RequestId, nil
	})
	return reqID, err
}

// StopInstance stops a Running instance (Stopping -> Stopped) in mode.
// The mode is always sent: without it Aliyun picks StopCharging only when
// economical mode is enabled in the console, else KeepCharging (SDK
// comment of StopInstanceRequest.StoppedMode), and a stop that silently
// keeps billing is what this parameter is for.
func (c *Client) StopInstance(ctx context.Context, id string, mode ports.StopMode) (string, error) {
	if id == "" {
		return "", domain.Invalid("instance_id")
	}
	if !mode.Valid() {
		return "", domain.Invalid("stopped_mode")
	}
	req := &ecs.StopInstanceRequest{InstanceId: tea.String(id), StoppedMode: tea.String(string(mode))}
	_, reqID, err := do(ctx, c, "StopInstance", func(e *ecs.Client, rt *util.RuntimeOptions) (struct{}, *string, error) {
		resp, err := e.StopInstanceWithOptions(req, rt)
		if err != nil {
			return struct{}{}, nil, err
		}
		return struct{}{}, resp.Body.RequestId, nil
	})
	return reqID, err
}

// DeleteInstance releases the instance with Force=true.
func (c *Client) DeleteInstance(ctx context.Context, id string) (string, error) {
	if id == "" {
		return "", domain.Invalid("instance_id")
	}
	req := &ecs.DeleteInstanceRequest{InstanceId: tea.String(id), Force: tea.Bool(true)}
	_, reqID, err := do(ctx, c, "DeleteInstance", func(e *ecs.Client, rt *util.RuntimeOptions) (struct{}, *string, error) {
		resp, err := e.DeleteInstanceWithOptions(req, rt)
		if err != nil {
			return struct{}{}, nil, err
		}
		return struct{}{}, resp.Body.RequestId, nil
	})
	return reqID, err
}

// Available reports whether instanceType has stock in zone.
func (c *Client) Available(ctx context.Context, zone, instanceType string) (bool, error) {
	if zone == "" || instanceType == "" {
		return false, domain.Invalid("zone", "instance_type")
	}
	req := &ecs.DescribeAvailableResourceRequest{
		RegionId:            tea.String(c.region),
		DestinationResource: tea.String("InstanceType"),
		ZoneId:              tea.String(zone),
		InstanceType:        tea.String(instanceType),
		InstanceChargeType:  tea.String("PostPaid"),
	}
	ok, _, err := do(ctx, c, "DescribeAvailableResource", func(e *ecs.Client, rt *util.RuntimeOptions) (bool, *string, error) {
		resp, err := e.DescribeAvailableResourceWithOptions(req, rt)
		if err != nil {
			return false, nil, err
		}
		return typeAvailable(resp.Body, zone, instanceType), resp.Body.RequestId, nil
	})
	return ok, err
}

func typeAvailable(b *ecs.DescribeAvailableResourceResponseBody, zone, instanceType string) bool {
	if b == nil || b.AvailableZones == nil {
		return false
	}
	for _, z := range b.AvailableZones.AvailableZone {
		if tea.StringValue(z.ZoneId) != zone || z.AvailableResources == nil {
			continue
		}
		for _, r := range z.AvailableResources.AvailableResource {
			if r.SupportedResources == nil {
				continue
			}
			for _, s := range r.SupportedResources.SupportedResource {
				if tea.StringValue(s.Value) == instanceType && tea.StringValue(s.Status) == "Available" {
					return true
				}
			}
		}
	}
	return false
}

// Price quotes the hourly trade price of spec as a decimal string.
func (c *Client) Price(ctx context.Context, spec ports.InstanceSpec) (ports.Price, error) {
	if spec.InstanceType == "" {
		return ports.Price{}, domain.Invalid("instance_type")
	}
	req := &ecs.DescribePriceRequest{
		RegionId:                tea.String(c.region),
		ResourceType:            tea.String("instance"),
		PriceUnit:               tea.String("Hour"),
		Period:                  tea.Int32(1),
		ZoneId:                  str(spec.Zone),
		InstanceType:            tea.String(spec.InstanceType),
		ImageId:                 str(spec.Image),
		InternetChargeType:      str(spec.InternetChargeType),
		InternetMaxBandwidthOut: i32(spec.BandwidthOut),
		SpotStrategy:            str(spec.SpotStrategy),
	}
	if spec.SystemDisk != (ports.Disk{}) {
		req.SystemDisk = &ecs.DescribePriceRequestSystemDisk{
			Category: str(spec.SystemDisk.Category),
			Size:     i32(spec.SystemDisk.Size),
		}
	}
	if spec.DataDisk != nil {
		req.DataDisk = []*ecs.DescribePriceRequestDataDisk{{
			Category: str(spec.DataDisk.Category),
			Size:     tea.Int64(int64(spec.DataDisk.Size)),
		}}
	}
	p, _, err := do(ctx, c, "DescribePrice", func(e *ecs.Client, rt *util.RuntimeOptions) (ports.Price, *string, error) {
		resp, err := e.DescribePriceWithOptions(req, rt)
		if err != nil {
			return ports.Price{}, nil, err
		}
		b := resp.Body
		if b.PriceInfo == nil || b.PriceInfo.Price == nil || b.PriceInfo.Price.TradePrice == nil {
			return ports.Price{}, b.RequestId, domain.Internal(nil, "aliyunecs: DescribePrice returned no TradePrice")
		}
		return priceOf(b.PriceInfo.Price), b.RequestId, nil
	})
	return p, err
}

// formatPrice renders the SDK's float32 price as the shortest decimal that
// reads back as the same float32: 0.452 stays "0.452" (formatting it as a
// float64 would give "0.45199999213218689").
func formatPrice(v float32) string {
	return strconv.FormatFloat(float64(v), 'f', -1, 32)
}

// AgentReady reports whether the Cloud Assistant agent of id is online.
func (c *Client) AgentReady(ctx context.Context, id string) (bool, error) {
	if id == "" {
		return false, domain.Invalid("instance_id")
	}
	req := &ecs.DescribeCloudAssistantStatusRequest{
		RegionId:   tea.String(c.region),
		InstanceId: []*string{tea.String(id)},
	}
	type st struct {
		found, ready bool
	}
	s, _, err := do(ctx, c, "DescribeCloudAssistantStatus", func(e *ecs.Client, rt *util.RuntimeOptions) (st, *string, error) {
		resp, err := e.DescribeCloudAssistantStatusWithOptions(req, rt)
		if err != nil {
			return st{}, nil, err
		}
		var out st
		if set := resp.Body.InstanceCloudAssistantStatusSet; set != nil {
			for _, x := range set.InstanceCloudAssistantStatus {
				if tea.StringValue(x.InstanceId) == id {
					out.found = true
					out.ready = tea.StringValue(x.CloudAssistantStatus) == "true"
				}
			}
		}
		return out, resp.Body.RequestId, nil
	})
	if err != nil {
		return false, err
	}
	if !s.found {
		return false, domain.Wrap(domain.ErrCloudNotFound, &callError{Action: "DescribeCloudAssistantStatus"})
	}
	return s.ready, nil
}

// RunCommand runs script (a shell script) on id through Cloud Assistant.
func (c *Client) RunCommand(ctx context.Context, id, script, clientToken string) (string, string, error) {
	if id == "" {
		return "", "", domain.Invalid("instance_id")
	}
	if script == "" {
		return "", "", domain.Invalid("script")
	}
	req := &ecs.RunCommandRequest{
		RegionId:        tea.String(c.region),
		Type:            tea.String("RunShellScript"),
		CommandContent:  tea.String(base64.StdEncoding.EncodeToString([]byte(script))),
		ContentEncoding: tea.String("Base64"),
		InstanceId:      []*string{tea.String(id)},
		Timeout:         tea.Int64(commandTimeout),
		ClientToken:     str(clientToken),
	}
	return do(ctx, c, "RunCommand", func(e *ecs.Client, rt *util.RuntimeOptions) (string, *string, error) {
		resp, err := e.RunCommandWithOptions(req, rt)
		if err != nil {
			return "", nil, err
		}
		return tea.StringValue(resp.Body.InvokeId), resp.Body.RequestId, nil
	})
}

// Invocation returns the state of a Cloud Assistant run, output decoded.
func (c *Client) Invocation(ctx context.Context, invokeID string) (ports.Invocation, error) {
	if invokeID == "" {
		return ports.Invocation{}, domain.Invalid("invoke_id")
	}
	req := &ecs.DescribeInvocationResultsRequest{
		RegionId:        tea.String(c.region),
		InvokeId:        tea.String(invokeID),
		ContentEncoding: tea.String("Base64"),
	}
	rows, _, err := do(ctx, c, "DescribeInvocationResults", func(e *ecs.Client, rt *util.RuntimeOptions) ([]*ecs.DescribeInvocationResultsResponseBodyInvocationInvocationResultsInvocationResult, *string, error) {
		resp, err := e.DescribeInvocationResultsWithOptions(req, rt)
		if err != nil {
			return nil, nil, err
		}
		b := resp.Body
		if b.Invocation == nil || b.Invocation.InvocationResults == nil {
			return nil, b.RequestId, nil
		}
		return b.Invocation.InvocationResults.InvocationResult, b.RequestId, nil
	})
	if err != nil {
		return ports.Invocation{}, err
	}
	for _, r := range rows {
		if tea.StringValue(r.InvokeId) != invokeID {
			continue
		}
		out, derr := base64.StdEncoding.DecodeString(tea.StringValue(r.Output))
		if derr != nil {
			return ports.Invocation{}, domain.Internal(derr, "aliyunecs: invocation output is not base64")
		}
		status := tea.StringValue(r.InvocationStatus)
		if status == "" {
			status = tea.StringValue(r.InvokeRecordStatus)
		}
		return ports.Invocation{
			ID:       invokeID,
			Status:   status,
			Output:   string(out),
			Error:    tea.StringValue(r.ErrorInfo),
			ExitCode: int(tea.Int64Value(r.ExitCode)),
		}, nil
	}
	return ports.Invocation{}, domain.Wrap(domain.ErrCloudNotFound, &callError{Action: "DescribeInvocationResults"})
}
