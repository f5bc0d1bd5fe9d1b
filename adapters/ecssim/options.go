package ecssim

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/netip"
	"time"
)

// Offer names one instance type in one zone, the key of the stock and price
// tables. An empty ZoneID in a price entry applies to every zone.
type Offer struct {
	ZoneID       string `json:"ZoneId"`
	InstanceType string `json:"InstanceType"`
}

// CommandResult is what the next Cloud Assistant invocations report.
type CommandResult struct {
	Output    string `json:"Output"`    // plain text; the API returns it base64-encoded
	ExitCode  int64  `json:"ExitCode"`  // non-zero makes the invocation Failed
	ErrorInfo string `json:"ErrorInfo"` // optional; defaults to a generic text when ExitCode != 0
	// EchoScript makes the output the script's own echo lines (see
	// echoOutput) instead of Output. The simulator runs nothing; this only
	// lets a walk-through see that its script is the one that went through.
	EchoScript bool `json:"EchoScript"`
}

// Options configures a Simulator. The zero value is usable.
type Options struct {
	// AccessKeyID/AccessKeySecret is the one credential pair accepted.
	// Random values are generated when empty; read them back with Credentials.
	AccessKeyID     string
	AccessKeySecret string
	// RegionID is the only region served (default "cn-hangzhou").
	RegionID string
	// Zones are the zones of the region (default RegionID + "-h", "-i", "-j").
	Zones []string
	// InstanceTypes listed by DescribeAvailableResource when the caller does
	// not name one (any type is accepted by the other calls).
	InstanceTypes []string

	// TransitionTime is how long each state transition takes
	// (Pending->Stopped, Starting->Running, ...). 0 means DefaultTransitionTime;
	// set NoDelay for instant transitions.
	TransitionTime time.Duration
	// NoDelay makes every transition, agent start-up and invocation instant
	// (TransitionTime and AgentReadyAfter are ignored).
	NoDelay bool
	// AgentReadyAfter is how long after Running the Cloud Assistant agent
	// comes online (default TransitionTime).
	AgentReadyAfter time.Duration
	// Latency is added to every API call.
	Latency time.Duration
	// MaxClockSkew bounds |x-acs-date - wall clock| (default 15m, as Aliyun;
	// negative disables the check).
	MaxClockSkew time.Duration

	// IPBase is the address before the first public IP handed out
	// (default "127.0.1.0": instances get 127.0.1.1, 127.0.1.2, ...). Must be
	// IPv4 in 127.0.0.0/8 so that the service can reach "instances" locally.
	IPBase string

	// SoldOut lists offers with no stock at start.
	SoldOut []Offer
	// Prices overrides the hourly pay-as-you-go price (CNY) of offers;
	// other types get a deterministic price derived from the type name.
	Prices map[Offer]float64
	// Network is the account's vSwitches, security groups and images
	// (default: one VPC with a vSwitch per zone, see DefaultVSwitch).
	Network *Network
	// Minecraft, when set, gives every instance with a public IP a fake
	// Minecraft server on that IP (see MinecraftOptions); nil: none.
	Minecraft *MinecraftOptions

	// DNSDomains are the domains the simulated Alidns account holds
	// (lower case); records can be kept under these only.
	DNSDomains []string

	// InitialBalance is the account's cash at start (decimal text, CNY;
	// default DefaultInitialBalance), recorded as an Income "Recharge" at
	// the simulator's start time. Running instances are charged from it.
	InitialBalance string
	// TrafficGBPerHour is what a Running instance paying by traffic sends
	// out each hour (decimal text, GB; default "0"), billed at
	// TrafficPricePerGB (default DefaultTrafficPricePerGB). BillLag is how
	// long an ended hour takes to show in DescribeInstanceBill (0:
	// DefaultBillLag, negative: none).
	TrafficGBPerHour  string
	TrafficPricePerGB string
	BillLag           time.Duration
	// CommandResult is the initial result of Cloud Assistant commands
	// (default: EchoScript, ExitCode 0).
	CommandResult *CommandResult

	// SnapshotTime is how long a snapshot takes to be accomplished (default
	// TransitionTime; 0 with NoDelay). SnapshotQuota is the manual
	// snapshots one disk may have (default DefaultSnapshotQuota).
	SnapshotTime  time.Duration
	SnapshotQuota int
	// ReclaimNotice is how long a reclaimed spot instance carries its
	// Recycling lock before it is released or stopped (default
	// DefaultReclaimNotice).
	ReclaimNotice time.Duration

	// Now is the simulator's clock (default time.Now). Transitions are
	// evaluated lazily against it, so a manual clock (portstest.ManualClock) makes tests exact.
	Now func() time.Time
	// OnCall, when set, is told the action of every API call as it arrives
	// (before any injected latency), so a test can wait for a call instead
	// of sleeping. It must not block.
	OnCall func(action string)
	// Logger receives one debug line per call (default: discard).
	Logger *slog.Logger
}

