package aliyunecs

import (
	"context"
	"encoding/json"

	ecs "github.com/alibabacloud-go/ecs-20140526/v4/client"
	util "github.com/alibabacloud-go/tea-utils/v2/service"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// The preflight check's lookups (ports.Inspector), each one ECS call.
var _ ports.Inspector = (*Client)(nil)

// Regions lists the account's regions (DescribeRegions: every region the
// account can create pay-as-you-go instances in).
func (c *Client) Regions(ctx context.Context) ([]string, error) {
	req := &ecs.DescribeRegionsRequest{InstanceChargeType: tea.String("PostPaid")}
	out, _, err := do(ctx, c, "DescribeRegions", func(e *ecs.Client, rt *util.RuntimeOptions) ([]string, *string, error) {
		resp, err := e.DescribeRegionsWithOptions(req, rt)
		if err != nil {
			return nil, nil, err
		}
		var ids []string
		if r := resp.Body.Regions; r != nil {
			for _, x := range r.Region {
				if x != nil {
					ids = append(ids, tea.StringValue(x.RegionId))
				}
			}
		}
		return ids, resp.Body.RequestId, nil
	})
	return out, err
}

// ImageExists asks DescribeImages for the id in the region; Status covers
// every state but deprecated images are still usable, so all are asked for.
func (c *Client) ImageExists(ctx context.Context, id string) (bool, error) {
	if id == "" {
		return false, domain.Invalid("image")
	}
	req := &ecs.DescribeImagesRequest{RegionId: tea.String(c.region), ImageId: tea.String(id),
		Status: tea.String("Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated"), ShowExpired: tea.Bool(true)}
	n, _, err := do(ctx, c, "DescribeImages", func(e *ecs.Client, rt *util.RuntimeOptions) (int, *string, error) {
		resp, err := e.DescribeImagesWithOptions(req, rt)
		if err != nil {
			return 0, nil, err
		}
		return int(tea.Int32Value(resp.Body.TotalCount)), resp.Body.RequestId, nil
	})
	return n > 0, err
}

// SecurityGroupVPC returns the VPC of a security group (DescribeSecurityGroups
// with SecurityGroupIds, a JSON array as the API reference asks).
func (c *Client) SecurityGroupVPC(ctx context.Context, id string) (string, error) {
	if id == "" {
		return "", domain.Invalid("security_group")
	}
	ids, _ := json.Marshal([]string{id})
	req := &ecs.DescribeSecurityGroupsRequest{RegionId: tea.String(c.region), SecurityGroupIds: tea.String(string(ids))}
	vpc, _, err := do(ctx, c, "DescribeSecurityGroups", func(e *ecs.Client, rt *util.RuntimeOptions) (*string, *string, error) {
		resp, err := e.DescribeSecurityGroupsWithOptions(req, rt)
		if err != nil {
			return nil, nil, err
		}
		if g := resp.Body.SecurityGroups; g != nil {
			for _, x := range g.SecurityGroup {
				if x != nil && tea.StringValue(x.SecurityGroupId) == id {
					return tea.String(tea.StringValue(x.VpcId)), resp.Body.RequestId, nil
				}
			}
		}
		return nil, resp.Body.RequestId, nil
	})
	if err != nil {
		return "", err
	}
	if vpc == nil {
		return "", domain.Wrap(domain.ErrCloudNotFound, &callError{Product: c.product, Action: "DescribeSecurityGroups"})
	}
	return *vpc, nil
}

// VSwitch returns a vSwitch's VPC and zone (ECS's DescribeVSwitches).
func (c *Client) VSwitch(ctx context.Context, id string) (string, string, error) {
	if id == "" {
		return "", "", domain.Invalid("vswitch")
	}
	req := &ecs.DescribeVSwitchesRequest{RegionId: tea.String(c.region), VSwitchId: tea.String(id)}
	v, _, err := do(ctx, c, "DescribeVSwitches", func(e *ecs.Client, rt *util.RuntimeOptions) ([2]string, *string, error) {
		resp, err := e.DescribeVSwitchesWithOptions(req, rt)
		if err != nil {
			return [2]string{}, nil, err
		}
		if s := resp.Body.VSwitches; s != nil {
			for _, x := range s.VSwitch {
				if x != nil && tea.StringValue(x.VSwitchId) == id {
					return [2]string{tea.StringValue(x.VpcId), tea.StringValue(x.ZoneId)}, resp.Body.RequestId, nil
				}
			}
		}
		return [2]string{}, resp.Body.RequestId, nil
	})
	if err != nil {
		return "", "", err
	}
	if v[0] == "" {
		return "", "", domain.Wrap(domain.ErrCloudNotFound, &callError{Product: c.product, Action: "DescribeVSwitches"})
	}
	return v[0], v[1], nil
}
