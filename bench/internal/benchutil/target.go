package benchutil

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
)

// The comparisons of a Target: how Value must stand to Want.
const (
	AtMost  = "≤"
	Below   = "<"
	AtLeast = "≥"
)

// TargetsEnv names the file (appended to) where PrintTargets also writes
// its verdict lines, for the summary at the end of `make bench`.
const TargetsEnv = "BENCH_TARGETS"

// Target is one goal of a benchmark: a measured Value against Want.
type Target struct {
	Name  string  // what is measured: "weekback / dump-pipe"
	Value float64 // the measurement
	Op    string  // AtMost, Below or AtLeast
	Want  float64 // the goal
	Unit  string  // "×" (a ratio, the default), "MB", "ms"
	Skip  string  // when set, nothing was measured, for this reason
	Fail  string  // when set, the target is missed whatever the value (e.g. "errors")
}

// Pass reports whether t is met: measured, no Fail, and Value Op Want.
func (t Target) Pass() bool {
	if t.Skip != "" || t.Fail != "" {
		return false
	}
	switch t.Op {
	case AtMost:
		return t.Value <= t.Want
	case Below:
		return t.Value < t.Want
	case AtLeast:
		return t.Value >= t.Want
	}
	return false
}

// Result is PASS, MISS (with the reason of a Fail) or SKIP.
func (t Target) Result() string {
	switch {
	case t.Skip != "":
		return "SKIP (" + t.Skip + ")"
	case t.Fail != "":
		return "MISS (" + t.Fail + ")"
	}
	return Verdict(t.Pass())
}

// Measured formats Value with its unit, "—" when skipped.
func (t Target) Measured() string {
	if t.Skip != "" {
		return "—"
	}
	return t.format(t.Value)
}

// Goal formats the comparison and Want: "≤ 0.35×".
func (t Target) Goal() string {
	return t.Op + " " + t.format(t.Want)
}

// format writes v with t's unit: ratios with two decimals and "×", other
// units with one decimal.
func (t Target) format(v float64) string {
	if t.Unit == "" || t.Unit == "×" {
		return fmt.Sprintf("%.2f×", v)
	}
	return fmt.Sprintf("%.1f %s", v, t.Unit)
}

// PrintTargets prints bench's targets as a table (target, measured, goal,
// result), labelled "with neighbour" when the neighbour ran, and appends
// the same lines, prefixed with bench, to the file named by $BENCH_TARGETS
// when it is set. It fails only when it cannot write.
func PrintTargets(w io.Writer, bench string, ts []Target) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "target%s\tmeasured\tgoal\tresult\n", NeighbourLabel())
	for _, t := range ts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.Name, t.Measured(), t.Goal(), t.Result())
	}
	err := tw.Flush()
	if path := os.Getenv(TargetsEnv); path != "" {
		err = errors.Join(err, appendTargets(path, bench, ts))
	}
	if err != nil {
		return fmt.Errorf("print targets: %w", err)
	}
	return nil
}

// appendTargets appends one summary line per target to path.
func appendTargets(path, bench string, ts []Target) error {
	var s strings.Builder
	for _, t := range ts {
		s.WriteString(SummaryLine(bench, t))
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(s.String())
	return errors.Join(err, f.Close())
}

// SummaryLine is t's line in the summary of `make bench`: fixed-width
// columns bench, target, measured, goal, result, and "with neighbour" when
// the neighbour ran.
func SummaryLine(bench string, t Target) string {
	line := fmt.Sprintf("%-9s %-52s %10s %10s  %s", bench, t.Name, t.Measured(), t.Goal(), t.Result())
	if l := NeighbourLabel(); l != "" {
		line += "  " + strings.TrimSpace(l)
	}
	return line + "\n"
}
