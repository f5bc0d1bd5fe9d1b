// Package instances owns the lifecycle of the one current game server:
// which action is allowed in which state, the multi-step creation as a
// persisted operation, and a history row for every cloud action. It talks
// to the cloud and the stores only through ports.
package instances

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// Offer is one zone and instance type to try. A vSwitch belongs to one
// zone, so an offer may name its own; "" uses Spec.VSwitch.
type Offer struct {
	Zone         string
	InstanceType string
	VSwitch      string
}

// Config is the operator's choice of server and how long to wait for it.
type Config struct {
	Offers              []Offer // tried in order (or cheapest first)
	ChooseCheapest      bool
	Spec                ports.InstanceSpec // the rest of the instance; Zone and InstanceType come from Offers
	CreateRequiresAdmin bool
	// StoppedMode is sent with every stop (admin, watchdogs, budget):
	// StopCharging (default) stops the compute bill and releases the
	// public IP; KeepCharging keeps both.
	StoppedMode   ports.StopMode
	DeployEnabled bool
	DeployScript  string // the script's text
	PollInterval  time.Duration
	WaitTimeout   time.Duration // per wait for a state
	AgentTimeout  time.Duration // for the Cloud Assistant agent after Running
	DeployTimeout time.Duration // for the deploy script to finish
	// VisibilityGrace is how long a NotFound is waited out right after a
	// create or a RunCommand (default 2m): the cloud lists new resources
	// with a delay.
	VisibilityGrace time.Duration

	// ProcessID names this process in operations and leases (random when
	// empty). ReconcileInterval paces the monitors; LeaseTTL is how long a
	// silent process keeps its leases (at least twice the interval).
	ProcessID         string
	ReconcileInterval time.Duration
	LeaseTTL          time.Duration
	// StallAfter: an operation whose worker has not renewed it for this
	// long is taken over by the reconciler, even when its owner is alive
	// (stall.go). StoreRetryBase is the first wait before retrying a store
	// write of a background step.
	StallAfter     time.Duration
	StoreRetryBase time.Duration
	// DeleteOrphans deletes managed instances that are not recorded and
	// cannot be adopted, instead of only reporting them.
	DeleteOrphans bool

	// The Minecraft server: its port, how long a status ping may take and
	// how long its answer is reused.
	MinecraftPort  int
	ProbeTimeout   time.Duration
	StatusCacheTTL time.Duration
	// Watchdogs (0 = off): act per CrashAction (CrashStop or CrashDelete)
	// when the server has not answered for CrashAfter; stop it when it
	// answered with 0 players for IdleStopAfter, but not within IdleGrace
	// of coming up.
	CrashAfter    time.Duration
	CrashAction   string
	IdleStopAfter time.Duration
	IdleGrace     time.Duration
	// PlayerEvents pings the server every round even with both watchdogs
	// off, so players joining and leaving are announced (events).
	PlayerEvents bool

	// Cost and budget: days are counted in CostLocation (default UTC);
	// Currency names amounts before any price was recorded. BudgetMonthly
	// (0 = off) refuses new and start when this month's spend plus one
	// more hour would pass it; BudgetStopAtCap stops a running instance
	// once the spend reaches it.
	CostLocation    *time.Location
	Currency        string
	BudgetMonthly   domain.Money
	BudgetStopAtCap bool
	// TrafficHourly is the estimated cost of an hour of public traffic when
	// paying by traffic (GB per hour times the price per GB); StoppedMode
	// decides what a stop leaves billed. The month's bill is read every
	// BillCheckInterval (default a day).
	TrafficHourly     domain.Money
	BillCheckInterval time.Duration

	// World: the data disk, its backups and spot reclaim (world.go).
	World WorldConfig
}

// ManagedTag marks what this service created, so it can find its own.
var ManagedTag = map[string]string{"managed-by": "seatide"}

// OperationTag names, on an instance, the operation that created it: after a
// crash the reconciler finds the server a half-done `new` made.
const OperationTag = "seatide-operation"

// Deps are the ports the service works through.
type Deps struct {
	Cloud   ports.Cloud
	Store   ports.InstanceStore
	History ports.HistoryStore
	Leases  ports.LeaseStore
	Probe   ports.ServerProbe // nil: the Minecraft server is never seen online
	Ledger  ports.LedgerStore // nil: no cost ledger, no budget
	Clock   ports.Clock
	Log     *slog.Logger // nil: discard
	// Observer hears status changes and reconciliations (metrics); nil: none.
	Observer ports.InstanceObserver
	// Bills are the cloud's bills by instance and product; nil: the ledger
	// is never checked against them.
	Bills ports.InstanceBilling
	// Snapshots and Backups keep the world (world.go); nil: no backups.
	Snapshots ports.Snapshots
	Backups   ports.BackupStore
	// Events hears what happens (domain events); nil: none.
	Events ports.EventSink
}

