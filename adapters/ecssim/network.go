package ecssim

import (
	"net/http"
	"slices"
	"strings"
	"unicode"
)

// Network is the simulated account's VPCs: vSwitches (each in one zone),
// security groups (each in one VPC) and the images it may boot. Creates
// are checked against it as RunInstances/CreateInstance check them.
type Network struct {
	VSwitches      []VSwitch       `json:"VSwitches"`
	SecurityGroups []SecurityGroup `json:"SecurityGroups"`
	Images         []string        `json:"Images"`
}

// VSwitch is one vSwitch: it lives in one zone of one VPC.
type VSwitch struct {
	VSwitchId string `json:"VSwitchId"`
	VpcId     string `json:"VpcId"`
	ZoneId    string `json:"ZoneId"`
}

// SecurityGroup is one VPC security group.
type SecurityGroup struct {
	SecurityGroupId string `json:"SecurityGroupId"`
	VpcId           string `json:"VpcId"`
}

// The default simulated network: one VPC with a vSwitch in every zone and
// a security group, plus a security group of another VPC, so that a
// mismatch can be tried.
const (
	DefaultVPC           = "vpc-simulated"
	DefaultSecurityGroup = "sg-simulated"
	OtherVPC             = "vpc-simulated-other"
	OtherSecurityGroup   = "sg-simulated-other-vpc"
	DefaultImage         = "ubuntu_22_04_x64_20G_alibase_20240101.vhd"
)

// DefaultVSwitch names the default network's vSwitch in zone.
func DefaultVSwitch(zone string) string { return "vsw-simulated-" + zone }

// DefaultNetwork is the network of zones when Options.Network is nil.
func DefaultNetwork(zones []string) *Network {
	n := &Network{
		SecurityGroups: []SecurityGroup{{DefaultSecurityGroup, DefaultVPC}, {OtherSecurityGroup, OtherVPC}},
		Images:         []string{DefaultImage, "aliyun_3_x64_20G_alibase_20240819.vhd", "debian_12_x64_20G_alibase_20240101.vhd"},
	}
	for _, z := range zones {
		n.VSwitches = append(n.VSwitches, VSwitch{DefaultVSwitch(z), DefaultVPC, z})
	}
	return n
}

func (n *Network) clone() *Network {
	return &Network{VSwitches: slices.Clone(n.VSwitches), SecurityGroups: slices.Clone(n.SecurityGroups), Images: slices.Clone(n.Images)}
}

// VSwitch finds a vSwitch by id.
func (n *Network) VSwitch(id string) (VSwitch, bool) {
	i := slices.IndexFunc(n.VSwitches, func(v VSwitch) bool { return v.VSwitchId == id })
	if i < 0 {
		return VSwitch{}, false
	}
	return n.VSwitches[i], true
}

// SecurityGroup finds a security group by id.
func (n *Network) SecurityGroup(id string) (SecurityGroup, bool) {
	i := slices.IndexFunc(n.SecurityGroups, func(g SecurityGroup) bool { return g.SecurityGroupId == id })
	if i < 0 {
		return SecurityGroup{}, false
	}
	return n.SecurityGroups[i], true
}

// placement checks a create's image, security group, vSwitch and zone and
// returns the zone the instance goes to. Sources, the SDK's
// RunInstancesRequest comments (the API reference's parameter table):
//   - ImageId: required unless a launch template or ImageFamily gives it
//     (neither is used here); an unknown one is 404 InvalidImageId.NotFound
//     (ECS error code list);
//   - SecurityGroupId: required without a launch template; unknown: 404
//     InvalidSecurityGroupId.NotFound (ECS error code list);
//   - VSwitchId: required for a VPC instance, and a VPC security group
//     makes it one; unknown: 404 InvalidVSwitchId.NotFound; "the specified
//     vSwitch and security group must belong to the same VPC"; "the zone
//     specified by ZoneId must be the zone where the specified vSwitch is
//     located", an empty ZoneId taking the vSwitch's. Both mismatches
//     answer InvalidParameter.Mismatch, the code a real account gave for a
//     vSwitch of another zone (issue 15); the same code for a security
//     group of another VPC is not verified.
func (s *Simulator) placement(c *call) (zone string, err error) {
	img, err := c.required("ImageId")
	if err != nil {
		return "", err
	}
	if !slices.Contains(s.network.Images, img) {
		return "", newErr(http.StatusNotFound, "InvalidImageId.NotFound", "The specified ImageId does not exist. (%s)", img)
	}
	sgID, err := c.required("SecurityGroupId")
	if err != nil {
		return "", err
	}
	sg, ok := s.network.SecurityGroup(sgID)
	if !ok {
		return "", newErr(http.StatusNotFound, "InvalidSecurityGroupId.NotFound", "The specified SecurityGroupId does not exist. (%s)", sgID)
	}
	vswID, err := c.required("VSwitchId")
	if err != nil {
		return "", err
	}
	vsw, ok := s.network.VSwitch(vswID)
	if !ok {
		return "", newErr(http.StatusNotFound, "InvalidVSwitchId.NotFound", "The specified VSwitchId does not exist. (%s)", vswID)
	}
	if vsw.VpcId != sg.VpcId {
		return "", newErr(http.StatusBadRequest, "InvalidParameter.Mismatch",
			"Specified security group %s (VPC %s) and vSwitch %s (VPC %s) are not in the same VPC.", sgID, sg.VpcId, vswID, vsw.VpcId)
	}
	zone = c.str("ZoneId")
	if zone != "" && zone != vsw.ZoneId {
		return "", newErr(http.StatusBadRequest, "InvalidParameter.Mismatch",
			"Specified vSwitch %s is in zone %s, not in the specified zone %s.", vswID, vsw.ZoneId, zone)
	}
	return vsw.ZoneId, nil
}

