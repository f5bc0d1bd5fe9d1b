// Package preflight checks that a cloud account can run the configured game
// server before money is spent: credentials, region, image, network, stock,
// price, balance, a dry-run create per offer, the deploy script and the
// billing API. `seatide check` prints every result; /readyz runs the cheap
// ones.
package preflight

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// MaxDeployBase64 is Cloud Assistant's limit on a command's content as
// sent (base64): "If you do not want to retain the command, make sure that
// the Base64-encoded command content does not exceed 24 KB" (RunCommand's
// CommandContent in the ECS SDK, ecs-20140526 v4.26.10; 18 KB when the
// command is kept, which seatide's RunCommand does not ask for).
const MaxDeployBase64 = 24 * 1024

// Offer is one zone, instance type and vSwitch to create in.
type Offer struct {
	Zone, InstanceType, VSwitch string
}

// Config is what to check.
type Config struct {
	Region       string
	Offers       []Offer
	Spec         ports.InstanceSpec // Zone, InstanceType and VSwitch come from each offer
	DeployScript string             // "" when deploy is off
	// Credentials describes where the credentials come from, for the
	// report (e.g. "key LTAI…", "chain: default/env").
	Credentials string
	// BillingEndpoint names BSS's endpoint, for the report.
	BillingEndpoint string
}

// Deps are the ports checked through.
type Deps struct {
	Cloud   ports.Cloud
	Network ports.Network
	Regions ports.Regions
	Billing ports.Billing
	// DryRun asks whether creating spec would be accepted, nothing created
	// (nil: the dry run is skipped and says so).
	DryRun func(ctx context.Context, spec ports.InstanceSpec) error
}

// Result is one line of the report.
type Result struct {
	Name   string
	OK     bool
	Detail string
	// Transient: it failed because the cloud was unavailable or
	// throttling, not because of the account (readiness ignores those:
	// a cloud outage must not take every replica out of service).
	Transient bool
}

func transient(err error) bool {
	return errors.Is(err, domain.ErrCloudUnavailable) || errors.Is(err, domain.ErrThrottled)
}

func (r Result) String() string {
	mark := "ok  "
	if !r.OK {
		mark = "FAIL"
	}
	return fmt.Sprintf("%s %-28s %s", mark, r.Name, r.Detail)
}

// Failed reports whether any result failed.
func Failed(rs []Result) bool {
	return slices.ContainsFunc(rs, func(r Result) bool { return !r.OK })
}

// Checker runs the checks.
type Checker struct {
	d   Deps
	cfg Config
}

// New returns a Checker.
func New(d Deps, cfg Config) *Checker { return &Checker{d: d, cfg: cfg} }

// Cheap runs the checks that cost one quick call each and no money, for
// readiness: credentials and region, and the billing API.
func (c *Checker) Cheap(ctx context.Context) []Result {
	return []Result{c.credentialsAndRegion(ctx), c.bss(ctx)}
}

// All runs every check, in the order an operator fixes things.
func (c *Checker) All(ctx context.Context) []Result {
	cred := c.credentialsAndRegion(ctx)
	out := []Result{cred}
	if !cred.OK {
		return out // nothing else can be asked with a refused key
	}
	out = append(out, c.image(ctx))
	out = append(out, c.network(ctx)...)
	out = append(out, c.offers(ctx)...)
	out = append(out, c.bss(ctx), c.balance(ctx), c.deployScript())
	return out
}

// explain is the safe text of a failed call: the domain error's message
// (never the SDK's text) and the cloud's code when there is one.
func explain(err error) string {
	var de *domain.Error
	if errors.As(err, &de) {
		return de.Message
	}
	return "unexpected error"
}

// Credentials checks the key and the region alone: nothing else can be
// asked when it fails.
func (c *Checker) Credentials(ctx context.Context) Result { return c.credentialsAndRegion(ctx) }

// Explain is the safe text of a failed call, for a report line.
func Explain(err error) string { return explain(err) }

func (c *Checker) credentialsAndRegion(ctx context.Context) Result {
	regions, err := c.d.Regions.Regions(ctx)
	switch {
	case errors.Is(err, domain.ErrCloudAuth):
		return Result{Name: "credentials", Detail: c.cfg.Credentials + ": the cloud refused them (a wrong or disabled key, or a RAM user without ecs:DescribeRegions)"}
	case err != nil:
		return Result{"credentials", false, c.cfg.Credentials + ": " + explain(err), transient(err)}
	case !slices.Contains(regions, c.cfg.Region):
		return Result{Name: "credentials and region", Detail: fmt.Sprintf("%s: accepted, but ecs.region %q is not one of the account's regions (%s)",
			c.cfg.Credentials, c.cfg.Region, strings.Join(regions, ", "))}
	}
	return Result{Name: "credentials and region", OK: true, Detail: fmt.Sprintf("%s, region %s", c.cfg.Credentials, c.cfg.Region)}
}

func (c *Checker) image(ctx context.Context) Result {
	_, err := c.d.Network.Image(ctx, c.cfg.Spec.Image)
	switch {
	case errors.Is(err, domain.ErrCloudNotFound):
		return Result{"image", false, fmt.Sprintf("ecs.image %q does not exist in %s", c.cfg.Spec.Image, c.cfg.Region), false}
	case err != nil:
		return Result{"image", false, fmt.Sprintf("ecs.image %q: %s", c.cfg.Spec.Image, explain(err)), transient(err)}
	}
	return Result{"image", true, c.cfg.Spec.Image, false}
}

