package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/weekback/weekback/bench/internal/benchutil"
)

// printReport prints every scenario's latencies over HTTP, with N clients
// and with one, beside its floors, then the targets (p99 under targetP99
// with N clients, and no errors).
func printReport(w io.Writer, o options, scenarios []*scenario) error {
	fmt.Fprintf(w, "\nweekback serve%s, orders table (scale %g), %d concurrent clients, %d requests per scenario "+
		"(%d with one client alone), page_size=%d\n\n", benchutil.NeighbourLabel(), o.scale, o.clients, o.requests, o.single, pageSize)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "scenario\tas\tp50\tp90\tp99\tmax\terrors\treq/s\tCPU/req\t×1 p50\t×1 p99\t×1 req/s\tfloor sql p50\tfloor sql p99\tfloor sql req/s\t"+
		"floor client×%d p50\tfloor client×%d p99\tfloor client query\tfloor client process\t\n", o.clients, o.clients)
	for _, s := range scenarios {
		h, one := s.http, s.one
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%.0f\t%s\t%s\t%s\t%.0f\t%s\t\n", s.name, s.format(),
			ms(h.percentile(0.5)), ms(h.percentile(0.9)), ms(h.percentile(0.99)), ms(h.percentile(1)), h.errors, h.rate(), cpuMS(s.cpu),
			ms(one.percentile(0.5)), ms(one.percentile(0.99)), one.rate(), floorColumns(s))
	}
	tw.Flush()
	fmt.Fprintln(w)
	if err := benchutil.PrintTargets(w, "server", targets(o, scenarios)); err != nil {
		return err
	}
	printFloors(w, o, scenarios)
	return nil
}

// floorColumns are s's floor cells, "—" for a scenario without floors.
func floorColumns(s *scenario) string {
	if s.floorSQL == "" {
		return "—\t—\t—\t—\t—\t—\t—"
	}
	conc50, conc99 := "—", "—"
	if s.conc.queries > 0 {
		conc50, conc99 = ms(s.conc.r.percentile(0.5)), ms(s.conc.r.percentile(0.99))
	}
	return fmt.Sprintf("%s\t%s\t%.0f\t%s\t%s\t%s\t%s", ms(s.sql.percentile(0.5)), ms(s.sql.percentile(0.99)), s.sql.rate(),
		conc50, conc99, ms(s.client.reported), ms(s.client.median))
}

// targets are every scenario's p99 with o.clients clients, missed on any
// error.
func targets(o options, scenarios []*scenario) []benchutil.Target {
	ts := make([]benchutil.Target, len(scenarios))
	for i, s := range scenarios {
		ts[i] = benchutil.Target{Name: fmt.Sprintf("p99 ×%d %s (%s)", o.clients, s.name, s.format()),
			Value: msOf(s.http.percentile(0.99)), Op: benchutil.Below, Want: msOf(targetP99), Unit: "ms"}
		if s.http.errors > 0 {
			ts[i].Fail = fmt.Sprintf("%d errors", s.http.errors)
		}
	}
	return ts
}

// printFloors says what the floors are and each scenario's address and
// floor query.
func printFloors(w io.Writer, o options, scenarios []*scenario) {
	fmt.Fprintf(w, "\ntarget: p99 under %s with %d clients and no errors (non-200 or failed requests), client-observed over HTTP.\n",
		ms(targetP99), o.clients)
	fmt.Fprintf(w, "CPU/req: the CPU time (user + system) weekback serve spent per request during the %d-client run.\n", o.clients)
	fmt.Fprintf(w, "×1: the same page with one client alone, %d requests: the latency floor of the page itself.\n", o.single)
	fmt.Fprintf(w, "floor sql: the same SELECT over database/sql, same concurrency and request count.\n")
	for _, s := range scenarios {
		if s.floorSQL == "" {
			continue
		}
		fmt.Fprintf(w, "floor client×%d: %d mariadb client processes at once, each running the query over and over in its session "+
			"(%d queries in all): the query times the client reports (1 ms resolution), the server's side of the floor under the same load.\n",
			o.clients, o.clients, s.conc.queries)
		fmt.Fprintf(w, "floor client: %d runs of `mariadb --batch --quick -vvv -e SQL`, one at a time: the median query time the client "+
			"reports (1 ms resolution) and the median wall time of the whole process (SELECT 1 alone takes %s).\n",
			clientRuns, ms(s.client.empty))
		break
	}
	for _, s := range scenarios {
		fmt.Fprintf(w, "  %s (%s): GET %s\n", s.name, s.format(), s.path)
		if s.floorSQL == "" {
			fmt.Fprintf(w, "    no floor: the page is served from the server's memory (its cached comparison)\n")
			continue
		}
		fmt.Fprintf(w, "    SQL: %s", s.floorSQL)
		if len(s.args) > 0 {
			fmt.Fprintf(w, "  (? = %v)", s.args)
		}
		fmt.Fprintf(w, "\n    EXPLAIN: %s\n", s.index)
	}
}

// ms formats d in milliseconds with one decimal.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", msOf(d))
}

// cpuMS formats a CPU time per request, finer than ms.
func cpuMS(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", msOf(d))
}

// msOf returns d in milliseconds.
func msOf(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}
