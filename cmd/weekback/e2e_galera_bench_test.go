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
	w := newGaleraWorld(t)
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
// pages) and one without, asked alternately by 8 clients each while a
// snapshot runs and node 2 applies a big write set late — the worst case
// of the sync-wait reads:
//
//	WEEKBACK_GALERA_BENCH=1 WEEKBACK_GALERA_DSNS=… go test ./cmd/weekback -run TestGaleraBenchPages -v
func TestGaleraBenchPages(t *testing.T) {
	galeraBench(t)
	w := newGaleraWorld(t)
	with := w.serve(t, w.dsns[1:2], w.listen, true)
	without := w.serve(t, w.dsns[1:2], "127.0.0.1:0", false)
	cw, co := login(t, with, "ann", galeraPassword), newJarClient()
	uw, _ := url.Parse(with)
	uo, _ := url.Parse(without)
	co.Jar.SetCookies(uo, cw.Jar.Cookies(uw)) // one session, both replicas
	w.addBigTable(t)
	{
		snap := startWeekback(t, w.snapCfg, "snapshot", "--day", "tue")
		var mu sync.Mutex
		lat, failed := map[string][]time.Duration{}, map[string]int{}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range 8 {
			for name, base := range map[string]string{"with": with, "without": without} {
				wg.Go(func() {
					c := map[string]*http.Client{"with": cw, "without": co}[name]
					for {
						select {
						case <-stop:
							return
						default:
						}
						start := time.Now()
						resp, err := c.Get(base + "/mon/tables/orders")
						d := time.Since(start)
						if err == nil {
							resp.Body.Close()
						}
						mu.Lock()
						if err != nil || resp.StatusCode != http.StatusOK {
							failed[name]++
						}
						lat[name] = append(lat[name], d)
						mu.Unlock()
					}
				})
			}
		}
		w.bigWriteSet(t)
		code := snap.wait(t, 10*time.Minute)
		close(stop)
		wg.Wait()
		if code != 0 || failed["with"]+failed["without"] > 0 {
			t.Errorf("snapshot exited %d; pages not answered 200: %v", code, failed)
		}
		pw, po := p99(lat["with"]), p99(lat["without"])
		t.Logf("records page p99 during a snapshot with node 2 late: with sync-wait reads %s (%d pages), without %s (%d pages): ratio %.2f\n",
			pw.Round(time.Millisecond), len(lat["with"]), po.Round(time.Millisecond), len(lat["without"]), pw.Seconds()/po.Seconds())
	}
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
