package ecssim

import (
	"net/http"
	"net/netip"
	"time"
)

// Instance states as ECS reports them.
const (
	StatusPending  = "Pending"
	StatusStarting = "Starting"
	StatusRunning  = "Running"
	StatusStopping = "Stopping"
	StatusStopped  = "Stopped"
)

const timeFormat = "2006-01-02T15:04Z" // DescribeInstances CreationTime/StartTime

// step is a scheduled state change.
type step struct {
	at     time.Time
	status string
}

type instance struct {
	id, name, description, hostName string
	zone, instanceType, imageID     string
	chargeType, internetChargeType  string
	spotStrategy                    string
	spotDuration                    int    // protection hours (RunInstances' SpotDuration)
	spotInterruption                string // Terminate or Stop, on a reclaim
	bandwidthOut                    int
	disks                           []disk // the system disk first
	tags                            []Tag
	created                         time.Time
	visibleAt                       time.Time // DescribeInstances lists it from then on

	status       string
	steps        []step
	runningSince time.Time // zero unless Running
	// stoppedMode is how it was last stopped: KeepCharging, StopCharging
	// or Not-applicable (DescribeInstances' StoppedMode).
	stoppedMode string
	publicIP    string
	ipAllocated bool // AllocatePublicIpAddress may succeed only once
	reassignIP  bool // StopCharging released the public IP; Start gets a new one

	mc   MinecraftState // what its fake Minecraft server says (Options.Minecraft)
	mcLn *mcListener    // its fake server, listening on publicIP; nil when none

	// Snapshots and spot reclaim (snapshots.go, reclaim.go).
	everRan   bool      // it has been Running once (CreateSnapshot needs it)
	recycleAt time.Time // a reclaim's notice ends; zero when none
}

// advance applies the scheduled steps that are due: transitions are
// evaluated lazily against the clock, so no timers are needed.
func (s *Simulator) advance(in *instance, now time.Time) {
	for len(in.steps) > 0 && !now.Before(in.steps[0].at) {
		st := in.steps[0]
		in.steps = in.steps[1:]
		if in.status == StatusRunning && st.status != StatusRunning {
			s.endRun(in, st.at)
		}
		in.status = st.status
		switch st.status {
		case StatusRunning:
			in.runningSince = st.at
			s.beginRun(in, st.at)
			in.everRan = true
			if in.reassignIP {
				s.assignIP(in)
				in.reassignIP = false
			}
		default:
			in.runningSince = time.Time{}
		}
	}
}

// transition sets the immediate status and schedules the rest, one
// TransitionTime apart.
func (s *Simulator) transition(in *instance, now time.Time, immediate string, then ...string) {
	if in.status == StatusRunning {
		s.endRun(in, now)
	}
	in.status = immediate
	in.runningSince = time.Time{}
	in.steps = nil
	at := now
	for _, st := range then {
		at = at.Add(s.opts.TransitionTime)
		in.steps = append(in.steps, step{at: at, status: st})
	}
	s.advance(in, now)
}

func (s *Simulator) agentReady(in *instance, now time.Time) bool {
	return in.status == StatusRunning && !now.Before(in.runningSince.Add(s.opts.AgentReadyAfter))
}

// nextIP hands out the next loopback address after IPBase, skipping .0/.255
// so every address is a usable host address.
func (s *Simulator) nextIP() string {
	a := s.lastIP.Next()
	for a.IsValid() && (a.As4()[3] == 0 || a.As4()[3] == 255) {
		a = a.Next()
	}
	if !a.IsValid() || a.As4()[0] != 127 {
		// 127/8 exhausted: wrap around rather than leave loopback.
		a = netip.AddrFrom4([4]byte{127, 0, 0, 2})
	}
	s.lastIP = a
	return a.String()
}

// lookup returns the instance with its state brought up to date.
func (s *Simulator) lookup(id string, now time.Time) (*instance, error) {
	if id == "" {
		return nil, errMissing("InstanceId")
	}
	in := s.instances[id]
	if in == nil {
		return nil, errInstanceNotFound(id)
	}
	s.advance(in, now)
	return in, nil
}

