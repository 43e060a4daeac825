//go:build unix

package main

import (
	"os"
	"runtime"
	"syscall"
)

// peakRSS returns a finished process's peak resident set size in KiB, or 0
// when the system does not report it.
func peakRSS(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return 0
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return int64(ru.Maxrss) / 1024 // bytes there, KiB on Linux and the BSDs
	}
	return int64(ru.Maxrss)
}
