package domain

import (
	"fmt"
	"time"
)

// InstanceStatus is a cloud instance's state as ECS reports it.
type InstanceStatus string

const (
	StatusPending  InstanceStatus = "Pending"
	StatusStarting InstanceStatus = "Starting"
	StatusRunning  InstanceStatus = "Running"
	StatusStopping InstanceStatus = "Stopping"
	StatusStopped  InstanceStatus = "Stopped"
)

// Instance is the one game server the service has recorded. Version grows
// with every write, so concurrent writers (replicas) compare and set.
type Instance struct {
	ID           string // the cloud's instance id, e.g. i-abc
	Zone         string
	InstanceType string
	PublicIP     string // "" until allocated
	// LastStatus is the cloud status last seen or caused by the service, so
	// the reconciler can tell a change it did not make.
	LastStatus  InstanceStatus
	CreatedBy   string
	OperationID string // the operation that created it
	Version     int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Operation states.
const (
	OpRunning   = "running"
	OpSucceeded = "succeeded"
	OpFailed    = "failed"
)

// Operation is a multi-step lifecycle action, persisted step by step so its
// progress can be read and a restarted process can resume or roll it back.
// Its ID seeds the ClientToken of every mutating cloud call it makes.
type Operation struct {
	ID         string
	Action     string // new, start, stop, delete
	Step       string // the step under way or last finished
	State      string // OpRunning, OpSucceeded, OpFailed
	Error      string // a domain error code or cloud code when failed
	Reason     string // the failure in words, safe to show ("" before migration 00007)
	InstanceID string
	StartedBy  string
	// Owner is the process running it; when that process's lease has
	// expired, the reconciler takes the operation over.
	Owner      string
	StartedAt  time.Time
	FinishedAt time.Time // zero while running
}

// History actions, as the original wrote them (udelete and sdelete come
// from the monitors, created by "_monitor").
const (
	ActionCreate  = "create"
	ActionInit    = "init"
	ActionStart   = "start"
	ActionStop    = "stop"
	ActionDelete  = "delete"
	ActionUDelete = "udelete" // deleted behind the service's back
	ActionSDelete = "sdelete" // deleted by the crash watchdog
	ActionSStop   = "sstop"   // stopped by the crash watchdog
	ActionUStop   = "ustop"   // stopped behind the service's back
	ActionAdopt   = "adopt"   // a managed instance the store had lost, recorded again
	ActionOrphan  = "orphan"  // a managed instance that is not recorded, reported
	ActionODelete = "odelete" // such an orphan, deleted (reconcile.delete_orphans)
	ActionIStop   = "istop"   // stopped by the idle watchdog: nobody played for idle.stop_after
	ActionBStop   = "bstop"   // stopped because this month's spend reached budget.monthly
	ActionIP      = "ip"      // the public IP changed (a new one after an economical-mode stop)

	// The world (issue 16).
	ActionBackup   = "backup"   // a snapshot of the world's data disk
	ActionIRelease = "irelease" // released by the idle watchdog (idle.action: release), after a backup
	ActionReclaim  = "reclaim"  // the cloud reclaimed a spot instance; the world was backed up first
	ActionHop      = "hop"      // after a reclaim, a new instance in the next offer (world.on_reclaim: hop)
)

// MonitorActor is who the background monitors act as in history.
const MonitorActor = "_monitor"

// HistoryEntry records one cloud action.
type HistoryEntry struct {
	ID         int64
	Actor      string
	Action     string
	InstanceID string
	Result     string // "ok" or an error code
	RequestID  string // the cloud's request id, when there was a call
	// APIRequestID is the X-Request-Id of the API request that caused the
	// action (also for the background steps it started); "" for monitors.
	APIRequestID string
	Detail       string // a short, safe note (e.g. why a monitor acted)
	// Source names where an imported row came from ("v1:history:12"); the
	// store keeps it unique so a second import adds nothing. "" for rows
	// the service wrote itself.
	Source     string
	StartedAt  time.Time
	FinishedAt time.Time
}

// Sentinel errors of the instance side.
var (
	ErrNoInstance       = Errorf(CodeNotFound, "no instance recorded")
	ErrInstanceExists   = Errorf(CodeConflict, "an instance is already recorded")
	ErrVersionConflict  = Errorf(CodeConflict, "the record changed under us")
	ErrNoOperation      = Errorf(CodeNotFound, "no operation recorded")
	ErrCloudNotFound    = Errorf(CodeNotFound, "no such instance in the cloud")
	ErrWrongState       = Errorf(CodePrecondition, "the instance is in the wrong state")
	ErrNoStock          = Errorf(CodeUnavailable, "no capacity for this zone and type")
	ErrThrottled        = Errorf(CodeUnavailable, "the cloud is throttling requests")
	ErrCloudUnavailable = Errorf(CodeUnavailable, "the cloud is unavailable")
	ErrCloudAuth        = Errorf(CodeUnauthenticated, "the cloud refused the credentials")
	ErrNoBalance        = Errorf(CodeForbidden, "the cloud account's balance is too low")
	ErrQuota            = Errorf(CodeForbidden, "a cloud quota is exhausted")
	ErrNoInvocation     = Errorf(CodeNotFound, "no invocation recorded")
	ErrDeployFailed     = Errorf(CodePrecondition, "the deploy script did not succeed")
	ErrNoLease          = Errorf(CodeNotFound, "no such lease")
	ErrAbandoned        = Errorf(CodeUnavailable, "the process running the operation stopped")
	ErrHistoryImported  = Errorf(CodeConflict, "a history row from this source is already recorded")
	ErrNoBillingData    = Errorf(CodeNotFound, "the cloud has no billing data for this")
	// ErrCloudBusy: the cloud is still working on an earlier request with
	// the same client token; the same call with the same token answers
	// once it is done.
	ErrCloudBusy = Errorf(CodeUnavailable, "the cloud is still processing an earlier request")
	// ErrCloudMismatch: the configured vSwitch is not in the offer's zone,
	// or not in the security group's VPC; another offer may fit.
	ErrCloudMismatch = Errorf(CodePrecondition, "the vSwitch is not in the zone or not in the security group's VPC (ecs.vswitch, ecs.zone, ecs.security_group)")
	// ErrCloudConfig: the cloud does not know the configured image,
	// vSwitch or security group, or refuses the instance password.
	ErrCloudConfig = Errorf(CodePrecondition, "the cloud refused the configured instance (ecs.image, ecs.vswitch, ecs.security_group or ecs.password)")
	// ErrSpotPriceTooLow: ecs.spot_price_limit is below the public price.
	ErrSpotPriceTooLow = Errorf(CodePrecondition, "the spot price limit (ecs.spot_price_limit) is lower than the public pay-as-you-go price")
)

// StateError says an action needs another state than the instance is in.
// It matches ErrWrongState; its text is what the v1 web UI looks for
// ("is Running but").
type StateError struct {
	Action   string         // start, stop, ...
	Current  InstanceStatus // what the cloud reports
	Required InstanceStatus // what the action needs
}

func (e *StateError) Error() string {
	return fmt.Sprintf("The instance is %s but must be %s to %s.", e.Current, e.Required, e.Action)
}

func (e *StateError) Is(target error) bool { return target == ErrWrongState }
