package benchutil

import (
	"os/exec"
	"syscall"
	"testing"
)

func TestNeighbourRunsAndStops(t *testing.T) {
	if _, err := exec.LookPath("stress-ng"); err != nil {
		t.Skip("stress-ng is not installed (apt-get install stress-ng)")
	}
	t.Setenv(NeighbourEnv, "1")
	n, err := StartNeighbour()
	if err != nil {
		t.Fatal(err)
	}
	pid := n.cmd.Process.Pid
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("neighbour pid %d is not running: %v", pid, err)
	}
	n.Stop()
	n.Stop()
	if err := syscall.Kill(pid, 0); err == nil {
		t.Fatalf("neighbour pid %d still runs after Stop", pid)
	}
	t.Setenv(NeighbourEnv, "")
	if n, err := StartNeighbour(); n != nil || err != nil {
		t.Fatalf("StartNeighbour without %s = %v, %v, want nil, nil", NeighbourEnv, n, err)
	}
}
