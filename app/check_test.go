package app_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/seatidemc/seatide/adapters/ecssim"
	"github.com/seatidemc/seatide/app"
)

// TestCheck: `seatide check` against the simulator through the SDK passes
// on the default simulated configuration and fails, naming the cause, for
// each way an account can be set up wrong.
func TestCheck(t *testing.T) {
	tests := []struct {
		name   string
		spoil  func(c *app.Config, sim *ecssim.Server)
		fail   string // the FAIL line's start, "" for none
		detail string
	}{
		{"the default simulated configuration", nil, "", ""},
		{"a vSwitch of another zone", func(c *app.Config, _ *ecssim.Server) {
			c.ECS.VSwitch = []string{ecssim.DefaultVSwitch("cn-hangzhou-i")}
		}, "FAIL vswitch vsw-simulated-cn-hangzhou-i", "paired with zone cn-hangzhou-h"},
		{"an unknown image", func(c *app.Config, _ *ecssim.Server) { c.ECS.Image = "no_such_image.vhd" },
			"FAIL image", `ecs.image "no_such_image.vhd" does not exist`},
		{"a security group in another VPC", func(c *app.Config, _ *ecssim.Server) { c.ECS.SecurityGroup = ecssim.OtherSecurityGroup },
			"FAIL vswitch", "not in " + ecssim.OtherVPC},
		{"no stock anywhere", func(c *app.Config, sim *ecssim.Server) {
			for _, z := range c.ECS.Zone {
				for _, typ := range c.ECS.InstanceType {
					sim.SetStock(z, typ, false)
				}
			}
		}, "FAIL stock", "no offer can be created"},
		{"a wrong key", func(c *app.Config, _ *ecssim.Server) { c.ECS.AccessKeySecret += "x" },
			"FAIL credentials", "refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := sharedCloud(t)
			cfg := replicaConfig(t, "sqlite", sharedDSN(t, "sqlite"), sim)
			cfg.Deploy.Enabled = false
			if tt.spoil != nil {
				tt.spoil(&cfg, sim)
			}
			var out bytes.Buffer
			err := app.Check(context.Background(), cfg, slog.New(slog.DiscardHandler), &out)
			if tt.fail == "" {
				if err != nil || !strings.Contains(out.String(), "every check passed") {
					t.Fatalf("%v\n%s", err, out.String())
				}
				return
			}
			if !errors.Is(err, app.ErrCheckFailed) {
				t.Fatalf("err %v, want ErrCheckFailed\n%s", err, out.String())
			}
			for _, line := range strings.Split(out.String(), "\n") {
				if strings.HasPrefix(line, tt.fail) && strings.Contains(line, tt.detail) {
					return
				}
			}
			t.Fatalf("no line %q ... %q in:\n%s", tt.fail, tt.detail, out.String())
		})
	}
}
