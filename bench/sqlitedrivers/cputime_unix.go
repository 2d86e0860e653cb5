//go:build unix

package sqlitedrivers

import (
	"syscall"
	"time"
)

// cpuTime returns the user+system CPU time used so far by this process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
