package app

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/aliyun/credentials-go/credentials"

	"github.com/seatidemc/seatide/adapters/alidns"
	"github.com/seatidemc/seatide/adapters/aliyunecs"
	"github.com/seatidemc/seatide/adapters/ecssim"
	"github.com/seatidemc/seatide/adapters/prom"
	"github.com/seatidemc/seatide/domain/instances"
	"github.com/seatidemc/seatide/ports"
)

// cloud is the ports.Cloud in use, the account's ports.Billing and, when
// the cloud is simulated, the simulator behind both.
type cloud struct {
	ports.Cloud
	snaps   ports.Snapshots // the same account's disks and snapshots
	network ports.Network   // the lookups behind start-up and preflight checks
	billing ports.Billing
	dns     ports.DNSRecords // the front door's record (frontdoor.mode dns); nil otherwise
	sim     *ecssim.Server   // nil on a real cloud
	// regions answers the preflight check's region lookup; billingEndpoint
	// and credentials say where billing and the key come from, for it.
	regions         ports.Regions
	billingEndpoint string
	credentials     string
}

func (c *cloud) Close() {
	if c.sim != nil {
		c.sim.Close()
	}
}

// openCloud returns the Aliyun adapter for the configured account or, with
// no access key, for an ECS simulator started in this process; its calls
// and retries are counted in metrics.
func openCloud(cfg ECSConfig, info InfoConfig, sim SimConfig, mc *ecssim.MinecraftOptions, door FrontdoorConfig, log *slog.Logger, metrics *prom.Metrics) (*cloud, error) {
	c := &cloud{}
	if cfg.Simulated {
		opts := simOptions(cfg, sim, log)
		opts.Minecraft = mc
		if door.Listen != "" && door.Mode == "dns" {
			opts.DNSDomains = []string{strings.ToLower(door.DNS.Domain)} // the simulated account holds the configured domain
		}
		srv, err := ecssim.Start("127.0.0.1:0", opts)
		if err != nil {
			return nil, fmt.Errorf("starting the ECS simulator: %w", err)
		}
		c.sim = srv
		cfg.AccessKeyID, cfg.AccessKeySecret = srv.Credentials()
		cfg.Endpoint, cfg.Protocol = srv.Addr, "http"
		log.Warn("NO CLOUD ACCESS KEY CONFIGURED: the cloud is SIMULATED in this process; no real server will be created. Set ecs.access_key_id/ecs.access_key_secret (or ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET) for Aliyun.",
			"simulator", srv.URL)
	}
	client, err := aliyunecs.New(aliyunecs.Config{
		AccessKeyID:     cfg.AccessKeyID,
		AccessKeySecret: cfg.AccessKeySecret,
		SecurityToken:   cfg.SecurityToken,
		Credential:      credential(cfg),
		RegionID:        cfg.Region,
		Endpoint:        cfg.Endpoint,
		Protocol:        cfg.Protocol,
		CallTimeout:     cfg.CallTimeout,
		Retry: aliyunecs.Retry{
			MaxAttempts: cfg.Retry.MaxAttempts, BaseDelay: cfg.Retry.BaseDelay, MaxDelay: cfg.Retry.MaxDelay,
		},
		Logger:  log.With("component", "aliyunecs"),
		OnRetry: metrics.Retry,
	})
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("ecs: %w", err)
	}
	c.Cloud = metrics.Cloud(client)
	c.snaps = metrics.Snapshots(client)
	c.network, c.regions = client, client
	c.credentials = describeCredentials(cfg, c.sim != nil)
	billing, endpoint, err := openBilling(cfg, info, c.sim != nil, log, metrics.Retry)
	if err != nil {
		c.Close()
		return nil, err
	}
	c.billing, c.billingEndpoint = metrics.Billing(billing), endpoint
	if c.dns, err = openDNS(cfg, door, c.sim != nil, log); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// openDNS returns the front door's record keeper in DNS mode (Alidns on the
// same account; with a simulated cloud, the simulator's Alidns), else nil.
func openDNS(cfg ECSConfig, door FrontdoorConfig, simulated bool, log *slog.Logger) (ports.DNSRecords, error) {
	if door.Listen == "" || door.Mode != "dns" {
		return nil, nil
	}
	endpoint, protocol := door.DNS.Endpoint, door.DNS.Protocol
	if simulated || (endpoint == "" && aliyunecs.IsLoopback(cfg.Endpoint)) {
		endpoint, protocol = cfg.Endpoint, cfg.Protocol
	}
	recs, err := alidns.New(alidns.Config{
		AccessKeyID: cfg.AccessKeyID, AccessKeySecret: cfg.AccessKeySecret, RegionID: cfg.Region,
		Endpoint: endpoint, Protocol: protocol, CallTimeout: cfg.CallTimeout,
		Domain: door.DNS.Domain, RR: door.DNS.RR, Records: door.DNS.Records, TTL: int64(door.DNS.TTL),
		Logger: log,
	})
	if err != nil {
		return nil, fmt.Errorf("frontdoor.dns: %w", err)
	}
	return recs, nil
}

