// Package app reads the configuration, wires adapters into the domain
// services, and runs the service until it is told to stop.
package app

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/seatidemc/seatide/adapters/ecssim"
	"github.com/seatidemc/seatide/adapters/password"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
	"github.com/spf13/viper"
)

// Config is every setting of the service. Key names are fixed: operators
// script them, as YAML keys or as SEATIDE_* environment variables.
type Config struct {
	Production bool   `mapstructure:"production"`
	Listen     string `mapstructure:"listen"`
	Secret     string `mapstructure:"secret"`

	Database  DatabaseConfig  `mapstructure:"database"`
	Users     UsersConfig     `mapstructure:"users"`
	Log       LogConfig       `mapstructure:"log"`
	CORS      CORSConfig      `mapstructure:"cors"`
	V1        V1Config        `mapstructure:"v1"`
	ECS       ECSConfig       `mapstructure:"ecs"`
	Deploy    DeployConfig    `mapstructure:"deploy"`
	Sim       SimConfig       `mapstructure:"sim"`
	Reconcile ReconcileConfig `mapstructure:"reconcile"`
	Watchdog  WatchdogConfig  `mapstructure:"watchdog"`
	Idle      IdleConfig      `mapstructure:"idle"`
	Budget    BudgetConfig    `mapstructure:"budget"`
	Minecraft MinecraftConfig `mapstructure:"minecraft"`
	Info      InfoConfig      `mapstructure:"info"`
	Metrics   MetricsConfig   `mapstructure:"metrics"`
	HTTP      HTTPConfig      `mapstructure:"http"`
	Ops       OpsConfig       `mapstructure:"ops"`
	World     WorldConfig     `mapstructure:"world"`
	Console   ConsoleConfig   `mapstructure:"console"`
	Events    EventsConfig    `mapstructure:"events"`
	Notify    NotifyConfig    `mapstructure:"notify"`
	Frontdoor FrontdoorConfig `mapstructure:"frontdoor"`

	ShutdownTimeout time.Duration `mapstructure:"shutdown_timeout"`
	// MemoryLimit is the Go runtime's soft memory limit for serve, e.g.
	// "40MiB"; "0" for none. GOMEMLIMIT wins when set.
	MemoryLimitText string `mapstructure:"memory_limit"`
	MemoryLimit     int64  `mapstructure:"-"`

	// File is the configuration file read ("" for none). Not a key: start-up
	// says which file it read.
	File string `mapstructure:"-"`

	// Clock is the service's time (nil: the system clock). Not a key:
	// tests set a manual one to drive the watchdogs and the ledger.
	Clock ports.Clock `mapstructure:"-"`

	// PasswordParams are the argon2id parameters of new hashes (zero:
	// password.Default). Not a key: weaker ones are for tests only.
	PasswordParams password.Params `mapstructure:"-"`

	// serving is set by Serve: process-wide settings (GOMAXPROCS) are for
	// a serving process only, not for tests running many Apps.
	serving bool
}

type DatabaseConfig struct {
	Driver          string        `mapstructure:"driver"`
	DSN             string        `mapstructure:"dsn"`
	AutoMigrate     *bool         `mapstructure:"auto_migrate"` // nil: on for sqlite only
	MaxOpenConns    int           `mapstructure:"max_open_conns"`
	MaxIdleConns    int           `mapstructure:"max_idle_conns"`
	ConnMaxLifetime time.Duration `mapstructure:"conn_max_lifetime"`
	QueryTimeout    time.Duration `mapstructure:"query_timeout"`
}

type UsersConfig struct {
	HideUnknown         bool `mapstructure:"hide_unknown"`
	MaxConcurrentHashes int  `mapstructure:"max_concurrent_hashes"`

	// Who may spend and how hard logins are to guess: config_security.go.
	SignupText   string            `mapstructure:"signup"`
	OpenSignup   *bool             `mapstructure:"open_signup"` // deprecated alias of signup
	SignupLimit  int               `mapstructure:"signup_limit"`
	SignupWindow time.Duration     `mapstructure:"signup_window"`
	Login        LoginConfig       `mapstructure:"login"`
	Signup       domain.SignupMode `mapstructure:"-"`
	// RevocationDelay bounds how long a deletion, password change or
	// demotion takes to reach every replica's token checks; 0 reads the
	// user on every check.
	RevocationDelay time.Duration `mapstructure:"revocation_delay"`
}

// ConsoleConfig switches the web console served at /.
type ConsoleConfig struct {
	Enabled bool `mapstructure:"enabled"`
}

type LogConfig struct {
	Level  string `mapstructure:"level"`
	Format string `mapstructure:"format"` // text or json; empty: json in production
}

