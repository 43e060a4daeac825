package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// printReport prints every scenario's latencies over HTTP beside its
// floors, and PASS or MISS against the target (p99 under targetP99 and no
// errors).
func printReport(w io.Writer, o options, scenarios []*scenario) {
	fmt.Fprintf(w, "\nweekback serve, orders table (scale %g), %d concurrent clients, %d requests per scenario, page_size=%d, Accept: application/json\n\n",
		o.scale, o.clients, o.requests, pageSize)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "scenario\tp50\tp90\tp99\tmax\terrors\treq/s\tfloor sql p50\tfloor sql p99\tfloor sql req/s\t"+
		"floor client×%d p50\tfloor client×%d p99\tfloor client query\tfloor client process\ttarget\t\n", o.clients, o.clients)
	for _, s := range scenarios {
		h := s.http
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%.0f\t%s\t%s\t%.0f\t%s\t%s\t%s\t%s\t%s\t\n", s.name,
			ms(h.percentile(0.5)), ms(h.percentile(0.9)), ms(h.percentile(0.99)), ms(h.percentile(1)), h.errors, h.rate(),
			ms(s.sql.percentile(0.5)), ms(s.sql.percentile(0.99)), s.sql.rate(),
			ms(s.conc.r.percentile(0.5)), ms(s.conc.r.percentile(0.99)), ms(s.client.reported), ms(s.client.median), verdict(h))
	}
	tw.Flush()
	fmt.Fprintf(w, "\ntarget: p99 under %s and no errors (non-200 or failed requests), client-observed over HTTP.\n", ms(targetP99))
	fmt.Fprintf(w, "floor sql: the same SELECT over database/sql, same concurrency and request count.\n")
	fmt.Fprintf(w, "floor client×%d: %d mariadb client processes at once, each running the query over and over in its session "+
		"(%d queries in all): the query times the client reports (1 ms resolution), the server's side of the floor under the same load.\n",
		o.clients, o.clients, scenarios[0].conc.queries)
	fmt.Fprintf(w, "floor client: %d runs of `mariadb --batch --quick -vvv -e SQL`, one at a time: the median query time the client "+
		"reports (1 ms resolution) and the median wall time of the whole process (SELECT 1 alone takes %s).\n",
		clientRuns, ms(scenarios[0].client.empty))
	for _, s := range scenarios {
		fmt.Fprintf(w, "  %s: GET %s\n    SQL: %s", s.name, s.path, s.floorSQL)
		if len(s.args) > 0 {
			fmt.Fprintf(w, "  (? = %v)", s.args[0])
		}
		fmt.Fprintf(w, "\n    EXPLAIN: %s\n", s.index)
	}
}

// verdict returns PASS or MISS, with the reasons of a miss.
func verdict(r result) string {
	var why []string
	if p := r.percentile(0.99); p >= targetP99 {
		why = append(why, "p99")
	}
	if r.errors > 0 {
		why = append(why, "errors")
	}
	if len(why) == 0 {
		return "PASS"
	}
	return "MISS (" + strings.Join(why, ", ") + ")"
}

// ms formats d in milliseconds with one decimal.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}