// DefaultTransitionTime is used when Options.TransitionTime is zero.
const DefaultTransitionTime = 3 * time.Second

// DefaultMinecraftPort is the port of the fake Minecraft servers when
// MinecraftOptions.Port is zero.
const DefaultMinecraftPort = 25565

const (
	defaultRegion = "cn-hangzhou"
	defaultIPBase = "127.0.1.0"
	defaultSkew   = 15 * time.Minute
)

var defaultInstanceTypes = []string{
	"ecs.t6-c1m1.large", "ecs.t6-c1m2.large", "ecs.g6.large", "ecs.g6.xlarge",
	"ecs.c6.large", "ecs.c6.xlarge", "ecs.r6.large", "ecs.g7.large",
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// withDefaults returns a copy of o with every default filled in.
func (o Options) withDefaults() Options {
	if o.AccessKeyID == "" {
		o.AccessKeyID = "LTAIsim" + randomHex(8)
	}
	if o.AccessKeySecret == "" {
		o.AccessKeySecret = randomHex(15)
	}
	if o.RegionID == "" {
		o.RegionID = defaultRegion
	}
	if len(o.Zones) == 0 {
		o.Zones = []string{o.RegionID + "-h", o.RegionID + "-i", o.RegionID + "-j"}
	}
	if len(o.InstanceTypes) == 0 {
		o.InstanceTypes = defaultInstanceTypes
	}
	if o.NoDelay {
		o.TransitionTime, o.AgentReadyAfter = 0, 0
	} else {
		if o.TransitionTime <= 0 {
			o.TransitionTime = DefaultTransitionTime
		}
		if o.AgentReadyAfter <= 0 {
			o.AgentReadyAfter = o.TransitionTime
		}
	}
	if o.SnapshotTime <= 0 && !o.NoDelay {
		o.SnapshotTime = o.TransitionTime
	}
	if o.NoDelay {
		o.SnapshotTime = 0
	}
	if o.SnapshotQuota <= 0 {
		o.SnapshotQuota = DefaultSnapshotQuota
	}
	if o.ReclaimNotice <= 0 {
		o.ReclaimNotice = DefaultReclaimNotice
	}
	if o.MaxClockSkew == 0 {
		o.MaxClockSkew = defaultSkew
	}
	if o.IPBase == "" {
		o.IPBase = defaultIPBase
	}
	if o.Minecraft != nil {
		mc := *o.Minecraft
		if mc.Port <= 0 || mc.Port > 65535 {
			mc.Port = DefaultMinecraftPort
		}
		mc.Initial = mc.Initial.withDefaults().clone()
		mc.Initial.Up = true
		o.Minecraft = &mc
	}
	if o.InitialBalance == "" {
		o.InitialBalance = DefaultInitialBalance
	}
	if o.CommandResult == nil {
		o.CommandResult = &CommandResult{EchoScript: true}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o
}

// parseIPBase validates IPBase; a bad value falls back to the default so that
// New never fails (the caller is a test or a dev command).
func parseIPBase(s string, log *slog.Logger) netip.Addr {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() || a.As4()[0] != 127 {
		log.Warn("ecssim: IPBase must be an IPv4 address in 127.0.0.0/8; using default", "IPBase", s)
		return netip.MustParseAddr(defaultIPBase)
	}
	return a
}
