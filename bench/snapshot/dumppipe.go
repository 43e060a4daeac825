package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// dumpMethod builds B: mariadb-dump --single-transaction --quick of the
// source piped into mariadb loading a freshly created scratch schema.
func (b *bench) dumpMethod() (*method, error) {
	dump, err := findTool("mariadb-dump", "mysqldump")
	if err != nil {
		return nil, fmt.Errorf("find dump tool: %w", err)
	}
	load, err := findTool("mariadb", "mysql")
	if err != nil {
		return nil, fmt.Errorf("find client: %w", err)
	}
	opts, err := b.writeClientOptions()
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
	r, w, err := os.Pipe()
	if err != nil {
		return sample{}, fmt.Errorf("pipe: %w", err)
	}
	var srcErr, dstErr tailBuffer
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
		return sample{}, fmt.Errorf("start: %w", err)
	}
	errSrc, errDst := src.Wait(), dst.Wait()
	wall := time.Since(start)
	if errSrc != nil || errDst != nil {
		return sample{}, errors.Join(
			exitError(src, errSrc, &srcErr), exitError(dst, errDst, &dstErr))
	}
	return sample{wall: wall, procs: []procRSS{
		{filepath.Base(src.Path), peakRSS(src.ProcessState)},
		{filepath.Base(dst.Path), peakRSS(dst.ProcessState)},
	}}, nil
}

// exitError describes a failed process with the tail of its stderr, or
// returns nil when err is nil.
func exitError(cmd *exec.Cmd, err error, stderr *tailBuffer) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w\n%s", filepath.Base(cmd.Path), err, stderr.Tail(tailLines))
}
