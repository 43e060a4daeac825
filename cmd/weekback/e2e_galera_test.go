package main

// End-to-end tests on the 3-node Galera test cluster of
// scripts/ensure-galera (`make test-galera`) as the backup store; the
// source stays on the single test server. Without the cluster they skip.

import (
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/weekback/weekback"
	wmysql "github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// galeraWorld is a source schema on the test server, a fresh backup
// prefix on the cluster (dropped when the test ends) and a config per
// node, the backup store being that node.
type galeraWorld struct {
	src    *sql.DB   // root on the test server (the source)
	nodes  []*sql.DB // root on each node
	dsns   []string
	proxy  *mysqltest.Proxy // the source, throttled at will
	schema string           // the source schema
	prefix string
	cfgs   []string // config of node i+1
}

// newGaleraWorld loads a source schema (read through a proxy) and writes a
// config for each node of the cluster; extra is appended to each.
func newGaleraWorld(t *testing.T, extra string) *galeraWorld {
	t.Helper()
	w := &galeraWorld{dsns: mysqltest.GaleraDSNs(t), src: mysqltest.MustOpen(t)}
	for _, dsn := range w.dsns {
		w.nodes = append(w.nodes, mysqltest.OpenNode(t, dsn))
	}
	w.schema = mustLoadSource(t, w.src)
	w.prefix = mysqltest.UniqueName("wbgal_")
	mysqltest.DropPrefixOnCleanup(t, w.nodes[0], w.prefix)
	w.proxy = mysqltest.NewProxy(t, mysqltest.ServerAddr(t))
	for _, dsn := range w.dsns {
		w.cfgs = append(w.cfgs, writeConfig(t, testConfig{SourceDSN: mysqltest.DSNVia(t, w.proxy, w.schema),
			BackupDSN: mysqltest.GaleraDSN(t, dsn, ""), Prefix: w.prefix, Extra: extra}))
	}
	return w
}

// snapshotsAtOnce starts `weekback snapshot --day day` with each config,
// the i-th after delays[i], and waits for all.
func snapshotsAtOnce(t *testing.T, cfgs []string, day weekback.Weekday, delays []time.Duration) []*weekbackProc {
	t.Helper()
	procs := make([]*weekbackProc, len(cfgs))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, cfg := range cfgs {
		wg.Go(func() {
			time.Sleep(delays[i])
			p := startWeekback(t, cfg, "snapshot", "--day", string(day))
			mu.Lock()
			procs[i] = p
			mu.Unlock()
		})
	}
	wg.Wait()
	for _, p := range procs {
		p.wait(t, processTimeout)
	}
	return procs
}

// oneRanOthersRefused checks that exactly one of procs switched a slot in
// and the others exited 1 naming the running snapshot; it returns the
// winner's index.
func oneRanOthersRefused(t *testing.T, procs []*weekbackProc) int {
	t.Helper()
	winner := -1
	for i, p := range procs {
		out, errOut := p.stdout.String(), p.stderr.String()
		switch {
		case p.code == 0 && strings.Contains(out+errOut, "serving slot"):
			if winner >= 0 {
				t.Fatalf("snapshots %d and %d both ran and switched\n%s\n%s", winner+1, i+1, procs[winner].stderr.String(), errOut)
			}
			winner = i
		case p.code == weekback.ExitFailure && strings.Contains(errOut, "another snapshot is running") && strings.Contains(errOut, " pid "):
		default:
			t.Fatalf("snapshot %d exited %d; want 0, or 1 naming the running snapshot\nstdout:\n%s\nstderr:\n%s", i+1, p.code, out, errOut)
		}
	}
	if winner < 0 {
		t.Fatal("no snapshot ran")
	}
	return winner
}

// TestGaleraSnapshotsAtOnce: snapshots of one prefix started at once (and
// 0.4 s apart) against nodes 1 and 2: exactly one runs, the other exits 1
// naming it; the day serves the winner's slot, the loser leaves no slot and
// the other days' slots are untouched.
func TestGaleraSnapshotsAtOnce(t *testing.T) {
	w := newGaleraWorld(t, "")
	mon := mustSnapshot(t, w.cfgs[0], weekback.Monday)
	w.proxy.SetRate(1 << 20) // a run lasts ~6 s
	for round, apart := range []time.Duration{0, 400 * time.Millisecond} {
		procs := snapshotsAtOnce(t, w.cfgs[:2], weekback.Friday, []time.Duration{0, apart})
		winner := oneRanOthersRefused(t, procs)
		t.Logf("%s apart: node %d ran, node %d was refused: %s", apart, winner+1, 2-winner,
			lastLine(procs[1-winner].stderr.String()))
		for i, db := range w.nodes {
			gens := readyOn(t, w.cfgs[i], i+1, weekback.Friday)
			if gens[weekback.Monday].Slot != mon || !schemaExists(t, db, mon) {
				t.Fatalf("node %d: mon serves %q (exists %v), want the untouched %s", i+1, gens[weekback.Monday].Slot, schemaExists(t, db, mon), mon)
			}
		}
		if rs := runs(t, w.nodes[2], w.prefix); len(rs) != 2+round { // mon's, then one fri per round
			t.Errorf("%d runs recorded after round %d, want %d: a refused snapshot must not start a run", len(rs), round+1, 2+round)
		}
	}
}

// replicaLag bounds how long a node may take to show what another node
// committed (Galera applies write sets asynchronously after certifying
// them: a node under load shows a finished run as running for a moment).
const replicaLag = 10 * time.Second

// readyOn polls `weekback generations` with cfg (node n) until day is
// ready (its run finished); it returns the days.
func readyOn(t *testing.T, cfg string, n int, day weekback.Weekday) map[weekback.Weekday]*weekback.Generation {
	t.Helper()
	start := time.Now()
	for {
		gens := generations(t, cfg)
		if g := gens[day]; g.Ready() && g.Status == weekback.StatusReady {
			if waited := time.Since(start); waited > time.Second {
				t.Logf("node %d showed %s ready after %s", n, day, waited.Round(time.Millisecond))
			}
			return gens
		}
		if time.Since(start) > replicaLag {
			t.Fatalf("node %d: %s is %s after %s, want ready", n, day, gens[day].Status, replicaLag)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestGaleraSequenceCopied: a source sequence with the default cache
// (which Galera refuses to create, error 1235) is copied into the slot,
// restarted at the source's next value, and the snapshot verifies.
func TestGaleraSequenceCopied(t *testing.T) {
	w := newGaleraWorld(t, "")
	mysqltest.MustExec(t, w.src, "CREATE SEQUENCE "+wmysql.QuoteTable(w.schema, "invoice_no")+" START WITH 1000 INCREMENT BY 10",
		"SELECT NEXTVAL("+wmysql.QuoteTable(w.schema, "invoice_no")+")") // the source reserves a cache of 1000 values
	slot := mustSnapshot(t, w.cfgs[0], weekback.Wednesday)
	galeraCaughtUp(t, w.nodes)
	var want, next int64 // the first value the source hands out after its cache (next_not_cached_value)
	if err := w.src.QueryRow("SELECT next_not_cached_value FROM " + wmysql.QuoteTable(w.schema, "invoice_no")).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if err := w.nodes[2].QueryRow("SELECT NEXTVAL(" + wmysql.QuoteTable(slot, "invoice_no") + ")").Scan(&next); err != nil {
		t.Fatalf("the slot's sequence on node 3: %v", err)
	}
	if next != want {
		t.Errorf("the slot's sequence hands out %d first, want %d (the source's next value)", next, want)
	}
}

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestGaleraKilledHolderTakenOver: a snapshot on node 1 killed (SIGKILL)
// mid-copy keeps the lock until its lease runs out: a run on node 2 is
// refused meanwhile, then takes over, switches and records the killed run
// as interrupted.
func TestGaleraKilledHolderTakenOver(t *testing.T) {
	w := newGaleraWorld(t, "")
	old := mustSnapshot(t, w.cfgs[0], weekback.Monday)
	w.proxy.SetRate(throttleRate)
	p := startWeekback(t, w.cfgs[0], "snapshot", "--day", "mon")
	killed := waitCopying(t, w.nodes[0], w.prefix, p)
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.wait(t, 10*time.Second)
	at := time.Now()
	w.proxy.SetRate(0)
	_, errOut := mustRunWeekback(t, weekback.ExitFailure, w.cfgs[1], "snapshot", "--day", "mon")
	if want := fmt.Sprintf("run %d of mon", killed.ID); !strings.Contains(errOut, want) {
		t.Fatalf("the run on node 2 while the killed one's lease lasts: %q, want it to name %q", lastLine(errOut), want)
	}
	waitLockFree(t, w.nodes[1], w.prefix)
	t.Logf("the killed run's lease ended %s after the kill (lease %s)", time.Since(at).Round(100*time.Millisecond), wmysql.SnapshotLease)
	mustRunWeekback(t, 0, w.cfgs[1], "snapshot", "--day", "mon")
	g := readyOn(t, w.cfgs[2], 3, weekback.Monday)[weekback.Monday]
	if g.Slot == old || g.Slot == killed.Slot {
		t.Errorf("mon after the takeover: slot %q (ready %v), want a new slot", g.Slot, g.Ready())
	}
	if schemaExists(t, w.nodes[2], killed.Slot) {
		t.Errorf("the killed run's slot %s still exists", killed.Slot)
	}
	if r := mustRun(t, w.nodes[2], w.prefix, killed.ID); r.Status != weekback.RunFailed || !strings.HasPrefix(r.Error, "interrupted") {
		t.Errorf("killed run %d: status %q, error %q; want failed, interrupted…", r.ID, r.Status, r.Error)
	}
}

// TestGaleraFirstUseOnThreeNodes: the first snapshots of a prefix, on
// three nodes at once, all migrate the meta schema at the same moment:
// one migrates, one snapshot runs, the others exit 1 naming it (not a
// migration error); the schema is the one a single server gets, and
// `generations` answers on every node.
func TestGaleraFirstUseOnThreeNodes(t *testing.T) {
	w := newGaleraWorld(t, "")
	w.proxy.SetRate(1 << 20)
	procs := snapshotsAtOnce(t, w.cfgs, weekback.Tuesday, make([]time.Duration, len(w.cfgs)))
	oneRanOthersRefused(t, procs)
	ref := newPrefix(t, w.src) // the same schema migrated alone on the single test server
	refCfg := writeConfig(t, testConfig{SourceDSN: mysqltest.DSN(t, w.schema), BackupDSN: mysqltest.DSN(t, ""), Prefix: ref})
	w.proxy.SetRate(0)
	mustSnapshot(t, refCfg, weekback.Tuesday)
	want := metaShape(t, w.src, wmysql.MetaSchema(ref))
	for i, db := range w.nodes {
		if got := metaShape(t, db, wmysql.MetaSchema(w.prefix)); got != want {
			t.Errorf("node %d's meta schema differs from a single server's:\n%s\nwant:\n%s", i+1, got, want)
		}
		readyOn(t, w.cfgs[i], i+1, weekback.Tuesday)
	}
}

// metaShape describes schema's columns, indexes and recorded migrations,
// one line each.
func metaShape(t *testing.T, db *sql.DB, schema string) string {
	t.Helper()
	var versions []string
	rows, err := db.Query("SELECT version FROM " + wmysql.QuoteTable(schema, "schema_migrations") + " ORDER BY version")
	if err != nil {
		t.Fatalf("read the migrations of %s: %v", schema, err)
	}
	defer rows.Close()
	for rows.Next() {
		var v string
		rows.Scan(&v)
		versions = append(versions, v)
	}
	return mysqltest.SchemaShape(t, db, schema) + "\nmigrations " + strings.Join(versions, " ")
}

// startGaleraReplica serves prefix on addr with node dsn as its backup
// store (admin and reader), the shared session key, base_url and export
// folder, two workers and room for every job of the test (and its file).
func startGaleraReplica(t *testing.T, src, prefix, shared, dsn, addr, baseURL string) *jobsReplica {
	t.Helper()
	node := mysqltest.GaleraDSN(t, dsn, "")
	cfg := writeConfig(t, testConfig{SourceDSN: mysqltest.DSN(t, src), BackupDSN: node, Prefix: prefix,
		Extra: fmt.Sprintf("server:\n  listen: %q\n  base_url: %q\n  session_secret_file: %q\n"+
			"exports:\n  dir: %q\n  workers: 2\n  job_lease: \"10s\"\n  max_active_jobs: 100\n  user_quota_files: 100\n",
			addr, baseURL, filepath.Join(shared, "session.key"), filepath.Join(shared, "exports"))})
	cfg = appendReaderDSN(t, cfg, node)
	r := &jobsReplica{p: startWeekback(t, cfg, "serve")}
	r.base = "http://" + waitListening(t, r.p)
	return r
}

// tryPostForm posts form to base+path as from origin and returns the
// status and body (safe to call from any goroutine).
func tryPostForm(c *http.Client, base, origin, path string, form url.Values) (int, string, error) {
	req, _ := http.NewRequest("POST", base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// galeraCaughtUp waits until every node has applied what the cluster
// committed so far (a causal read, wsrep_sync_wait) and logs how long the
// slowest took.
func galeraCaughtUp(t *testing.T, nodes []*sql.DB) {
	t.Helper()
	start := time.Now()
	for i, db := range nodes {
		conn, err := db.Conn(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		_, err = conn.ExecContext(t.Context(), "SET SESSION wsrep_sync_wait = 1")
		if err == nil {
			_, err = conn.ExecContext(t.Context(), "SELECT 1")
		}
		conn.Close()
		if err != nil {
			t.Fatalf("wait for node %d to catch up: %v", i+1, err)
		}
	}
	t.Logf("the nodes caught up with the cluster %s after the last write", time.Since(start).Round(time.Millisecond))
}

// galeraJobs is how many jobs TestGaleraJobsOverTwoReplicas submits.
const galeraJobs = 80

// TestGaleraJobsOverTwoReplicas: 80 export jobs submitted (8 at a time)
// over two `serve` replicas whose backup stores are nodes 1 and 2: every
// submission is accepted (no 500, no 503), every job succeeds and is
// started exactly once, by one worker of one replica.
func TestGaleraJobsOverTwoReplicas(t *testing.T) {
	dsns := mysqltest.GaleraDSNs(t)
	db := mysqltest.MustOpen(t)
	var nodes []*sql.DB
	for _, dsn := range dsns {
		nodes = append(nodes, mysqltest.OpenNode(t, dsn))
	}
	src := mustLoadJobsSource(t, db)
	prefix := mysqltest.UniqueName("wbgal_")
	mysqltest.DropPrefixOnCleanup(t, nodes[0], prefix)
	shared := t.TempDir()
	mustSnapshot(t, writeConfig(t, testConfig{SourceDSN: mysqltest.DSN(t, src), BackupDSN: mysqltest.GaleraDSN(t, dsns[0], ""), Prefix: prefix}), weekback.Monday)
	galeraCaughtUp(t, nodes) // replica 2 must see the snapshot to let anyone log in
	firstAddr := freeAddr(t)
	origin := "http://" + firstAddr
	replicas := []*jobsReplica{
		startGaleraReplica(t, src, prefix, shared, dsns[0], firstAddr, origin),
		startGaleraReplica(t, src, prefix, shared, dsns[1], freeAddr(t), origin),
	}
	c := login(t, replicas[0].base, "support", zooPassword)
	csrf := mustCSRF(t, c, replicas[1].base) // the session works on both replicas
	before := mysqltest.CertFailures(t, nodes...)
	failures := submitJobsAtOnce(t, c, replicas, origin, csrf)
	submitted := mysqltest.CertFailures(t, nodes...) - before
	if failures > 0 {
		t.Fatalf("%d of %d submissions failed (%d certification conflicts meanwhile)", failures, galeraJobs, submitted)
	}
	waitGaleraJobsFinal(t, nodes[2], prefix)
	t.Logf("certification conflicts (each a 1213, retried): %d during the %d submissions, %d in all", submitted, galeraJobs,
		mysqltest.CertFailures(t, nodes...)-before)
	checkStartedOnce(t, replicas)
	entries, _ := os.ReadDir(filepath.Join(shared, "exports"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if n := countSuffix(names, ".csv"); n != galeraJobs {
		t.Errorf("the exports folder holds %d result files, want %d", n, galeraJobs)
	}
}

// submitJobsAtOnce posts galeraJobs distinct exports, 8 at a time,
// alternating replicas; it reports each refused one and returns how many.
func submitJobsAtOnce(t *testing.T, c *http.Client, replicas []*jobsReplica, origin, csrf string) int {
	t.Helper()
	var failed atomic.Int64
	next := make(chan int, galeraJobs)
	for i := range galeraJobs {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range next {
				form := url.Values{"csrf": {csrf}, "f.id": {fmt.Sprintf("le:%d", 400+i)}}
				status, body, err := tryPostForm(c, replicas[i%2].base, origin, "/mon/tables/orders/exports", form)
				if err != nil || status != http.StatusAccepted {
					failed.Add(1)
					t.Errorf("submission %d to replica %d = %d (%v): %.300s", i, i%2+1, status, err, body)
				}
			}
		})
	}
	wg.Wait()
	return int(failed.Load())
}

// waitGaleraJobsFinal waits until galeraJobs jobs of prefix are final
// (read on node db) and checks they all succeeded.
func waitGaleraJobsFinal(t *testing.T, db *sql.DB, prefix string) {
	t.Helper()
	q := "SELECT status, COUNT(*) FROM " + wmysql.QuoteTable(wmysql.MetaSchema(prefix), "jobs") + " GROUP BY status"
	deadline := time.Now().Add(3 * time.Minute)
	for {
		counts := map[string]int{}
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			var n int
			rows.Scan(&s, &n)
			counts[s] = n
		}
		rows.Close()
		if counts[string(weekback.JobSucceeded)] == galeraJobs {
			return
		}
		final := 0
		for s, n := range counts {
			if weekback.JobStatus(s).Final() {
				final += n
			}
		}
		if final >= galeraJobs || time.Now().After(deadline) {
			t.Fatalf("jobs by status: %v; want %d succeeded", counts, galeraJobs)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

var jobStartedRE = regexp.MustCompile(`msg="job started".*?\bjob=(\d+)`)

// checkStartedOnce checks from the replicas' logs that every job was
// started once, by one worker.
func checkStartedOnce(t *testing.T, replicas []*jobsReplica) {
	t.Helper()
	started := map[string]int{}
	for i, r := range replicas {
		n := 0
		for _, m := range jobStartedRE.FindAllStringSubmatch(r.p.stderr.String(), -1) {
			started[m[1]]++
			n++
		}
		t.Logf("replica %d started %d jobs", i+1, n)
	}
	if len(started) != galeraJobs {
		t.Errorf("%d distinct jobs started, want %d", len(started), galeraJobs)
	}
	for id, n := range started {
		if n != 1 {
			t.Errorf("job %s started %d times, want once", id, n)
		}
	}
}