// Service runs the instance rules.
type Service struct {
	cloud   ports.Cloud
	store   ports.InstanceStore
	history ports.HistoryStore
	leases  ports.LeaseStore
	ledger  ports.LedgerStore
	clock   ports.Clock
	log     *slog.Logger
	obs     ports.InstanceObserver
	bills   ports.InstanceBilling
	money   *moneyState
	snaps   ports.Snapshots
	backups ports.BackupStore
	events  ports.EventSink
	cfg     Config

	// Background steps outlive the request that started them; they stop
	// at the next persisted step when the service closes.
	bg     context.Context
	stop   context.CancelFunc
	active sync.WaitGroup

	mu       sync.Mutex
	reported map[string]bool // orphans already written to history by this process
	// skipped holds offers a spot reclaim took away, until when they are
	// not tried (world.on_reclaim: hop).
	skipped map[Offer]time.Time
	// reclaiming holds the instances whose reclaim this process has handled.
	reclaiming map[string]bool

	reconciling sync.Mutex // one Reconcile at a time in this process
	workers     workers    // operations this process is finishing (stall.go)
	refusals    refusals   // refused actions sampled into history (refusals.go)

	probes  *probeCache
	watchMu sync.Mutex // one Watch at a time; guards watch
	watch   watchState
	evState eventsState // guarded by watchMu
}

// New returns an instance service; Close it to end background work.
func New(d Deps, cfg Config) *Service {
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 2 * time.Second
	}
	if cfg.WaitTimeout <= 0 {
		cfg.WaitTimeout = 5 * time.Minute
	}
	if cfg.AgentTimeout <= 0 {
		cfg.AgentTimeout = 5 * time.Minute
	}
	if cfg.VisibilityGrace <= 0 {
		cfg.VisibilityGrace = 2 * time.Minute
	}
	if cfg.DeployTimeout <= 0 {
		cfg.DeployTimeout = 30 * time.Minute
	}
	if cfg.ReconcileInterval <= 0 {
		cfg.ReconcileInterval = 10 * time.Second
	}
	if cfg.LeaseTTL < 2*cfg.ReconcileInterval {
		cfg.LeaseTTL = 3 * cfg.ReconcileInterval
	}
	if cfg.StallAfter <= 0 {
		cfg.StallAfter = 10 * time.Minute
	}
	if cfg.StoreRetryBase <= 0 {
		cfg.StoreRetryBase = storeRetryBase
	}
	if cfg.MinecraftPort <= 0 {
		cfg.MinecraftPort = 25565
	}
	if cfg.ProbeTimeout <= 0 {
		cfg.ProbeTimeout = 3 * time.Second
	}
	if cfg.StatusCacheTTL <= 0 {
		cfg.StatusCacheTTL = 5 * time.Second
	}
	if cfg.CostLocation == nil {
		cfg.CostLocation = time.UTC
	}
	if cfg.Currency == "" {
		cfg.Currency = "CNY"
	}
	if cfg.StoppedMode == "" {
		cfg.StoppedMode = ports.StopCharging
	}
	if cfg.BillCheckInterval <= 0 {
		cfg.BillCheckInterval = DefaultBillCheckInterval
	}
	if cfg.CrashAction == "" {
		cfg.CrashAction = CrashStop
	}
	if cfg.ProcessID == "" {
		cfg.ProcessID = "p-" + strings.TrimPrefix(newID(), "op-")
	}
	log := d.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	obs := d.Observer
	if obs == nil {
		obs = ports.NopInstanceObserver{}
	}
	cfg.World.withDefaults()
	events := d.Events
	if events == nil {
		events = ports.NopEventSink{}
	}
	bg, stop := context.WithCancel(context.Background())
	s := &Service{events: events, cloud: d.Cloud, store: d.Store, history: d.History, leases: d.Leases, ledger: d.Ledger,
		clock: d.Clock, log: log, obs: obs, snaps: d.Snapshots, backups: d.Backups, cfg: cfg,
		bg: bg, stop: stop, reported: map[string]bool{}, skipped: map[Offer]time.Time{}, reclaiming: map[string]bool{},
		bills: d.Bills, money: newMoneyState()}
	s.probes = &probeCache{now: d.Clock.Now, ttl: cfg.StatusCacheTTL, timeout: cfg.ProbeTimeout,
		probe: func(ctx context.Context, ip string) (domain.ServerStatus, error) {
			if d.Probe == nil {
				return domain.ServerStatus{}, domain.ErrServerSilent
			}
			return d.Probe.Status(ctx, ip, cfg.MinecraftPort)
		}}
	return s
}

// Close stops background operations at their next step and waits for them.
func (s *Service) Close() {
	s.stop()
	s.active.Wait()
}

// Wait blocks until background operations have finished (for tests and
// graceful shutdown).
func (s *Service) Wait() { s.active.Wait() }

func newID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "op-" + hex.EncodeToString(b)
}

