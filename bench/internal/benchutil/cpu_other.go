//go:build !linux

package benchutil

import (
	"errors"
	"time"
)

// ProcCPU is not measured outside Linux.
func ProcCPU(pid int) (time.Duration, error) {
	return 0, errors.New("CPU time of a process is read from /proc (Linux only)")
}
