package ports

import (
	"context"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// InstanceSpec is what to create: one zone and type from the configured
// lists, and the rest of the configuration.
type InstanceSpec struct {
	Zone               string
	InstanceType       string
	Image              string
	SecurityGroup      string
	VSwitch            string
	InternetChargeType string
	BandwidthOut       int
	SystemDisk         Disk
	DataDisk           *Disk // nil: none
	SpotStrategy       string
	SpotPriceLimit     string // decimal text, "" for none
	// SpotDuration is a spot instance's protection period in hours (1 or
	// 0) and SpotInterruption what a reclaim does to it: "Stop" (stopped
	// in economical mode, its disks kept) or "Terminate" (released). Both
	// are sent only with a spot strategy.
	SpotDuration     int
	SpotInterruption string
	Password         string // never logged
	KeyPair          string
	Name             string
	Tags             map[string]string // the service tags what it manages
}

// Disk is a cloud disk's category and size in GiB.
type Disk struct {
	Category string
	Size     int
	// Snapshot, when set, is the snapshot the disk is made from (a data
	// disk only): the world restored. The disk is at least its size.
	Snapshot string
}

// StopMode says whether a stopped pay-as-you-go instance keeps its
// compute resources (and is billed for them) or releases them.
//
// ECS API reference, StopInstance (and the SDK's StopInstanceRequest
// comment): StopCharging is the economical mode, KeepCharging the
// standard mode, "You continue to be charged for instances that are
// stopped in standard mode". DescribeInstances' StoppedMode comment: in
// economical mode "its resources such as vCPUs, memory, and public IP
// addresses are released" and "the instance may be unable to restart if
// some required resources are out of stock". Disks are billed in both.
type StopMode string

const (
	StopCharging StopMode = "StopCharging" // economical: compute and public IP released
	KeepCharging StopMode = "KeepCharging" // standard: billed as if running, IP kept
	// StopModeNotApplicable is what DescribeInstances reports for an
	// instance that does not support economical mode.
	StopModeNotApplicable StopMode = "Not-applicable"
)

// Valid reports whether m may be asked of StopInstance.
func (m StopMode) Valid() bool { return m == StopCharging || m == KeepCharging }

// CloudInstance is an instance as the cloud reports it.
type CloudInstance struct {
	ID           string
	Status       domain.InstanceStatus
	PublicIP     string
	Zone         string
	InstanceType string
	Tags         map[string]string
	CreatedAt    time.Time
	// StoppedMode is how the instance was last stopped ("" when the cloud
	// does not say): with KeepCharging a Stopped instance is still billed.
	StoppedMode StopMode
	// Reclaiming says the cloud has announced it will release this spot
	// instance soon (OperationLocks LockReason Recycling).
	Reclaiming bool
}

// Price is an hourly price as the cloud quotes it: a decimal string, never
// a float, with its currency.
type Price struct {
	Amount   string // e.g. "0.452"
	Currency string // e.g. "CNY"
	// The split of Amount by product, from the quote's detail (Aliyun:
	// DescribePrice's DetailInfos): the instance type (and image), the
	// system and data disks, the fixed public bandwidth. All "" when the
	// cloud gave no detail (then Amount is the instance's).
	Instance, Disk, Bandwidth string
}

// Invocation statuses the service acts on (Cloud Assistant's
// InvocationStatus); others, e.g. Stopped or PartialFailed, are failures.
const (
	InvocationPending = "Pending"
	InvocationRunning = "Running"
	InvocationSuccess = "Success"
)

// Invocation is a Cloud Assistant command run.
type Invocation struct {
	ID       string
	Status   string // Pending, Running, Success, Failed, ...
	Output   string // decoded text
	Error    string // the cloud's ErrorInfo
	ExitCode int
}

// Cloud is the compute provider in domain terms. Every method returns the
// cloud's request id when a call was made, for history. Errors are domain
// sentinels (see adapters/aliyunecs' error table): ErrCloudNotFound,
// ErrWrongState, ErrNoStock, ErrThrottled, ErrCloudUnavailable,
// ErrCloudBusy, ErrCloudAuth, ErrNoBalance, ErrQuota, ErrCloudMismatch,
// ErrCloudConfig, ErrSpotPriceTooLow; anything else is internal. Mutating calls take a client token: the same token returns
// the same result instead of acting twice.
type Cloud interface {
	// RunInstance creates an instance and starts it (Pending -> Starting ->
	// Running), with a public IP when spec.BandwidthOut > 0.
	RunInstance(ctx context.Context, spec InstanceSpec, clientToken string) (id, requestID string, err error)
	// CheckCreate asks the cloud whether RunInstance(spec) would be
	// accepted (a dry run: nothing is created or billed); nil when it would.
	CheckCreate(ctx context.Context, spec InstanceSpec) error
	DescribeInstance(ctx context.Context, id string) (CloudInstance, error)
	// ListManaged returns every instance carrying all of tags.
	ListManaged(ctx context.Context, tags map[string]string) ([]CloudInstance, error)
	AllocatePublicIP(ctx context.Context, id string) (ip, requestID string, err error)
	StartInstance(ctx context.Context, id string) (requestID string, err error)
	// StopInstance stops a Running instance in mode: every stop (an
	// admin's, the watchdogs', the budget's) says which, so none bills by
	// accident.
	StopInstance(ctx context.Context, id string, mode StopMode) (requestID string, err error)
	// DeleteInstance force-deletes: it works in any state.
	DeleteInstance(ctx context.Context, id string) (requestID string, err error)
	Available(ctx context.Context, zone, instanceType string) (bool, error)
	Price(ctx context.Context, spec InstanceSpec) (Price, error)
	AgentReady(ctx context.Context, id string) (bool, error)
	RunCommand(ctx context.Context, id, script, clientToken string) (invokeID, requestID string, err error)
	Invocation(ctx context.Context, invokeID string) (Invocation, error)
}

// InstanceStore keeps the one current instance and its operations. Every
// write is a compare-and-set, so replicas sharing a database serialise on it.
type InstanceStore interface {
	// Current returns the recorded instance, or domain.ErrNoInstance.
	Current(ctx context.Context) (domain.Instance, error)

	// Claim records inst as the current instance together with the
	// operation creating it, atomically, only when none is recorded.
	// Returns domain.ErrInstanceExists otherwise. inst.ID may be "" while
	// the cloud call is under way (the operation reserves the slot).
	Claim(ctx context.Context, inst domain.Instance, op domain.Operation) (domain.Instance, error)

	// UpdateInstance changes the record when its version is still
	// inst.Version, and returns it with the next version. Returns
	// domain.ErrVersionConflict when someone wrote in between, or
	// domain.ErrNoInstance.
	UpdateInstance(ctx context.Context, inst domain.Instance) (domain.Instance, error)

	// Clear removes the record if it still has this version.
	// Returns domain.ErrVersionConflict or domain.ErrNoInstance.
	Clear(ctx context.Context, version int64) error

	// SaveOperation inserts or replaces an operation by ID.
	SaveOperation(ctx context.Context, op domain.Operation) error

	// Operation returns one operation, or domain.ErrNoOperation.
	Operation(ctx context.Context, id string) (domain.Operation, error)

	// LastOperation returns the newest operation (running or not), or
	// domain.ErrNoOperation.
	LastOperation(ctx context.Context) (domain.Operation, error)

	// SaveInvocation remembers the last deploy invocation id; LastInvocation
	// returns it or domain.ErrNoInvocation.
	SaveInvocation(ctx context.Context, instanceID, invokeID string) error
	LastInvocation(ctx context.Context) (instanceID, invokeID string, err error)
}

// HistoryStore is the append-only record of cloud actions.
type HistoryStore interface {
	// Append stores e and returns it with its ID. When e.Source is set and
	// a row with that Source exists, it returns domain.ErrHistoryImported.
	Append(ctx context.Context, e domain.HistoryEntry) (domain.HistoryEntry, error)

	// List returns up to limit entries newest first, with ID < before when
	// before > 0.
	List(ctx context.Context, before int64, limit int) ([]domain.HistoryEntry, error)
}

// Finished reports whether the run has ended, well or not.
func (i Invocation) Finished() bool {
	return i.Status != InvocationPending && i.Status != InvocationRunning && i.Status != ""
}

// VSwitch is a vSwitch of a VPC: it lives in one zone.
type VSwitch struct {
	ID     string
	VPC    string
	Zone   string
	Status string // Available, Pending
}

// SecurityGroup is a security group and the VPC it belongs to.
type SecurityGroup struct {
	ID  string
	VPC string
}

// Image is a bootable image.
type Image struct {
	ID     string
	Status string // Available, ...
}

// Network looks up what an instance is created in: the start-up discovery
// of a vSwitch per zone (ecs.vpc) and preflight checks use it. Errors are
// the Cloud's sentinels; an unknown security group or image is
// domain.ErrCloudNotFound.
type Network interface {
	// VSwitches lists the vSwitches of a VPC, every page.
	VSwitches(ctx context.Context, vpcID string) ([]VSwitch, error)
	SecurityGroup(ctx context.Context, id string) (SecurityGroup, error)
	Image(ctx context.Context, id string) (Image, error)
}