func (s *Service) spec(o Offer) ports.InstanceSpec {
	sp := s.cfg.Spec
	sp.Zone, sp.InstanceType = o.Zone, o.InstanceType
	if o.VSwitch != "" {
		sp.VSwitch = o.VSwitch
	}
	sp.Tags = make(map[string]string, len(ManagedTag)+len(s.cfg.Spec.Tags))
	for k, v := range s.cfg.Spec.Tags {
		sp.Tags[k] = v
	}
	for k, v := range ManagedTag {
		sp.Tags[k] = v
	}
	return sp
}

// record writes a history row, naming the API request behind ctx; a
// failure to record is logged, never hidden.
func (s *Service) record(ctx context.Context, e domain.HistoryEntry) {
	if e.APIRequestID == "" {
		e.APIRequestID = domain.RequestIDFrom(ctx)
	}
	if origin := domain.OriginFrom(ctx); origin != "" {
		// Actions not pressed through the API (the front door's wakes)
		// say where they came from.
		e.Detail = strings.TrimSuffix("source "+origin+"; "+e.Detail, "; ")
	}
	if e.FinishedAt.IsZero() {
		e.FinishedAt = s.clock.Now()
	}
	if _, err := s.history.Append(context.WithoutCancel(ctx), e); err != nil {
		s.log.Error("writing history", "action", e.Action, "instance", e.InstanceID, "err", err)
	}
}

// budgetDetail is the history note of a budget refusal, "" otherwise.
func budgetDetail(err error) string {
	var be *domain.BudgetError
	if errors.As(err, &be) {
		return "budget: " + be.Error()
	}
	return ""
}

func result(err error) string {
	if err == nil {
		return "ok"
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return string(de.Code)
	}
	if errors.Is(err, domain.ErrWrongState) {
		return string(domain.CodePrecondition)
	}
	return string(domain.CodeInternal)
}

// mayCreate: new spends money, so it needs an approved account and a
// credential of scope play (and admin rights when the operator says so).
func mayCreate(actor *domain.User, adminOnly bool) error {
	if adminOnly {
		return domain.Allowed(actor, domain.NeedAdminPlay)
	}
	return domain.Allowed(actor, domain.NeedPlay)
}

// Create claims the single slot, creates the preferred instance that has
// stock, records it and answers; the rest (IP, start, deploy) runs in the
// background as a persisted operation. A second Create while an instance
// is recorded gets domain.ErrInstanceExists and never makes a server.
func (s *Service) Create(ctx context.Context, actor *domain.User) error {
	if err := mayCreate(actor, s.cfg.CreateRequiresAdmin); err != nil {
		return err
	}
	return s.create(ctx, actor.Username)
}

// create is Create on behalf of by (a user, or the monitors hopping after
// a spot reclaim).
func (s *Service) create(ctx context.Context, by string) error {
	// A crowd pressing "new" mostly finds a server already recorded: a read
	// answers them without queueing for the write the claim needs (the
	// claim alone still decides who wins).
	if _, err := s.store.Current(ctx); err == nil {
		return domain.ErrInstanceExists
	} else if !errors.Is(err, domain.ErrNoInstance) {
		return err
	}
	now := s.clock.Now()
	op := domain.Operation{ID: newID(), Action: "new", Step: "create", State: domain.OpRunning,
		StartedBy: by, Owner: s.cfg.ProcessID, StartedAt: now}
	inst, err := s.store.Claim(ctx, domain.Instance{CreatedBy: by, OperationID: op.ID}, op)
	if err != nil {
		return err
	}
	s.emitOp(ctx, domain.EventOperationStarted, op, nil)
	offers, quotes, err := s.offers(ctx)
	if err != nil {
		return s.abandon(ctx, inst, op, now, by, err)
	}
	disk, from, err := s.dataDisk(ctx)
	if err != nil {
		return s.abandon(ctx, inst, op, now, by, err)
	}
	// Prices are read once per create (with the offers when choosing the
	// cheapest), and the budget is judged on each offer before it is
	// tried: the one created is the one judged.
	var spent domain.Money
	if s.budgetOn() {
		if spent, err = s.monthSpend(ctx, now); err != nil {
			return s.abandon(ctx, inst, op, now, by, err)
		}
	}
	var id, reqID string
	var refused error // the first offer the budget refused
	var created domain.HourlyRates
	var mismatch error
	for i, o := range offers {
		r, ok := quotes[o]
		if !ok && s.ledger != nil {
			if r, err = s.rates(ctx, o); err != nil {
				break
			}
		}
		if s.budgetOn() {
			if berr := s.overBudget(spent, r); berr != nil {
				refused = cmp.Or(refused, berr)
				continue
			}
		}
		sp := s.spec(o)
		sp.DataDisk = disk
		sp.Tags[OperationTag] = op.ID
		id, reqID, err = s.runInstance(ctx, sp, fmt.Sprintf("%s-c%d", op.ID, i))
		if errors.Is(err, domain.ErrNoStock) || errors.Is(err, domain.ErrCloudMismatch) {
			// A capacity refusal, or a vSwitch that does not fit this
			// zone: another offer may do.
			s.log.Info("offer refused, trying the next one", "zone", o.Zone, "type", o.InstanceType, "vswitch", sp.VSwitch, "err", err)
			if errors.Is(err, domain.ErrCloudMismatch) {
				mismatch = err
			}
			continue
		}
		if err == nil {
			inst.ID, inst.Zone, inst.InstanceType = id, o.Zone, o.InstanceType
			created = r
		}
		break
	}
	switch {
	case err == nil && id == "":
		err = cmp.Or[error](refused, domain.ErrNoStock)
	case id == "" && mismatch != nil:
		err = mismatch // the configuration needs fixing: say that, not "no stock"
	}
	if err != nil {
		return s.abandon(ctx, inst, op, now, by, err)
	}
	if inst, err = s.store.UpdateInstance(ctx, inst); err != nil {
		// The server exists but is not recorded: say so loudly; the
		// reconciler adopts it by its tag.
		s.log.Error("created instance not recorded", "instance", id, "err", err)
		return err
	}
	// RunInstances starts it: its disks and the instance cost from now on,
	// at the quote the budget judged.
	s.costCreated(ctx, inst, created, now)
	s.costStarted(ctx, inst, now)
	detail := ""
	if from.ID != "" {
		s.restored(ctx, from)
		detail = fmt.Sprintf("world restored from backup %s (snapshot %s)", from.ID, from.SnapshotID)
	} else if s.worldOn() {
		detail = "world: an empty data disk (no backup yet)"
	}
	s.record(ctx, domain.HistoryEntry{Actor: by, Action: domain.ActionCreate, InstanceID: id,
		Result: "ok", RequestID: reqID, Detail: detail, StartedAt: now})
	op.InstanceID, op.Step = id, "wait_running" // RunInstances starts it
	s.saveOp(ctx, op)
	s.emitOp(ctx, domain.EventOperationStep, op, nil)

	s.goFinish(ctx, inst, op)
	return nil
}

