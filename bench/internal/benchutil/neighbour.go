package benchutil

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"time"
)

// NeighbourEnv turns the neighbour on: BENCH_NEIGHBOUR=1 runs `stress-ng
// --cpu 1` beside the benchmark (a number N runs N CPU workers; empty or 0
// runs none).
const NeighbourEnv = "BENCH_NEIGHBOUR"

// neighbourGrace is how long Stop waits for stress-ng to end its workers
// after SIGTERM before it kills it.
const neighbourGrace = 5 * time.Second

// NeighbourWorkers returns the number of CPU workers $BENCH_NEIGHBOUR asks
// for: 0 when it is empty, "0" or not a number (an error then).
func NeighbourWorkers() (int, error) {
	v := os.Getenv(NeighbourEnv)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s=%q: want a number of CPU workers (1 for one)", NeighbourEnv, v)
	}
	return n, nil
}

// NeighbourLabel is " (with neighbour)" when $BENCH_NEIGHBOUR asks for
// one, else empty.
func NeighbourLabel() string {
	if n, _ := NeighbourWorkers(); n > 0 {
		return " (with neighbour)"
	}
	return ""
}

// Neighbour is a CPU-bound process (stress-ng) run beside the measured
// work, so that the baseline and weekback share the machine with the same
// load. A nil *Neighbour is none; Stop is safe on it.
type Neighbour struct {
	cmd  *exec.Cmd
	done chan error
}

// StartNeighbour starts the neighbour $BENCH_NEIGHBOUR asks for, or
// returns nil when it asks for none. When stress-ng is missing it installs
// it with apt-get if we are root, else it fails saying how to install it.
// The neighbour dies with this process (SIGKILL on Linux when it exits).
func StartNeighbour() (*Neighbour, error) {
	workers, err := NeighbourWorkers()
	if err != nil || workers == 0 {
		return nil, err
	}
	path, err := stressNG()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, "--cpu", strconv.Itoa(workers), "--quiet")
	cmd.SysProcAttr = dieWithParent()
	stderr := &TailBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start neighbour: %w", err)
	}
	n := &Neighbour{cmd: cmd, done: make(chan error, 1)}
	go func() { n.done <- cmd.Wait() }()
	select {
	case err := <-n.done:
		return nil, fmt.Errorf("neighbour stress-ng ended at once: %w\n%s", err, stderr.Tail(TailLines))
	case <-time.After(200 * time.Millisecond):
	}
	Logf("neighbour: stress-ng --cpu %d running (pid %d)", workers, cmd.Process.Pid)
	return n, nil
}

// Stop ends the neighbour (SIGTERM, then SIGKILL after a grace period)
// and waits for it. It does nothing on a nil Neighbour or twice.
func (n *Neighbour) Stop() {
	if n == nil || n.cmd == nil {
		return
	}
	_ = n.cmd.Process.Signal(os.Interrupt)
	select {
	case <-n.done:
	case <-time.After(neighbourGrace):
		_ = n.cmd.Process.Kill()
		<-n.done
	}
	Logf("neighbour: stopped")
	n.cmd = nil
}

// stressNG finds stress-ng, installing the Debian package when we are
// root and it is missing.
func stressNG() (string, error) {
	if path, err := exec.LookPath("stress-ng"); err == nil {
		return path, nil
	}
	if os.Geteuid() != 0 {
		return "", errors.New("the neighbour needs stress-ng, which is not installed: apt-get install stress-ng (as root), or unset " + NeighbourEnv)
	}
	Logf("neighbour: installing stress-ng with apt-get")
	cmd := exec.Command("apt-get", "install", "-y", "--no-install-recommends", "stress-ng")
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	if _, err := Run(cmd); err != nil {
		return "", fmt.Errorf("install stress-ng for the neighbour: %w", err)
	}
	return exec.LookPath("stress-ng")
}
