package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/seatidemc/seatide/adapters/aliyunecs"
	"github.com/seatidemc/seatide/adapters/prom"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/preflight"
)

// ErrCheckFailed says at least one check of `seatide check` failed; the
// command exits 1.
var ErrCheckFailed = errors.New("check: at least one check failed (see the FAIL lines)")

// Check runs the preflight checks of the configured account (the
// simulated one without a key) and prints one line per check. Nothing is
// created or billed: the create is a dry run.
func Check(ctx context.Context, cfg Config, log *slog.Logger, out io.Writer) error {
	metrics, err := prom.New(prometheus.NewRegistry())
	if err != nil {
		return err
	}
	simCfg := cfg.Sim
	simCfg.trafficGBPerHour, simCfg.trafficPricePerGB = cfg.Budget.TrafficGBPerHour, cfg.Budget.TrafficPricePerGB
	c, err := openCloud(cfg.ECS, cfg.Info, simCfg, nil, FrontdoorConfig{}, log, metrics) // the front door is not checked
	if err != nil {
		return err
	}
	defer c.Close()
	// The key first: with a refused one nothing else can be asked.
	cred := preflight.New(preflight.Deps{Regions: c.regions},
		preflight.Config{Region: cfg.ECS.Region, Credentials: c.credentials}).Credentials(ctx)
	if !cred.OK {
		fmt.Fprintln(out, cred)
		return ErrCheckFailed
	}
	if err := resolveVSwitches(ctx, &cfg.ECS, c.network); err != nil {
		detail := err.Error() // our own text: a zone without a vSwitch
		var de *domain.Error
		if errors.As(err, &de) { // a failed call: its safe text, never the SDK's
			detail = fmt.Sprintf("ecs.vpc %s: %s", cfg.ECS.VPC, preflight.Explain(err))
		}
		fmt.Fprintln(out, preflight.Result{Name: "vswitches", Detail: detail})
		return ErrCheckFailed
	}
	checker, err := newChecker(cfg, c)
	if err != nil {
		return err
	}
	results := checker.All(ctx)
	for _, r := range results {
		fmt.Fprintln(out, r)
	}
	if preflight.Failed(results) {
		return ErrCheckFailed
	}
	fmt.Fprintln(out, "every check passed")
	return nil
}

// newChecker wires the preflight checks to the cloud and the configured
// offers, instance and deploy script.
func newChecker(cfg Config, c *cloud) (*preflight.Checker, error) {
	icfg, err := instancesConfig(cfg)
	if err != nil {
		return nil, err
	}
	pc := preflight.Config{
		Region: cfg.ECS.Region, Spec: icfg.Spec, Credentials: c.credentials, BillingEndpoint: c.billingEndpoint,
	}
	if icfg.DeployEnabled {
		pc.DeployScript = icfg.DeployScript
	}
	for _, o := range icfg.Offers {
		pc.Offers = append(pc.Offers, preflight.Offer{Zone: o.Zone, InstanceType: o.InstanceType, VSwitch: o.VSwitch})
	}
	deps := preflight.Deps{Cloud: c.Cloud, Network: c.network, Regions: c.regions, Billing: c.billing,
		DryRun: c.Cloud.CheckCreate}
	return preflight.New(deps, pc), nil
}

// describeCredentials says where the cloud key comes from, never the
// secret: the key's id, or the chain's source as it resolves now.
func describeCredentials(cfg ECSConfig, simulated bool) string {
	switch {
	case simulated:
		return "the simulator's key"
	case cfg.Credentials == "chain":
		source, id, err := aliyunecs.CredentialSource(aliyunecs.Chain())
		if err != nil {
			return "chain: no credentials found (environment, credentials file, ECS RAM role)"
		}
		return fmt.Sprintf("chain: %s, key %s", source, id)
	case cfg.SecurityToken != "":
		return "STS key " + cfg.AccessKeyID
	}
	return "key " + cfg.AccessKeyID
}

// accountReadiness is /readyz's "account" check: the cheap preflight
// checks (credentials and region, the billing API), at most once a minute.
// Only the account's own faults fail it; an unavailable or throttling
// cloud does not (it must not take every replica out of service).
type accountReadiness struct {
	checker *preflight.Checker
	now     func() time.Time

	mu   sync.Mutex
	at   time.Time
	last error
}

const accountReadinessTTL = time.Minute

func (r *accountReadiness) Run(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if now := r.now(); r.at.IsZero() || now.Sub(r.at) >= accountReadinessTTL {
		r.at, r.last = now, nil
		for _, res := range r.checker.Cheap(ctx) {
			if !res.OK && !res.Transient {
				r.last = domain.Errorf(domain.CodeUnavailable, "%s failed: run seatide check", res.Name)
				break
			}
		}
	}
	return r.last
}