type CORSConfig struct {
	AllowedOrigins []string `mapstructure:"allowed_origins"`
}

type V1Config struct {
	OpenReads bool `mapstructure:"open_reads"`
}

// ECSConfig is the game server to create and the account to create it in.
// Zone, InstanceType and VSwitch take one value or a list.
type ECSConfig struct {
	Region        string   `mapstructure:"region"`
	Zone          []string `mapstructure:"zone"`
	InstanceType  []string `mapstructure:"instance_type"`
	Choose        string   `mapstructure:"choose"` // order | cheapest
	Image         string   `mapstructure:"image"`
	SecurityGroup string   `mapstructure:"security_group"`
	VSwitch       []string `mapstructure:"vswitch"` // one per zone, in zone order
	// VPC, when VSwitch is empty, is where a vSwitch per zone is found at
	// start-up (DescribeVSwitches).
	VPC                string     `mapstructure:"vpc"`
	InternetChargeType string     `mapstructure:"internet_charge_type"`
	BandwidthOut       int        `mapstructure:"bandwidth_out"`
	SystemDisk         DiskConfig `mapstructure:"system_disk"`
	DataDisk           DiskConfig `mapstructure:"data_disk"` // size 0: none
	SpotStrategy       string     `mapstructure:"spot_strategy"`
	SpotPriceLimit     string     `mapstructure:"spot_price_limit"`
	Password           string     `mapstructure:"password"`
	KeyPair            string     `mapstructure:"key_pair"`
	InstanceName       string     `mapstructure:"instance_name"`
	Endpoint           string     `mapstructure:"endpoint"`
	AccessKeyID        string     `mapstructure:"access_key_id"`
	AccessKeySecret    string     `mapstructure:"access_key_secret"`
	// Credentials is where the cloud credentials come from: "key" (the
	// pair above, or ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET with
	// ALIBABA_CLOUD_SECURITY_TOKEN for an STS token) or "chain" (Aliyun's
	// default credential chain: environment, OIDC, CLI profile, the
	// credentials file's profile, the ECS host's RAM role).
	Credentials string `mapstructure:"credentials"`
	// SecurityToken is ALIBABA_CLOUD_SECURITY_TOKEN when the key came
	// from the environment (not a key: temporary).
	SecurityToken       string `mapstructure:"-"`
	CreateRequiresAdmin bool   `mapstructure:"create_requires_admin"`
	// StoppedMode is sent with every stop: StopCharging (economical: the
	// compute bill stops, the public IP is released) or KeepCharging.
	StoppedMode string `mapstructure:"stopped_mode"`
	// SpotDuration (hours, 1 or 0) and SpotInterruption (Stop: stopped in
	// economical mode, disks kept; Terminate: released) of a spot instance.
	SpotDuration     int    `mapstructure:"spot_duration"`
	SpotInterruption string `mapstructure:"spot_interruption"`

	PollInterval time.Duration `mapstructure:"poll_interval"` // between status checks while waiting
	WaitTimeout  time.Duration `mapstructure:"wait_timeout"`  // for one state change
	AgentTimeout time.Duration `mapstructure:"agent_timeout"` // for Cloud Assistant after Running
	CallTimeout  time.Duration `mapstructure:"call_timeout"`  // one API call
	Retry        RetryConfig   `mapstructure:"retry"`         // throttled and transient failures

	// Simulated is set when no access key is configured: the service runs
	// the ECS simulator in-process (development only).
	Simulated bool `mapstructure:"-"`
	// Protocol is derived from Endpoint's scheme (https unless http://).
	Protocol string `mapstructure:"-"`
}

// RetryConfig is the capped exponential backoff, with full jitter, of
// throttled and transient cloud calls.
type RetryConfig struct {
	MaxAttempts int           `mapstructure:"max_attempts"` // the first included
	BaseDelay   time.Duration `mapstructure:"base_delay"`
	MaxDelay    time.Duration `mapstructure:"max_delay"`
}

type DiskConfig struct {
	Category string `mapstructure:"category"`
	Size     int    `mapstructure:"size"` // GiB
}

type DeployConfig struct {
	Enabled bool          `mapstructure:"enabled"`
	Script  string        `mapstructure:"script"`  // path of the script run through Cloud Assistant
	Timeout time.Duration `mapstructure:"timeout"` // for the script to finish
}

// ReconcileConfig paces the reconciler, which one replica at a time runs.
type ReconcileConfig struct {
	Interval      time.Duration `mapstructure:"interval"`
	LeaseTTL      time.Duration `mapstructure:"lease_ttl"` // a silent replica's leases last this long
	DeleteOrphans bool          `mapstructure:"delete_orphans"`
}