// remove releases an instance at now, ending its run (billing) if Running
// and its fake Minecraft server.
func (s *Simulator) remove(id string, now time.Time) {
	if in := s.instances[id]; in != nil {
		s.closeMinecraft(in)
		s.advance(in, now)
		if in.status == StatusRunning {
			s.endRun(in, now)
		}
		s.release(in, now)
	}
	delete(s.instances, id)
	for i, v := range s.order {
		if v == id {
			s.order = append(s.order[:i:i], s.order[i+1:]...)
			break
		}
	}
}

// newInstance validates the common CreateInstance/RunInstances parameters
// as the API reference does (see placement, checkPassword, disksOf), checks
// stock and builds the instance (not yet stored).
func (s *Simulator) newInstance(c *call) (*instance, error) {
	typ, err := c.required("InstanceType")
	if err != nil {
		return nil, err
	}
	if z := c.str("ZoneId"); z != "" && !contains(s.opts.Zones, z) {
		return nil, newErr(http.StatusNotFound, "InvalidZoneId.NotFound", "The specified zone %q does not exist.", z)
	}
	zone, err := s.placement(c)
	if err != nil {
		return nil, err
	}
	if err := checkPassword(c.str("Password")); err != nil {
		return nil, err
	}
	charge := orDefault(c.str("InstanceChargeType"), "PostPaid")
	if charge != "PostPaid" && charge != "PrePaid" {
		return nil, errInvalid("InstanceChargeType", charge)
	}
	spot := orDefault(c.str("SpotStrategy"), "NoSpot")
	switch spot {
	case "NoSpot", "SpotAsPriceGo":
	case "SpotWithPriceLimit":
		if _, err := c.required("SpotPriceLimit"); err != nil {
			return nil, err
		}
	default:
		return nil, errInvalid("SpotStrategy", spot)
	}
	if s.soldOut[Offer{zone, typ}] {
		return nil, errNoStock(zone, typ)
	}
	bw, err := c.integer("InternetMaxBandwidthOut", 0)
	if err != nil {
		return nil, err
	}
	if bw < 0 || bw > 200 {
		return nil, errInvalid("InternetMaxBandwidthOut", c.str("InternetMaxBandwidthOut"))
	}
	disks, err := s.disksOf(c)
	if err != nil {
		return nil, err
	}
	in := &instance{
		zone:               zone,
		instanceType:       typ,
		name:               c.str("InstanceName"),
		description:        c.str("Description"),
		hostName:           c.str("HostName"),
		imageID:            c.str("ImageId"),
		chargeType:         charge,
		internetChargeType: orDefault(c.str("InternetChargeType"), "PayByTraffic"),
		spotStrategy:       spot,
		spotInterruption:   spotTerminate,
		bandwidthOut:       bw,
		disks:              disks,
		tags:               c.tags("Tag"),
		created:            c.now,
	}
	return in, nil
}

// Spot interruption modes (RunInstances' SpotInterruptionBehavior).
const (
	spotTerminate = "Terminate"
	spotStop      = "Stop"
)

