//go:build unix

package benchutil

import (
	"os"
	"runtime"
	"syscall"
)

// PeakRSS returns a finished process's peak resident set size in KiB, or 0
// when the system does not report it (or ps is nil).
func PeakRSS(ps *os.ProcessState) int64 {
	if ps == nil {
		return 0
	}
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return 0
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return int64(ru.Maxrss) / 1024 // bytes there, KiB on Linux and the BSDs
	}
	return int64(ru.Maxrss)
}