// WatchdogConfig is the crashed-server watchdog.
type WatchdogConfig struct {
	CrashAfter  time.Duration `mapstructure:"crash_after"`  // 0: off
	CrashAction string        `mapstructure:"crash_action"` // stop | delete
}

// IdleConfig is the idle stop.
type IdleConfig struct {
	StopAfter time.Duration `mapstructure:"stop_after"` // 0: off
	Grace     time.Duration `mapstructure:"grace"`      // never within this of coming up
	Action    string        `mapstructure:"action"`     // stop, or release (backup + delete; needs world.enabled)
}

// BudgetConfig caps what the game server may cost in a month.
type BudgetConfig struct {
	Monthly   string `mapstructure:"monthly"` // decimal, in the price's currency; "" or 0: off
	StopAtCap bool   `mapstructure:"stop_at_cap"`
	Timezone  string `mapstructure:"timezone"` // days and months of the cost ledger
	// The ledger's estimate of public traffic when paying by traffic (the
	// bill corrects it daily): GB out per running hour, and the price of a
	// GB (Aliyun's China-mainland list price is 0.80 CNY).
	TrafficGBPerHour  string `mapstructure:"traffic_gb_per_hour"`
	TrafficPricePerGB string `mapstructure:"traffic_price_per_gb"`

	monthly  domain.Money
	location *time.Location
	traffic  domain.Money // an hour of traffic: GB per hour times price per GB
}

// MinecraftConfig is the game server on the instance.
type MinecraftConfig struct {
	Port     int           `mapstructure:"port"`      // where the server's status ping is answered
	Timeout  time.Duration `mapstructure:"timeout"`   // one status ping
	CacheTTL time.Duration `mapstructure:"cache_ttl"` // how long an answer is reused by get/server and the watchdogs
}

// InfoConfig is the account-money side (/api/info/v1, Aliyun BSS), which
// uses the ecs access key.
type InfoConfig struct {
	// Endpoint of BSS; empty: the site's (china: business.aliyuncs.com,
	// international: business.ap-southeast-1.aliyuncs.com), or ecs.endpoint
	// when that is a simulator on loopback (one simulator serves both APIs).
	Endpoint string `mapstructure:"endpoint"`
	// Site is the account's Aliyun site: china (aliyun.com) or
	// international (alibabacloud.com); BSS serves each at its own endpoint.
	Site string `mapstructure:"site"`
	// MaxPages bounds how many pages of 300 transactions search/fund reads.
	MaxPages int `mapstructure:"max_pages"`

	// Protocol is derived from Endpoint's scheme (https unless http://).
	Protocol string `mapstructure:"-"`
}

// MetricsConfig places the Prometheus endpoint.
type MetricsConfig struct {
	// Listen is "" to serve /metrics on the main listener, or an address
	// for a listener of its own (e.g. one only the scraper can reach).
	Listen string `mapstructure:"listen"`
}

// FrontdoorConfig is the front door: a Minecraft listener that wakes the
// server when a bound player joins and keeps one address for it (issue 19).
type FrontdoorConfig struct {
	Listen           string             `mapstructure:"listen"`   // "": off; e.g. ":25565"
	Mode             string             `mapstructure:"mode"`     // proxy | dns
	Language         string             `mapstructure:"language"` // en | zh-CN
	Title            string             `mapstructure:"title"`    // the MOTD's first word
	WakeLimit        int                `mapstructure:"wake_limit"`
	ProxyProtocol    bool               `mapstructure:"proxy_protocol"`
	MaxConns         int                `mapstructure:"max_conns"`
	HandshakeTimeout time.Duration      `mapstructure:"handshake_timeout"`
	IdleTimeout      time.Duration      `mapstructure:"idle_timeout"`
	DNS              FrontdoorDNSConfig `mapstructure:"dns"`
}

// FrontdoorDNSConfig is the record DNS mode keeps pointing at the server
// while it is awake and at the front door while it sleeps, through Alidns
// with the ecs access key.
type FrontdoorDNSConfig struct {
	Domain   string        `mapstructure:"domain"`   // e.g. example.com, a domain in the account's Alidns
	RR       string        `mapstructure:"rr"`       // e.g. mc (mc.example.com); @ for the domain itself
	Records  []string      `mapstructure:"records"`  // A and/or SRV (_minecraft._tcp.RR)
	TTL      int           `mapstructure:"ttl"`      // seconds; the free Alidns edition's minimum is 600
	Address  string        `mapstructure:"address"`  // the front door's public IPv4, where the A record points while asleep
	Interval time.Duration `mapstructure:"interval"` // how often the record is checked against the server
	Endpoint string        `mapstructure:"endpoint"` // default alidns.<region>.aliyuncs.com; a simulator on loopback: that
	// Protocol is derived from Endpoint's scheme (https unless http://).
	Protocol string `mapstructure:"-"`
}