// spotOptions reads RunInstances' SpotDuration and SpotInterruptionBehavior.
// Source, the SDK's RunInstancesRequest comments: SpotDuration is the
// protection period in hours, valid values 1 (the default) and 0;
// SpotInterruptionBehavior is Terminate (the default: released) or Stop
// ("stopped in economical mode"). CreateInstance has neither: there the
// instance is released.
func spotOptions(c *call, in *instance) error {
	d, err := c.integer("SpotDuration", 1)
	if err != nil {
		return err
	}
	if d != 0 && d != 1 {
		return errInvalid("SpotDuration", c.str("SpotDuration"))
	}
	b := orDefault(c.str("SpotInterruptionBehavior"), spotTerminate)
	if b != spotTerminate && b != spotStop {
		return errInvalid("SpotInterruptionBehavior", b)
	}
	in.spotDuration, in.spotInterruption = d, b
	return nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func (s *Simulator) store(in *instance) {
	in.id = s.newID("i")
	if in.name == "" {
		in.name = in.id
	}
	if in.hostName == "" {
		in.hostName = "iZ" + in.id[2:] + "Z"
	}
	for i := range in.disks {
		in.disks[i].id = s.newID("d")
	}
	in.mc = s.mcTemplate.clone()
	s.restoreWorld(in)
	in.visibleAt = in.created.Add(s.visibility)
	s.meterCreated(in)
	s.instances[in.id] = in
	s.order = append(s.order, in.id)
}

// CreateInstance: Pending -> Stopped, no public IP.
func actCreateInstance(s *Simulator, c *call) (map[string]any, error) {
	in, err := s.newInstance(c)
	if err != nil {
		return nil, err
	}
	if dry, err := c.boolean("DryRun"); err != nil {
		return nil, err
	} else if dry {
		return nil, errDryRun()
	}
	s.store(in)
	s.transition(in, c.now, StatusPending, StatusStopped)
	return map[string]any{"InstanceId": in.id}, nil
}

// RunInstances: Pending -> Starting -> Running, a public IP at once when
// InternetMaxBandwidthOut > 0 ("RunInstances" in the ECS API reference:
// created, started, and given a public IP when bandwidth is set). Every
// instance is checked before any is made; with DryRun the checks pass as
// 400 DryRunOperation (the SDK's DryRun comment) and nothing is made.
func actRunInstances(s *Simulator, c *call) (map[string]any, error) {
	amount, err := c.integer("Amount", 1)
	if err != nil {
		return nil, err
	}
	if amount < 1 || amount > 100 {
		return nil, errInvalid("Amount", c.str("Amount"))
	}
	minAmount, err := c.integer("MinAmount", amount)
	if err != nil {
		return nil, err
	}
	if minAmount < 1 || minAmount > amount {
		return nil, errInvalid("MinAmount", c.str("MinAmount"))
	}
	var made []*instance
	for range amount {
		in, err := s.newInstance(c)
		if err != nil {
			return nil, err
		}
		if err := spotOptions(c, in); err != nil {
			return nil, err
		}
		made = append(made, in)
	}
	if dry, err := c.boolean("DryRun"); err != nil {
		return nil, err
	} else if dry {
		return nil, errDryRun()
	}
	ids := []string{}
	for _, in := range made {
		s.store(in)
		if in.bandwidthOut > 0 {
			s.assignIP(in)
			in.ipAllocated = true
		}
		s.transition(in, c.now, StatusPending, StatusStarting, StatusRunning)
		ids = append(ids, in.id)
	}
	return map[string]any{
		"InstanceIdSets": map[string]any{"InstanceIdSet": ids},
		"TradePrice":     s.price(made[0].zone, made[0].instanceType, made[0].spotStrategy) * float64(amount),
	}, nil
}

func errDryRun() *apiError {
	return newErr(http.StatusBadRequest, "DryRunOperation", "Request validation has been passed with DryRun flag set.")
}

// StartInstance: Stopped -> Starting -> Running. An instance stopped in
// economical mode gave its vCPUs and memory back, so it needs stock again:
// "If an ECS instance is stopped in economical mode, the instance may fail
// to be started due to insufficient resources" (the SDK's StartInstance
// description). The code is the one CreateInstance/RunInstances document
// for missing stock; one stopped in KeepCharging kept its resources.
func actStartInstance(s *Simulator, c *call) (map[string]any, error) {
	in, err := s.lookup(c.str("InstanceId"), c.now)
	if err != nil {
		return nil, err
	}
	if in.status != StatusStopped {
		return nil, errIncorrectStatus(in.id, in.status)
	}
	if in.stoppedMode == stopStopCharging && s.soldOut[Offer{in.zone, in.instanceType}] {
		return nil, errNoStock(in.zone, in.instanceType)
	}
	s.transition(in, c.now, StatusStarting, StatusRunning)
	return map[string]any{}, nil
}

// StopInstance: Running -> Stopping -> Stopped, in StoppedMode.
//
// Sources: the SDK's StopInstanceRequest.StoppedMode comment (values
// StopCharging and KeepCharging; when absent, KeepCharging unless economical
// mode was enabled in the console, which this simulated account has not)
// and DescribeInstances' StoppedMode comment (economical mode releases the
// vCPUs, memory and public IP; "Not-applicable" for an instance that does
// not support it). The "Economical mode" page (help document 63353) limits
// it to pay-as-you-go instances in a VPC: every simulated instance is in a
// VPC, so a subscription (PrePaid) one is the Not-applicable case.
func actStopInstance(s *Simulator, c *call) (map[string]any, error) {
	in, err := s.lookup(c.str("InstanceId"), c.now)
	if err != nil {
		return nil, err
	}
	mode := orDefault(c.str("StoppedMode"), stopKeepCharging)
	if mode != stopKeepCharging && mode != stopStopCharging {
		return nil, errInvalid("StoppedMode", mode)
	}
	if in.status != StatusRunning {
		return nil, errIncorrectStatus(in.id, in.status)
	}
	if in.chargeType != "PostPaid" {
		mode = stopNotApplicable
	}
	in.stoppedMode = mode
	if mode == stopStopCharging && in.publicIP != "" {
		in.publicIP, in.reassignIP = "", true
		s.closeMinecraft(in)
	}
	s.transition(in, c.now, StatusStopping, StatusStopped)
	return map[string]any{}, nil
}

// Stop modes (StopInstance's StoppedMode, DescribeInstances' StoppedMode).
const (
	stopKeepCharging  = "KeepCharging"
	stopStopCharging  = "StopCharging"
	stopNotApplicable = "Not-applicable"
)

// deletable reports whether DeleteInstance(s) may release the instance:
// Stopped always, Running only with Force.
func deletable(in *instance, force bool) error {
	if in.status == StatusStopped || (force && in.status == StatusRunning) {
		return nil
	}
	return errIncorrectStatus(in.id, in.status)
}

func actDeleteInstance(s *Simulator, c *call) (map[string]any, error) {
	in, err := s.lookup(c.str("InstanceId"), c.now)
	if err != nil {
		return nil, err
	}
	force, err := c.boolean("Force")
	if err != nil {
		return nil, err
	}
	if err := deletable(in, force); err != nil {
		return nil, err
	}
	s.remove(in.id, c.now)
	return map[string]any{}, nil
}

// DeleteInstances checks every instance before releasing any.
func actDeleteInstances(s *Simulator, c *call) (map[string]any, error) {
	ids := c.list("InstanceId")
	if len(ids) == 0 {
		return nil, errMissing("InstanceId.N")
	}
	force, err := c.boolean("Force")
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		in, err := s.lookup(id, c.now)
		if err != nil {
			return nil, err
		}
		if err := deletable(in, force); err != nil {
			return nil, err
		}
	}
	for _, id := range ids {
		s.remove(id, c.now)
	}
	return map[string]any{}, nil
}

// AllocatePublicIpAddress: Stopped or Running, once per instance.
func actAllocatePublicIP(s *Simulator, c *call) (map[string]any, error) {
	in, err := s.lookup(c.str("InstanceId"), c.now)
	if err != nil {
		return nil, err
	}
	if in.status != StatusStopped && in.status != StatusRunning {
		return nil, errIncorrectStatus(in.id, in.status)
	}
	if in.ipAllocated {
		return nil, newErr(http.StatusForbidden, "QuotaExceed.PublicIpAddress",
			"The instance %s already has a public IP address allocated.", in.id)
	}
	in.ipAllocated = true
	if in.publicIP == "" {
		s.assignIP(in)
	}
	return map[string]any{"IpAddress": in.publicIP}, nil
}
