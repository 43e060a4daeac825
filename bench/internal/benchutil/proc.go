package benchutil

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// ProcRSS is one child process's peak resident set size in KiB.
type ProcRSS struct {
	Name string
	KiB  int64
}

// Proc returns cmd's peak RSS, once it has finished.
func Proc(cmd *exec.Cmd) ProcRSS {
	return ProcRSS{Name: filepath.Base(cmd.Path), KiB: PeakRSS(cmd.ProcessState)}
}

// FindTool returns the path of the first of names on $PATH, or an error
// naming them all.
func FindTool(names ...string) (string, error) {
	for _, name := range names {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("none of %s is on $PATH", strings.Join(names, ", "))
}

// Run runs cmd to completion and returns its wall time. When cmd.Stderr is
// nil it is captured, and a failure (start or non-zero exit) is returned
// with the tail of that stderr.
func Run(cmd *exec.Cmd) (time.Duration, error) {
	stderr, _ := cmd.Stderr.(*TailBuffer)
	if cmd.Stderr == nil {
		stderr = &TailBuffer{}
		cmd.Stderr = stderr
	}
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return wall, ExitError(cmd, err, stderr)
	}
	return wall, nil
}

// RunPipe runs src | dst to completion and returns the wall time of both;
// both must exit 0. Their stderr is captured; dst's stdout is discarded.
func RunPipe(src, dst *exec.Cmd) (time.Duration, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return 0, fmt.Errorf("pipe: %w", err)
	}
	var srcErr, dstErr TailBuffer
	src.Stdout, src.Stderr = w, &srcErr
	dst.Stdin, dst.Stdout, dst.Stderr = r, io.Discard, &dstErr
	start := time.Now()
	err = dst.Start()
	if err == nil {
		err = src.Start()
	}
	_ = w.Close() // the children hold their own ends
	_ = r.Close()
	if err != nil {
		if dst.Process != nil {
			_ = dst.Wait() // it sees EOF and ends
		}
		return 0, fmt.Errorf("start: %w", err)
	}
	errSrc, errDst := src.Wait(), dst.Wait()
	wall := time.Since(start)
	if errSrc != nil || errDst != nil {
		return wall, errors.Join(ExitError(src, errSrc, &srcErr), ExitError(dst, errDst, &dstErr))
	}
	return wall, nil
}

// ExitError describes a failed process with the tail of its stderr (which
// may be nil), or returns nil when err is nil.
func ExitError(cmd *exec.Cmd, err error, stderr *TailBuffer) error {
	if err == nil {
		return nil
	}
	if stderr == nil {
		return fmt.Errorf("%s: %w", filepath.Base(cmd.Path), err)
	}
	return fmt.Errorf("%s: %w\n%s", filepath.Base(cmd.Path), err, stderr.Tail(TailLines))
}

// WeekbackBinary returns the absolute path of the weekback binary bin, or
// an error saying how to build it.
func WeekbackBinary(bin string) (string, error) {
	abs, err := filepath.Abs(bin)
	if err != nil {
		return "", fmt.Errorf("resolve -bin: %w", err)
	}
	if fi, err := os.Stat(abs); err != nil || fi.IsDir() {
		return "", fmt.Errorf("binary %s not found (run make build first, or pass -bin)", bin)
	}
	return abs, nil
}

// WithoutWeekbackEnv returns env without its WEEKBACK_* variables, which
// would override a benchmark's weekback config file.
func WithoutWeekbackEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, "WEEKBACK_") {
			out = append(out, kv)
		}
	}
	return out
}

// LastLine returns the last non-empty line of s, trimmed.
func LastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
