package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/weekback/weekback/bench/dataset"
	"github.com/weekback/weekback/bench/internal/benchutil"
)

// The source schema (kept for the next run, put back as it was) and this
// benchmark's backup prefix: names of its own, so that the other
// benchmarks' clean-ups (every wbbench_ schema) never meet it.
const (
	srcSchema    = "wbcmp_src"
	backupPrefix = "wbcmp"
)

// The change between Monday and Tuesday: the total of every hundredth
// order grows by markTotal (no generated total reaches it, so a run cut
// short is undone by the next), and addedCustomers customers are added
// after the generated ones.
const (
	markTotal      = 1_000_000
	addedCustomers = 1000
)

// bench is what the steps share.
type bench struct {
	*benchutil.Base
	o      options
	bin    string
	config string
	want   map[string]counts
}

// counts is one table's expected line of `diff --json`.
type counts struct {
	Table    string `json:"table"`
	RowsFrom int64  `json:"rows_from"`
	RowsTo   int64  `json:"rows_to"`
	Added    int64  `json:"added"`
	Deleted  int64  `json:"deleted"`
	Changed  int64  `json:"changed"`
}

// sample is one timed command.
type sample struct {
	wall time.Duration
	kib  int64
}

// results are the samples of each measured step, by name.
type results map[string][]sample

// run generates the source, measures, reports and cleans up.
func run(ctx context.Context, o options) error {
	base, err := benchutil.Open(ctx, o.dsn, 4, "wbbench-cmp-")
	if err != nil {
		return err
	}
	b := &bench{Base: base, o: o}
	defer b.Close()
	if b.bin, err = benchutil.WeekbackBinary(o.bin); err != nil {
		return err
	}
	if err := dataset.Generate(ctx, b.DB, srcSchema, o.scale, benchutil.Logf); err != nil {
		return err
	}
	if err := b.restoreSource(ctx); err != nil {
		return err
	}
	if err := b.writeConfig(); err != nil {
		return err
	}
	res := results{}
	for i := 1; i <= o.runs && err == nil; i++ {
		err = b.once(ctx, res)
		err = errors.Join(err, b.restoreSource(context.WithoutCancel(ctx)))
	}
	if err == nil {
		err = b.report(os.Stdout, res)
	}
	return errors.Join(err, b.cleanup())
}

// writeConfig writes weekback's config: the source, the backup prefix.
func (b *bench) writeConfig() error {
	src := b.Cfg.Clone()
	src.DBName = srcSchema
	b.config = filepath.Join(b.Dir, "weekback.yaml")
	return benchutil.WriteYAML(b.config, map[string]any{
		"source":   map[string]any{"dsn": src.FormatDSN()},
		"backup":   map[string]any{"dsn": b.Cfg.FormatDSN(), "prefix": backupPrefix},
		"snapshot": map[string]any{"parallelism": 4, "grace_period": "1s"},
		"schedule": map[string]any{"timezone": "UTC"},
	})
}

// once is one run: snapshot Monday, change, snapshot Tuesday, diff.
func (b *bench) once(ctx context.Context, res results) error {
	if err := b.timed(ctx, res, "snapshot", "snapshot", "--day", "mon"); err != nil {
		return err
	}
	if err := b.change(ctx); err != nil {
		return err
	}
	if err := b.timed(ctx, res, "snapshot", "snapshot", "--day", "tue"); err != nil {
		return err
	}
	for _, d := range diffs {
		if err := b.diff(ctx, res, d); err != nil {
			return err
		}
	}
	if !b.o.inServer {
		return nil
	}
	start := time.Now()
	if err := b.inServer(ctx); err != nil {
		return err
	}
	res["in-server SQL joins"] = append(res["in-server SQL joins"], sample{wall: time.Since(start)})
	return nil
}

// diffs are the measured diff commands.
var diffs = []struct {
	name, to string
	rescan   bool
}{
	{"diff mon tue", "tue", false},
	{"diff mon tue --rescan", "tue", true},
	{"diff mon production", "production", false},
}

// diff times one diff command and checks its counts.
func (b *bench) diff(ctx context.Context, res results, d struct {
	name, to string
	rescan   bool
}) error {
	args := []string{"diff", "--from", "mon", "--to", d.to, "--json"}
	if d.rescan {
		args = append(args, "--rescan")
	}
	out, s, err := b.command(ctx, args...)
	if err != nil {
		return err
	}
	res[d.name] = append(res[d.name], s)
	return b.check(d.name, out)
}

// timed runs a weekback command and records its sample under name.
func (b *bench) timed(ctx context.Context, res results, name string, args ...string) error {
	_, s, err := b.command(ctx, args...)
	if err == nil {
		res[name] = append(res[name], s)
	}
	return err
}

// command runs weekback with args and returns its stdout and sample.
func (b *bench) command(ctx context.Context, args ...string) ([]byte, sample, error) {
	rctx, cancel := context.WithTimeout(ctx, b.o.timeout)
	defer cancel()
	cmd := exec.CommandContext(rctx, b.bin, append([]string{"--config", b.config}, args...)...)
	cmd.Dir = b.Dir
	cmd.Env = benchutil.WithoutWeekbackEnv(os.Environ())
	var stdout, stderr benchutil.TailBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 10 * time.Second
	wall, err := benchutil.Run(cmd)
	if err != nil {
		return nil, sample{}, benchutil.ExitError(cmd, err, &stderr)
	}
	benchutil.Logf("weekback %v: %s", args, benchutil.Seconds(wall))
	return []byte(stdout.String()), sample{wall: wall, kib: benchutil.PeakRSS(cmd.ProcessState)}, nil
}

// check compares a diff's JSON with the expected counts, table by table.
func (b *bench) check(name string, out []byte) error {
	var got struct {
		Tables []counts `json:"tables"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		return fmt.Errorf("%s: read its JSON: %w", name, err)
	}
	if len(got.Tables) != len(b.want) {
		return fmt.Errorf("%s: %d tables, want %d", name, len(got.Tables), len(b.want))
	}
	for _, t := range got.Tables {
		if w := b.want[t.Table]; t != w {
			return fmt.Errorf("%s: %s is %+v, want %+v", name, t.Table, t, w)
		}
	}
	return nil
}

// cleanup drops the slots and meta schema unless -keep (the source stays,
// for the next run).
func (b *bench) cleanup() error {
	if b.o.keep {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	names, err := benchutil.PrefixSchemas(ctx, b.DB, backupPrefix, srcSchema)
	if err != nil {
		return err
	}
	return benchutil.DropSchemas(ctx, b.DB, names)
}
