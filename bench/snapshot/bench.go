package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/weekback/weekback/bench/dataset"
	"github.com/weekback/weekback/bench/internal/benchutil"
)

// The schemas the benchmark uses: the source, the scratch copies of B and
// C, and weekback's backup prefix (its slots and meta schema start with
// it). useSchemas derives them from -prefix.
var (
	srcSchema    = DefaultPrefix + "_src"
	dumpSchema   = DefaultPrefix + "_dump"
	insSchema    = DefaultPrefix + "_ins"
	backupPrefix = DefaultPrefix
)

// useSchemas names the benchmark's schemas after prefix, so that runs with
// different prefixes can share one server.
func useSchemas(prefix string) {
	srcSchema, dumpSchema, insSchema, backupPrefix = prefix+"_src", prefix+"_dump", prefix+"_ins", prefix
}

// cleanupTimeout bounds the final drops, which run even after an interrupt.
const cleanupTimeout = 10 * time.Minute

// bench is what the methods share: the options, the server and a
// temporary directory for the config and client option files.
type bench struct {
	*benchutil.Base
	o options
}

// method is one way of copying the source schema.
type method struct {
	key      string // A, B or C
	name     string
	optional bool // a failure skips the method instead of ending the benchmark
	prepare  func(ctx context.Context) error
	run      func(ctx context.Context) (sample, error)
	check    func(ctx context.Context) error // after a run, untimed
	skipped  string                          // why the method no longer runs
	samples  []sample
}

// sample is one measured run: its wall time and the peak RSS of each child
// process; procs is nil for server-side work.
type sample struct {
	wall    time.Duration // until the copy is usable: for A, until it is served
	process time.Duration // A: the whole process, grace period and old slot's drop included
	procs   []benchutil.ProcRSS
}

// run generates the source, measures the methods, prints the report and
// drops what the runs left.
func run(ctx context.Context, o options) error {
	b, err := newBench(ctx, o)
	if err != nil {
		return err
	}
	defer b.Close()
	if err := b.dropScratch(ctx); err != nil {
		return err
	}
	if err := dataset.Generate(ctx, b.DB, srcSchema, o.scale, benchutil.Logf); err != nil {
		return err
	}
	methods, err := b.methods(ctx)
	if err == nil {
		err = b.measure(ctx, methods)
	}
	if err == nil {
		err = b.report(ctx, os.Stdout, methods)
	}
	return errors.Join(err, b.cleanup())
}

// newBench connects and makes the temporary directory.
func newBench(ctx context.Context, o options) (*bench, error) {
	base, err := benchutil.Open(ctx, o.dsn, o.parallelism+2, "wbbench-")
	if err != nil {
		return nil, err
	}
	return &bench{Base: base, o: o}, nil
}

// methods builds A, B and C; B's and C's copies are checked against the
// source's row counts after every run.
func (b *bench) methods(ctx context.Context) ([]*method, error) {
	a, err := b.weekbackMethod()
	if err != nil {
		return nil, err
	}
	bm, err := b.dumpMethod()
	if err != nil {
		return nil, err
	}
	tables, err := b.sourceTables(ctx)
	if err != nil {
		return nil, err
	}
	c := b.inServerMethod(tables)
	if bm.check, err = b.checker(ctx, dumpSchema, tables); err != nil {
		return nil, err
	}
	if c.check, err = b.checker(ctx, insSchema, tables); err != nil {
		return nil, err
	}
	return []*method{a, bm, c}, nil
}

// measure runs every method o.runs times, interleaved.
func (b *bench) measure(ctx context.Context, methods []*method) error {
	for i := 1; i <= b.o.runs; i++ {
		for _, m := range methods {
			if err := b.measureOnce(ctx, m, i); err != nil {
				return err
			}
		}
	}
	return nil
}

// measureOnce prepares and times one run of m; an optional method's failure
// marks it skipped.
func (b *bench) measureOnce(ctx context.Context, m *method, i int) error {
	if m.skipped != "" {
		return nil
	}
	if m.prepare != nil {
		if err := m.prepare(ctx); err != nil {
			return fmt.Errorf("prepare %s: %w", m.name, err)
		}
	}
	rctx, cancel := context.WithTimeout(ctx, b.o.timeout)
	s, err := m.run(rctx)
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
	if m.check != nil {
		if err := m.check(ctx); err != nil {
			return fmt.Errorf("%s (run %d): %w", m.name, i, err)
		}
	}
	m.samples = append(m.samples, s)
	benchutil.Logf("run %d/%d %s %s: %s, peak RSS %s", i, b.o.runs, m.key, m.name, s.wall.Round(time.Millisecond), benchutil.RSSText(s.procs))
	return nil
}

// dropScratch drops every schema starting with backupPrefix_ except the
// source: the scratch copies, weekback's slots and its meta schema.
func (b *bench) dropScratch(ctx context.Context) error {
	names, err := b.scratchSchemas(ctx)
	if err != nil {
		return err
	}
	return benchutil.DropSchemas(ctx, b.DB, names)
}

// scratchSchemas lists the schemas dropScratch drops.
func (b *bench) scratchSchemas(ctx context.Context) ([]string, error) {
	return benchutil.PrefixSchemas(ctx, b.DB, backupPrefix, srcSchema)
}

// recreate drops schema name and, when create is set, makes it anew, empty.
func (b *bench) recreate(ctx context.Context, name string, create bool) error {
	if _, err := b.DB.ExecContext(ctx, "DROP DATABASE IF EXISTS "+benchutil.Quote(name)); err != nil {
		return fmt.Errorf("drop schema %s: %w", name, err)
	}
	if !create {
		return nil
	}
	if _, err := b.DB.ExecContext(ctx, "CREATE DATABASE "+benchutil.Quote(name)+" CHARACTER SET utf8mb4"); err != nil {
		return fmt.Errorf("create schema %s: %w", name, err)
	}
	return nil
}

// cleanup drops the scratch schemas, even after an interrupt, unless -keep.
func (b *bench) cleanup() error {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	if b.o.keep {
		names, err := b.scratchSchemas(ctx)
		benchutil.Logf("-keep: kept %s", strings.Join(names, ", "))
		return err
	}
	return b.dropScratch(ctx)
}
