package ecssim

// DescribeRegions: the one region the simulator serves (a real account
// sees every region open to it; an unknown ecs.region is then named by
// `seatide check`). The response shape is the SDK's
// DescribeRegionsResponseBody: Regions.Region[].RegionId, LocalName,
// RegionEndpoint, Status.
func actDescribeRegions(s *Simulator, c *call) (map[string]any, error) {
	return map[string]any{"Regions": map[string]any{"Region": []any{map[string]any{
		"RegionId": s.opts.RegionID, "LocalName": s.opts.RegionID, "Status": "available",
		"RegionEndpoint": "ecs." + s.opts.RegionID + ".aliyuncs.com",
	}}}}, nil
}
