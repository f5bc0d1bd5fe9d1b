package aliyunecs

import (
	"context"
	"encoding/json"

	ecs "github.com/alibabacloud-go/ecs-20140526/v4/client"
	util "github.com/alibabacloud-go/tea-utils/v2/service"
	"github.com/alibabacloud-go/tea/tea"
	vpc "github.com/alibabacloud-go/vpc-20160428/v6/client"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

var _ ports.Network = (*Client)(nil)

// vswitchPageSize is DescribeVSwitches' maximum PageSize.
const vswitchPageSize = 50

// VSwitches lists the vSwitches of vpcID with the VPC API's
// DescribeVSwitches (github.com/alibabacloud-go/vpc-20160428/v6), through
// the same retry and error mapping as every ECS call.
func (c *Client) VSwitches(ctx context.Context, vpcID string) ([]ports.VSwitch, error) {
	if vpcID == "" {
		return nil, domain.Invalid("vpc")
	}
	var out []ports.VSwitch
	for page := int32(1); page < 1000; page++ {
		req := &vpc.DescribeVSwitchesRequest{RegionId: tea.String(c.region), VpcId: tea.String(vpcID),
			PageNumber: tea.Int32(page), PageSize: tea.Int32(vswitchPageSize)}
		type pageT struct {
			list  []ports.VSwitch
			total int
		}
		p, _, err := call(ctx, &c.vpc, "DescribeVSwitches", func(e *vpc.Client, rt *util.RuntimeOptions) (pageT, *string, error) {
			resp, err := e.DescribeVSwitchesWithOptions(req, rt)
			if err != nil {
				return pageT{}, nil, err
			}
			b := resp.Body
			var p pageT
			p.total = int(tea.Int32Value(b.TotalCount))
			if b.VSwitches != nil {
				for _, v := range b.VSwitches.VSwitch {
					p.list = append(p.list, ports.VSwitch{ID: tea.StringValue(v.VSwitchId), VPC: tea.StringValue(v.VpcId),
						Zone: tea.StringValue(v.ZoneId), Status: tea.StringValue(v.Status)})
				}
			}
			return p, b.RequestId, nil
		})
		if err != nil {
			return nil, err
		}
		out = append(out, p.list...)
		if len(p.list) == 0 || len(out) >= p.total {
			return out, nil
		}
	}
	return nil, domain.Internal(nil, "aliyunecs: DescribeVSwitches paging does not end")
}

// SecurityGroup returns a security group and its VPC, or
// domain.ErrCloudNotFound.
func (c *Client) SecurityGroup(ctx context.Context, id string) (ports.SecurityGroup, error) {
	if id == "" {
		return ports.SecurityGroup{}, domain.Invalid("security_group")
	}
	ids, _ := json.Marshal([]string{id})
	req := &ecs.DescribeSecurityGroupsRequest{RegionId: tea.String(c.region), SecurityGroupIds: tea.String(string(ids))}
	list, _, err := do(ctx, c, "DescribeSecurityGroups", func(e *ecs.Client, rt *util.RuntimeOptions) ([]ports.SecurityGroup, *string, error) {
		resp, err := e.DescribeSecurityGroupsWithOptions(req, rt)
		if err != nil {
			return nil, nil, err
		}
		var out []ports.SecurityGroup
		if b := resp.Body; b.SecurityGroups != nil {
			for _, g := range b.SecurityGroups.SecurityGroup {
				out = append(out, ports.SecurityGroup{ID: tea.StringValue(g.SecurityGroupId), VPC: tea.StringValue(g.VpcId)})
			}
		}
		return out, resp.Body.RequestId, nil
	})
	if err != nil {
		return ports.SecurityGroup{}, err
	}
	for _, g := range list {
		if g.ID == id {
			return g, nil
		}
	}
	return ports.SecurityGroup{}, domain.Wrap(domain.ErrCloudNotFound, &callError{Action: "DescribeSecurityGroups"})
}

// Image returns an image, or domain.ErrCloudNotFound.
func (c *Client) Image(ctx context.Context, id string) (ports.Image, error) {
	if id == "" {
		return ports.Image{}, domain.Invalid("image")
	}
	req := &ecs.DescribeImagesRequest{RegionId: tea.String(c.region), ImageId: tea.String(id)}
	list, _, err := do(ctx, c, "DescribeImages", func(e *ecs.Client, rt *util.RuntimeOptions) ([]ports.Image, *string, error) {
		resp, err := e.DescribeImagesWithOptions(req, rt)
		if err != nil {
			return nil, nil, err
		}
		var out []ports.Image
		if b := resp.Body; b.Images != nil {
			for _, im := range b.Images.Image {
				out = append(out, ports.Image{ID: tea.StringValue(im.ImageId), Status: tea.StringValue(im.Status)})
			}
		}
		return out, resp.Body.RequestId, nil
	})
	if err != nil {
		return ports.Image{}, err
	}
	for _, im := range list {
		if im.ID == id {
			return im, nil
		}
	}
	return ports.Image{}, domain.Wrap(domain.ErrCloudNotFound, &callError{Action: "DescribeImages"})
}