// SimConfig tunes the in-process ECS simulator.
type SimConfig struct {
	TransitionTime time.Duration `mapstructure:"transition_time"` // per state change; 0: instant

	// trafficGBPerHour/trafficPricePerGB are the budget's traffic estimate,
	// which the simulated server then really sends (not keys).
	trafficGBPerHour, trafficPricePerGB string
	ReclaimNotice                       time.Duration `mapstructure:"reclaim_notice"` // a spot reclaim's Recycling lock before it acts
}

// Listen addresses when none is configured: the original listened on :3811.
const (
	devListen        = "127.0.0.1:5000"
	productionListen = ":3811"
	minSecretLen     = 32
)

func defaults() map[string]any {
	return map[string]any{
		"production":                  false,
		"listen":                      "",
		"secret":                      "",
		"database.driver":             "sqlite",
		"database.dsn":                "./seatide.db",
		"database.auto_migrate":       nil,
		"database.max_open_conns":     10,
		"database.max_idle_conns":     10,
		"database.conn_max_lifetime":  "30m",
		"database.query_timeout":      "5s",
		"users.hide_unknown":          true,
		"users.max_concurrent_hashes": 2,
		"users.revocation_delay":      "1s",
		"log.level":                   "info",
		"log.format":                  "",
		"cors.allowed_origins":        []string{},
		"v1.open_reads":               false,
		"shutdown_timeout":            "15s",
		"memory_limit":                "40MiB",

		"ecs.region":                  "",
		"ecs.zone":                    []string{},
		"ecs.instance_type":           []string{},
		"ecs.choose":                  "order",
		"ecs.image":                   "",
		"ecs.security_group":          "",
		"ecs.vswitch":                 []string{},
		"ecs.vpc":                     "",
		"ecs.internet_charge_type":    "PayByTraffic",
		"ecs.bandwidth_out":           10,
		"ecs.system_disk.category":    "cloud_essd",
		"ecs.system_disk.size":        40,
		"ecs.data_disk.category":      "cloud_essd",
		"ecs.data_disk.size":          0,
		"ecs.spot_strategy":           "NoSpot",
		"ecs.spot_price_limit":        "",
		"ecs.password":                "",
		"ecs.key_pair":                "",
		"ecs.instance_name":           "seatide",
		"ecs.endpoint":                "",
		"ecs.access_key_id":           "",
		"ecs.access_key_secret":       "",
		"ecs.create_requires_admin":   false,
		"ecs.credentials":             "key",
		"ecs.stopped_mode":            "StopCharging",
		"ecs.spot_duration":           1,
		"ecs.spot_interruption":       "Stop",
		"ecs.poll_interval":           "2s",
		"ecs.wait_timeout":            "5m",
		"ecs.agent_timeout":           "5m",
		"ecs.call_timeout":            "10s",
		"ecs.retry.max_attempts":      8,
		"ecs.retry.base_delay":        "200ms",
		"ecs.retry.max_delay":         "5s",
		"deploy.enabled":              false,
		"deploy.script":               "run.sh",
		"deploy.timeout":              "30m",
		"sim.transition_time":         "3s",
		"reconcile.interval":          "10s",
		"reconcile.lease_ttl":         "30s",
		"reconcile.delete_orphans":    false,
		"watchdog.crash_after":        "10m",
		"watchdog.crash_action":       "stop",
		"idle.stop_after":             "0s",
		"idle.grace":                  "15m",
		"budget.monthly":              "",
		"budget.stop_at_cap":          false,
		"budget.timezone":             "UTC",
		"budget.traffic_gb_per_hour":  "0.5",
		"budget.traffic_price_per_gb": "0.80",
		"minecraft.port":              25565,
		"minecraft.timeout":           "3s",
		"minecraft.cache_ttl":         "5s",
		"info.endpoint":               "",
		"info.site":                   "china",
		"info.max_pages":              20,
		"metrics.listen":              "",
		"console.enabled":             true,

		// Issue 17: who may spend, login throttling, trusted proxies, stalls.
		"users.signup":                     "approval",
		"users.open_signup":                nil,
		"users.signup_limit":               5,
		"users.signup_window":              "1h",
		"users.login.max_failures":         10,
		"users.login.address_max_failures": 50,
		"users.login.window":               "15m",
		"users.login.max_delay":            "15m",
		"http.trusted_proxy_header":        "",
		"http.trusted_proxies":             []string{},
		"ops.stall_after":                  "10m",

		"events.keep":          "720h",
		"events.poll_interval": "1s",
		"events.heartbeat":     "15s",
		"events.client_buffer": 256,
		"notify.language":      "en",
		"notify.webhooks":      []any{},

		"frontdoor.listen":              "",
		"frontdoor.mode":                "proxy",
		"frontdoor.language":            "en",
		"frontdoor.title":               "seatide",
		"frontdoor.wake_limit":          6,
		"frontdoor.proxy_protocol":      false,
		"frontdoor.max_conns":           1024,
		"frontdoor.handshake_timeout":   "5s",
		"frontdoor.idle_timeout":        "2m",
		"frontdoor.dns.domain":          "",
		"frontdoor.dns.rr":              "",
		"frontdoor.dns.records":         []string{"A"},
		"frontdoor.dns.ttl":             600,
		"frontdoor.dns.address":         "",
		"frontdoor.dns.interval":        "15s",
		"frontdoor.dns.endpoint":        "",
		"idle.action":                   "stop",
		"sim.reclaim_notice":            "5m",
		"world.enabled":                 true,
		"world.mount":                   "/data",
		"world.save_script":             "",
		"world.save_timeout":            "2m",
		"world.snapshot_timeout":        "30m",
		"world.require_backup":          true,
		"world.backup_every":            "0s",
		"world.keep":                    3,
		"world.on_reclaim":              "wait",
		"world.hop_skip":                "1h",
		"world.snapshot_price_gb_month": "0.12",
	}
}

