package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// result is one load run: every request's latency, the failures and the
// wall time of the whole run.
type result struct {
	lat    []time.Duration // sorted
	errors int
	first  error // the first failure, shown in the log
	wall   time.Duration
}

// percentile returns the q-th quantile (0 < q ≤ 1) by nearest rank.
func (r result) percentile(q float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := int(float64(len(r.lat))*q+0.999999) - 1
	return r.lat[min(max(i, 0), len(r.lat)-1)]
}

// rate returns the completed requests per second.
func (r result) rate() float64 {
	if r.wall <= 0 {
		return 0
	}
	return float64(len(r.lat)) / r.wall.Seconds()
}

// load runs fn requests times over clients goroutines and times each call.
// A failed call still counts its latency; the run stops early only when ctx
// ends.
func load(ctx context.Context, clients, requests int, fn func(context.Context) error) result {
	var next atomic.Int64
	lat := make([]time.Duration, requests)
	var mu sync.Mutex
	var r result
	var wg sync.WaitGroup
	start := time.Now()
	for range min(clients, requests) {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(requests) && ctx.Err() == nil; i = next.Add(1) - 1 {
				t := time.Now()
				err := fn(ctx)
				lat[i] = time.Since(t)
				if err != nil {
					mu.Lock()
					r.errors++
					if r.first == nil {
						r.first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	r.wall = time.Since(start)
	r.lat = lat[:min(int(next.Load()), requests)]
	slices.Sort(r.lat)
	return r
}

// measureScenario warms s up (one request per client, untimed), runs it
// over HTTP with every client (and takes the CPU time srv spent on each
// request) and with one alone, then its floor over
// database/sql under the same load, and times the floor with the mariadb
// client; a scenario without floor SQL has no floors.
func (b *bench) measureScenario(ctx context.Context, c *client, srv *server, s *scenario) error {
	get := func(ctx context.Context) error {
		status, body, err := c.do(ctx, http.MethodGet, s.path, nil, s.json)
		if err == nil && status != http.StatusOK {
			err = fmt.Errorf("status %d: %.200s", status, body)
		}
		return err
	}
	load(ctx, b.o.clients, b.o.clients, get)
	cpu := srv.cpu()
	s.http = load(ctx, b.o.clients, b.o.requests, get)
	if n := len(s.http.lat); n > 0 {
		s.cpu = (srv.cpu() - cpu) / time.Duration(n)
	}
	logRun(fmt.Sprintf("http ×%d", b.o.clients), s, s.http)
	logf("http ×%d %s (%s): weekback used %s of CPU per request", b.o.clients, s.name, s.format(), cpuMS(s.cpu))
	if b.o.single > 0 {
		s.one = load(ctx, 1, b.o.single, get)
		logRun("http ×1", s, s.one)
	}
	if s.floorSQL == "" {
		return ctx.Err()
	}
	query := func(ctx context.Context) error { return b.floorQuery(ctx, s) }
	load(ctx, b.o.clients, b.o.clients, query)
	s.sql = load(ctx, b.o.clients, s.floorRequests(b.o.requests), query)
	logRun("sql floor", s, s.sql)
	var err error
	if s.client, err = b.clientFloor(ctx, s); err != nil {
		return err
	}
	if s.conc, err = b.concurrentClientFloor(ctx, s); err != nil && ctx.Err() == nil {
		// 32 more sessions may pass the server's max_connections on a
		// shared server: the other floors still stand.
		logf("client floor ×%d %s: %v (left out of the report)", b.o.clients, s.name, err)
		s.conc = floorConc{}
	}
	return ctx.Err()
}

// floorRequests is how many times s's floors run its query.
func (s *scenario) floorRequests(requests int) int {
	if s.floorN > 0 {
		return min(s.floorN, requests)
	}
	return requests
}

// floorQuery runs s's floor query and reads every row.
func (b *bench) floorQuery(ctx context.Context, s *scenario) error {
	rows, err := b.DB.QueryContext(ctx, s.floorSQL, s.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
	}
	return rows.Err()
}

// logRun logs one load run's summary and its first failure.
func logRun(kind string, s *scenario, r result) {
	logf("%s %s (%s): %d requests, p50 %s p99 %s max %s, %d errors, %.0f req/s", kind, s.name, s.format(), len(r.lat),
		ms(r.percentile(0.5)), ms(r.percentile(0.99)), ms(r.percentile(1)), r.errors, r.rate())
	if r.first != nil {
		logf("%s %s: first error: %v", kind, s.name, r.first)
	}
}
