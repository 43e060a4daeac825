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
	each := (s.floorRequests(b.o.requests) + b.o.clients - 1) / b.o.clients
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
// session and returns the query times the client reports. Only those
// lines of its output are kept: the rows of a thousand queries would not
// fit in memory.
func runClientScript(ctx context.Context, tool, opts, script string) ([]time.Duration, error) {
	cmd := exec.CommandContext(ctx, tool, "--defaults-extra-file="+opts, "--batch", "--quick", "-vvv")
	cmd.Stdin = strings.NewReader(script)
	var stdout timeLines
	var stderr benchutil.TailBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("concurrent client floor: %s: %w\n%s", filepath.Base(tool), err, stderr.Tail(benchutil.TailLines))
	}
	if stdout.err != nil {
		return nil, fmt.Errorf("concurrent client floor: %w", stdout.err)
	}
	return stdout.times, nil
}

// timeLines is an io.Writer keeping, of the client's output, the query
// times of its "… in set (0.003 sec)" lines: it looks at the end of each
// line only.
type timeLines struct {
	line  []byte // the last lineTail bytes of the current line
	times []time.Duration
	err   error // the first unreadable time
}

// lineTail is how much of the end of a line timeLines looks at.
const lineTail = 256

// Write never fails.
func (t *timeLines) Write(p []byte) (int, error) {
	for rest := p; len(rest) > 0; {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			t.keep(rest)
			break
		}
		t.keep(rest[:i])
		t.endLine()
		rest = rest[i+1:]
	}
	return len(p), nil
}

// keep appends b to the line, keeping its last lineTail bytes.
func (t *timeLines) keep(b []byte) {
	t.line = append(t.line, b[max(0, len(b)-lineTail):]...)
	if over := len(t.line) - lineTail; over > 0 {
		t.line = append(t.line[:0], t.line[over:]...)
	}
}

// endLine reads the time of a finished line, if it has one.
func (t *timeLines) endLine() {
	if m := reportedTime.FindSubmatch(t.line); m != nil {
		sec, err := strconv.ParseFloat(string(m[1]), 64)
		if err != nil && t.err == nil {
			t.err = fmt.Errorf("query time %q: %w", m[1], err)
		}
		t.times = append(t.times, time.Duration(sec*float64(time.Second)))
	}
	t.line = t.line[:0]
}
