package main

import (
	"github.com/weekback/weekback/bench/internal/benchutil"

	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// floorConc is the floor measured with the mariadb command line client at
// the scenario's concurrency: one client process per concurrent client,
// each running the query over and over in its one session (so process
// start and connection are not counted), every run's time as the client
// reports it (millisecond resolution).
type floorConc struct {
	r       result // the reported query times, sorted; wall is the whole run's
	queries int
}

// concurrentClientFloor runs s's floor query requests times in all, spread
// over clients mariadb processes running at once.
func (b *bench) concurrentClientFloor(ctx context.Context, s *scenario) (floorConc, error) {
	tool, err := findTool("mariadb", "mysql")
	if err != nil {
		return floorConc{}, fmt.Errorf("concurrent client floor: %w", err)
	}
	opts, err := b.writeClientOptions()
	if err != nil {
		return floorConc{}, err
	}
	query := s.floorSQL
	for _, a := range s.args {
		query = strings.Replace(query, "?", fmt.Sprint(a), 1)
	}
	each := (b.o.requests + b.o.clients - 1) / b.o.clients
	script := strings.Repeat(query+";\n", each)
	var mu sync.Mutex
	var f floorConc
	var wg sync.WaitGroup
	start := time.Now()
	for range b.o.clients {
		wg.Go(func() {
			times, err := runClientScript(ctx, tool, opts, script)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && f.r.first == nil {
				f.r.first = err
			}
			f.r.lat = append(f.r.lat, times...)
		})
	}
	wg.Wait()
	f.r.wall, f.queries = time.Since(start), len(f.r.lat)
	slices.Sort(f.r.lat)
	if f.r.first != nil {
		return f, f.r.first
	}
	logRun("client floor ×"+strconv.Itoa(b.o.clients), s, f.r)
	return f, nil
}

// runClientScript runs script (queries separated by ";") in one mariadb
// session and returns the query times the client reports.
func runClientScript(ctx context.Context, tool, opts, script string) ([]time.Duration, error) {
	cmd := exec.CommandContext(ctx, tool, "--defaults-extra-file="+opts, "--batch", "--quick", "-vvv")
	cmd.Stdin = strings.NewReader(script)
	var stdout bytes.Buffer
	var stderr benchutil.TailBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("concurrent client floor: %s: %w\n%s", filepath.Base(tool), err, stderr.Tail(benchutil.TailLines))
	}
	var out []time.Duration
	for _, m := range reportedTime.FindAllSubmatch(stdout.Bytes(), -1) {
		sec, err := strconv.ParseFloat(string(m[1]), 64)
		if err != nil {
			return nil, fmt.Errorf("concurrent client floor: query time %q: %w", m[1], err)
		}
		out = append(out, time.Duration(sec*float64(time.Second)))
	}
	return out, nil
}
