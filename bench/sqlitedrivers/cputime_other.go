//go:build !unix

package sqlitedrivers

import "time"

// cpuTime is not measured on this platform; the cpu-ns/op metric is omitted.
func cpuTime() time.Duration { return 0 }
