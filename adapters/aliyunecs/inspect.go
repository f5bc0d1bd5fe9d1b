package aliyunecs

import (
	"context"

	ecs "github.com/alibabacloud-go/ecs-20140526/v4/client"
	util "github.com/alibabacloud-go/tea-utils/v2/service"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/seatidemc/seatide/ports"
)

// The preflight check's region lookup (the rest is ports.Network).
var _ ports.Regions = (*Client)(nil)

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