// LoadConfig reads the file at path (none when path is empty and no
// ./config.yml exists), then SEATIDE_* variables from environ. Unknown keys,
// unknown SEATIDE_ variables and values of the wrong type are errors.
func LoadConfig(path string, environ []string) (Config, error) {
	v := viper.New()
	for k, d := range defaults() {
		v.SetDefault(k, d)
	}
	env := make(map[string]string)
	for _, kv := range environ {
		if k, val, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "SEATIDE_") {
			env[k] = val
		}
	}
	// Take SEATIDE_* values from environ rather than viper's AutomaticEnv,
	// which reads the process environment: callers and tests control it.
	known := make(map[string]string)
	src := configSources{v: v, env: map[string]string{}}
	for k := range defaults() {
		name := "SEATIDE_" + strings.ToUpper(strings.ReplaceAll(k, ".", "_"))
		known[name] = k
		if val, ok := env[name]; ok {
			v.Set(k, val)
			src.env[k] = name
		}
	}
	var unknownEnv []string
	for name := range env {
		if _, ok := known[name]; !ok && !strings.HasPrefix(name, "SEATIDE_TEST_") {
			unknownEnv = append(unknownEnv, name)
		}
	}
	if len(unknownEnv) > 0 {
		sort.Strings(unknownEnv)
		return Config{}, fmt.Errorf("unknown environment variables: %s", strings.Join(unknownEnv, ", "))
	}

	if path == "" {
		if _, err := os.Stat("config.yml"); err == nil {
			path = "config.yml"
		}
	}
	if path != "" {
		v.SetConfigFile(path)
		if err := v.ReadInConfig(); err != nil {
			return Config{}, readFileError(path, err)
		}
		src.path = path
	}
	if err := src.unknownKeys(defaults()); err != nil {
		return Config{}, err
	}

	var cfg Config
	err := v.Unmarshal(&cfg, func(dc *mapstructure.DecoderConfig) {
		dc.ErrorUnused = true
		dc.WeaklyTypedInput = true // env values are strings
		dc.DecodeHook = mapstructure.ComposeDecodeHookFunc(
			mapstructure.StringToTimeDurationHookFunc(),
			stringToListHook,
		)
	})
	if err != nil {
		return Config{}, src.decodeError(err)
	}
	cfg.File = path
	// The SDK's standard variables, when the keys are not configured.
	fromEnv := false
	for _, kv := range environ {
		k, val, _ := strings.Cut(kv, "=")
		switch {
		case k == "ALIBABA_CLOUD_ACCESS_KEY_ID" && cfg.ECS.AccessKeyID == "":
			cfg.ECS.AccessKeyID = val
		case k == "ALIBABA_CLOUD_ACCESS_KEY_SECRET" && cfg.ECS.AccessKeySecret == "":
			cfg.ECS.AccessKeySecret = val
			fromEnv = true
		}
	}
	if fromEnv {
		for _, kv := range environ {
			if k, val, _ := strings.Cut(kv, "="); k == "ALIBABA_CLOUD_SECURITY_TOKEN" {
				cfg.ECS.SecurityToken = val
			}
		}
	}
	if err := cfg.finish(); err != nil {
		return Config{}, src.place(err)
	}
	return cfg, nil
}

