package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
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
// tail of its stderr. The sample's wall time ends when the new generation
// is served (weekback's "switched" log line): what follows, the grace
// period and the drop of the previous run's slot, is the removal of an
// older copy, which B and C do untimed before their runs. The whole
// process's time is kept beside it.
func (b *bench) runWeekback(ctx context.Context, bin, config string) (sample, error) {
	cmd := exec.CommandContext(ctx, bin, "--config", config, "snapshot", "--day", "mon")
	cmd.Dir = b.Dir
	cmd.Env = benchutil.WithoutWeekbackEnv(os.Environ())
	var stdout benchutil.TailBuffer
	cmd.Stdout = &stdout
	watch := &switchWatch{start: time.Now()}
	cmd.Stderr = watch
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	process := time.Since(watch.start)
	if err != nil {
		return sample{}, benchutil.ExitError(cmd, err, &watch.tail)
	}
	served := watch.served()
	if served == 0 {
		return sample{}, fmt.Errorf("weekback snapshot exited 0 without logging the switch (msg=switched):\n%s", watch.tail.Tail(benchutil.TailLines))
	}
	if line := benchutil.LastLine(stdout.String()); line != "" {
		benchutil.Logf("A weekback: %s; served after %s, process %s", line, benchutil.Seconds(served), benchutil.Seconds(process))
	}
	return sample{wall: served, process: process, procs: []benchutil.ProcRSS{{Name: "weekback", KiB: benchutil.PeakRSS(cmd.ProcessState)}}}, nil
}

// switchWatch keeps the tail of weekback's log and the time, from start,
// at which the log said the generation was switched.
type switchWatch struct {
	start time.Time
	tail  benchutil.TailBuffer

	mu   sync.Mutex
	at   time.Duration
	line []byte // a log line split across writes
}

// switchedMsg is how the text and the JSON log handlers write the message.
var switchedMsg = [][]byte{[]byte("msg=switched "), []byte(`"msg":"switched"`)}

// Write records the first switch line's time and keeps the tail.
func (w *switchWatch) Write(p []byte) (int, error) {
	now := time.Since(w.start)
	w.mu.Lock()
	if w.at == 0 {
		w.line = append(w.line, p...)
		for _, m := range switchedMsg {
			if bytes.Contains(w.line, m) {
				w.at = now
			}
		}
		if i := bytes.LastIndexByte(w.line, '\n'); i >= 0 {
			w.line = append(w.line[:0], w.line[i+1:]...)
		}
	}
	w.mu.Unlock()
	return w.tail.Write(p)
}

// served is when the switch was logged, or 0 if it was not.
func (w *switchWatch) served() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.at
}