// runInstance creates and starts sp. While the cloud answers that an
// earlier request with this token is still being processed
// (LastTokenProcessing, Idempotence.Processing: ErrCloudBusy, which the
// adapter already retried), it asks again with the same token, as
// terraform-provider-alicloud does, for at most WaitTimeout.
func (s *Service) runInstance(ctx context.Context, sp ports.InstanceSpec, token string) (id, reqID string, err error) {
	wctx, cancel := context.WithTimeout(ctx, s.cfg.WaitTimeout)
	defer cancel()
	t := time.NewTicker(s.cfg.PollInterval)
	defer t.Stop()
	for {
		id, reqID, err = s.cloud.RunInstance(wctx, sp, token)
		if !errors.Is(err, domain.ErrCloudBusy) {
			return id, reqID, err
		}
		select {
		case <-wctx.Done():
			return "", "", err
		case <-t.C:
		}
	}
}

// goFinish runs the background part of a create; it keeps the request id
// of ctx (the request that started it), not its deadline.
func (s *Service) goFinish(ctx context.Context, inst domain.Instance, op domain.Operation) {
	bg, done := s.startWorker(domain.WithRequestID(s.bg, domain.RequestIDFrom(ctx)), op)
	if origin := domain.OriginFrom(ctx); origin != "" {
		bg = domain.WithOrigin(bg, origin)
	}
	s.active.Add(1)
	go func() {
		defer s.active.Done()
		defer done()
		s.finishCreate(bg, inst, op)
	}()
}

// offers lists what to try: in configured order, or cheapest first; offers
// the cloud reports sold out are skipped. Choosing the cheapest prices each
// offer, and those quotes are returned for the create to use.
func (s *Service) offers(ctx context.Context) ([]Offer, map[Offer]domain.HourlyRates, error) {
	var out []Offer
	quotes := map[Offer]domain.HourlyRates{}
	for _, o := range s.usableOffers() { // a reclaimed offer is skipped for a while
		ok, err := s.cloud.Available(ctx, o.Zone, o.InstanceType)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			continue
		}
		out = append(out, o)
		if s.cfg.ChooseCheapest {
			if quotes[o], err = s.rates(ctx, o); err != nil {
				return nil, nil, err
			}
		}
	}
	if s.cfg.ChooseCheapest {
		sort.SliceStable(out, func(i, j int) bool { return quotes[out[i]].Total() < quotes[out[j]].Total() })
	}
	if len(out) == 0 {
		return nil, nil, domain.ErrNoStock
	}
	return out, quotes, nil
}