// stringToListHook splits a comma-separated string into a list, so
// SEATIDE_CORS_ALLOWED_ORIGINS="https://a,https://b" works.
func stringToListHook(from, to reflect.Type, data any) (any, error) {
	if from.Kind() != reflect.String || to.Kind() != reflect.Slice {
		return data, nil
	}
	s := strings.TrimSpace(data.(string))
	if s == "" {
		return []string{}, nil
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts, nil
}

// ErrWeakSecret stops a production start with a missing or short secret.
var ErrWeakSecret = errors.New("secret: production mode needs a secret of at least 32 bytes (set `secret` or SEATIDE_SECRET; e.g. `openssl rand -hex 32`)")

// finish fills derived defaults and checks what must hold before start-up.
func (c *Config) finish() error {
	if c.Listen == "" {
		c.Listen = devListen
		if c.Production {
			c.Listen = productionListen
		}
	}
	if c.Production && len(c.Secret) < minSecretLen {
		return ErrWeakSecret
	}
	if !slices.Contains([]string{"sqlite", "mysql", "postgres"}, c.Database.Driver) {
		return fmt.Errorf("database.driver: %q is not one of sqlite, mysql, postgres", c.Database.Driver)
	}
	if strings.TrimSpace(c.Database.DSN) == "" {
		return errors.New("database.dsn: empty")
	}
	if c.Database.AutoMigrate == nil {
		on := c.Database.Driver == "sqlite"
		c.Database.AutoMigrate = &on
	}
	if c.Log.Format == "" {
		c.Log.Format = "text"
		if c.Production {
			c.Log.Format = "json"
		}
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		return fmt.Errorf("log.format: %q is not text or json", c.Log.Format)
	}
	if _, err := parseLevel(c.Log.Level); err != nil {
		return err
	}
	limit, err := parseBytes(c.MemoryLimitText)
	if err != nil {
		return fmt.Errorf("memory_limit: %w", err)
	}
	c.MemoryLimit = limit
	if c.Users.MaxConcurrentHashes < 1 {
		return errors.New("users.max_concurrent_hashes: must be at least 1")
	}
	if c.Users.RevocationDelay < 0 || c.Users.RevocationDelay > time.Minute {
		return fmt.Errorf("users.revocation_delay: %v is outside 0s..1m", c.Users.RevocationDelay)
	}
	if err := c.ECS.finish(c.Production); err != nil {
		return err
	}
	if c.Deploy.Enabled && strings.TrimSpace(c.Deploy.Script) == "" {
		return errors.New("deploy.script: empty while deploy.enabled is on")
	}
	if c.Deploy.Timeout <= 0 {
		return errors.New("deploy.timeout: must be positive")
	}
	if c.Reconcile.Interval <= 0 {
		return errors.New("reconcile.interval: must be positive")
	}
	if c.Reconcile.LeaseTTL < 2*c.Reconcile.Interval {
		return fmt.Errorf("reconcile.lease_ttl: %v must be at least twice reconcile.interval (%v), or replicas would steal each other's leases", c.Reconcile.LeaseTTL, c.Reconcile.Interval)
	}
	if c.Sim.TransitionTime < 0 {
		return errors.New("sim.transition_time: must not be negative")
	}
	if c.Minecraft.Port < 1 || c.Minecraft.Port > 65535 {
		return errors.New("minecraft.port: must be between 1 and 65535")
	}
	if c.Minecraft.Timeout <= 0 || c.Minecraft.CacheTTL <= 0 {
		return errors.New("minecraft.timeout, minecraft.cache_ttl: must be positive")
	}
	if c.Info.MaxPages < 1 {
		return errors.New("info.max_pages: must be at least 1")
	}
	c.Info.Protocol = "https"
	if scheme, rest, ok := strings.Cut(c.Info.Endpoint, "://"); ok {
		if scheme != "http" && scheme != "https" {
			return fmt.Errorf("info.endpoint: scheme %q is not http or https", scheme)
		}
		c.Info.Protocol, c.Info.Endpoint = scheme, strings.TrimSuffix(rest, "/")
	}
	if err := c.finishSecurity(); err != nil {
		return err
	}
	if err := c.World.finish(c.Idle.Action); err != nil {
		return err
	}
	// A spot reclaim is announced about five minutes ahead; the reconciler
	// must see it with time left to save and snapshot.
	if c.World.Enabled && c.ECS.SpotStrategy != "NoSpot" && c.Reconcile.Interval > time.Minute {
		return fmt.Errorf("reconcile.interval: %v is too slow for spot instances (ecs.spot_strategy %s): a reclaim is announced about 5 minutes ahead and the world must be saved and snapshotted within it; use 1m or less",
			c.Reconcile.Interval, c.ECS.SpotStrategy)
	}
	if c.Sim.ReclaimNotice <= 0 {
		return fmt.Errorf("sim.reclaim_notice: %v must be positive", c.Sim.ReclaimNotice)
	}
	if err := c.finishEvents(); err != nil {
		return err
	}
	if err := c.Frontdoor.finish(); err != nil {
		return err
	}
	return c.finishWatch()
}

func (c *Config) finishWatch() error {
	for key, d := range map[string]time.Duration{
		"watchdog.crash_after": c.Watchdog.CrashAfter, "idle.stop_after": c.Idle.StopAfter, "idle.grace": c.Idle.Grace,
	} {
		if d < 0 {
			return fmt.Errorf("%s: must not be negative (0 turns it off)", key)
		}
	}
	if c.Watchdog.CrashAction != "stop" && c.Watchdog.CrashAction != "delete" {
		return fmt.Errorf("watchdog.crash_action: %q is not stop or delete", c.Watchdog.CrashAction)
	}
	b := &c.Budget
	if strings.TrimSpace(b.Monthly) != "" {
		m, err := domain.ParseMoney(b.Monthly)
		if err != nil || m < 0 {
			return fmt.Errorf("budget.monthly: %q is not a non-negative amount such as 50 or 49.90", b.Monthly)
		}
		b.monthly = m
	}
	loc, err := time.LoadLocation(b.Timezone)
	if err != nil {
		return fmt.Errorf("budget.timezone: %q is not a time zone such as UTC or Asia/Shanghai", b.Timezone)
	}
	b.location = loc
	var traffic [2]domain.Money
	for i, kv := range [][2]string{{"budget.traffic_gb_per_hour", b.TrafficGBPerHour}, {"budget.traffic_price_per_gb", b.TrafficPricePerGB}} {
		m, err := domain.ParseMoney(kv[1])
		if err != nil || m < 0 {
			return fmt.Errorf("%s: %q is not a non-negative decimal such as 0.5", kv[0], kv[1])
		}
		traffic[i] = m
	}
	b.traffic = traffic[0] * traffic[1] / domain.MoneyScale
	if c.Info.Site != "china" && c.Info.Site != "international" {
		return fmt.Errorf("info.site: %q is not china or international", c.Info.Site)
	}
	return nil
}

// What the simulator is given when the operator configured no cloud: it
// accepts any value, these just look like real ones.
const (
	simRegion        = "cn-hangzhou"
	simInstanceType  = "ecs.g6.large"
	simImage         = ecssim.DefaultImage
	simSecurityGroup = ecssim.DefaultSecurityGroup
	simVPC           = ecssim.DefaultVPC // its vSwitches are found at start-up
)

func (c *ECSConfig) finish(production bool) error {
	switch {
	case c.Credentials != "key" && c.Credentials != "chain":
		return fmt.Errorf("ecs.credentials: %q is not key or chain", c.Credentials)
	case c.Credentials == "chain" && (c.AccessKeyID != "" || c.AccessKeySecret != ""):
		return errors.New("ecs.credentials: chain reads the credentials itself; leave ecs.access_key_id and ecs.access_key_secret empty")
	case c.Credentials == "chain":
	case c.AccessKeyID == "" && c.AccessKeySecret == "":
		if production {
			return errors.New("ecs.access_key_id: required in production (or ALIBABA_CLOUD_ACCESS_KEY_ID); without a key only the development simulator runs")
		}
		if c.Endpoint != "" {
			return errors.New("ecs.access_key_id: required with ecs.endpoint (a shared simulator prints the keys it accepts)")
		}
		c.Simulated = true
		c.fillSimDefaults()
	case c.AccessKeyID == "":
		return errors.New("ecs.access_key_id: required with ecs.access_key_secret")
	case c.AccessKeySecret == "":
		return errors.New("ecs.access_key_secret: required with ecs.access_key_id")
	}
	var missing []string
	for key, empty := range map[string]bool{
		"ecs.region": c.Region == "", "ecs.zone": len(c.Zone) == 0, "ecs.instance_type": len(c.InstanceType) == 0,
		"ecs.image": c.Image == "", "ecs.security_group": c.SecurityGroup == "", "ecs.vswitch or ecs.vpc": len(c.VSwitch) == 0 && c.VPC == "",
	} {
		if empty {
			missing = append(missing, key)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("%s: required when a cloud access key is configured", strings.Join(missing, ", "))
	}
	// A vSwitch lives in one zone: each zone needs its own, or Aliyun
	// refuses the create (InvalidParameter.Mismatch).
	if len(c.VSwitch) > 0 && len(c.VSwitch) != len(c.Zone) {
		if len(c.VSwitch) < len(c.Zone) {
			return fmt.Errorf("ecs.vswitch: zone %s has no vSwitch (a vSwitch lives in one zone: give one per ecs.zone, in its order, or ecs.vpc to find them)", c.Zone[len(c.VSwitch)])
		}
		return fmt.Errorf("ecs.vswitch: %d vSwitches for %d zones; give one per ecs.zone, in its order", len(c.VSwitch), len(c.Zone))
	}
	for _, check := range []struct {
		key, val string
		allowed  []string
	}{
		{"ecs.choose", c.Choose, []string{"order", "cheapest"}},
		{"ecs.internet_charge_type", c.InternetChargeType, []string{"PayByTraffic", "PayByBandwidth"}},
		{"ecs.spot_strategy", c.SpotStrategy, []string{"NoSpot", "SpotAsPriceGo", "SpotWithPriceLimit"}},
		{"ecs.stopped_mode", c.StoppedMode, []string{"StopCharging", "KeepCharging"}},
		{"ecs.spot_interruption", c.SpotInterruption, []string{"Stop", "Terminate"}},
	} {
		if !slices.Contains(check.allowed, check.val) {
			return fmt.Errorf("%s: %q is not one of %s", check.key, check.val, strings.Join(check.allowed, ", "))
		}
	}
	if c.SpotStrategy == "SpotWithPriceLimit" {
		if p, err := strconv.ParseFloat(c.SpotPriceLimit, 64); err != nil || p <= 0 {
			return fmt.Errorf("ecs.spot_price_limit: %q must be a positive hourly price with SpotWithPriceLimit", c.SpotPriceLimit)
		}
	}
	if c.SpotDuration != 0 && c.SpotDuration != 1 {
		return fmt.Errorf("ecs.spot_duration: %d is not 1 or 0 (hours of protection, RunInstances' SpotDuration)", c.SpotDuration)
	}
	// The public IP needs bandwidth; Aliyun's limits for pay-as-you-go.
	if c.BandwidthOut < 1 || c.BandwidthOut > 100 {
		return fmt.Errorf("ecs.bandwidth_out: %d Mbit/s is outside 1..100", c.BandwidthOut)
	}
	if c.SystemDisk.Size < 20 || c.SystemDisk.Size > 2048 {
		return fmt.Errorf("ecs.system_disk.size: %d GiB is outside 20..2048", c.SystemDisk.Size)
	}
	if c.DataDisk.Size != 0 && (c.DataDisk.Size < 20 || c.DataDisk.Size > 32768) {
		return fmt.Errorf("ecs.data_disk.size: %d GiB is outside 20..32768 (0 for no data disk)", c.DataDisk.Size)
	}
	for key, d := range map[string]time.Duration{
		"ecs.poll_interval": c.PollInterval, "ecs.wait_timeout": c.WaitTimeout,
		"ecs.agent_timeout": c.AgentTimeout, "ecs.call_timeout": c.CallTimeout,
	} {
		if d <= 0 {
			return fmt.Errorf("%s: must be positive", key)
		}
	}
	if c.Retry.MaxAttempts < 1 || c.Retry.BaseDelay <= 0 || c.Retry.MaxDelay < c.Retry.BaseDelay {
		return errors.New("ecs.retry: max_attempts must be at least 1, base_delay positive and max_delay at least base_delay")
	}
	c.Protocol = "https"
	if scheme, rest, ok := strings.Cut(c.Endpoint, "://"); ok {
		if scheme != "http" && scheme != "https" {
			return fmt.Errorf("ecs.endpoint: scheme %q is not http or https", scheme)
		}
		c.Protocol, c.Endpoint = scheme, strings.TrimSuffix(rest, "/")
	}
	return nil
}

func (c *ECSConfig) fillSimDefaults() {
	if c.Region == "" {
		c.Region = simRegion
	}
	if len(c.Zone) == 0 {
		c.Zone = []string{c.Region + "-h"}
	}
	if len(c.InstanceType) == 0 {
		c.InstanceType = []string{simInstanceType}
	}
	if c.Image == "" {
		c.Image = simImage
	}
	if c.SecurityGroup == "" {
		c.SecurityGroup = simSecurityGroup
	}
	if len(c.VSwitch) == 0 && c.VPC == "" {
		c.VPC = simVPC
	}
}

// parseBytes reads a size such as "40MiB", "512KiB", "1GiB" or "0".
func parseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}, {"", 1}} {
		if num, ok := strings.CutSuffix(t, u.suffix); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
			if err != nil || n < 0 || n > (1<<62)/u.mult {
				break
			}
			return n * u.mult, nil
		}
	}
	return 0, fmt.Errorf("%q is not a size such as 40MiB, 1GiB or 0", s)
}
