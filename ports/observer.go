package ports

import "github.com/seatidemc/seatide/domain"

// Reconciliation is what one reconciliation found and did, in counts, for
// an InstanceObserver.
type Reconciliation struct {
	Failed   bool // it stopped early (e.g. the cloud could not be listed): the counts are partial
	Resumed  int  // abandoned operations taken over
	Cleared  int  // records whose instance was gone from the cloud
	Drift    int  // recorded instances changed behind the service's back
	Adopted  int  // managed instances recorded again
	Orphans  int  // managed instances neither recorded nor adopted (deleted ones included)
	Deleted  int  // orphans deleted
	Problems int  // steps that failed (an early stop counts as one)
}

// InstanceObserver hears what the instance service sees, for metrics. Its
// methods are called synchronously and must not block.
type InstanceObserver interface {
	// RecordedStatus reports the recorded instance's last known status,
	// "" when no instance is recorded or its status is not known yet.
	RecordedStatus(status domain.InstanceStatus)
	// Reconciled reports one reconciliation.
	Reconciled(r Reconciliation)
}

// NopInstanceObserver ignores everything; the default.
type NopInstanceObserver struct{}

func (NopInstanceObserver) RecordedStatus(domain.InstanceStatus) {}
func (NopInstanceObserver) Reconciled(Reconciliation)            {}