// abandon releases the slot after a failed create and records why.
func (s *Service) abandon(ctx context.Context, inst domain.Instance, op domain.Operation, started time.Time, actor string, cause error) error {
	if err := s.store.Clear(context.WithoutCancel(ctx), inst.Version); err != nil {
		s.log.Error("releasing the instance slot", "err", err)
	} else {
		s.obs.RecordedStatus("")
	}
	op.State, op.Error, op.Reason, op.FinishedAt = domain.OpFailed, result(cause), Reason(cause), s.clock.Now()
	s.saveOp(ctx, op)
	s.emitOp(ctx, domain.EventOperationFailed, op, cause)
	s.record(ctx, domain.HistoryEntry{Actor: actor, Action: domain.ActionCreate, Result: result(cause),
		Detail: budgetDetail(cause), StartedAt: started})
	return cause
}

func (s *Service) saveOp(ctx context.Context, op domain.Operation) {
	if err := s.store.SaveOperation(context.WithoutCancel(ctx), op); err != nil {
		s.log.Error("saving operation", "op", op.ID, "step", op.Step, "err", err)
	}
}

// finishCreate is the background part of Create: wait Stopped, public IP,
// start, wait Running, and deploy when on. Each step is persisted; a failed
// step ends the operation as failed, with the error recorded. It looks at
// the instance before each step, so a taken-over operation resumes where
// its dead owner stopped.
func (s *Service) finishCreate(ctx context.Context, inst domain.Instance, op domain.Operation) {
	started := s.clock.Now()
	fail := func(err error) {
		if ctx.Err() != nil {
			// The service is closing, not the operation failing: leave it
			// running at its last persisted step for a live process to
			// take over.
			s.log.Info("operation interrupted by shutdown", "op", op.ID, "step", op.Step)
			return
		}
		op.State, op.Error, op.Reason, op.FinishedAt = domain.OpFailed, result(err), Reason(err), s.clock.Now()
		s.saveOpBg(ctx, op)
		s.emitOp(ctx, domain.EventOperationFailed, op, err)
		s.record(ctx, domain.HistoryEntry{Actor: op.StartedBy, Action: domain.ActionInit, InstanceID: inst.ID,
			Result: result(err), Detail: "step " + op.Step, StartedAt: started})
		s.log.Error("creating the server failed", "op", op.ID, "step", op.Step, "instance", inst.ID, "err", err)
	}
	step := func(name string) {
		op.Step = name
		s.saveOpBg(ctx, op)
		s.emitOp(ctx, domain.EventOperationStep, op, nil)
	}
	// A record the store cannot take now is retried until it can.
	updateRecord := func(change func(*domain.Instance)) error {
		return s.persist(ctx, "instance record", func(ctx context.Context) error { return s.updateRecord(ctx, inst.ID, change) })
	}

	ci, err := s.waitForGrace(ctx, inst.ID, s.cfg.VisibilityGrace, domain.StatusStopped, domain.StatusRunning)
	if err != nil {
		fail(err)
		return
	}
	ip := ci.PublicIP
	if ip == "" {
		step("allocate_ip")
		if ip, _, err = s.cloud.AllocatePublicIP(ctx, inst.ID); err != nil {
			// A retried allocation whose first attempt worked is refused
			// (no ClientToken here): the address it got is on the instance.
			if ci, derr := s.cloud.DescribeInstance(ctx, inst.ID); derr == nil && ci.PublicIP != "" {
				ip, err = ci.PublicIP, nil
			}
		}
		if err != nil {
			fail(err)
			return
		}
	}
	if err := updateRecord(func(r *domain.Instance) { r.PublicIP = ip }); err != nil {
		fail(err)
		return
	}
	if ci.Status == domain.StatusStopped {
		step("start")
		if _, err := s.checkThenCall(ctx, inst.ID, domain.ActionStart, domain.StatusStopped, s.startCall); err != nil {
			fail(err)
			return
		}
		s.costStarted(ctx, inst, s.clock.Now())
	}
	step("wait_running")
	if ci, err = s.waitFor(ctx, inst.ID, domain.StatusRunning); err != nil {
		fail(err)
		return
	}
	if err := updateRecord(func(r *domain.Instance) { r.LastStatus = domain.StatusRunning }); err != nil {
		fail(err)
		return
	}
	s.refreshIP(ctx, inst.ID, ci.PublicIP, op.StartedBy) // the address it runs with
	s.costStarted(ctx, inst, s.clock.Now())              // found running when resumed: it costs from now on
	if s.cfg.DeployEnabled {
		step("deploy")
		if err := s.deploy(ctx, inst.ID, op.ID); err != nil {
			fail(err)
			return
		}
	}
	op.Step, op.State, op.FinishedAt = "done", domain.OpSucceeded, s.clock.Now()
	s.saveOpBg(ctx, op)
	s.emitOp(ctx, domain.EventOperationSucceeded, op, nil)
	s.record(ctx, domain.HistoryEntry{Actor: op.StartedBy, Action: domain.ActionInit, InstanceID: inst.ID,
		Result: "ok", StartedAt: started})
}

