package ecssim

import "time"

// SetVisibility makes instances and Cloud Assistant invocations created
// from now on invisible to DescribeInstances and DescribeInvocationResults
// for d, and a create or RunCommand retried with the same ClientToken
// within d answer LastTokenProcessing: the eventual consistency a client
// must wait out after a create (terraform-provider-alicloud keeps polling
// through NotFound after RunInstances; "Idempotence" in the ECS API
// reference: a token whose first request is still being processed).
// d <= 0 turns it off.
func (s *Simulator) SetVisibility(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.visibility = max(d, 0)
}
