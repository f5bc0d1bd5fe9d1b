package ecssim

import (
	"hash/fnv"
	"math"
	"net/http"
)

// basePrice is the hourly pay-as-you-go price (CNY) of typ in zone: the
// configured one, or a deterministic value derived from the type name.
func (s *Simulator) basePrice(zone, typ string) float64 {
	if p, ok := s.prices[Offer{zone, typ}]; ok {
		return p
	}
	if p, ok := s.prices[Offer{"", typ}]; ok {
		return p
	}
	h := fnv.New32a()
	h.Write([]byte(typ))
	return 0.2 + float64(h.Sum32()%380)/100 // 0.20 .. 3.99
}

// price applies the spot discount: spot instances cost a fifth, as a
// typical spot market price does.
func (s *Simulator) price(zone, typ, spot string) float64 {
	p := s.basePrice(zone, typ)
	if spot == "SpotAsPriceGo" || spot == "SpotWithPriceLimit" {
		p /= 5
	}
	return math.Round(p*10000) / 10000
}

func (s *Simulator) firstZoneWithStock(typ string) string {
	for _, z := range s.opts.Zones {
		if !s.soldOut[Offer{z, typ}] {
			return z
		}
	}
	return ""
}

// SetStock marks typ in zone available or sold out.
func (s *Simulator) SetStock(zone, typ string, available bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if available {
		delete(s.soldOut, Offer{zone, typ})
	} else {
		s.soldOut[Offer{zone, typ}] = true
	}
}

// SetPrice sets the hourly price (CNY) of typ in zone ("" = every zone).
func (s *Simulator) SetPrice(zone, typ string, price float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prices[Offer{zone, typ}] = price
}

func stockStatus(sold bool) (status, category string) {
	if sold {
		return "SoldOut", "WithoutStock"
	}
	return "Available", "WithStock"
}

// DescribeAvailableResource for DestinationResource Zone or InstanceType.
func actDescribeAvailableResource(s *Simulator, c *call) (map[string]any, error) {
	dest, err := c.required("DestinationResource")
	if err != nil {
		return nil, err
	}
	if dest != "Zone" && dest != "InstanceType" {
		return nil, errInvalid("DestinationResource", dest)
	}
	zones := s.opts.Zones
	if z := c.str("ZoneId"); z != "" {
		if !contains(zones, z) {
			return map[string]any{"AvailableZones": map[string]any{"AvailableZone": []any{}}}, nil
		}
		zones = []string{z}
	}
	types := s.opts.InstanceTypes
	if t := c.str("InstanceType"); t != "" {
		types = []string{t}
	}
	out := []any{}
	for _, z := range zones {
		var supported []any
		anyStock := false
		for _, t := range types {
			st, cat := stockStatus(s.soldOut[Offer{z, t}])
			anyStock = anyStock || st == "Available"
			supported = append(supported, map[string]any{"Value": t, "Status": st, "StatusCategory": cat})
		}
		zst, zcat := stockStatus(!anyStock)
		res := map[string]any{"Type": "InstanceType", "SupportedResources": map[string]any{"SupportedResource": supported}}
		if dest == "Zone" {
			res = map[string]any{"Type": "Zone", "SupportedResources": map[string]any{"SupportedResource": []any{
				map[string]any{"Value": z, "Status": zst, "StatusCategory": zcat},
			}}}
		}
		out = append(out, map[string]any{
			"ZoneId": z, "RegionId": s.opts.RegionID, "Status": zst, "StatusCategory": zcat,
			"AvailableResources": map[string]any{"AvailableResource": []any{res}},
		})
	}
	return map[string]any{"AvailableZones": map[string]any{"AvailableZone": out}}, nil
}

// DescribePrice of an instance, split by resource as the SDK documents
// DetailInfo.Resource (InstanceType, SystemDisk, DataDisk, bandwidth): the
// instance type (a spot one at the market price now), the disks by
// category and size, and fixed bandwidth when paying by bandwidth. Traffic
// has no hourly price (it is billed per GB); the total is the sum.
func actDescribePrice(s *Simulator, c *call) (map[string]any, error) {
	if rt := orDefault(c.str("ResourceType"), "instance"); rt != "instance" {
		return nil, newErr(http.StatusBadRequest, "InvalidResourceType.NotSupported",
			"The simulator only prices ResourceType=instance, not %q.", rt)
	}
	typ, err := c.required("InstanceType")
	if err != nil {
		return nil, err
	}
	var hours int64 = 1
	switch unit := orDefault(c.str("PriceUnit"), "Hour"); unit {
	case "Hour":
	case "Week":
		hours = 24 * 7
	case "Month":
		hours = 24 * 30
	case "Year":
		hours = 24 * 365
	default:
		return nil, errInvalid("PriceUnit", unit)
	}
	disks, err := s.disksOf(c)
	if err != nil {
		return nil, err
	}
	bw, err := c.integer("InternetMaxBandwidthOut", 0)
	if err != nil {
		return nil, err
	}
	zone, spot := c.str("ZoneId"), c.str("SpotStrategy")
	inst := toMicro(s.price(zone, typ, spot))
	if isSpotMarket(spot) {
		inst = s.spotAt(Offer{zone, typ}, c.now)
	}
	parts := []struct {
		resource string
		micro    int64
	}{{"InstanceType", inst}, {"SystemDisk", diskRate(disks[:1])}}
	if len(disks) > 1 {
		parts = append(parts, struct {
			resource string
			micro    int64
		}{"DataDisk", diskRate(disks[1:])})
	}
	if ct := c.str("InternetChargeType"); ct == "PayByBandwidth" && bw > 0 {
		parts = append(parts, struct {
			resource string
			micro    int64
		}{"bandwidth", bandwidthMicroPerMbpsHour * int64(bw)})
	}
	var total int64
	details := []any{}
	for _, p := range parts {
		m := p.micro * hours
		total += m
		details = append(details, map[string]any{"Resource": p.resource, "OriginalPrice": json4(m), "DiscountPrice": 0, "TradePrice": json4(m)})
	}
	return map[string]any{"PriceInfo": map[string]any{
		"Price": map[string]any{
			"OriginalPrice": json4(total), "DiscountPrice": 0, "TradePrice": json4(total), "Currency": "CNY",
			"DetailInfos": map[string]any{"DetailInfo": details},
		},
		"Rules": map[string]any{"Rule": []any{}},
	}}, nil
}
