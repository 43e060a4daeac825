package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/weekback/weekback/bench/internal/benchutil"
)

// The targets: weekback's throughput against INTO OUTFILE's (the
// reimport format, A, and the spreadsheet one in Shift_JIS, A2; fastest
// run over fastest run), and its peak RSS.
const (
	targetVsOutfile     = 1.0
	targetSJISVsOutfile = 0.7
	targetRSSMB         = 64.0
)

// report prints the medians and the targets.
func (b *bench) report(ctx context.Context, w io.Writer, methods []*method) error {
	var data int64
	err := b.DB.QueryRowContext(ctx, `SELECT COALESCE(DATA_LENGTH, 0) FROM information_schema.TABLES
		WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`, b.slot, exportTable).Scan(&data)
	if err != nil {
		return fmt.Errorf("measure table size: %w", err)
	}
	fmt.Fprintf(w, "\ntable %s of %s (scale %g) snapshotted into %s: %d rows, %.1f MB of data; %d run(s), interleaved\n\n",
		exportTable, b.o.src, b.o.scale, b.slot, b.rows, float64(data)/1e6, b.o.runs)
	printMethods(w, b.rows, methods)
	fmt.Fprintln(w)
	if err := printTargets(w, methods); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nrows/s and MB/s divide the rows and each method's own output by its median wall time;")
	fmt.Fprintln(w, "× OUTFILE is that throughput over INTO OUTFILE's (B's median time / the method's).")
	fmt.Fprintln(w, "On a loaded machine, compare the three ratios: other work slows single runs by several times.")
	fmt.Fprintln(w, "weekback writes through a temporary file that it fsyncs and renames; B and C do not fsync.")
	for _, m := range methods {
		if m.skipped != "" {
			fmt.Fprintf(w, "\n%s %s skipped: %s\n", m.key, m.name, m.skipped)
		}
	}
	return nil
}

// printMethods prints one line per method.
func printMethods(w io.Writer, rows int64, methods []*method) {
	base := outfile(methods)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\tmethod\truns\twall (median)\tmin … max\trows/s\tMB/s\toutput\t× OUTFILE\tpeak RSS (median)")
	for _, m := range methods {
		fmt.Fprintln(tw, methodRow(m, rows, base))
	}
	tw.Flush()
}

// methodRow is one method's line of the table.
func methodRow(m *method, rows int64, base *method) string {
	if len(m.samples) == 0 {
		return fmt.Sprintf("%s\t%s\t0\tskipped\t\t\t\t\t\t", m.key, m.name)
	}
	walls := wallTimes(m)
	med := benchutil.Median(walls)
	size := benchutil.Median(outputBytes(m))
	return fmt.Sprintf("%s\t%s\t%d\t%s\t%s … %s\t%.0f\t%.1f\t%.1f MB\t%s\t%s", m.key, m.name, len(m.samples),
		benchutil.Seconds(med), benchutil.Seconds(slices.Min(walls)), benchutil.Seconds(slices.Max(walls)),
		float64(rows)/med.Seconds(), float64(size)/1e6/med.Seconds(), float64(size)/1e6,
		ratioText(throughputRatio(m, base)), benchutil.RSSText(medianProcs(m)))
}

// printTargets prints the targets for A and A2, and the other ratios of A
// to B.
func printTargets(w io.Writer, methods []*method) error {
	a, a2, base := methods[0], methods[1], outfile(methods)
	ts := []benchutil.Target{
		throughputTarget("weekback throughput / INTO OUTFILE", a, base, targetVsOutfile),
		throughputTarget("weekback shift_jis throughput / INTO OUTFILE", a2, base, targetSJISVsOutfile),
		rssTarget("weekback peak RSS (A)", a), rssTarget("weekback peak RSS (A2, shift_jis)", a2),
	}
	if err := benchutil.PrintTargets(w, "export", ts); err != nil {
		return err
	}
	for _, m := range []*method{a, a2} {
		if fastestRatio(m, base) != 0 {
			fmt.Fprintf(w, "%s / B, of the medians: %s; median of each round's ratio: %s\n",
				m.key, ratioText(throughputRatio(m, base)), ratioText(pairedRatio(m, base)))
		}
	}
	return nil
}

// throughputTarget compares m's throughput over base's with goal.
func throughputTarget(label string, m, base *method, goal float64) benchutil.Target {
	t := benchutil.Target{Name: label + " (fastest run over fastest run)", Op: benchutil.AtLeast, Want: goal, Value: fastestRatio(m, base)}
	if t.Value == 0 {
		t.Skip = "not run"
	}
	return t
}

// rssTarget compares m's median peak RSS with the goal.
func rssTarget(label string, m *method) benchutil.Target {
	t := benchutil.Target{Name: label, Op: benchutil.Below, Want: targetRSSMB, Unit: "MB"}
	if len(m.samples) == 0 {
		t.Skip = "not run"
	} else {
		t.Value = benchutil.KiBToMB(medianProcs(m)[0].KiB)
	}
	return t
}

// outfile returns B, the baseline of the ratios.
func outfile(methods []*method) *method {
	for _, m := range methods {
		if m.key == "B" {
			return m
		}
	}
	return nil
}

// throughputRatio is m's throughput over base's (base's median wall time
// over m's), or 0 when either has no samples.
func throughputRatio(m, base *method) float64 {
	if base == nil || len(m.samples) == 0 || len(base.samples) == 0 {
		return 0
	}
	return float64(benchutil.Median(wallTimes(base))) / float64(benchutil.Median(wallTimes(m)))
}

// pairedRatio is the median, over the rounds in which both ran, of base's
// wall time over m's: steadier than the ratio of the medians when the
// machine's load drifts between rounds. It is 0 when no round has both.
func pairedRatio(m, base *method) float64 {
	var ratios []float64
	for _, s := range m.samples {
		for _, t := range base.samples {
			if s.round == t.round {
				ratios = append(ratios, float64(t.wall)/float64(s.wall))
			}
		}
	}
	if len(ratios) == 0 {
		return 0
	}
	return benchutil.Median(ratios)
}

// fastestRatio is base's fastest wall time over m's, the ratio least
// touched by other load; 0 when either has no samples.
func fastestRatio(m, base *method) float64 {
	if len(m.samples) == 0 || len(base.samples) == 0 {
		return 0
	}
	return float64(slices.Min(wallTimes(base))) / float64(slices.Min(wallTimes(m)))
}

// ratioText formats a ratio, "—" for none.
func ratioText(r float64) string {
	if r == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", r)
}

// wallTimes returns the wall times of m's samples.
func wallTimes(m *method) []time.Duration {
	walls := make([]time.Duration, len(m.samples))
	for i, s := range m.samples {
		walls[i] = s.wall
	}
	return walls
}

// outputBytes returns the output sizes of m's samples.
func outputBytes(m *method) []int64 {
	sizes := make([]int64, len(m.samples))
	for i, s := range m.samples {
		sizes[i] = s.bytes
	}
	return sizes
}

// medianProcs is, per child process, the median of its peak RSS over m's
// samples; nil for server-side work.
func medianProcs(m *method) []benchutil.ProcRSS {
	runs := make([][]benchutil.ProcRSS, len(m.samples))
	for i, s := range m.samples {
		runs[i] = s.procs
	}
	return benchutil.MedianProcs(runs)
}
