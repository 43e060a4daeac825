package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// weekbackGrace is snapshot.grace_period: short, so that the old slot of
// the previous run is dropped soon.
const weekbackGrace = "1s"

// weekbackMethod builds A, `weekback --config FILE snapshot --day mon`.
// A missing binary makes it skipped from the start.
func (b *bench) weekbackMethod() (*method, error) {
	m := &method{key: "A", name: "weekback snapshot", optional: true}
	bin, err := filepath.Abs(b.o.bin)
	if err != nil {
		return nil, fmt.Errorf("resolve -bin: %w", err)
	}
	if fi, err := os.Stat(bin); err != nil || fi.IsDir() {
		m.skipped = fmt.Sprintf("binary %s not found (run make build first, or pass -bin)", b.o.bin)
		logf("A %s: SKIPPED: %s", m.name, m.skipped)
		return m, nil
	}
	config := filepath.Join(b.dir, "weekback.yaml")
	if err := b.writeWeekbackConfig(config); err != nil {
		return nil, err
	}
	m.run = func(ctx context.Context) (sample, error) { return b.runWeekback(ctx, bin, config) }
	return m, nil
}

// writeWeekbackConfig writes the YAML config of A (keys as in DESIGN.md).
func (b *bench) writeWeekbackConfig(path string) error {
	src := b.cfg.Clone()
	src.DBName = srcSchema
	doc := map[string]any{
		"source":   map[string]any{"dsn": src.FormatDSN()},
		"backup":   map[string]any{"dsn": b.cfg.FormatDSN(), "prefix": backupPrefix},
		"snapshot": map[string]any{"parallelism": b.o.parallelism, "grace_period": weekbackGrace},
		"schedule": map[string]any{"timezone": "UTC"},
	}
	data, err := yaml.Marshal(doc)
	if err != nil {
		return fmt.Errorf("write weekback config: %w", err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("write weekback config: %w", err)
	}
	return nil
}

// runWeekback runs one snapshot; a non-zero exit is an error carrying the
// tail of its stderr.
func (b *bench) runWeekback(ctx context.Context, bin, config string) (sample, error) {
	cmd := exec.CommandContext(ctx, bin, "--config", config, "snapshot", "--day", "mon")
	cmd.Dir = b.dir
	cmd.Env = withoutWeekbackEnv(os.Environ())
	var stdout, stderr tailBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return sample{}, fmt.Errorf("%s: %w\n%s", b.o.bin, err, stderr.Tail(tailLines))
	}
	if line := lastLine(stdout.String()); line != "" {
		logf("A weekback: %s", line)
	}
	return sample{wall: wall, procs: []procRSS{{"weekback", peakRSS(cmd.ProcessState)}}}, nil
}

// withoutWeekbackEnv drops WEEKBACK_* variables, which would override the
// benchmark's config file.
func withoutWeekbackEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, "WEEKBACK_") {
			out = append(out, kv)
		}
	}
	return out
}

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
