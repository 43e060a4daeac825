package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/weekback/weekback/bench/dataset"
	"github.com/weekback/weekback/bench/internal/benchutil"
)

// The targets: weekback's wall time against B's (alone, and with the
// neighbour of BENCH_NEIGHBOUR beside both) and C's, and its peak RSS.
const (
	targetVsDump          = 0.35
	targetVsDumpNeighbour = 0.6
	targetVsInServer      = 0.8
	targetRSSMB           = 200.0
)

// report prints the medians and the targets.
func (b *bench) report(ctx context.Context, w io.Writer, methods []*method) error {
	var bytes int64
	err := b.DB.QueryRowContext(ctx, `SELECT COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0)
		FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?`, srcSchema).Scan(&bytes)
	if err != nil {
		return fmt.Errorf("measure source size: %w", err)
	}
	var rows int64
	for _, n := range dataset.RowCounts(b.o.scale) {
		rows += n
	}
	fmt.Fprintf(w, "\nsource %s: scale %g, %d rows, %.1f MB (data + index); %d run(s), parallelism %d\n\n",
		srcSchema, b.o.scale, rows, float64(bytes)/1e6, b.o.runs, b.o.parallelism)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\tmethod\twall (median)\tmin … max\tpeak RSS (median)")
	for _, m := range methods {
		fmt.Fprintln(tw, methodRow(m))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("print report: %w", err)
	}
	fmt.Fprintln(w)
	if err := benchutil.PrintTargets(w, "snapshot", targets(methods)); err != nil {
		return err
	}
	medianRatios(w, methods)
	for _, m := range methods {
		if m.skipped != "" {
			fmt.Fprintf(w, "\n%s %s skipped: %s\n", m.key, m.name, m.skipped)
		}
	}
	return nil
}

// methodRow is one method's line of the table.
func methodRow(m *method) string {
	if len(m.samples) == 0 {
		return fmt.Sprintf("%s\t%s\tskipped\t\t", m.key, m.name)
	}
	walls := wallTimes(m)
	return fmt.Sprintf("%s\t%s\t%s\t%s … %s\t%s", m.key, m.name, benchutil.Seconds(benchutil.Median(walls)),
		benchutil.Seconds(slices.Min(walls)), benchutil.Seconds(slices.Max(walls)), benchutil.RSSText(medianProcs(m.samples)))
}

// targets are weekback's (A's) ratios to the dump pipe (B) and the
// in-server copy (C), and its peak RSS.
func targets(methods []*method) []benchutil.Target {
	a, bm, c := methods[0], methods[1], methods[2]
	vsDump := targetVsDump
	if benchutil.NeighbourLabel() != "" {
		vsDump = targetVsDumpNeighbour
	}
	rss := benchutil.Target{Name: "weekback peak RSS", Op: benchutil.Below, Want: targetRSSMB, Unit: "MB"}
	if len(a.samples) == 0 {
		rss.Skip = "not run"
	} else {
		rss.Value = benchutil.KiBToMB(medianProcs(a.samples)[0].KiB)
	}
	return []benchutil.Target{ratioTarget("weekback / dump-pipe", a, bm, vsDump),
		ratioTarget("weekback / in-server", a, c, targetVsInServer), rss}
}

// ratioTarget compares a's fastest run with b's (the runs least touched by
// other load) with goal.
func ratioTarget(label string, a, b *method, goal float64) benchutil.Target {
	t := benchutil.Target{Name: label + " (fastest over fastest)", Op: benchutil.AtMost, Want: goal}
	if len(a.samples) == 0 || len(b.samples) == 0 {
		t.Skip = "not run"
		return t
	}
	t.Value = float64(slices.Min(wallTimes(a))) / float64(slices.Min(wallTimes(b)))
	return t
}

// medianRatios prints A's ratios to B and C of the medians, beside the
// targets' fastest-over-fastest ones, and A's whole process time.
func medianRatios(w io.Writer, methods []*method) {
	a := methods[0]
	if len(a.samples) == 0 {
		return
	}
	for _, m := range methods[1:] {
		if len(m.samples) > 0 {
			fmt.Fprintf(w, "A / %s, of the medians: %.2f×\n", m.key,
				float64(benchutil.Median(wallTimes(a)))/float64(benchutil.Median(wallTimes(m))))
		}
	}
	procs := make([]time.Duration, len(a.samples))
	for i, s := range a.samples {
		procs[i] = s.process
	}
	fmt.Fprintf(w, "A's wall time ends when the new generation is served; the whole process (grace period of %s and the drop of the previous run's slot included) took %s (median)\n",
		weekbackGrace, benchutil.Seconds(benchutil.Median(procs)))
}

// wallTimes returns the wall times of m's samples.
func wallTimes(m *method) []time.Duration {
	walls := make([]time.Duration, len(m.samples))
	for i, s := range m.samples {
		walls[i] = s.wall
	}
	return walls
}

// medianProcs is, per child process, the median of its peak RSS; nil for
// server-side samples.
func medianProcs(samples []sample) []benchutil.ProcRSS {
	runs := make([][]benchutil.ProcRSS, len(samples))
	for i, s := range samples {
		runs[i] = s.procs
	}
	return benchutil.MedianProcs(runs)
}
