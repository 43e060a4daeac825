package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/weekback/weekback/bench/dataset"
	"github.com/weekback/weekback/bench/internal/benchutil"
)

// backupPrefix is this benchmark's private weekback prefix: its slots and
// meta schema start with it, and it drops all of them.
const backupPrefix = "wbexp"

// exportTable is the table every method exports.
const exportTable = "orders"

// cleanupTimeout bounds the final drops, which run even after an interrupt.
const cleanupTimeout = 5 * time.Minute

// bench is what the steps share: the server and a temporary directory (for
// the config, the option file and the client-side output files), the
// options, the Monday slot and its table's row count.
type bench struct {
	*benchutil.Base
	o        options
	config   string // weekback's config file
	slot     string // the Monday slot, once snapshotted
	rows     int64  // rows of the slot's table
	outfiles []string
}

// run snapshots the dataset, measures the methods, prints the report and
// drops the benchmark's schemas and files.
func run(ctx context.Context, o options) error {
	b, err := newBench(ctx, o)
	if err != nil {
		return err
	}
	defer b.Close()
	err = b.measure(ctx)
	return errors.Join(err, b.cleanup())
}

// measure is run's body between setup and cleanup.
func (b *bench) measure(ctx context.Context) error {
	if err := b.dropScratch(ctx); err != nil {
		return err
	}
	if err := dataset.Generate(ctx, b.DB, b.o.src, b.o.scale, benchutil.Logf); err != nil {
		return err
	}
	if err := b.snapshot(ctx); err != nil {
		return err
	}
	methods, err := b.methods(ctx)
	if err != nil {
		return err
	}
	if err := b.runAll(ctx, methods); err != nil {
		return err
	}
	return b.report(ctx, os.Stdout, methods)
}

// newBench connects and makes the temporary directory.
func newBench(ctx context.Context, o options) (*bench, error) {
	base, err := benchutil.Open(ctx, o.dsn, 4, "wbexp-")
	if err != nil {
		return nil, err
	}
	return &bench{Base: base, o: o}, nil
}

// snapshot copies the source's table into Monday's generation of the
// private prefix (always anew: dropScratch removed earlier runs' slots),
// then records the slot and its row count.
func (b *bench) snapshot(ctx context.Context) error {
	src := b.Cfg.Clone()
	src.DBName = b.o.src
	b.config = filepath.Join(b.Dir, "weekback.yaml")
	err := benchutil.WriteYAML(b.config, map[string]any{
		"source":   map[string]any{"dsn": src.FormatDSN(), "include": []string{exportTable}},
		"backup":   map[string]any{"dsn": b.Cfg.FormatDSN(), "prefix": backupPrefix},
		"snapshot": map[string]any{"grace_period": "1s"},
		"schedule": map[string]any{"timezone": "UTC"},
		"exports":  map[string]any{"dir": filepath.Join(b.Dir, "exports")},
	})
	if err != nil {
		return err
	}
	cmd, err := b.weekback(ctx, "snapshot", "--day", "mon")
	if err != nil {
		return err
	}
	wall, err := benchutil.Run(cmd)
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	err = b.DB.QueryRowContext(ctx, "SELECT slot FROM "+benchutil.Qualify(backupPrefix+"_meta", "generations")+
		" WHERE day = 'mon' AND slot IS NOT NULL").Scan(&b.slot)
	if err != nil {
		return fmt.Errorf("find the monday slot: %w", err)
	}
	q := "SELECT /* wbbench */ COUNT(*) FROM " + benchutil.Qualify(b.slot, exportTable)
	if err := b.DB.QueryRowContext(ctx, q).Scan(&b.rows); err != nil {
		return fmt.Errorf("count rows of %s.%s: %w", b.slot, exportTable, err)
	}
	benchutil.Logf("snapshot of %s.%s into %s in %s: %d rows", b.o.src, exportTable, b.slot, wall.Round(time.Millisecond), b.rows)
	return nil
}

// dropScratch drops every schema of the private prefix: the slots and the
// meta schema of earlier runs.
func (b *bench) dropScratch(ctx context.Context) error {
	names, err := benchutil.PrefixSchemas(ctx, b.DB, backupPrefix)
	if err != nil {
		return err
	}
	return benchutil.DropSchemas(ctx, b.DB, names)
}

// cleanup removes INTO OUTFILE's files and drops the benchmark's schemas,
// even after an interrupt; with -keep, the schemas stay. The source
// dataset is always kept for the next run.
func (b *bench) cleanup() error {
	var errs []error
	for _, path := range b.outfiles {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove %s: %w", path, err))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	if b.o.keep {
		names, err := benchutil.PrefixSchemas(ctx, b.DB, backupPrefix)
		benchutil.Logf("-keep: kept %s", strings.Join(names, ", "))
		return errors.Join(append(errs, err)...)
	}
	return errors.Join(append(errs, b.dropScratch(ctx))...)
}
