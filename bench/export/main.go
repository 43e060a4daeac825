// Command export benchmarks `weekback export` on the 2-million-row orders
// table (targets, fastest run over fastest run: export throughput of at
// least 1.0× SELECT … INTO OUTFILE's, 0.7× for the spreadsheet profile in
// Shift_JIS; peak RSS under 64 MB) beside the two ways of dumping a table that need
// no weekback: SELECT … INTO OUTFILE on the same server, and the mariadb
// client's `--batch --quick` output redirected to a file.
//
// It generates (or reuses) the source schema wbbench_src with bench/dataset,
// snapshots its orders table once with `weekback snapshot --day mon` into
// the private backup prefix wbexp (independent of the other benchmarks'
// generations), then runs the methods interleaved (A, A2, B, C, A, A2, B,
// C, …; A2 is the spreadsheet profile in Shift_JIS) to spread the
// machine's noise, and prints the medians of wall time, rows/s, MB/s and peak
// RSS with the targets. Every output file is checked for its line count and
// removed.
//
// Usage:
//
//	go run ./bench/export [-scale 1] [-runs 3] [-bin bin/weekback] [-bin-before OLD] [-outfile-dir DIR] [-keep]
//
// -bin-before adds A0, the reimport export with another build (say, of the
// last commit), to the same rounds: a before/after on the same load.
//
// A scale other than 1 uses a schema of its own (wbexpsrc_<scale>, kept for
// the next run like wbbench_src) so that a quick run never regenerates the
// dataset the other benchmarks share; -src names another.
//
// The server comes from WEEKBACK_TEST_DSN (default root@tcp(127.0.0.1:3306)/);
// INTO OUTFILE writes as the server's user into -outfile-dir (by default
// the server's secure_file_priv when it sets one, else /tmp), which must be
// the same directory on this machine (a local server); the benchmark
// removes those files itself. A missed target is printed,
// never an error; the exit code is 1 only when something could not be
// measured (a baseline failed, no server, the snapshot failed), 2 on bad
// flags. When the weekback binary is missing or has no export command,
// the weekback rows are skipped with its stderr's tail and the baselines
// still run.
package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/weekback/weekback/bench/internal/benchutil"
)

// Defaults of the flags.
const (
	DefaultScale      = 1.0
	DefaultRuns       = 3
	DefaultBin        = "bin/weekback"
	DefaultOutfileDir = "/tmp" // unless the server's secure_file_priv names a directory
	DefaultTimeout    = 20 * time.Minute
)

// sharedSource is the dataset schema the benchmarks share at DefaultScale.
const sharedSource = "wbbench_src"

// options are the parsed flags and environment.
type options struct {
	dsn        string
	scale      float64
	src        string
	runs       int
	bin        string
	binBefore  string
	outfileDir string
	keep       bool
	timeout    time.Duration
}

func main() {
	benchutil.Main(parseOptions, run)
}

// parseOptions reads the flags in args and WEEKBACK_TEST_DSN.
func parseOptions(args []string) (options, error) {
	o := options{dsn: benchutil.DSN()}
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.Float64Var(&o.scale, "scale", DefaultScale, "dataset scale (1 = 2M orders; 0.01 for a quick run)")
	fs.StringVar(&o.src, "src", "", "source schema (default wbbench_src at scale 1, wbexpsrc_<scale> otherwise)")
	fs.IntVar(&o.runs, "runs", DefaultRuns, "repetitions of each method; medians are reported")
	fs.StringVar(&o.bin, "bin", DefaultBin, "weekback binary (built by make build)")
	fs.StringVar(&o.binBefore, "bin-before", "", "another weekback binary (an earlier build), measured as A0 in the same rounds")
	fs.StringVar(&o.outfileDir, "outfile-dir", "", "where the server writes INTO OUTFILE's files, on this machine (default: its secure_file_priv, else "+DefaultOutfileDir+")")
	fs.BoolVar(&o.keep, "keep", false, "keep the wbexp_* schemas for inspection")
	fs.DurationVar(&o.timeout, "timeout", DefaultTimeout, "limit of one measured run")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if err := benchutil.CheckRun(fs, o.scale, o.runs, o.timeout); err != nil {
		return o, err
	}
	if o.src == "" {
		o.src = sourceSchema(o.scale)
	}
	if strings.HasPrefix(o.src, backupPrefix+"_") {
		return o, fmt.Errorf("-src %s is inside the benchmark's backup prefix %s_, which it drops: pick another", o.src, backupPrefix)
	}
	return o, nil
}

// sourceSchema is the default source of scale: the shared dataset at
// DefaultScale, a schema of the scale's own otherwise.
func sourceSchema(scale float64) string {
	if scale == DefaultScale {
		return sharedSource
	}
	s := strconv.FormatFloat(scale, 'g', -1, 64)
	return "wbexpsrc_" + strings.NewReplacer(".", "_", "+", "", "-", "_").Replace(s)
}
