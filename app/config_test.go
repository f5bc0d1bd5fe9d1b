package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/ecssim"
	"github.com/seatidemc/seatide/ports"
)

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// realCloud is a complete cloud configuration with an access key.
var realCloud = []string{
	"ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIexample", "ALIBABA_CLOUD_ACCESS_KEY_SECRET=s3cret",
	"SEATIDE_ECS_REGION=cn-shanghai", "SEATIDE_ECS_ZONE=cn-shanghai-b,cn-shanghai-e",
	"SEATIDE_ECS_INSTANCE_TYPE=ecs.g7.large", "SEATIDE_ECS_IMAGE=ubuntu_22_04",
	"SEATIDE_ECS_SECURITY_GROUP=sg-1", "SEATIDE_ECS_VSWITCH=vsw-b,vsw-e",
}

func TestLoadConfig(t *testing.T) {
	secret := strings.Repeat("s", 32)
	tests := []struct {
		name    string
		file    string
		env     []string
		check   func(t *testing.T, c Config)
		wantErr string
	}{
		{name: "defaults with no file", check: func(t *testing.T, c Config) {
			if c.Listen != "127.0.0.1:5000" || c.Database.Driver != "sqlite" || c.Database.DSN != "./seatide.db" ||
				!c.Users.OpenSignup || c.V1.OpenReads || !*c.Database.AutoMigrate || c.Log.Format != "text" {
				t.Errorf("unexpected defaults: %+v", c)
			}
		}},
		{name: "production listens like the original", env: append([]string{"SEATIDE_PRODUCTION=true", "SEATIDE_SECRET=" + secret}, realCloud...),
			check: func(t *testing.T, c Config) {
				if c.Listen != ":3811" || c.Log.Format != "json" {
					t.Errorf("listen %q format %q", c.Listen, c.Log.Format)
				}
			}},
		{name: "production without secret", env: []string{"SEATIDE_PRODUCTION=true"}, wantErr: "at least 32 bytes"},
		{name: "production short secret", file: "production: true\nsecret: short\n", wantErr: "at least 32 bytes"},
		{name: "env overrides file", file: "database:\n  dsn: file.db\n", env: []string{"SEATIDE_DATABASE_DSN=env.db"},
			check: func(t *testing.T, c Config) {
				if c.Database.DSN != "env.db" {
					t.Errorf("dsn = %q", c.Database.DSN)
				}
			}},
		{name: "file values", file: "listen: 127.0.0.1:9\nusers:\n  open_signup: false\nv1:\n  open_reads: true\ndatabase:\n  driver: mysql\n  dsn: root@tcp(127.0.0.1:3306)/x\n  query_timeout: 2s\n",
			check: func(t *testing.T, c Config) {
				if c.Listen != "127.0.0.1:9" || c.Users.OpenSignup || !c.V1.OpenReads || *c.Database.AutoMigrate || c.Database.QueryTimeout != 2*time.Second {
					t.Errorf("unexpected: %+v", c)
				}
			}},
		{name: "list from env", env: []string{"SEATIDE_CORS_ALLOWED_ORIGINS=https://a.example, https://b.example"},
			check: func(t *testing.T, c Config) {
				if len(c.CORS.AllowedOrigins) != 2 || c.CORS.AllowedOrigins[1] != "https://b.example" {
					t.Errorf("origins = %q", c.CORS.AllowedOrigins)
				}
			}},
		{name: "unknown key", file: "listen: x\nlistne: y\n", wantErr: "listne"},
		{name: "unknown nested key", file: "database:\n  dns: x\n", wantErr: "dns"},
		{name: "unknown env", env: []string{"SEATIDE_LISTNE=x"}, wantErr: "SEATIDE_LISTNE"},
		{name: "wrong type", file: "production: maybe\n", wantErr: "production"},
		{name: "wrong type env", env: []string{"SEATIDE_DATABASE_MAX_OPEN_CONNS=many"}, wantErr: "max_open_conns"},
		{name: "bad driver", env: []string{"SEATIDE_DATABASE_DRIVER=oracle"}, wantErr: "database.driver"},
		{name: "bad log level", env: []string{"SEATIDE_LOG_LEVEL=loud"}, wantErr: "log.level"},
		{name: "missing file", file: "-", wantErr: "config file"},
		{name: "watchdogs and budget", file: "watchdog:\n  crash_after: 5m\n  crash_action: delete\nidle:\n  stop_after: 30m\nbudget:\n  monthly: \"49.90\"\n  timezone: Asia/Shanghai\n",
			check: func(t *testing.T, c Config) {
				c.ECS.VSwitch = []string{"vsw-h"} // as resolveVSwitches finds it
				ic, err := instancesConfig(c)
				if err != nil || ic.CrashAfter != 5*time.Minute || ic.CrashAction != "delete" || ic.IdleStopAfter != 30*time.Minute ||
					ic.IdleGrace != 15*time.Minute || ic.BudgetMonthly != 49_900_000 || ic.CostLocation.String() != "Asia/Shanghai" {
					t.Errorf("%+v %v", ic, err)
				}
			}},
		{name: "budget off by default", check: func(t *testing.T, c Config) {
			c.ECS.VSwitch = []string{"vsw-h"}
			ic, _ := instancesConfig(c)
			if ic.BudgetMonthly != 0 || ic.IdleStopAfter != 0 || ic.CrashAfter != 10*time.Minute || ic.CostLocation != time.UTC {
				t.Errorf("%+v", ic)
			}
		}},
		{name: "memory limit", env: []string{"SEATIDE_MEMORY_LIMIT=512KiB"}, check: func(t *testing.T, c Config) {
			if c.MemoryLimit != 512<<10 {
				t.Errorf("limit %d", c.MemoryLimit)
			}
		}},
		{name: "memory limit by default", check: func(t *testing.T, c Config) {
			if c.MemoryLimit != 40<<20 || c.Users.MaxConcurrentHashes != 1 {
				t.Errorf("limit %d, hashes %d", c.MemoryLimit, c.Users.MaxConcurrentHashes)
			}
		}},
		{name: "no memory limit", env: []string{"SEATIDE_MEMORY_LIMIT=0"}, check: func(t *testing.T, c Config) {
			if c.MemoryLimit != 0 {
				t.Errorf("limit %d", c.MemoryLimit)
			}
		}},
		{name: "bad memory limit", env: []string{"SEATIDE_MEMORY_LIMIT=lots"}, wantErr: "memory_limit"},
		{name: "negative memory limit", env: []string{"SEATIDE_MEMORY_LIMIT=-5MiB"}, wantErr: "memory_limit"},
		{name: "bad crash action", env: []string{"SEATIDE_WATCHDOG_CRASH_ACTION=explode"}, wantErr: "watchdog.crash_action"},
		{name: "negative idle", env: []string{"SEATIDE_IDLE_STOP_AFTER=-1m"}, wantErr: "idle.stop_after"},
		{name: "bad budget", env: []string{"SEATIDE_BUDGET_MONTHLY=lots"}, wantErr: "budget.monthly"},
		{name: "float budget", env: []string{"SEATIDE_BUDGET_MONTHLY=1e3"}, wantErr: "budget.monthly"},
		{name: "bad time zone", env: []string{"SEATIDE_BUDGET_TIMEZONE=Mars/Olympus"}, wantErr: "budget.timezone"},
		{name: "minecraft port", env: []string{"SEATIDE_MINECRAFT_PORT=25570"}, check: func(t *testing.T, c Config) {
			if c.Minecraft.Port != 25570 {
				t.Errorf("minecraft.port = %d", c.Minecraft.Port)
			}
		}},
		{name: "bad minecraft port", file: "minecraft:\n  port: 70000\n", wantErr: "minecraft.port"},

		{name: "no access key: simulated cloud with defaults", check: func(t *testing.T, c Config) {
			e := c.ECS
			if !e.Simulated || e.Region != "cn-hangzhou" || len(e.Zone) != 1 || e.Zone[0] != "cn-hangzhou-h" ||
				len(e.InstanceType) != 1 || e.Image == "" || len(e.VSwitch) != 0 || e.VPC != ecssim.DefaultVPC || e.Choose != "order" ||
				e.SystemDisk.Size != 40 || e.DataDisk.Size != 0 {
				t.Errorf("unexpected: %+v", e)
			}
		}},
		{name: "access key from the SDK's variables", env: realCloud, check: func(t *testing.T, c Config) {
			e := c.ECS
			if e.Simulated || e.AccessKeyID != "LTAIexample" || e.AccessKeySecret != "s3cret" || e.Protocol != "https" ||
				len(e.Zone) != 2 || e.Zone[1] != "cn-shanghai-e" {
				t.Errorf("unexpected: %+v", e)
			}
		}},
		{name: "configured key wins over the SDK's variable", env: append([]string{"SEATIDE_ECS_ACCESS_KEY_ID=LTAIconfig"}, realCloud...),
			check: func(t *testing.T, c Config) {
				if c.ECS.AccessKeyID != "LTAIconfig" {
					t.Errorf("key id = %q", c.ECS.AccessKeyID)
				}
			}},
		{name: "zone and type as one value or a list", file: "ecs:\n  zone: cn-hangzhou-i\n  instance_type: [ecs.c6.large, ecs.g6.large]\n",
			check: func(t *testing.T, c Config) {
				if len(c.ECS.Zone) != 1 || c.ECS.Zone[0] != "cn-hangzhou-i" || len(c.ECS.InstanceType) != 2 {
					t.Errorf("zone %q type %q", c.ECS.Zone, c.ECS.InstanceType)
				}
			}},
		{name: "shared simulator endpoint with its scheme", env: append([]string{"SEATIDE_ECS_ENDPOINT=http://127.0.0.1:8722"}, realCloud...),
			check: func(t *testing.T, c Config) {
				if c.ECS.Endpoint != "127.0.0.1:8722" || c.ECS.Protocol != "http" {
					t.Errorf("endpoint %q protocol %q", c.ECS.Endpoint, c.ECS.Protocol)
				}
			}},
		{name: "spot price limit read as a number", file: "ecs:\n  spot_strategy: SpotWithPriceLimit\n  spot_price_limit: 0.25\n",
			check: func(t *testing.T, c Config) {
				if c.ECS.SpotPriceLimit != "0.25" {
					t.Errorf("limit %q", c.ECS.SpotPriceLimit)
				}
			}},
		{name: "production needs an access key", env: []string{"SEATIDE_PRODUCTION=true", "SEATIDE_SECRET=" + secret}, wantErr: "ecs.access_key_id"},
		{name: "key id without secret", env: []string{"SEATIDE_ECS_ACCESS_KEY_ID=x"}, wantErr: "ecs.access_key_secret"},
		{name: "secret without key id", env: []string{"ALIBABA_CLOUD_ACCESS_KEY_SECRET=x"}, wantErr: "ecs.access_key_id"},
		{name: "endpoint without key", env: []string{"SEATIDE_ECS_ENDPOINT=http://127.0.0.1:1"}, wantErr: "ecs.access_key_id"},
		{name: "real cloud names every missing key", env: []string{"SEATIDE_ECS_ACCESS_KEY_ID=x", "SEATIDE_ECS_ACCESS_KEY_SECRET=y", "SEATIDE_ECS_REGION=cn-hangzhou"},
			wantErr: "ecs.image, ecs.instance_type, ecs.security_group, ecs.vswitch or ecs.vpc, ecs.zone: required"},
		{name: "vswitch count must match zones", env: append(realCloud, "SEATIDE_ECS_VSWITCH=a,b,c"), wantErr: "ecs.vswitch"},
		{name: "one vswitch for two zones names the zone without one", env: append(realCloud, "SEATIDE_ECS_VSWITCH=vsw-b"),
			wantErr: "ecs.vswitch: zone cn-shanghai-e has no vSwitch"},
		{name: "a vpc instead of vswitches", env: append(realCloud, "SEATIDE_ECS_VSWITCH=", "SEATIDE_ECS_VPC=vpc-1"),
			check: func(t *testing.T, c Config) {
				if c.ECS.VPC != "vpc-1" || len(c.ECS.VSwitch) != 0 {
					t.Errorf("vpc %q vswitch %q", c.ECS.VPC, c.ECS.VSwitch)
				}
			}},
		{name: "bad spot interruption", env: []string{"SEATIDE_ECS_SPOT_INTERRUPTION=Hibernate"}, wantErr: "ecs.spot_interruption"},
		{name: "bad spot duration", env: []string{"SEATIDE_ECS_SPOT_DURATION=3"}, wantErr: "ecs.spot_duration"},
		{name: "bad stopped mode", env: []string{"SEATIDE_ECS_STOPPED_MODE=Hibernate"}, wantErr: "ecs.stopped_mode"},
		{name: "bad choose", env: []string{"SEATIDE_ECS_CHOOSE=random"}, wantErr: "ecs.choose"},
		{name: "bad charge type", env: []string{"SEATIDE_ECS_INTERNET_CHARGE_TYPE=free"}, wantErr: "ecs.internet_charge_type"},
		{name: "bad spot strategy", env: []string{"SEATIDE_ECS_SPOT_STRATEGY=cheap"}, wantErr: "ecs.spot_strategy"},
		{name: "price limit missing", env: []string{"SEATIDE_ECS_SPOT_STRATEGY=SpotWithPriceLimit"}, wantErr: "ecs.spot_price_limit"},
		{name: "no bandwidth, no public IP", env: []string{"SEATIDE_ECS_BANDWIDTH_OUT=0"}, wantErr: "ecs.bandwidth_out"},
		{name: "tiny system disk", env: []string{"SEATIDE_ECS_SYSTEM_DISK_SIZE=5"}, wantErr: "ecs.system_disk.size"},
		{name: "tiny data disk", env: []string{"SEATIDE_ECS_DATA_DISK_SIZE=5"}, wantErr: "ecs.data_disk.size"},
		{name: "zero poll interval", env: []string{"SEATIDE_ECS_POLL_INTERVAL=0s"}, wantErr: "ecs.poll_interval"},
		{name: "bad endpoint scheme", env: append([]string{"SEATIDE_ECS_ENDPOINT=ftp://x"}, realCloud...), wantErr: "ecs.endpoint"},
		{name: "deploy without script", env: []string{"SEATIDE_DEPLOY_ENABLED=true", "SEATIDE_DEPLOY_SCRIPT="}, wantErr: "deploy.script"},
		{name: "lease shorter than two rounds", env: []string{"SEATIDE_RECONCILE_INTERVAL=20s"}, wantErr: "reconcile.lease_ttl"},
		{name: "negative transition time", env: []string{"SEATIDE_SIM_TRANSITION_TIME=-1s"}, wantErr: "sim.transition_time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			switch tt.file {
			case "":
			case "-":
				path = filepath.Join(t.TempDir(), "absent.yml")
			default:
				path = writeFile(t, tt.file)
			}
			t.Chdir(t.TempDir()) // no stray ./config.yml
			c, err := LoadConfig(path, tt.env)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
	if _, err := LoadConfig("", []string{"SEATIDE_PRODUCTION=true"}); !errors.Is(err, ErrWeakSecret) {
		t.Errorf("weak secret error not matchable: %v", err)
	}
}

// The example file must stay a valid configuration that changes nothing.
func TestExampleConfig(t *testing.T) {
	example, err := LoadConfig("../config.example.yml", nil)
	if err != nil {
		t.Fatalf("config.example.yml: %v", err)
	}
	example.File = "" // where it came from, not what it says
	t.Chdir(t.TempDir())
	defaults, err := LoadConfig("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(example, defaults) {
		t.Errorf("config.example.yml differs from the defaults:\n%+v\n%+v", example, defaults)
	}
}

// fakeNetwork lists vSwitches as DescribeVSwitches would.
type fakeNetwork struct {
	ports.Network
	list []ports.VSwitch
}

func (f fakeNetwork) VSwitches(context.Context, string) ([]ports.VSwitch, error) { return f.list, nil }

// With ecs.vpc, each zone gets the first available vSwitch of that VPC in
// it; a zone without one stops the start-up, named.
func TestResolveVSwitches(t *testing.T) {
	net := fakeNetwork{list: []ports.VSwitch{
		{ID: "vsw-b-pending", VPC: "vpc-1", Zone: "cn-shanghai-b", Status: "Pending"},
		{ID: "vsw-b", VPC: "vpc-1", Zone: "cn-shanghai-b", Status: "Available"},
		{ID: "vsw-b2", VPC: "vpc-1", Zone: "cn-shanghai-b", Status: "Available"},
		{ID: "vsw-e", VPC: "vpc-1", Zone: "cn-shanghai-e", Status: "Available"},
	}}
	tests := []struct {
		name    string
		zones   []string
		want    []string
		wantErr string
	}{
		{"a vSwitch per zone", []string{"cn-shanghai-e", "cn-shanghai-b"}, []string{"vsw-e", "vsw-b"}, ""},
		{"a zone without one", []string{"cn-shanghai-b", "cn-shanghai-g"}, nil, "ecs.vpc: VPC vpc-1 has no available vSwitch in zone cn-shanghai-g"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ECSConfig{VPC: "vpc-1", Zone: tt.zones}
			err := resolveVSwitches(context.Background(), &cfg, net)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(cfg.VSwitch, tt.want) {
				t.Fatalf("vswitches %v, %v; want %v", cfg.VSwitch, err, tt.want)
			}
		})
	}
}
