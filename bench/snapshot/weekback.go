package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/weekback/weekback/bench/internal/benchutil"
)

// weekbackGrace is snapshot.grace_period: short, so that the old slot of
// the previous run is dropped soon.
const weekbackGrace = "1s"

// weekbackMethod builds A, `weekback --config FILE snapshot --day mon`.
// A missing binary makes it skipped from the start.
func (b *bench) weekbackMethod() (*method, error) {
	m := &method{key: "A", name: "weekback snapshot", optional: true}
	bin, err := benchutil.WeekbackBinary(b.o.bin)
	if err != nil {
		m.skipped = err.Error()
		benchutil.Logf("A %s: SKIPPED: %s", m.name, m.skipped)
		return m, nil
	}
	config := filepath.Join(b.Dir, "weekback.yaml")
	if err := b.writeWeekbackConfig(config); err != nil {
		return nil, err
	}
	m.run = func(ctx context.Context) (sample, error) { return b.runWeekback(ctx, bin, config) }
	return m, nil
}

// writeWeekbackConfig writes the YAML config of A (keys as in README.md's configuration).
func (b *bench) writeWeekbackConfig(path string) error {
	src := b.Cfg.Clone()
	src.DBName = srcSchema
	doc := map[string]any{
		"source":   map[string]any{"dsn": src.FormatDSN()},
		"backup":   map[string]any{"dsn": b.Cfg.FormatDSN(), "prefix": backupPrefix},
		"snapshot": map[string]any{"parallelism": b.o.parallelism, "grace_period": weekbackGrace},
		"schedule": map[string]any{"timezone": "UTC"},
	}
	return benchutil.WriteYAML(path, doc)
}

// runWeekback runs one snapshot; a non-zero exit is an error carrying the
// tail of its stderr.
func (b *bench) runWeekback(ctx context.Context, bin, config string) (sample, error) {
	cmd := exec.CommandContext(ctx, bin, "--config", config, "snapshot", "--day", "mon")
	cmd.Dir = b.Dir
	cmd.Env = benchutil.WithoutWeekbackEnv(os.Environ())
	var stdout benchutil.TailBuffer
	cmd.Stdout = &stdout
	cmd.WaitDelay = 10 * time.Second
	wall, err := benchutil.Run(cmd)
	if err != nil {
		return sample{}, err
	}
	if line := benchutil.LastLine(stdout.String()); line != "" {
		benchutil.Logf("A weekback: %s", line)
	}
	return sample{wall: wall, procs: []benchutil.ProcRSS{{Name: "weekback", KiB: benchutil.PeakRSS(cmd.ProcessState)}}}, nil
}
