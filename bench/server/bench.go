package main

import (
	"github.com/weekback/weekback/bench/internal/benchutil"

	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/weekback/weekback/bench/dataset"
)

// backupPrefix is this benchmark's private backup prefix: its slots and
// meta schema start with it and an underscore.
const backupPrefix = "wbsrv"

// sourceSchema returns the name of day's source at scale: Monday's is the
// bench/dataset schema, Tuesday's the same with the change of
// prepareTuesday. They are the benchmark's own (other benchmarks on the
// same server regenerate theirs at other scales) and kept for the next
// run; names outside the backup prefix keep them out of dropScratch.
func sourceSchema(day string, scale float64) string {
	return strings.ReplaceAll(fmt.Sprintf("wbsrv%s_%g", day, scale), ".", "_")
}

// cleanupTimeout bounds the final drops, which run even after an interrupt.
const cleanupTimeout = 5 * time.Minute

// bench is what the steps share: the options, the server, the Monday slot
// and a temporary directory for the config, secret and option files.
type bench struct {
	*benchutil.Base // the server (without a database), its pool, a temporary directory
	o               options
	slot            string // the Monday slot, once snapshotted
	tue             string // the Tuesday slot, once snapshotted
	source          string // the source of the next snapshot ("": Monday's)
}

// run snapshots the dataset, serves it, measures the scenarios and their
// floors, prints the report and drops the benchmark's schemas.
func run(ctx context.Context, o options) error {
	b, err := newBench(ctx, o)
	if err != nil {
		return err
	}
	defer b.close()
	err = b.measure(ctx)
	return errors.Join(err, b.cleanup())
}

// measure is run's body between setup and cleanup.
func (b *bench) measure(ctx context.Context) error {
	if err := b.prepare(ctx); err != nil {
		return err
	}
	srv, err := b.startServer(ctx)
	if err != nil {
		return err
	}
	defer srv.stop()
	c, err := newClient(ctx, srv.base, b.o.clients)
	if err != nil {
		return fmt.Errorf("%w\n%s", err, srv.stderr.Tail(benchutil.TailLines))
	}
	scenarios, err := b.scenarios(ctx, c)
	if err != nil {
		return fmt.Errorf("%w\n%s", err, srv.stderr.Tail(benchutil.TailLines))
	}
	for _, s := range scenarios {
		if err := b.measureScenario(ctx, c, srv, s); err != nil {
			return err
		}
	}
	return printReport(os.Stdout, b.o, scenarios)
}

// prepare makes the Monday and Tuesday slots with the bench user: anew
// (dropping earlier runs' schemas), or with -reuse the ones an earlier run
// kept.
func (b *bench) prepare(ctx context.Context) error {
	if b.o.reuse {
		found, err := b.keptSlots(ctx)
		if found || err != nil {
			return err
		}
	}
	if err := b.dropScratch(ctx); err != nil {
		return err
	}
	mon := sourceSchema("mon", b.o.scale)
	if err := dataset.Generate(ctx, b.DB, mon, b.o.scale, logf); err != nil {
		return err
	}
	var err error
	if b.slot, err = b.snapshot(ctx, "mon", mon); err != nil {
		return err
	}
	tue := sourceSchema("tue", b.o.scale)
	if err := b.prepareTuesday(ctx, tue); err != nil {
		return err
	}
	if b.tue, err = b.snapshot(ctx, "tue", tue); err != nil {
		return err
	}
	return b.addBenchUser(ctx)
}

// keptSlots finds the Monday and Tuesday slots of an earlier run and its
// bench user; it reports false (and no error) when one is missing.
func (b *bench) keptSlots(ctx context.Context) (bool, error) {
	var err error
	if b.slot, err = b.slotOf(ctx, "mon"); err == nil {
		b.tue, err = b.slotOf(ctx, "tue")
	}
	if err != nil {
		logf("-reuse: no kept slots (%v): snapshotting", err)
		return false, nil
	}
	var n int
	err = b.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+qualify(b.tue, "users")+" WHERE login_id = ?", benchLogin).Scan(&n)
	if err != nil || n == 0 {
		logf("-reuse: %s has no bench user (%v): snapshotting", b.tue, err)
		return false, nil
	}
	logf("-reuse: serving the kept slots %s and %s", b.slot, b.tue)
	return true, nil
}

// newBench connects and makes the temporary directory.
func newBench(ctx context.Context, o options) (*bench, error) {
	base, err := benchutil.Open(ctx, o.dsn, o.clients+2, "wbsrv-")
	if err != nil {
		return nil, err
	}
	return &bench{Base: base, o: o}, nil
}

// close releases the connections and removes the temporary directory.
func (b *bench) close() { b.Base.Close() }

// dropScratch drops every schema starting with backupPrefix_: the slots
// and the meta schema of earlier runs.
func (b *bench) dropScratch(ctx context.Context) error {
	names, err := b.scratchSchemas(ctx)
	if err != nil {
		return err
	}
	for _, name := range names {
		logf("dropping schema %s", name)
		if _, err := b.DB.ExecContext(ctx, "DROP DATABASE IF EXISTS "+quote(name)); err != nil {
			return fmt.Errorf("drop schema %s: %w", name, err)
		}
	}
	return nil
}

// scratchSchemas lists the schemas dropScratch drops.
func (b *bench) scratchSchemas(ctx context.Context) ([]string, error) {
	rows, err := b.DB.QueryContext(ctx, `SELECT SCHEMA_NAME FROM information_schema.SCHEMATA
		WHERE SCHEMA_NAME LIKE ? ORDER BY SCHEMA_NAME`, backupPrefix+`\_%`)
	if err != nil {
		return nil, fmt.Errorf("list schemas: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("list schemas: %w", err)
		}
		names = append(names, name)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list schemas: %w", err)
	}
	return names, nil
}

// cleanup drops the benchmark's schemas, even after an interrupt, unless
// -keep. The source dataset is always kept for the next run.
func (b *bench) cleanup() error {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	if b.o.keep {
		names, err := b.scratchSchemas(ctx)
		logf("-keep: kept %s", strings.Join(names, ", "))
		return err
	}
	return b.dropScratch(ctx)
}

// logf prints progress on stderr.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s bench: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// quote quotes an identifier, doubling backticks.
func quote(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// qualify returns `schema`.`name`.
func qualify(schema, name string) string {
	return quote(schema) + "." + quote(name)
}
