package snapshotter

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/weekback/weekback"
)

// progress counts what a run has copied, shows it on the Progress writer
// (a redrawn bar on a terminal, a log line every ProgressEvery otherwise)
// and records it in the run's meta row for the server's runs page. add and
// tableDone are safe for concurrent use.
type progress struct {
	s          *Snapshotter
	run        *weekback.SnapshotRun
	tables     int
	estBytes   int64
	rows       atomic.Int64
	bytes      atomic.Int64
	tablesDone atomic.Int64
	started    time.Time
}

func newProgress(s *Snapshotter, run *weekback.SnapshotRun, p *Plan) *progress {
	return &progress{s: s, run: run, tables: len(p.Tables), estBytes: p.EstBytes, started: s.Now()}
}

func (p *progress) add(rows, bytes int64) {
	p.rows.Add(rows)
	p.bytes.Add(bytes)
}

func (p *progress) tableDone() { p.tablesDone.Add(1) }

// start reports until the returned stop is called; stop(ok) draws the
// final state and waits for the reporter to end. The run's meta row is
// updated once a second; the display every ProgressEvery (continuously on
// a terminal).
func (p *progress) start(ctx context.Context) (stop func(ok bool)) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(p.tick())
		defer tick.Stop()
		lastMeta, lastShow := p.s.Now(), p.s.Now()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			now := p.s.Now()
			if p.s.Terminal || now.Sub(lastShow) >= p.s.ProgressEvery {
				p.show(false)
				lastShow = now
			}
			if now.Sub(lastMeta) >= time.Second {
				p.record(ctx)
				lastMeta = now
			}
		}
	})
	return func(ok bool) {
		close(done)
		wg.Wait()
		if ok {
			p.show(true)
		} else if p.s.Terminal && p.s.Progress != nil {
			fmt.Fprintln(p.s.Progress)
		}
	}
}

func (p *progress) tick() time.Duration {
	if p.s.Terminal {
		return 200 * time.Millisecond
	}
	return min(time.Second, max(p.s.ProgressEvery, 10*time.Millisecond))
}

func (p *progress) record(ctx context.Context) {
	p.run.Rows, p.run.Bytes = p.rows.Load(), p.bytes.Load()
	if err := p.s.meta.UpdateRun(ctx, p.run, int(p.tablesDone.Load())); err != nil {
		p.s.Logger.Debug("cannot record progress", "err", err)
	}
}

// show writes one progress report.
func (p *progress) show(final bool) {
	if p.s.Progress == nil {
		return
	}
	line := p.line()
	switch {
	case p.s.Terminal && final:
		fmt.Fprintf(p.s.Progress, "\r\033[K%s\n", line)
	case p.s.Terminal:
		fmt.Fprintf(p.s.Progress, "\r\033[K%s", line)
	case !final:
		p.s.Logger.Info("progress", "tables", fmt.Sprintf("%d/%d", p.tablesDone.Load(), p.tables),
			"rows", p.rows.Load(), "mb", fmt.Sprintf("%.1f", float64(p.bytes.Load())/1e6),
			"mb_per_s", fmt.Sprintf("%.1f", p.rate()), "eta", p.eta().Round(time.Second))
	}
}

func (p *progress) line() string {
	frac := p.fraction()
	const width = 24
	n := int(frac * width)
	bar := strings.Repeat("█", n) + strings.Repeat("░", width-n)
	return fmt.Sprintf("%s %3.0f%%  tables %d/%d  rows %d  %.1f MB  %.1f MB/s  ETA %s",
		bar, frac*100, p.tablesDone.Load(), p.tables, p.rows.Load(),
		float64(p.bytes.Load())/1e6, p.rate(), p.eta().Round(time.Second))
}

// fraction estimates how much is done from the bytes streamed against the
// tables' data length (an estimate: the two differ by the storage overhead).
func (p *progress) fraction() float64 {
	if int(p.tablesDone.Load()) == p.tables {
		return 1
	}
	if p.estBytes <= 0 {
		return float64(p.tablesDone.Load()) / float64(max(p.tables, 1))
	}
	return min(float64(p.bytes.Load())/float64(p.estBytes), 0.99)
}

func (p *progress) rate() float64 {
	secs := p.s.Now().Sub(p.started).Seconds()
	if secs <= 0 {
		return 0
	}
	return float64(p.bytes.Load()) / 1e6 / secs
}

func (p *progress) eta() time.Duration {
	f := p.fraction()
	if f <= 0 || f >= 1 {
		return 0
	}
	elapsed := p.s.Now().Sub(p.started)
	return time.Duration(float64(elapsed) * (1 - f) / f)
}