// updateRecord changes the record of instance id, re-reading it when
// another writer moved it on. domain.ErrNoInstance when it is no longer
// the recorded one.
func (s *Service) updateRecord(ctx context.Context, id string, change func(*domain.Instance)) error {
	for range 5 {
		cur, err := s.store.Current(ctx)
		if err != nil {
			return err
		}
		if cur.ID != id {
			return domain.ErrNoInstance
		}
		next := cur
		change(&next)
		if next == cur {
			return nil
		}
		if _, err = s.store.UpdateInstance(ctx, next); !errors.Is(err, domain.ErrVersionConflict) {
			if err == nil && next.LastStatus != cur.LastStatus {
				s.obs.RecordedStatus(next.LastStatus)
			}
			if err == nil {
				s.emitRecordChange(ctx, cur, next)
			}
			return err
		}
	}
	return domain.ErrVersionConflict
}

func (s *Service) deploy(ctx context.Context, id, opID string) error {
	wctx, cancel := context.WithTimeout(ctx, s.cfg.AgentTimeout)
	defer cancel()
	if err := s.poll(wctx, func() (bool, error) { return s.cloud.AgentReady(wctx, id) }); err != nil {
		return err
	}
	invokeID, _, err := s.cloud.RunCommand(ctx, id, s.cfg.DeployScript, opID+"-deploy")
	if err != nil {
		return err
	}
	if err := s.store.SaveInvocation(ctx, id, invokeID); err != nil {
		return err
	}
	// The operation ends when the script does, so its state says whether
	// the server was deployed.
	dctx, cancel := context.WithTimeout(ctx, s.cfg.DeployTimeout)
	defer cancel()
	var (
		inv       ports.Invocation
		sent, seq int
	)
	err = s.pollVisible(dctx, s.cfg.VisibilityGrace, func() (bool, error) {
		inv, err = s.cloud.Invocation(dctx, invokeID)
		if err == nil {
			sent = s.emitDeployOutput(ctx, id, opID, inv.Output, sent, &seq)
		}
		return err == nil && inv.Finished(), err
	})
	if err != nil {
		return err
	}
	if inv.Status != ports.InvocationSuccess {
		return domain.Wrap(domain.ErrDeployFailed, fmt.Errorf("invocation %s ended %s (exit code %d)", invokeID, inv.Status, inv.ExitCode))
	}
	return nil
}

// waitFor polls until the instance reaches one of want, within WaitTimeout.
func (s *Service) waitFor(ctx context.Context, id string, want ...domain.InstanceStatus) (ports.CloudInstance, error) {
	return s.waitForGrace(ctx, id, 0, want...)
}

// waitForGrace is waitFor where NotFound is waited out for grace (just
// after a create).
func (s *Service) waitForGrace(ctx context.Context, id string, grace time.Duration, want ...domain.InstanceStatus) (ports.CloudInstance, error) {
	wctx, cancel := context.WithTimeout(ctx, s.cfg.WaitTimeout)
	defer cancel()
	var last ports.CloudInstance
	err := s.pollVisible(wctx, grace, func() (bool, error) {
		ci, err := s.cloud.DescribeInstance(wctx, id)
		last = ci
		return err == nil && slices.Contains(want, ci.Status), err
	})
	return last, err
}

// poll calls check every PollInterval until it is done, fails, or ctx ends.
func (s *Service) poll(ctx context.Context, check func() (bool, error)) error {
	return s.pollVisible(ctx, 0, check)
}

// pollVisible is poll, where a NotFound within grace of the start is not
// a failure: right after a create or a RunCommand the new resource may not
// be visible yet (eventual consistency; terraform-provider-alicloud keeps
// waiting through it after RunInstances).
func (s *Service) pollVisible(ctx context.Context, grace time.Duration, check func() (bool, error)) error {
	t := time.NewTicker(s.cfg.PollInterval)
	defer t.Stop()
	until := s.clock.Now().Add(grace)
	for {
		s.beat(ctx) // a live worker keeps its operation's lease
		done, err := check()
		if errors.Is(err, domain.ErrCloudNotFound) && s.clock.Now().Before(until) {
			err = nil
		}
		if err != nil && !errors.Is(err, domain.ErrThrottled) && !errors.Is(err, domain.ErrCloudUnavailable) &&
			!errors.Is(err, domain.ErrCloudBusy) {
			return err
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return domain.Wrap(domain.ErrCloudUnavailable, ctx.Err())
		case <-t.C:
		}
	}
}

// transitions says which state each admin action needs.
var transitions = map[string]struct {
	need domain.InstanceStatus
	done []domain.InstanceStatus // states that show the action took effect
}{
	domain.ActionStart: {domain.StatusStopped, []domain.InstanceStatus{domain.StatusStarting, domain.StatusRunning}},
	domain.ActionStop:  {domain.StatusRunning, []domain.InstanceStatus{domain.StatusStopping, domain.StatusStopped}},
}

// cloudCall is one start or stop of an instance, returning the cloud's
// request id.
type cloudCall func(ctx context.Context, id string) (string, error)

