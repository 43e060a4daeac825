// Command server benchmarks `weekback serve` on the records pages of the
// 2-million-row orders table (docs/PERFORMANCE.md): the first page, a page
// 100,000 rows deep reached by cursor, and a filtered page on an indexed
// column, each under N concurrent clients, against the floor — the same
// SQL run directly with the mariadb client and over database/sql at the
// same concurrency.
//
// It generates (or reuses) the source schema wbbench_src with
// bench/dataset, snapshots it with `weekback snapshot --day mon` into the
// private backup prefix wbsrv, adds one bench user to that slot's users
// table, starts `weekback serve` on 127.0.0.1:0, logs in over HTTP and
// measures client-observed latency.
//
// Usage:
//
//	go run ./bench/server [-scale 1] [-clients 32] [-requests 2000] [-bin bin/weekback] [-keep] [-reuse]
//
// -reuse serves the Monday slot an earlier -keep run left (snapshotting only
// when there is none) and keeps it: for iterating on the server, where a
// snapshot of the full dataset costs half a minute each time.
//
// The server comes from WEEKBACK_TEST_DSN (default root@tcp(127.0.0.1:3306)/).
// A missed target (p99 under 50 ms, no errors) is printed as MISS, never an
// error; the exit code is 1 only when something could not be measured (no
// server, the snapshot or the login failed), 2 on bad flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Defaults of the flags and the environment.
const (
	DefaultDSN      = "root@tcp(127.0.0.1:3306)/"
	DefaultScale    = 1.0
	DefaultClients  = 32
	DefaultRequests = 2000
	DefaultBin      = "bin/weekback"
	DefaultTimeout  = 30 * time.Minute
)

// The target for every scenario (docs/PERFORMANCE.md).
const (
	targetP99 = 50 * time.Millisecond
)

// options are the parsed flags and environment.
type options struct {
	dsn      string
	scale    float64
	clients  int
	requests int
	bin      string
	keep     bool
	reuse    bool
	timeout  time.Duration
}

func main() {
	o, err := parseOptions(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	err = run(ctx, o)
	cancel()
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// parseOptions reads the flags in args and WEEKBACK_TEST_DSN.
func parseOptions(args []string) (options, error) {
	o := options{dsn: DefaultDSN}
	if v := os.Getenv("WEEKBACK_TEST_DSN"); v != "" {
		o.dsn = v
	}
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.Float64Var(&o.scale, "scale", DefaultScale, "dataset scale (1 = 2M orders; 0.01 for a smoke test)")
	fs.IntVar(&o.clients, "clients", DefaultClients, "concurrent clients of each scenario")
	fs.IntVar(&o.requests, "requests", DefaultRequests, "requests of each scenario, in total over the clients")
	fs.StringVar(&o.bin, "bin", DefaultBin, "weekback binary (built by make build)")
	fs.BoolVar(&o.keep, "keep", false, "keep the wbsrv_* schemas for inspection")
	fs.BoolVar(&o.reuse, "reuse", false, "serve the Monday slot kept by an earlier -keep run (implies -keep)")
	fs.DurationVar(&o.timeout, "timeout", DefaultTimeout, "limit of the whole benchmark")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.keep = o.keep || o.reuse
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case !(o.scale > 0):
		return o, errors.New("-scale must be greater than 0")
	case o.clients < 1:
		return o, errors.New("-clients must be at least 1")
	case o.requests < 1:
		return o, errors.New("-requests must be at least 1")
	case o.timeout <= 0:
		return o, errors.New("-timeout must be greater than 0")
	}
	return o, nil
}
