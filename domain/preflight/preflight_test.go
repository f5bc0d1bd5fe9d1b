package preflight_test

import (
	"context"
	"strings"
	"testing"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/preflight"
	"github.com/seatidemc/seatide/ports"
)

// account is a fake cloud account: a VPC with vSwitches, security groups,
// images, stock and a balance.
type account struct {
	ports.Cloud   // only Available and Price are called
	ports.Billing // only Balance is called
	authErr       error
	regions       []string
	images        map[string]bool
	groups        map[string]string    // group -> VPC
	vswitches     map[string][2]string // vSwitch -> VPC, zone
	soldOut       map[string]bool      // zone/type
	balance       string
	dryRunErr     error
}

func (a *account) Regions(context.Context) ([]string, error) { return a.regions, a.authErr }
func (a *account) Image(_ context.Context, id string) (ports.Image, error) {
	if a.images[id] {
		return ports.Image{ID: id, Status: "Available"}, nil
	}
	return ports.Image{}, domain.ErrCloudNotFound
}
func (a *account) SecurityGroup(_ context.Context, id string) (ports.SecurityGroup, error) {
	if v, ok := a.groups[id]; ok {
		return ports.SecurityGroup{ID: id, VPC: v}, nil
	}
	return ports.SecurityGroup{}, domain.ErrCloudNotFound
}
func (a *account) VSwitches(_ context.Context, vpc string) ([]ports.VSwitch, error) {
	var out []ports.VSwitch
	for id, v := range a.vswitches {
		if v[0] == vpc {
			out = append(out, ports.VSwitch{ID: id, VPC: v[0], Zone: v[1], Status: "Available"})
		}
	}
	return out, nil
}
func (a *account) Available(_ context.Context, zone, typ string) (bool, error) {
	return !a.soldOut[zone+"/"+typ], nil
}
func (a *account) Price(context.Context, ports.InstanceSpec) (ports.Price, error) {
	return ports.Price{Amount: "0.91", Currency: "CNY", Instance: "0.85", Disk: "0.06", Bandwidth: "0"}, nil
}
func (a *account) Balance(context.Context) (ports.Balance, error) {
	return ports.Balance{Available: a.balance, Currency: "CNY"}, nil
}

func goodAccount() *account {
	return &account{
		regions: []string{"cn-hangzhou", "cn-shanghai"},
		images:  map[string]bool{"ubuntu": true},
		groups:  map[string]string{"sg-1": "vpc-1", "sg-other": "vpc-2"},
		vswitches: map[string][2]string{"vsw-h": {"vpc-1", "cn-hangzhou-h"}, "vsw-i": {"vpc-1", "cn-hangzhou-i"},
			"vsw-far": {"vpc-2", "cn-hangzhou-h"}},
		soldOut: map[string]bool{},
		balance: "100.00",
	}
}

func goodConfig() preflight.Config {
	return preflight.Config{
		Region: "cn-hangzhou",
		Offers: []preflight.Offer{{"cn-hangzhou-h", "ecs.g6.large", "vsw-h"}, {"cn-hangzhou-i", "ecs.g6.large", "vsw-i"}},
		Spec:   ports.InstanceSpec{Image: "ubuntu", SecurityGroup: "sg-1", VSwitch: "vsw-h"},
		// A script of 18 KiB is 24 KiB in base64: exactly the limit.
		DeployScript: strings.Repeat("x", 18*1024),
		Credentials:  "key LTAIexample", BillingEndpoint: "business.aliyuncs.com",
	}
}