func (s *Service) startCall(ctx context.Context, id string) (string, error) {
	return s.cloud.StartInstance(ctx, id)
}

// stopCall stops in the configured mode: every stop goes through here.
func (s *Service) stopCall(ctx context.Context, id string) (string, error) {
	return s.cloud.StopInstance(ctx, id, s.cfg.StoppedMode)
}

func (s *Service) callFor(action string) cloudCall {
	if action == domain.ActionStart {
		return s.startCall
	}
	return s.stopCall
}

// Start starts the recorded instance; it must be Stopped.
func (s *Service) Start(ctx context.Context, actor *domain.User) error {
	return s.transition(ctx, actor, domain.ActionStart)
}

// Stop stops the recorded instance; it must be Running.
func (s *Service) Stop(ctx context.Context, actor *domain.User) error {
	return s.transition(ctx, actor, domain.ActionStop)
}

func (s *Service) transition(ctx context.Context, actor *domain.User, action string) error {
	// start spends money: an admin with scope play may; stop needs admin.
	need := domain.NeedAdmin
	if action == domain.ActionStart {
		need = domain.NeedAdminPlay
	}
	return s.adminAction(ctx, actor, action, need, func(inst domain.Instance) (string, error) {
		if action == domain.ActionStart {
			if err := s.budgetAllows(ctx, Offer{Zone: inst.Zone, InstanceType: inst.InstanceType}); err != nil {
				return "", err
			}
		}
		return s.move(ctx, inst, action, actor.Username)
	})
}

// move starts or stops inst in the cloud, then records the status it
// caused (so the reconciler knows the change was ours) and opens or closes
// its cost interval; after a start it reads the public IP back once the
// instance runs (history by actor when it changed). Users and the
// watchdogs alike go through it.
func (s *Service) move(ctx context.Context, inst domain.Instance, action, actor string) (string, error) {
	tr := transitions[action]
	reqID, err := s.checkThenCall(ctx, inst.ID, action, tr.need, s.callFor(action))
	if err != nil {
		return reqID, err
	}
	if uerr := s.updateRecord(ctx, inst.ID, func(r *domain.Instance) { r.LastStatus = tr.done[0] }); uerr != nil {
		s.log.Warn("recording the new status", "instance", inst.ID, "err", uerr)
	}
	if action == domain.ActionStart {
		s.costStarted(ctx, inst, s.clock.Now())
		s.goRefreshIPAfterStart(ctx, inst.ID, actor)
	} else {
		s.costStopped(ctx, inst.ID, s.clock.Now())
		s.probes.forget() // as a delete does by clearing the IP
	}
	return reqID, nil
}

// adminAction runs an admin's action on the recorded instance and writes
// its history row, whatever the outcome.
func (s *Service) adminAction(ctx context.Context, actor *domain.User, action string, need domain.Need, do func(domain.Instance) (reqID string, err error)) error {
	if err := domain.Allowed(actor, need); err != nil {
		return err
	}
	inst, err := s.recorded(ctx)
	if err != nil {
		return err
	}
	started := s.clock.Now()
	op := domain.Operation{Action: action, StartedBy: actor.Username, InstanceID: inst.ID}
	s.emitOp(ctx, domain.EventOperationStarted, op, nil)
	reqID, err := do(inst)
	e := domain.HistoryEntry{Actor: actor.Username, Action: action, InstanceID: inst.ID,
		Result: result(err), RequestID: reqID, Detail: budgetDetail(err), StartedAt: started}
	if refused(err) {
		s.recordRefusal(ctx, e)
	} else {
		s.record(ctx, e)
	}
	if err != nil {
		s.emitOp(ctx, domain.EventOperationFailed, op, err)
	} else {
		s.emitOp(ctx, domain.EventOperationSucceeded, op, nil)
	}
	return err
}

func (s *Service) checkThenCall(ctx context.Context, id, action string, need domain.InstanceStatus, call cloudCall) (string, error) {
	ci, err := s.cloud.DescribeInstance(ctx, id)
	if err != nil {
		return "", err
	}
	if ci.Status != need {
		return "", &domain.StateError{Action: action, Current: ci.Status, Required: need}
	}
	reqID, err := call(ctx, id)
	if errors.Is(err, domain.ErrWrongState) {
		// Either it moved between our look and the call, or an earlier
		// attempt of this very call worked and its answer was lost (start
		// and stop carry no ClientToken): look again before saying no.
		if ci, derr := s.cloud.DescribeInstance(ctx, id); derr == nil {
			if slices.Contains(transitions[action].done, ci.Status) {
				return reqID, nil
			}
			return reqID, &domain.StateError{Action: action, Current: ci.Status, Required: need}
		}
	}
	return reqID, err
}

// recorded returns the current instance once its cloud id is known.
func (s *Service) recorded(ctx context.Context) (domain.Instance, error) {
	inst, err := s.store.Current(ctx)
	if err != nil {
		return inst, err
	}
	if inst.ID == "" {
		return inst, domain.ErrNoInstance // creation is still under way
	}
	return inst, nil
}

