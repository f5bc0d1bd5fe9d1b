//go:build !linux

package password

// lowerThreadPriority does nothing where a thread's priority cannot be set
// on its own: the hash runs at the priority of the process.
func lowerThreadPriority() {}
