package benchutil

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// Logf prints a progress line, time-stamped, on stderr.
func Logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s bench: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// Median returns the middle of xs (the mean of the two middles when their
// number is even), leaving xs unchanged; xs must not be empty.
func Median[T ~int64 | ~float64](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Seconds formats d as seconds with millisecond precision ("2.090s").
func Seconds(d time.Duration) string {
	return fmt.Sprintf("%.3fs", d.Seconds())
}

// MB formats KiB as decimal megabytes ("102.4 MB").
func MB(kib int64) string {
	return fmt.Sprintf("%.1f MB", KiBToMB(kib))
}

// KiBToMB converts KiB to decimal megabytes.
func KiBToMB(kib int64) float64 {
	return float64(kib) * 1024 / 1e6
}

// RSSText formats peak RSS: one process's, or the sum and each of several,
// or, for nil, that the work ran inside the server.
func RSSText(procs []ProcRSS) string {
	if procs == nil {
		return "n/a (server-side)"
	}
	var sum int64
	parts := make([]string, len(procs))
	for i, p := range procs {
		sum += p.KiB
		parts[i] = fmt.Sprintf("%s %s", p.Name, MB(p.KiB))
	}
	if len(procs) == 1 {
		return MB(sum)
	}
	return fmt.Sprintf("%s (%s)", MB(sum), strings.Join(parts, " + "))
}

// MedianProcs returns, per child process, the median of its peak RSS over
// runs (each run lists the same processes in the same order); nil when the
// runs have no processes.
func MedianProcs(runs [][]ProcRSS) []ProcRSS {
	if len(runs) == 0 || runs[0] == nil {
		return nil
	}
	out := slices.Clone(runs[0])
	for i := range out {
		kibs := make([]int64, len(runs))
		for j, r := range runs {
			kibs[j] = r[i].KiB
		}
		out[i].KiB = Median(kibs)
	}
	return out
}

// Verdict is PASS or MISS.
func Verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "MISS"
}
