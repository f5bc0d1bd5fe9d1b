package ecssim

import (
	"time"
)

// Spot reclaim. ECS announces the release of a spot instance about five
// minutes ahead: DescribeInstances shows OperationLocks LockReason
// "Recycling" (SDK comment on DescribeInstancesResponseBodyInstances
// InstanceOperationLocksLockReason: "recycling: The preemptible instance was
// locked and pending release"). When the notice ends the instance is
// released with its DeleteWithInstance disks, or, with
// SpotInterruptionBehavior Stop (RunInstances, instances.go's
// spotOptions), stopped in economical mode with its disks kept.

// operationLocks is DescribeInstances' OperationLocks.LockReason list.
func operationLocks(in *instance) []any {
	if in.recycleAt.IsZero() {
		return []any{}
	}
	return []any{map[string]any{"LockReason": "Recycling", "LockMsg": "The spot instance is pending release."}}
}

// ReclaimSpot announces the reclaim of a spot instance: it carries a
// Recycling lock for ReclaimNotice, then is released (or stopped, per its
// SpotInterruptionBehavior). A second call changes nothing.
func (s *Simulator) ReclaimSpot(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.instances[id]
	if in == nil {
		return ErrNotFound
	}
	if in.spotStrategy == "NoSpot" {
		return ErrNotSpot
	}
	if in.recycleAt.IsZero() {
		in.recycleAt = s.now().Add(s.opts.ReclaimNotice)
	}
	return nil
}

// reclaimDue carries out the reclaims whose notice has ended by now, as
// lazily as the rest of the simulator: before each call and listing.
// Caller holds s.mu.
func (s *Simulator) reclaimDue(now time.Time) {
	var due []*instance
	for _, id := range s.order {
		in := s.instances[id]
		if !in.recycleAt.IsZero() && !now.Before(in.recycleAt) {
			due = append(due, in)
		}
	}
	for _, in := range due {
		at := in.recycleAt
		in.recycleAt = time.Time{}
		if in.spotInterruption == spotStop {
			s.advance(in, at)
			in.stoppedMode = "StopCharging"
			if in.publicIP != "" {
				in.publicIP, in.reassignIP = "", true
				s.closeMinecraft(in)
			}
			s.transition(in, at, StatusStopped)
			continue
		}
		s.remove(in.id, at)
	}
}