// TestChecks: the good account passes every check; each fault fails the
// check that names it, and only that one.
func TestChecks(t *testing.T) {
	tests := []struct {
		name   string
		spoil  func(a *account, c *preflight.Config)
		fails  string // the failing check's name
		detail string // part of its text
	}{
		{"all good", func(*account, *preflight.Config) {}, "", ""},
		{"a wrong key", func(a *account, _ *preflight.Config) { a.authErr = domain.ErrCloudAuth }, "credentials", "refused"},
		{"unknown region", func(_ *account, c *preflight.Config) { c.Region = "cn-mars" }, "credentials and region", `"cn-mars"`},
		{"unknown image", func(_ *account, c *preflight.Config) { c.Spec.Image = "windows95" }, "image", `"windows95" does not exist`},
		{"unknown security group", func(_ *account, c *preflight.Config) { c.Spec.SecurityGroup = "sg-none" }, "security group", `"sg-none" does not exist`},
		{"a security group in another VPC", func(_ *account, c *preflight.Config) { c.Spec.SecurityGroup = "sg-other" }, "vswitch vsw-h", "one VPC"},
		{"a vSwitch in another VPC", func(_ *account, c *preflight.Config) { c.Offers[0].VSwitch = "vsw-far" }, "vswitch vsw-far", "not in vpc-1"},
		{"a vSwitch in another zone", func(_ *account, c *preflight.Config) { c.Offers[1].VSwitch = "vsw-h" }, "vswitch vsw-h", "paired with zone cn-hangzhou-i"},
		{"an unknown vSwitch", func(_ *account, c *preflight.Config) { c.Offers[0].VSwitch = "vsw-none" }, "vswitch vsw-none", "no such vSwitch"},
		{"no stock anywhere", func(a *account, _ *preflight.Config) {
			a.soldOut["cn-hangzhou-h/ecs.g6.large"], a.soldOut["cn-hangzhou-i/ecs.g6.large"] = true, true
		}, "stock", "no offer can be created"},
		{"the dry run refused", func(a *account, _ *preflight.Config) { a.dryRunErr = domain.ErrQuota }, "offer cn-hangzhou-h ecs.g6.large", "dry-run create was refused: a cloud quota is exhausted"},
		{"no money", func(a *account, _ *preflight.Config) { a.balance = "-2.50" }, "balance", "-2.50 CNY"},
		{"a deploy script too long", func(_ *account, c *preflight.Config) { c.DeployScript += "y" }, "deploy script", "at most 24576"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, cfg := goodAccount(), goodConfig()
			tt.spoil(a, &cfg)
			c := preflight.New(preflight.Deps{Cloud: a, Network: a, Regions: a, Billing: a,
				DryRun: func(context.Context, ports.InstanceSpec) error { return a.dryRunErr }}, cfg)
			results := c.All(context.Background())
			var failed []preflight.Result
			for _, r := range results {
				if !r.OK {
					failed = append(failed, r)
				}
			}
			if tt.fails == "" {
				if len(failed) > 0 || preflight.Failed(results) {
					t.Fatalf("failed: %v", failed)
				}
				if len(results) != 10 { // credentials, image, group, 2 vSwitches, 2 offers, bss, balance, script
					t.Fatalf("%d results: %v", len(results), results)
				}
				return
			}
			if !preflight.Failed(results) || len(failed) == 0 || failed[0].Name != tt.fails || !strings.Contains(failed[0].Detail, tt.detail) {
				t.Fatalf("failed %v, want %q naming %q", failed, tt.fails, tt.detail)
			}
			if !strings.HasPrefix(failed[0].String(), "FAIL") {
				t.Errorf("line %q", failed[0].String())
			}
		})
	}
}

func TestCheapChecks(t *testing.T) {
	a := goodAccount()
	c := preflight.New(preflight.Deps{Cloud: a, Network: a, Regions: a, Billing: a}, goodConfig())
	if rs := c.Cheap(context.Background()); len(rs) != 2 || preflight.Failed(rs) {
		t.Fatalf("%v", rs)
	}
	a.authErr = domain.ErrCloudAuth
	if rs := c.Cheap(context.Background()); !preflight.Failed(rs) {
		t.Fatalf("a refused key passed: %v", rs)
	}
}
