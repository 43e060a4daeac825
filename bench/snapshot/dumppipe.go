package main

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"

	"github.com/weekback/weekback/bench/internal/benchutil"
)

// dumpMethod builds B: mariadb-dump --single-transaction --quick of the
// source piped into mariadb loading a freshly created scratch schema.
func (b *bench) dumpMethod() (*method, error) {
	dump, err := benchutil.FindTool("mariadb-dump", "mysqldump")
	if err != nil {
		return nil, fmt.Errorf("find dump tool: %w", err)
	}
	load, err := benchutil.FindTool("mariadb", "mysql")
	if err != nil {
		return nil, fmt.Errorf("find client: %w", err)
	}
	opts, err := benchutil.WriteClientOptions(b.Cfg, b.Dir)
	if err != nil {
		return nil, err
	}
	return &method{
		key:     "B",
		name:    filepath.Base(dump) + " | " + filepath.Base(load),
		prepare: func(ctx context.Context) error { return b.recreate(ctx, dumpSchema, true) },
		run: func(ctx context.Context) (sample, error) {
			return runPipe(
				exec.CommandContext(ctx, dump, "--defaults-extra-file="+opts, "--single-transaction", "--quick", srcSchema),
				exec.CommandContext(ctx, load, "--defaults-extra-file="+opts, dumpSchema))
		},
	}, nil
}

// runPipe runs src | dst and times it; both must exit 0.
func runPipe(src, dst *exec.Cmd) (sample, error) {
	wall, err := benchutil.RunPipe(src, dst)
	if err != nil {
		return sample{}, err
	}
	return sample{wall: wall, procs: []benchutil.ProcRSS{benchutil.Proc(src), benchutil.Proc(dst)}}, nil
}