// openBilling returns the BSS adapter on the same account. One simulator
// (in this process, or shared on loopback) serves BSS at the ECS endpoint.
func openBilling(cfg ECSConfig, info InfoConfig, simulated bool, log *slog.Logger, onRetry func(action, code string)) (ports.Billing, string, error) {
	endpoint, protocol := info.Endpoint, info.Protocol
	if simulated || (endpoint == "" && aliyunecs.IsLoopback(cfg.Endpoint)) {
		endpoint, protocol = cfg.Endpoint, cfg.Protocol
	}
	if endpoint == "" {
		var err error
		if endpoint, err = aliyunecs.BillingEndpoint(info.Site); err != nil {
			return nil, "", fmt.Errorf("info.site: %q: %w", info.Site, err)
		}
	}
	b, err := aliyunecs.NewBilling(aliyunecs.Config{
		AccessKeyID:     cfg.AccessKeyID,
		AccessKeySecret: cfg.AccessKeySecret,
		SecurityToken:   cfg.SecurityToken,
		Credential:      credential(cfg),
		RegionID:        cfg.Region,
		Endpoint:        endpoint, // "": aliyunecs.DefaultBillingEndpoint
		Protocol:        protocol,
		CallTimeout:     cfg.CallTimeout,
		Retry: aliyunecs.Retry{
			MaxAttempts: cfg.Retry.MaxAttempts, BaseDelay: cfg.Retry.BaseDelay, MaxDelay: cfg.Retry.MaxDelay,
		},
		OnRetry: onRetry,
		Logger:  log.With("component", "aliyunecs"),
	})
	if err != nil {
		return nil, "", fmt.Errorf("bss: %w", err)
	}
	return b, endpoint, nil
}

// credential is Aliyun's credential chain when ecs.credentials is chain;
// nil for the configured key.
func credential(cfg ECSConfig) credentials.Credential {
	if cfg.Credentials == "chain" && !cfg.Simulated {
		return aliyunecs.Chain()
	}
	return nil
}

// simOptions sets the simulator up to serve what the configuration asks
// for: its zones, and a network that holds the configured vSwitches (in
// their zones), security group and image besides the default ones.
func simOptions(cfg ECSConfig, sim SimConfig, log *slog.Logger) ecssim.Options {
	zones := []string{cfg.Region + "-h", cfg.Region + "-i", cfg.Region + "-j"}
	for _, z := range cfg.Zone {
		if !slices.Contains(zones, z) {
			zones = append(zones, z)
		}
	}
	network := ecssim.DefaultNetwork(zones)
	vpc := cmp.Or(cfg.VPC, ecssim.DefaultVPC)
	for i, id := range cfg.VSwitch {
		if _, ok := network.VSwitch(id); !ok && i < len(cfg.Zone) {
			network.VSwitches = append(network.VSwitches, ecssim.VSwitch{VSwitchId: id, VpcId: vpc, ZoneId: cfg.Zone[i]})
		}
	}
	if cfg.VPC != "" && cfg.VPC != ecssim.DefaultVPC {
		for _, z := range zones {
			network.VSwitches = append(network.VSwitches, ecssim.VSwitch{VSwitchId: "vsw-" + cfg.VPC + "-" + z, VpcId: cfg.VPC, ZoneId: z})
		}
	}
	if _, ok := network.SecurityGroup(cfg.SecurityGroup); !ok && cfg.SecurityGroup != "" {
		network.SecurityGroups = append(network.SecurityGroups, ecssim.SecurityGroup{SecurityGroupId: cfg.SecurityGroup, VpcId: vpc})
	}
	if cfg.Image != "" && !slices.Contains(network.Images, cfg.Image) {
		network.Images = append(network.Images, cfg.Image)
	}
	return ecssim.Options{
		RegionID:       cfg.Region,
		Zones:          zones,
		Network:        network,
		TransitionTime: sim.TransitionTime,
		NoDelay:        sim.TransitionTime == 0,
		ReclaimNotice:  sim.ReclaimNotice,
		Logger:         log.With("component", "ecssim"),
		// The simulated server sends what the ledger estimates, so the bill
		// and the ledger agree on the default configuration.
		TrafficGBPerHour:  sim.trafficGBPerHour,
		TrafficPricePerGB: sim.trafficPricePerGB,
	}
}

// resolveVSwitches gives every zone its vSwitch: the configured list (one
// per zone, in order), or, with ecs.vpc, the first Available vSwitch of
// that VPC in each zone (DescribeVSwitches). A zone without one is a
// start-up error naming it: Aliyun would refuse every create there.
func resolveVSwitches(ctx context.Context, cfg *ECSConfig, network ports.Network) error {
	if len(cfg.VSwitch) > 0 || cfg.VPC == "" {
		return nil
	}
	list, err := network.VSwitches(ctx, cfg.VPC)
	if err != nil {
		return fmt.Errorf("ecs.vpc: listing the vSwitches of %s: %w", cfg.VPC, err)
	}
	byZone := map[string]string{}
	for _, v := range list {
		if _, seen := byZone[v.Zone]; !seen && (v.Status == "" || v.Status == "Available") {
			byZone[v.Zone] = v.ID
		}
	}
	out := make([]string, 0, len(cfg.Zone))
	for _, z := range cfg.Zone {
		id, ok := byZone[z]
		if !ok {
			return fmt.Errorf("ecs.vpc: VPC %s has no available vSwitch in zone %s (create one, or list one per zone in ecs.vswitch)", cfg.VPC, z)
		}
		out = append(out, id)
	}
	cfg.VSwitch = out
	return nil
}