// deleteInstance force-deletes id. Force works on a Running or Stopped
// instance; while it is Pending, Starting or Stopping ECS answers
// IncorrectInstanceStatus (ErrWrongState), and terraform-provider-alicloud
// retries DeleteInstance on that code until its timeout: so does this,
// every PollInterval for at most WaitTimeout, then it names the state.
func (s *Service) deleteInstance(ctx context.Context, id string) (string, error) {
	reqID, err := s.cloud.DeleteInstance(ctx, id)
	if !errors.Is(err, domain.ErrWrongState) {
		return reqID, err
	}
	wctx, cancel := context.WithTimeout(ctx, s.cfg.WaitTimeout)
	defer cancel()
	perr := s.poll(wctx, func() (bool, error) {
		reqID, err = s.cloud.DeleteInstance(wctx, id)
		if errors.Is(err, domain.ErrWrongState) {
			return false, nil
		}
		return err == nil, err
	})
	if perr == nil || !errors.Is(err, domain.ErrWrongState) {
		return reqID, perr
	}
	if ci, derr := s.cloud.DescribeInstance(ctx, id); derr == nil {
		return reqID, &domain.StateError{Action: domain.ActionDelete, Current: ci.Status, Required: domain.StatusStopped}
	}
	return reqID, err
}

// forget clears the record of inst, whatever was written to it since; it
// is no error when someone (the reconciler) already did.
func (s *Service) forget(ctx context.Context, inst domain.Instance) error {
	s.costReleased(ctx, inst.ID, s.clock.Now())
	for range 5 {
		err := s.store.Clear(ctx, inst.Version)
		if err == nil {
			s.obs.RecordedStatus("")
			s.emit(ctx, domain.EventInstanceStatus, "", inst.ID, domain.EventData{Previous: inst.LastStatus})
		}
		if !errors.Is(err, domain.ErrVersionConflict) {
			if errors.Is(err, domain.ErrNoInstance) {
				return nil
			}
			return err
		}
		cur, err := s.store.Current(ctx)
		if errors.Is(err, domain.ErrNoInstance) || err == nil && cur.ID != inst.ID {
			return nil
		}
		if err != nil {
			return err
		}
		inst = cur
	}
	return domain.ErrVersionConflict
}

// Status is the recorded instance's state.
type Status struct {
	Created bool
	ID      string
	Status  domain.InstanceStatus
	IP      string
}

// Status reports the recorded instance: ErrNoInstance when none is
// recorded, Created false while creation is under way.
func (s *Service) Status(ctx context.Context) (Status, error) {
	inst, err := s.store.Current(ctx)
	if err != nil {
		return Status{}, err
	}
	if inst.ID == "" {
		return Status{Created: false}, nil
	}
	ci, err := s.cloud.DescribeInstance(ctx, inst.ID)
	if err != nil {
		return Status{}, err
	}
	return Status{Created: true, ID: inst.ID, Status: ci.Status, IP: inst.PublicIP}, nil
}

// IP is the recorded public IP, or "" when there is none.
func (s *Service) IP(ctx context.Context) (string, error) {
	inst, err := s.store.Current(ctx)
	if errors.Is(err, domain.ErrNoInstance) {
		return "", nil
	}
	return inst.PublicIP, err
}

// Available reports whether the first configured offer has stock, as v1 did.
func (s *Service) Available(ctx context.Context) (bool, error) {
	o := s.cfg.Offers[0]
	return s.cloud.Available(ctx, o.Zone, o.InstanceType)
}

// Price is the hourly price of the first configured offer.
func (s *Service) Price(ctx context.Context) (ports.Price, error) {
	return s.cloud.Price(ctx, s.spec(s.cfg.Offers[0]))
}

// Preferred is the configured first offer and the rest of the spec.
func (s *Service) Preferred() ports.InstanceSpec { return s.spec(s.cfg.Offers[0]) }

// LastInvoke is the last deploy's result.
func (s *Service) LastInvoke(ctx context.Context) (ports.Invocation, error) {
	_, invokeID, err := s.store.LastInvocation(ctx)
	if err != nil {
		return ports.Invocation{}, err
	}
	return s.cloud.Invocation(ctx, invokeID)
}

// LastOperation is the current or last multi-step operation.
func (s *Service) LastOperation(ctx context.Context) (domain.Operation, error) {
	return s.store.LastOperation(ctx)
}

// History lists history newest first, to an admin.
func (s *Service) History(ctx context.Context, actor *domain.User, before int64, limit int) ([]domain.HistoryEntry, error) {
	if err := domain.Allowed(actor, domain.NeedAdminRead); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		return nil, domain.Invalid("limit")
	}
	if before < 0 {
		return nil, domain.Invalid("before")
	}
	return s.history.List(ctx, before, limit)
}
