package main

import (
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// envGaleraBench, set to 1, runs the Galera measurements (TestGaleraBench…):
// they print ratios against a baseline of the same run and check nothing
// about time.
const envGaleraBench = "WEEKBACK_GALERA_BENCH"

// galeraBench skips t unless the Galera measurements were asked for.
func galeraBench(t *testing.T) {
	if os.Getenv(envGaleraBench) != "1" {
		t.Skipf("a measurement: set %s=1 (and WEEKBACK_GALERA_DSNS)", envGaleraBench)
	}
}

// TestGaleraBenchSnapshot measures a snapshot of the same production
// (orders, order_items, users and the 600,000-row big table) into the
// single test server and into the Galera cluster (backup.dsn listing its
// nodes), alternately, and reports the medians and their ratio:
//
//	WEEKBACK_GALERA_BENCH=1 WEEKBACK_GALERA_DSNS=… go test ./cmd/weekback -run TestGaleraBenchSnapshot -v
func TestGaleraBenchSnapshot(t *testing.T) {
	galeraBench(t)
	const runs = 3
	w := newClusterWorld(t)
	w.addBigTable(t)
	single := writeConfig(t, testConfig{SourceDSN: mysqltest.DSN(t, w.src), BackupDSN: mysqltest.DSN(t, ""), Prefix: newPrefix(t, mysqltest.MustOpen(t))})
	var one, many []time.Duration
	for range runs {
		for _, c := range []struct {
			cfg string
			out *[]time.Duration
		}{{single, &one}, {w.snapCfg, &many}} {
			start := time.Now()
			mustRunWeekback(t, 0, c.cfg, "snapshot", "--day", string(weekback.Tuesday))
			*c.out = append(*c.out, time.Since(start))
		}
	}
	ms, mg := median(one), median(many)
	t.Logf("snapshot of %d+%d rows: single server %s, Galera %s (median of %d): ratio %.2f\n",
		galeraBigRows, sourceOrders+sourceItems, ms.Round(time.Millisecond), mg.Round(time.Millisecond), runs, mg.Seconds()/ms.Seconds())
}

// TestGaleraBenchPages measures the p99 of a records page on two replicas
// on node 2, one with the sync-wait reads (revocations, throttle, job
// pages) and one without, asked at once by 8 clients each (one session),
// during a snapshot (its copy commits bounded transactions), then during
// a snapshot while node 2 applies a 300,000-row write set seconds late —
// the worst case of the sync-wait reads:
//
//	WEEKBACK_GALERA_BENCH=1 WEEKBACK_GALERA_DSNS=… go test ./cmd/weekback -run TestGaleraBenchPages -v
func TestGaleraBenchPages(t *testing.T) {
	galeraBench(t)
	w := newClusterWorld(t)
	with := w.serve(t, w.dsns[1:2], w.listen, true)
	without := w.serve(t, w.dsns[1:2], "127.0.0.1:0", false)
	cw, co := login(t, with, "ann", galeraPassword), newJarClient()
	uw, _ := url.Parse(with)
	uo, _ := url.Parse(without)
	co.Jar.SetCookies(uo, cw.Jar.Cookies(uw)) // one session, both replicas
	w.addBigTable(t)
	clients := map[string]*http.Client{with: cw, without: co}
	for _, phase := range []struct {
		name string
		day  weekback.Weekday
		lag  bool
	}{{"a snapshot", weekback.Tuesday, false}, {"a snapshot, node 2 applying a big write set", weekback.Wednesday, true}} {
		snap := startWeekback(t, w.snapCfg, "snapshot", "--day", string(phase.day))
		stop := make(chan struct{})
		lat := pageLoad(clients, "/mon/tables/orders", 8, stop)
		if phase.lag {
			w.bigWriteSet(t)
		}
		code := snap.wait(t, 10*time.Minute)
		close(stop)
		res := <-lat
		if code != 0 || res.failed > 0 {
			t.Errorf("%s: snapshot exited %d; %d pages not answered 200", phase.name, code, res.failed)
		}
		pw, po := p99(res.lat[with]), p99(res.lat[without])
		t.Logf("records page p99 during %s: with the sync-wait reads %s (%d pages), without %s (%d pages): ratio %.2f",
			phase.name, pw.Round(time.Millisecond), len(res.lat[with]), po.Round(time.Millisecond), len(res.lat[without]), pw.Seconds()/po.Seconds())
	}
}

// loadResult is what pageLoad measured: latencies by base URL, pages not
// answered 200.
type loadResult struct {
	lat    map[string][]time.Duration
	failed int
}

// pageLoad gets path from every base URL of clients with n goroutines
// each until stop is closed, then sends what it measured.
func pageLoad(clients map[string]*http.Client, path string, n int, stop <-chan struct{}) <-chan loadResult {
	out := make(chan loadResult, 1)
	var mu sync.Mutex
	var wg sync.WaitGroup
	res := loadResult{lat: map[string][]time.Duration{}}
	for base, c := range clients {
		for range n {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					start := time.Now()
					resp, err := c.Get(base + path)
					d := time.Since(start)
					mu.Lock()
					if err != nil || resp.StatusCode != http.StatusOK {
						res.failed++
					}
					res.lat[base] = append(res.lat[base], d)
					mu.Unlock()
					if err == nil {
						resp.Body.Close()
					}
				}
			})
		}
	}
	go func() {
		wg.Wait()
		out <- res
	}()
	return out
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func p99(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)*99/100]
}
