package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/weekback/weekback/bench/internal/benchutil"
)

// method is one way of writing the slot's table to a file.
type method struct {
	key      string
	name     string
	optional bool // a failure skips the method instead of ending the benchmark
	run      func(ctx context.Context, i int) (sample, error)
	skipped  string // why the method does not run (any more)
	samples  []sample
}

// sample is one measured run: its round, its wall time, the size of the
// file it wrote and the peak RSS of its child process (nil for server-side
// work).
type sample struct {
	round int
	wall  time.Duration
	bytes int64
	procs []benchutil.ProcRSS
}

// methods builds A and A2 (weekback export), B (INTO OUTFILE), C (the
// mariadb client) and, with -bin-before, A0 (A with another build).
func (b *bench) methods(ctx context.Context) ([]*method, error) {
	client, err := b.clientMethod()
	if err != nil {
		return nil, err
	}
	if err := b.resolveOutfileDir(ctx); err != nil {
		return nil, err
	}
	methods := []*method{
		b.weekbackMethod("A", "weekback export -o (reimport, utf-8)", b.o.bin),
		b.weekbackMethod("A2", "weekback export -o (spreadsheet, shift_jis, --lossy)", b.o.bin,
			"--profile", "spreadsheet", "--encoding", "shift_jis", "--lossy"),
		b.outfileMethod(),
		client,
	}
	if b.o.binBefore != "" {
		methods = append(methods, b.weekbackMethod("A0", "A with -bin-before "+b.o.binBefore, b.o.binBefore))
	}
	return methods, nil
}

// runAll runs every method o.runs times, interleaved.
func (b *bench) runAll(ctx context.Context, methods []*method) error {
	for i := 1; i <= b.o.runs; i++ {
		for _, m := range methods {
			if err := b.runOnce(ctx, m, i); err != nil {
				return err
			}
		}
	}
	return nil
}

// runOnce times one run of m; an optional method's failure marks it
// skipped.
func (b *bench) runOnce(ctx context.Context, m *method, i int) error {
	if m.skipped != "" {
		return nil
	}
	rctx, cancel := context.WithTimeout(ctx, b.o.timeout)
	s, err := m.run(rctx, i)
	cancel()
	switch {
	case err != nil && ctx.Err() != nil:
		return fmt.Errorf("%s interrupted: %w", m.name, ctx.Err())
	case err != nil && m.optional:
		m.skipped = err.Error()
		benchutil.Logf("%s %s: SKIPPED: %v", m.key, m.name, err)
		return nil
	case err != nil:
		return fmt.Errorf("%s (run %d): %w", m.name, i, err)
	}
	s.round = i
	m.samples = append(m.samples, s)
	benchutil.Logf("run %d/%d %s %s: %s, %s, peak RSS %s", i, b.o.runs, m.key, m.name,
		s.wall.Round(time.Millisecond), benchutil.MB(s.bytes/1024), benchutil.RSSText(s.procs))
	return nil
}

// weekback returns `weekback --config FILE args…` run in the temporary
// directory, without WEEKBACK_* variables (which would override the file).
func (b *bench) weekback(ctx context.Context, args ...string) (*exec.Cmd, error) {
	return b.weekbackBin(ctx, b.o.bin, args...)
}

// weekbackBin is weekback with the binary bin.
func (b *bench) weekbackBin(ctx context.Context, bin string, args ...string) (*exec.Cmd, error) {
	bin, err := benchutil.WeekbackBinary(bin)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin, append([]string{"--config", b.config}, args...)...)
	cmd.Dir = b.Dir
	cmd.Env = benchutil.WithoutWeekbackEnv(os.Environ())
	cmd.WaitDelay = 10 * time.Second
	return cmd, nil
}