// simMinecraft is the simulator's fake Minecraft servers for cfg: on the
// configured port, up once deployed when deploy is on.
func simMinecraft(cfg Config) *ecssim.MinecraftOptions {
	return &ecssim.MinecraftOptions{Port: cfg.Minecraft.Port, WaitForDeploy: cfg.Deploy.Enabled}
}

// instancesConfig turns the ecs.* and deploy.* settings into the service's.
func instancesConfig(cfg Config) (instances.Config, error) {
	e := cfg.ECS
	if len(e.VSwitch) != len(e.Zone) {
		return instances.Config{}, fmt.Errorf("ecs.vswitch: %d vSwitches for %d zones (resolveVSwitches runs first)", len(e.VSwitch), len(e.Zone))
	}
	var offers []instances.Offer
	// Instance types in order of preference, each tried in every zone
	// before the next type: the type decides how the game runs, zones are
	// interchangeable. Each zone has its own vSwitch: a vSwitch lives in
	// one zone, and pairing one with another zone's offer is refused.
	for _, typ := range e.InstanceType {
		for i, zone := range e.Zone {
			offers = append(offers, instances.Offer{Zone: zone, InstanceType: typ, VSwitch: e.VSwitch[i]})
		}
	}
	spec := ports.InstanceSpec{
		Image:              e.Image,
		SecurityGroup:      e.SecurityGroup,
		InternetChargeType: e.InternetChargeType,
		BandwidthOut:       e.BandwidthOut,
		SystemDisk:         ports.Disk{Category: e.SystemDisk.Category, Size: e.SystemDisk.Size},
		SpotStrategy:       e.SpotStrategy,
		SpotPriceLimit:     e.SpotPriceLimit,
		SpotDuration:       e.SpotDuration,
		SpotInterruption:   e.SpotInterruption,
		Password:           e.Password,
		KeyPair:            e.KeyPair,
		Name:               e.InstanceName,
	}
	if e.DataDisk.Size > 0 {
		spec.DataDisk = &ports.Disk{Category: e.DataDisk.Category, Size: e.DataDisk.Size}
	} else if cfg.World.Enabled {
		// The world needs its disk: 20 GiB, the smallest cloud_essd and
		// cloud_efficiency data disk (CreateInstance DataDisk.N.Size).
		spec.DataDisk = &ports.Disk{Category: e.DataDisk.Category, Size: 20}
	}
	world, err := cfg.World.instancesWorld(cfg.Idle.Action)
	if err != nil {
		return instances.Config{}, err
	}
	ic := instances.Config{
		Offers:              offers,
		ChooseCheapest:      e.Choose == "cheapest",
		Spec:                spec,
		CreateRequiresAdmin: e.CreateRequiresAdmin,
		StoppedMode:         ports.StopMode(e.StoppedMode),
		DeployEnabled:       cfg.Deploy.Enabled,
		PollInterval:        e.PollInterval,
		WaitTimeout:         e.WaitTimeout,
		AgentTimeout:        e.AgentTimeout,
		DeployTimeout:       cfg.Deploy.Timeout,
		ReconcileInterval:   cfg.Reconcile.Interval,
		LeaseTTL:            cfg.Reconcile.LeaseTTL,
		StallAfter:          cfg.Ops.StallAfter,
		DeleteOrphans:       cfg.Reconcile.DeleteOrphans,
		MinecraftPort:       cfg.Minecraft.Port,
		ProbeTimeout:        cfg.Minecraft.Timeout,
		StatusCacheTTL:      cfg.Minecraft.CacheTTL,
		CrashAfter:          cfg.Watchdog.CrashAfter,
		CrashAction:         cfg.Watchdog.CrashAction,
		IdleStopAfter:       cfg.Idle.StopAfter,
		IdleGrace:           cfg.Idle.Grace,
		TrafficHourly:       cfg.Budget.traffic,
		PlayerEvents:        true, // players joining and leaving are events
		CostLocation:        cfg.Budget.location,
		BudgetMonthly:       cfg.Budget.monthly,
		BudgetStopAtCap:     cfg.Budget.StopAtCap,
		World:               world,
	}
	if cfg.Deploy.Enabled {
		script, err := os.ReadFile(cfg.Deploy.Script)
		if err != nil {
			return ic, fmt.Errorf("deploy.script: %w", err)
		}
		ic.DeployScript = string(script)
		if cfg.World.Enabled {
			ic.DeployScript = withMount(ic.DeployScript, cfg.World.Mount)
		}
	}
	return ic, nil
}