// passwordSpecials are the special characters the Password parameter
// allows (the SDK's RunInstancesRequest.Password comment).
const passwordSpecials = "()`~!@#$%^&*-_+=|{}[]:;'<>,.?/\\\""

// checkPassword applies the Password rule of RunInstances/CreateInstance:
// 8 to 30 characters, at least three of upper case, lower case, digits
// and specials, specials from the list only (the SDK's
// RunInstancesRequest.Password comment). A bad one is 400
// InvalidPassword.Malformed (ECS error code list).
func checkPassword(p string) error {
	if p == "" {
		return nil
	}
	bad := newErr(http.StatusBadRequest, "InvalidPassword.Malformed", "The specified parameter Password is not valid.")
	if len(p) < 8 || len(p) > 30 {
		return bad
	}
	var upper, lower, digit, special bool
	for _, r := range p {
		switch {
		case r > unicode.MaxASCII:
			return bad
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		case strings.ContainsRune(passwordSpecials, r):
			special = true
		default:
			return bad
		}
	}
	classes := 0
	for _, b := range []bool{upper, lower, digit, special} {
		if b {
			classes++
		}
	}
	if classes < 3 {
		return bad
	}
	return nil
}

// NetworkView is GET /_sim/network.
func (s *Simulator) NetworkView() Network {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.network.clone()
}

// DescribeSecurityGroups (ECS): by SecurityGroupId, SecurityGroupIds (a
// JSON list) or VpcId.
func actDescribeSecurityGroups(s *Simulator, c *call) (map[string]any, error) {
	ids, idsSet, err := c.jsonList("SecurityGroupIds")
	if err != nil {
		return nil, err
	}
	if one := c.str("SecurityGroupId"); one != "" {
		ids, idsSet = append(ids, one), true
	}
	vpc := c.str("VpcId")
	out := []any{}
	for _, g := range s.network.SecurityGroups {
		if (idsSet && !slices.Contains(ids, g.SecurityGroupId)) || (vpc != "" && g.VpcId != vpc) {
			continue
		}
		out = append(out, map[string]any{"SecurityGroupId": g.SecurityGroupId, "VpcId": g.VpcId,
			"SecurityGroupName": g.SecurityGroupId, "SecurityGroupType": "normal"})
	}
	return map[string]any{"SecurityGroups": map[string]any{"SecurityGroup": out}, "TotalCount": len(out),
		"PageNumber": 1, "PageSize": max(len(out), 10), "RegionId": s.opts.RegionID}, nil
}

// DescribeImages (ECS): by ImageId (comma-separated, as the API takes it).
func actDescribeImages(s *Simulator, c *call) (map[string]any, error) {
	var want []string
	if v := c.str("ImageId"); v != "" {
		want = strings.Split(v, ",")
	}
	out := []any{}
	for _, img := range s.network.Images {
		if want != nil && !slices.Contains(want, img) {
			continue
		}
		out = append(out, map[string]any{"ImageId": img, "Status": "Available", "OSType": "linux", "Size": 20})
	}
	return map[string]any{"Images": map[string]any{"Image": out}, "TotalCount": len(out),
		"PageNumber": 1, "PageSize": max(len(out), 10), "RegionId": s.opts.RegionID}, nil
}

// VPCVersion is the x-acs-version of the VPC API.
const VPCVersion = "2016-04-28"

// vpcProduct is the VPC action table: what seatide reads of the network.
func vpcProduct(region string) product {
	return product{
		version: VPCVersion,
		name:    "Vpc",
		hostID:  "vpc." + region + ".aliyuncs.com",
		actions: map[string]actionFunc{"DescribeVSwitches": actDescribeVSwitches},
	}
}

// DescribeVSwitches (VPC): filtered by VpcId, ZoneId and VSwitchId, paged
// by PageNumber/PageSize (at most 50, the API's maximum).
func actDescribeVSwitches(s *Simulator, c *call) (map[string]any, error) {
	vpc, zone, id := c.str("VpcId"), c.str("ZoneId"), c.str("VSwitchId")
	var match []VSwitch
	for _, v := range s.network.VSwitches {
		if (vpc != "" && v.VpcId != vpc) || (zone != "" && v.ZoneId != zone) || (id != "" && v.VSwitchId != id) {
			continue
		}
		match = append(match, v)
	}
	lo, hi, fields, err := c.page(len(match), 10, 50)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, v := range match[lo:hi] {
		out = append(out, map[string]any{"VSwitchId": v.VSwitchId, "VpcId": v.VpcId, "ZoneId": v.ZoneId,
			"Status": "Available", "VSwitchName": v.VSwitchId, "AvailableIpAddressCount": 250})
	}
	resp := map[string]any{"VSwitches": map[string]any{"VSwitch": out}}
	for k, v := range fields {
		resp[k] = v
	}
	return resp, nil
}
