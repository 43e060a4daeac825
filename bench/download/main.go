// Command download compares how fast the mariadb client loads a day's
// SQL download (export.WriteDaySQL) and mariadb-dump's output of the same
// schema: the download must load at least as fast.
//
// It generates (or reuses) a bench/dataset schema of its own
// (wbdlsrc_<scale>), writes it once with WriteDaySQL (the schema stands in
// for a slot: same catalog, same rows) and once with `mariadb-dump
// --hex-blob --single-transaction` (its default --opt: multi-row INSERTs,
// DISABLE KEYS, LOCK TABLES), then loads the two files alternately
// (dump, download, dump, …) with `mariadb` into fresh empty schemas and
// prints the median load times and their ratio. Every table loaded from
// the download is checked against the source's content hash.
//
// Usage:
//
//	go run ./bench/download [-scale 0.05] [-runs 3] [-keep]
//
// The server comes from WEEKBACK_TEST_DSN (default root@tcp(127.0.0.1:3306)/).
// It exits 1 when something could not be measured, 2 on bad flags; a
// ratio over 1 is printed, not an error.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/weekback/weekback/bench/dataset"
	"github.com/weekback/weekback/bench/internal/benchutil"
)

// Defaults of the flags.
const (
	DefaultScale = 0.05
	DefaultRuns  = 3
)

// options are the parsed flags and environment.
type options struct {
	scale float64
	runs  int
	keep  bool
	dsn   string
}

func parse(args []string) (options, error) {
	o := options{dsn: benchutil.DSN()}
	fs := flag.NewFlagSet("download", flag.ContinueOnError)
	fs.Float64Var(&o.scale, "scale", DefaultScale, "dataset scale (1 is about five million rows)")
	fs.IntVar(&o.runs, "runs", DefaultRuns, "loads of each file")
	fs.BoolVar(&o.keep, "keep", false, "keep the dataset schema for the next run")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.runs < 1 || !(o.scale > 0) {
		return o, fmt.Errorf("-runs must be at least 1 and -scale positive")
	}
	return o, nil
}

func main() { benchutil.Main(parse, run) }

func run(ctx context.Context, o options) error {
	b, err := benchutil.Open(ctx, o.dsn, 4, "wbdl-*")
	if err != nil {
		return err
	}
	defer b.Close()
	src := strings.ReplaceAll(fmt.Sprintf("wbdlsrc_%g", o.scale), ".", "_")
	if err := dataset.Generate(ctx, b.DB, src, o.scale, logf); err != nil {
		return err
	}
	if !o.keep {
		defer benchutil.DropSchemas(context.WithoutCancel(ctx), b.DB, []string{src})
	}
	cnf, err := benchutil.WriteClientOptions(b.Cfg, b.Dir)
	if err != nil {
		return err
	}
	files, err := writeFiles(ctx, o, b, cnf, src)
	if err != nil {
		return err
	}
	return compare(ctx, o, b, cnf, src, files)
}

// dumpFile is one SQL file and the time it took to write.
type dumpFile struct {
	name, path string
	blanked    []string // the download's credential columns, written blank
	write      time.Duration
	loads      []time.Duration
}

func writeFiles(ctx context.Context, o options, b *benchutil.Base, cnf, src string) ([]*dumpFile, error) {
	dump := &dumpFile{name: "mariadb-dump", path: filepath.Join(b.Dir, "dump.sql")}
	tool, err := benchutil.FindTool("mariadb-dump", "mysqldump")
	if err != nil {
		return nil, err
	}
	out, err := os.Create(dump.path)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, tool, "--defaults-extra-file="+cnf, "--hex-blob", "--single-transaction", src)
	cmd.Stdout = out
	dump.write, err = benchutil.Run(cmd)
	out.Close()
	if err != nil {
		return nil, err
	}
	dl := &dumpFile{name: "weekback download", path: filepath.Join(b.Dir, "download.sql")}
	gen, err := generation(ctx, o.dsn, src) // hashes every table: not timed
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if dl.blanked, err = writeDownload(ctx, o.dsn, gen, dl.path); err != nil {
		return nil, err
	}
	dl.write = time.Since(start)
	logf("peak RSS of this process after writing the download: %s (the whole script is %s)", peakRSS(), fileSize(dl.path))
	return []*dumpFile{dump, dl}, nil
}

// compare loads the files alternately and prints the medians.
func compare(ctx context.Context, o options, b *benchutil.Base, cnf, src string, files []*dumpFile) error {
	client, err := benchutil.FindTool("mariadb", "mysql")
	if err != nil {
		return err
	}
	for i := range o.runs {
		for _, f := range files {
			target := fmt.Sprintf("wbdltgt_%d_%d", os.Getpid(), i)
			d, err := load(ctx, b, client, cnf, target, f.path)
			if err == nil && f.name == "weekback download" && i == 0 {
				err = checkLoaded(ctx, o.dsn, src, target, f.blanked)
			}
			benchutil.DropSchemas(context.WithoutCancel(ctx), b.DB, []string{target})
			if err != nil {
				return fmt.Errorf("%s: %w", f.name, err)
			}
			f.loads = append(f.loads, d)
			logf("%s load %d: %s", f.name, i+1, d.Round(time.Millisecond))
		}
	}
	return report(files)
}

func load(ctx context.Context, b *benchutil.Base, client, cnf, target, path string) (time.Duration, error) {
	if _, err := b.DB.ExecContext(ctx, "CREATE DATABASE "+benchutil.Quote(target)); err != nil {
		return 0, err
	}
	in, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	cmd := exec.CommandContext(ctx, client, "--defaults-extra-file="+cnf, target)
	cmd.Stdin = in
	return benchutil.Run(cmd)
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// targetLoad is the most the download's load may take, as a share of
// mariadb-dump's output's.
const targetLoad = 1.0

// report prints each file's size, write and median load time, and the
// target; it fails only when it cannot write.
func report(files []*dumpFile) error {
	fmt.Printf("\n%-18s %12s %12s %12s\n", "file", "size MB", "write", "load (median)")
	for _, f := range files {
		st, _ := os.Stat(f.path)
		fmt.Printf("%-18s %12.1f %12s %12s\n", f.name, float64(st.Size())/1e6, f.write.Round(time.Millisecond), median(f.loads).Round(time.Millisecond))
	}
	fmt.Println()
	return benchutil.PrintTargets(os.Stdout, "download", []benchutil.Target{{
		Name:  "download load time / mariadb-dump's",
		Value: float64(median(files[1].loads)) / float64(median(files[0].loads)),
		Op:    benchutil.AtMost, Want: targetLoad,
	}})
}

// peakRSS returns the process's peak resident set (VmHWM), or "unknown"
// off Linux.
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func fileSize(path string) string {
	st, err := os.Stat(path)
	if err != nil {
		return "unknown"
	}
	return fmt.Sprintf("%.1f MB", float64(st.Size())/1e6)
}

func logf(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