// network: the security group and every offer's vSwitch in one VPC, each
// vSwitch in its offer's zone (Aliyun refuses a create otherwise with
// InvalidParameter.Mismatch / InvalidVSwitchId.*).
func (c *Checker) network(ctx context.Context) []Result {
	sgID := c.cfg.Spec.SecurityGroup
	sg, err := c.d.Network.SecurityGroup(ctx, sgID)
	if err != nil {
		if errors.Is(err, domain.ErrCloudNotFound) {
			return []Result{{"security group", false, fmt.Sprintf("ecs.security_group %q does not exist in %s", sgID, c.cfg.Region), false}}
		}
		return []Result{{"security group", false, fmt.Sprintf("ecs.security_group %q: %s", sgID, explain(err)), transient(err)}}
	}
	vpc := sg.VPC
	out := []Result{{"security group", true, fmt.Sprintf("%s in %s", sgID, vpc), false}}
	inVPC, err := c.d.Network.VSwitches(ctx, vpc)
	if err != nil {
		return append(out, Result{"vswitches", false, fmt.Sprintf("the vSwitches of %s: %s", vpc, explain(err)), transient(err)})
	}
	seen := map[string]bool{}
	for _, o := range c.cfg.Offers {
		vsw := cmpOr(o.VSwitch, c.cfg.Spec.VSwitch)
		if seen[vsw+"/"+o.Zone] {
			continue
		}
		seen[vsw+"/"+o.Zone] = true
		name := "vswitch " + vsw
		i := slices.IndexFunc(inVPC, func(v ports.VSwitch) bool { return v.ID == vsw })
		switch {
		case i < 0:
			out = append(out, Result{name, false, fmt.Sprintf("not in %s, the VPC of the security group %s (or no such vSwitch): both must be in one VPC", vpc, sgID), false})
		case inVPC[i].Zone != o.Zone:
			out = append(out, Result{name, false, fmt.Sprintf("in zone %s, but it is paired with zone %s: give ecs.vswitch one vSwitch per ecs.zone, in the same order", inVPC[i].Zone, o.Zone), false})
		default:
			out = append(out, Result{name, true, fmt.Sprintf("%s, %s", o.Zone, vpc), false})
		}
	}
	return out
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (c *Checker) spec(o Offer) ports.InstanceSpec {
	sp := c.cfg.Spec
	sp.Zone, sp.InstanceType = o.Zone, o.InstanceType
	sp.VSwitch = cmpOr(o.VSwitch, sp.VSwitch)
	return sp
}

// offers: each offer's stock, price and a dry-run create; failing when no
// offer could be created at all.
func (c *Checker) offers(ctx context.Context) []Result {
	var out []Result
	usable := 0
	for _, o := range c.cfg.Offers {
		name := "offer " + o.Zone + " " + o.InstanceType
		ok, err := c.d.Cloud.Available(ctx, o.Zone, o.InstanceType)
		if err != nil {
			out = append(out, Result{name, false, "stock: " + explain(err), false})
			continue
		}
		if !ok {
			// One sold-out offer is what the list of offers is for.
			out = append(out, Result{name, true, "no stock now (the next offer is tried)", false})
			continue
		}
		sp := c.spec(o)
		p, err := c.d.Cloud.Price(ctx, sp)
		if err != nil {
			out = append(out, Result{name, false, "in stock; price: " + explain(err), false})
			continue
		}
		detail := fmt.Sprintf("in stock, %s %s an hour", p.Amount, p.Currency)
		if p.Instance != "" {
			detail += fmt.Sprintf(" (instance %s, disks %s, bandwidth %s; traffic per GB on top)", p.Instance, p.Disk, p.Bandwidth)
		}
		if c.d.DryRun != nil {
			if err := c.d.DryRun(ctx, sp); err != nil {
				out = append(out, Result{name, false, detail + "; a dry-run create was refused: " + explain(err), false})
				continue
			}
			detail += "; a dry-run create passes"
		}
		usable++
		out = append(out, Result{name, true, detail, false})
	}
	if usable == 0 {
		out = append(out, Result{"stock", false, "no offer can be created now: add zones or instance types (ecs.zone, ecs.instance_type)", false})
	}
	return out
}

func (c *Checker) bss(ctx context.Context) Result {
	if _, err := c.d.Billing.Balance(ctx); err != nil && !errors.Is(err, domain.ErrNoBillingData) {
		return Result{"billing API", false, c.cfg.BillingEndpoint + ": " + explain(err), transient(err)}
	}
	return Result{Name: "billing API", OK: true, Detail: c.cfg.BillingEndpoint}
}

func (c *Checker) balance(ctx context.Context) Result {
	b, err := c.d.Billing.Balance(ctx)
	if err != nil {
		return Result{"balance", false, explain(err), false}
	}
	m, err := domain.ParseMoney(strings.ReplaceAll(b.Available, ",", ""))
	if err != nil || m <= 0 {
		return Result{"balance", false, fmt.Sprintf("%s %s: pay-as-you-go instances need a positive balance", b.Available, b.Currency), false}
	}
	return Result{"balance", true, b.Available + " " + b.Currency, false}
}

func (c *Checker) deployScript() Result {
	if c.cfg.DeployScript == "" {
		return Result{"deploy script", true, "deploy is off", false}
	}
	n := base64.StdEncoding.EncodedLen(len(c.cfg.DeployScript))
	if n > MaxDeployBase64 {
		return Result{"deploy script", false, fmt.Sprintf("%d bytes, %d in base64: Cloud Assistant takes at most %d; download the rest from the script",
			len(c.cfg.DeployScript), n, MaxDeployBase64), false}
	}
	return Result{"deploy script", true, fmt.Sprintf("%d bytes, %d of %d in base64", len(c.cfg.DeployScript), n, MaxDeployBase64), false}
}
