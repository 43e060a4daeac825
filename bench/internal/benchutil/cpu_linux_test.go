package benchutil

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// TestProcCPUAsRusage: after this process has worked for 200 ms of CPU,
// ProcCPU says what getrusage says, within the 10 ms ticks of /proc.
func TestProcCPUAsRusage(t *testing.T) {
	var x uint64
	for selfCPU(t) < 200*time.Millisecond {
		for i := range 100000 {
			x += uint64(i) * x
		}
	}
	before := selfCPU(t)
	got, err := ProcCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	after := selfCPU(t)
	if got < before-20*time.Millisecond || got > after+20*time.Millisecond {
		t.Errorf("ProcCPU = %s, getrusage %s … %s (x=%d)", got, before, after, x)
	}
	if _, err := ProcCPU(1 << 30); err == nil {
		t.Error("ProcCPU of a process that does not exist: no error")
	}
}

// selfCPU is this process's user plus system time by getrusage.
func selfCPU(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
