package password

import "syscall"

// backgroundNice is the niceness of a hashing thread: the lowest priority,
// so that the kernel runs any waiting request thread of the process first.
const backgroundNice = 19

// lowerThreadPriority makes the calling OS thread the least favoured. On
// Linux, setpriority(PRIO_PROCESS, tid) applies to one thread (see
// setpriority(2), "BUGS": threads do not share the nice value). Failing
// (a sandbox refusing it) is harmless: the hash only runs as before.
func lowerThreadPriority() {
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), backgroundNice)
}
