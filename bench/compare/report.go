package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/weekback/weekback/bench/dataset"
	"github.com/weekback/weekback/bench/internal/benchutil"
)

// The targets: a diff of two days, and a diff with production, against
// the snapshot of the same schema; the diff's peak RSS.
const (
	targetDays       = 0.1
	targetProduction = 0.5
	targetRSSMB      = 200.0
)

// order is the report's order of steps.
var order = []string{"snapshot", "diff mon tue", "diff mon tue --rescan", "diff mon production", "in-server SQL joins"}

// report prints the medians, the ratios to the snapshot and the targets;
// it fails only when it cannot write.
func (b *bench) report(w io.Writer, res results) error {
	var rows int64
	for _, n := range dataset.RowCounts(b.o.scale) {
		rows += n
	}
	fmt.Fprintf(w, "\nsource %s: scale %g, %d rows; %d run(s); orders changed: %d (1 %%, scattered), customers added: %d; every count checked\n\n",
		srcSchema, b.o.scale, rows, b.o.runs, b.want["orders"].Changed, addedCustomers)
	base := median(res["snapshot"])
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "step\twall (median)\t× snapshot\tpeak RSS (max)")
	for _, name := range order {
		s := res[name]
		if len(s) == 0 {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%.3f\t%s\n", name, benchutil.Seconds(median(s)), ratio(median(s), base), rss(s))
	}
	tw.Flush()
	fmt.Fprintln(w)
	return benchutil.PrintTargets(w, "compare", targets(res, base))
}

// targets are the diffs' ratios to the snapshot and their worst peak RSS.
func targets(res results, base time.Duration) []benchutil.Target {
	ts := []benchutil.Target{
		{Name: "diff of two days / snapshot", Op: benchutil.AtMost, Want: targetDays},
		{Name: "diff with production / snapshot", Op: benchutil.AtMost, Want: targetProduction},
		{Name: "diff peak RSS", Op: benchutil.Below, Want: targetRSSMB, Unit: "MB"},
	}
	for i, name := range []string{"diff mon tue", "diff mon production"} {
		if ts[i].Value = ratio(median(res[name]), base); len(res[name]) == 0 || base == 0 {
			ts[i].Skip = "not run"
		}
	}
	for _, name := range order[1:4] {
		for _, s := range res[name] {
			ts[2].Value = max(ts[2].Value, benchutil.KiBToMB(s.kib))
		}
	}
	return ts
}

func median(s []sample) time.Duration {
	walls := make([]int64, len(s))
	for i, x := range s {
		walls[i] = int64(x.wall)
	}
	if len(walls) == 0 {
		return 0
	}
	return time.Duration(benchutil.Median(walls))
}

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func rss(s []sample) string {
	var most int64
	for _, x := range s {
		most = max(most, x.kib)
	}
	if most == 0 {
		return "—"
	}
	return benchutil.MB(most)
}
