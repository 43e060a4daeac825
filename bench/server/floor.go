package main

import (
	"github.com/weekback/weekback/bench/internal/benchutil"

	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// clientRuns is how many times the mariadb client runs each floor query
// (after one untimed run).
const clientRuns = 10

// floorCL is the floor measured with the mariadb command line client, one
// query at a time: the median of the query time the client itself reports
// ("51 rows in set (0.003 sec)", millisecond resolution), the median and
// fastest wall time of a whole client process, and the median wall time of
// the same process running SELECT 1 (its start, connect and exit, which the
// server's pages do not pay).
type floorCL struct {
	reported, median, fastest, empty time.Duration
}

// reportedTime finds the query time in the client's -vvv output.
var reportedTime = regexp.MustCompile(`in set \(([0-9.]+) sec\)`)

// clientFloor times `mariadb --batch --quick -e SQL` on s's floor query.
func (b *bench) clientFloor(ctx context.Context, s *scenario) (floorCL, error) {
	query := s.floorSQL
	for _, a := range s.args {
		query = strings.Replace(query, "?", fmt.Sprint(a), 1)
	}
	times, reported, err := b.timeClient(ctx, query)
	if err != nil {
		return floorCL{}, err
	}
	empty, _, err := b.timeClient(ctx, "SELECT 1")
	if err != nil {
		return floorCL{}, err
	}
	f := floorCL{reported: reported[len(reported)/2], median: times[len(times)/2], fastest: times[0], empty: empty[len(empty)/2]}
	logf("client floor %s: query %s as reported; process median %s, fastest %s (SELECT 1: %s)",
		s.name, ms(f.reported), ms(f.median), ms(f.fastest), ms(f.empty))
	return f, nil
}

// timeClient runs query with the mariadb client clientRuns+1 times and
// returns the sorted wall times and reported query times of all but the
// first run.
func (b *bench) timeClient(ctx context.Context, query string) (wall, reported []time.Duration, err error) {
	tool, err := findTool("mariadb", "mysql")
	if err != nil {
		return nil, nil, fmt.Errorf("client floor: %w", err)
	}
	opts, err := b.writeClientOptions()
	if err != nil {
		return nil, nil, err
	}
	for i := 0; i <= clientRuns; i++ {
		cmd := exec.CommandContext(ctx, tool, "--defaults-extra-file="+opts, "--batch", "--quick", "-vvv", "-e", query)
		var stdout, stderr benchutil.TailBuffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			return nil, nil, fmt.Errorf("client floor: %s: %w\n%s", filepath.Base(tool), err, stderr.Tail(benchutil.TailLines))
		}
		if i == 0 {
			continue
		}
		wall = append(wall, time.Since(start))
		m := reportedTime.FindStringSubmatch(stdout.String())
		if m == nil {
			return nil, nil, fmt.Errorf("client floor: no query time in the output of %s -vvv", filepath.Base(tool))
		}
		sec, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			return nil, nil, fmt.Errorf("client floor: query time %q: %w", m[1], err)
		}
		reported = append(reported, time.Duration(sec*float64(time.Second)))
	}
	slices.Sort(wall)
	slices.Sort(reported)
	return wall, reported, nil
}

// findTool returns the path of the first of names on $PATH.
func findTool(names ...string) (string, error) {
	for _, name := range names {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("none of %s is on $PATH", strings.Join(names, ", "))
}

// writeClientOptions writes a [client] option file with the server's
// address and credentials, so that the password stays off the command
// line. It returns the file's path.
func (b *bench) writeClientOptions() (string, error) {
	q := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	var s strings.Builder
	fmt.Fprintf(&s, "[client]\nuser=\"%s\"\npassword=\"%s\"\ndefault-character-set=utf8mb4\n",
		q.Replace(b.Cfg.User), q.Replace(b.Cfg.Passwd))
	if b.Cfg.Net == "unix" {
		fmt.Fprintf(&s, "protocol=SOCKET\nsocket=\"%s\"\n", q.Replace(b.Cfg.Addr))
	} else {
		host, port := splitHostPort(b.Cfg.Addr)
		fmt.Fprintf(&s, "protocol=TCP\nhost=\"%s\"\nport=%s\n", q.Replace(host), port)
	}
	path := filepath.Join(b.Dir, "client.cnf")
	if err := os.WriteFile(path, []byte(s.String()), 0o600); err != nil {
		return "", fmt.Errorf("write client options: %w", err)
	}
	return path, nil
}

// splitHostPort splits a DSN's address, defaulting the port to 3306.
func splitHostPort(addr string) (host, port string) {
	i := strings.LastIndex(addr, ":")
	if i < 0 || strings.HasSuffix(addr, "]") {
		return strings.Trim(addr, "[]"), "3306"
	}
	return strings.Trim(addr[:i], "[]"), addr[i+1:]
}
