package ecssim

// instanceJSON renders an instance as DescribeInstances returns it.
func (s *Simulator) instanceJSON(in *instance) map[string]any {
	ips := []string{}
	if in.publicIP != "" {
		ips = append(ips, in.publicIP)
	}
	tags := []any{}
	for _, t := range in.tags {
		tags = append(tags, map[string]any{"TagKey": t.Key, "TagValue": t.Value})
	}
	start := ""
	if !in.runningSince.IsZero() {
		start = in.runningSince.Format(timeFormat)
	}
	return map[string]any{
		"InstanceId":              in.id,
		"InstanceName":            in.name,
		"Description":             in.description,
		"HostName":                in.hostName,
		"RegionId":                s.opts.RegionID,
		"ZoneId":                  in.zone,
		"InstanceType":            in.instanceType,
		"ImageId":                 in.imageID,
		"Status":                  in.status,
		"InstanceChargeType":      in.chargeType,
		"InternetChargeType":      in.internetChargeType,
		"InternetMaxBandwidthOut": in.bandwidthOut,
		"InternetMaxBandwidthIn":  200,
		"SpotStrategy":            in.spotStrategy,
		"StoppedMode":             in.stoppedMode,
		"CreationTime":            in.created.Format(timeFormat),
		"StartTime":               start,
		"InstanceNetworkType":     "vpc",
		"OSType":                  "linux",
		"PublicIpAddress":         map[string]any{"IpAddress": ips},
		"InnerIpAddress":          map[string]any{"IpAddress": []string{}},
		"EipAddress":              map[string]any{"IpAddress": "", "AllocationId": "", "InternetChargeType": ""},
		"Tags":                    map[string]any{"Tag": tags},
		"OperationLocks":          map[string]any{"LockReason": operationLocks(in)},
	}
}

func hasTags(in *instance, want []Tag) bool {
	for _, w := range want {
		found := false
		for _, t := range in.tags {
			if t.Key == w.Key && (w.Value == "" || t.Value == w.Value) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// matching returns the instances (creation order) that pass the common
// filters, each brought up to date.
func (s *Simulator) matching(c *call, ids []string, idsSet bool) []*instance {
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	tags := c.tags("Tag")
	var out []*instance
	for _, id := range s.order {
		in := s.instances[id]
		s.advance(in, c.now)
		switch {
		case c.now.Before(in.visibleAt): // just created: not listed yet
		case idsSet && !want[id]:
		case c.str("ZoneId") != "" && c.str("ZoneId") != in.zone:
		case c.str("Status") != "" && c.str("Status") != in.status:
		case c.str("InstanceType") != "" && c.str("InstanceType") != in.instanceType:
		case c.str("InstanceName") != "" && c.str("InstanceName") != in.name:
		case !hasTags(in, tags):
		default:
			out = append(out, in)
		}
	}
	return out
}

// DescribeInstances: InstanceIds (JSON list), ZoneId, Status, InstanceType,
// InstanceName and Tag.N filters; PageNumber/PageSize or MaxResults/NextToken.
func actDescribeInstances(s *Simulator, c *call) (map[string]any, error) {
	ids, set, err := c.jsonList("InstanceIds")
	if err != nil {
		return nil, err
	}
	if len(ids) > 100 {
		return nil, errInvalid("InstanceIds", c.str("InstanceIds"))
	}
	all := s.matching(c, ids, set)
	lo, hi, resp, err := c.page(len(all), 10, 100)
	if err != nil {
		return nil, err
	}
	list := []any{}
	for _, in := range all[lo:hi] {
		list = append(list, s.instanceJSON(in))
	}
	resp["Instances"] = map[string]any{"Instance": list}
	return resp, nil
}

// DescribeInstanceStatus: InstanceId.N, ZoneId, paging.
func actDescribeInstanceStatus(s *Simulator, c *call) (map[string]any, error) {
	ids := c.list("InstanceId")
	all := s.matching(c, ids, len(ids) > 0)
	lo, hi, resp, err := c.page(len(all), 10, 50)
	if err != nil {
		return nil, err
	}
	list := []any{}
	for _, in := range all[lo:hi] {
		list = append(list, map[string]any{"InstanceId": in.id, "Status": in.status})
	}
	resp["InstanceStatuses"] = map[string]any{"InstanceStatus": list}
	return resp, nil
}

// TagResources adds or overwrites tags on instances.
func actTagResources(s *Simulator, c *call) (map[string]any, error) {
	if rt := c.str("ResourceType"); rt != "instance" {
		return nil, errInvalid("ResourceType", rt)
	}
	ids := c.list("ResourceId")
	tags := c.tags("Tag")
	if len(ids) == 0 {
		return nil, errMissing("ResourceId.N")
	}
	if len(tags) == 0 {
		return nil, errMissing("Tag.N")
	}
	for _, id := range ids {
		if _, err := s.lookup(id, c.now); err != nil {
			return nil, err
		}
	}
	for _, id := range ids {
		in := s.instances[id]
	next:
		for _, t := range tags {
			for i := range in.tags {
				if in.tags[i].Key == t.Key {
					in.tags[i].Value = t.Value
					continue next
				}
			}
			in.tags = append(in.tags, t)
		}
	}
	return map[string]any{}, nil
}

// ListTagResources lists the tags of the given instances, or of every
// instance carrying the Tag.N filters.
func actListTagResources(s *Simulator, c *call) (map[string]any, error) {
	if rt := c.str("ResourceType"); rt != "instance" {
		return nil, errInvalid("ResourceType", rt)
	}
	ids := c.list("ResourceId")
	list := []any{}
	for _, in := range s.matching(c, ids, len(ids) > 0) {
		for _, t := range in.tags {
			list = append(list, map[string]any{"ResourceId": in.id, "ResourceType": "instance", "TagKey": t.Key, "TagValue": t.Value})
		}
	}
	return map[string]any{"NextToken": "", "TagResources": map[string]any{"TagResource": list}}, nil
}
