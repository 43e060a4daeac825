// Command server benchmarks `weekback serve` (docs/PERFORMANCE.md): the
// records pages of the 2-million-row orders table (the first page, a page
// 100,000 rows deep reached by cursor and a filtered page on an indexed
// column, as JSON; the first page as HTML) and the compare pages (a day's
// changes and the orders table's changed rows, as HTML and JSON), each
// under N concurrent clients and with one client alone, against the
// floor — the same SQL run directly with the mariadb client and over
// database/sql at the same concurrency.
//
// It generates (or reuses) its source schema wbsrvmon_SCALE with
// bench/dataset, snapshots it with `weekback snapshot --day mon` into the
// private backup prefix wbsrv; generates (or reuses) a second copy,
// wbsrvtue_SCALE, changes 1 % of its orders and adds customers, snapshots
// it as Tuesday; adds one bench user to both slots' users tables, starts
// `weekback serve` on 127.0.0.1:0, logs in over HTTP, waits for the
// server's comparison of Monday with Tuesday, and measures client-observed
// latency.
//
// Usage:
//
//	go run ./bench/server [-scale 1] [-clients 32] [-requests 2000] [-single-requests 300] [-only REGEXP] [-bin bin/weekback] [-keep] [-reuse]
//
// -reuse serves the slots an earlier -keep run left (snapshotting only
// when there are none) and keeps them: for iterating on the server, where a
// snapshot of the full dataset costs half a minute each time.
//
// The server comes from WEEKBACK_TEST_DSN (default root@tcp(127.0.0.1:3306)/);
// BENCH_NEIGHBOUR=1 runs stress-ng beside it (benchutil.StartNeighbour).
// A missed target (p99 under 50 ms at N clients, no errors) is printed as
// MISS, never an error; the exit code is 1 only when something could not
// be measured (no server, the snapshot or the login failed), 2 on bad
// flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"regexp"
	"time"

	"github.com/weekback/weekback/bench/internal/benchutil"
)

// Defaults of the flags and the environment.
const (
	DefaultScale          = 1.0
	DefaultClients        = 32
	DefaultRequests       = 2000
	DefaultSingleRequests = 300
	DefaultBin            = "bin/weekback"
	DefaultTimeout        = 30 * time.Minute
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
	single   int
	only     *regexp.Regexp
	bin      string
	keep     bool
	reuse    bool
	timeout  time.Duration
}

func main() {
	benchutil.Main(parseOptions, func(ctx context.Context, o options) error {
		ctx, cancel := context.WithTimeout(ctx, o.timeout)
		defer cancel()
		return run(ctx, o)
	})
}

// parseOptions reads the flags in args and WEEKBACK_TEST_DSN.
func parseOptions(args []string) (options, error) {
	o := options{dsn: benchutil.DSN()}
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.Float64Var(&o.scale, "scale", DefaultScale, "dataset scale (1 = 2M orders; 0.01 for a smoke test)")
	fs.IntVar(&o.clients, "clients", DefaultClients, "concurrent clients of each scenario")
	fs.IntVar(&o.requests, "requests", DefaultRequests, "requests of each scenario, in total over the clients")
	fs.IntVar(&o.single, "single-requests", DefaultSingleRequests, "requests of each scenario's run with one client alone (0: none)")
	only := fs.String("only", "", "measure only the scenarios whose \"name (JSON|HTML)\" matches this regular expression")
	fs.StringVar(&o.bin, "bin", DefaultBin, "weekback binary (built by make build)")
	fs.BoolVar(&o.keep, "keep", false, "keep the wbsrv_* schemas for inspection")
	fs.BoolVar(&o.reuse, "reuse", false, "serve the Monday and Tuesday slots kept by an earlier -keep run (implies -keep)")
	fs.DurationVar(&o.timeout, "timeout", DefaultTimeout, "limit of the whole benchmark")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.keep = o.keep || o.reuse
	var err error
	if o.only, err = regexp.Compile(*only); err != nil {
		return o, fmt.Errorf("-only: %w", err)
	}
	if err := benchutil.CheckRun(fs, o.scale, 1, o.timeout); err != nil {
		return o, err
	}
	switch {
	case o.clients < 1:
		return o, errors.New("-clients must be at least 1")
	case o.requests < 1:
		return o, errors.New("-requests must be at least 1")
	case o.single < 0:
		return o, errors.New("-single-requests must be at least 0")
	}
	return o, nil
}
