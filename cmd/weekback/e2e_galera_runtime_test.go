package main

import (
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// noSyncWaitMarker, a file beside the configuration a weekback process of
// the tests is started with, turns its causal reads off
// (mysql.SyncWaitReads), to measure what they change.
const noSyncWaitMarker = "no-sync-wait"

func init() {
	if os.Getenv(envE2EMain) != "1" {
		return
	}
	for i, arg := range os.Args {
		if arg == "--config" && i+1 < len(os.Args) {
			if _, err := os.Stat(filepath.Join(filepath.Dir(os.Args[i+1]), noSyncWaitMarker)); err == nil {
				mysql.SyncWaitReads.Store(false)
			}
		}
	}
}

// galeraBigRows sizes the table whose copy keeps the cluster busy while a
// test checks a replica: a few seconds of LOAD DATA on the test machine.
const galeraBigRows = 600_000

// clusterWorld is production on the single test server (orders, a big
// table and a users table) and a backup prefix on the Galera test
// cluster, with Monday snapshotted there.
type clusterWorld struct {
	dsns    []string // the cluster's nodes
	node1   *sql.DB
	src     string
	prefix  string
	dir     string // session key, exports
	baseURL string // server.base_url of every replica (identical: it is the session issuer)
	listen  string // the address of the replica base_url names
	snapCfg string // snapshot config: backup.dsn lists every node
}

const galeraPassword = "galera password"

func newClusterWorld(t *testing.T) *clusterWorld {
	t.Helper()
	w := &clusterWorld{dsns: mysqltest.GaleraDSNs(t), dir: t.TempDir(), listen: freeAddr(t)}
	w.baseURL = "http://" + w.listen
	f := &fixture{db: mysqltest.MustOpen(t)}
	f.src = mustLoadSource(t, f.db)
	mustAddProductionUser(t, f, "ann", galeraPassword)
	w.src = f.src
	w.node1 = mysqltest.OpenNode(t, w.dsns[0])
	w.prefix = mysqltest.UniqueName("wbg_")
	mysqltest.DropPrefixOnCleanup(t, w.node1, w.prefix)
	w.snapCfg = w.config(t, w.dsns, "127.0.0.1:0")
	mustSnapshot(t, w.snapCfg, weekback.Monday)
	return w
}

// addBigTable adds to production the table whose copy keeps a later
// snapshot busy (Monday's has not got it).
func (w *clusterWorld) addBigTable(t *testing.T) {
	t.Helper()
	mysqltest.MustExec(t, mysqltest.MustOpen(t), "CREATE TABLE `"+w.src+"`.big (id INT UNSIGNED PRIMARY KEY, n INT NOT NULL, tag VARCHAR(40) NOT NULL)",
		fmt.Sprintf("INSERT INTO `%s`.big SELECT seq, seq %% 1000, MD5(seq) FROM `%s`.seq_1_to_%d", w.src, w.src, galeraBigRows))
}

// config writes a configuration whose backup.dsn lists every node and
// whose backup.reader_dsn lists readers (YAML lists), serving on listen.
func (w *clusterWorld) config(t *testing.T, readers []string, listen string) string {
	t.Helper()
	list := func(dsns []string) string {
		var b strings.Builder
		for _, d := range dsns {
			fmt.Fprintf(&b, "\n    - %q", d)
		}
		return b.String()
	}
	body := fmt.Sprintf("source:\n  dsn: %q\nbackup:\n  dsn:%s\n  reader_dsn:%s\n  prefix: %q\n"+
		"snapshot:\n  parallelism: 2\n  grace_period: \"1s\"\nschedule:\n  timezone: \"UTC\"\n"+
		"server:\n  listen: %q\n  base_url: %q\n  session_secret_file: %q\nexports:\n  dir: %q\n",
		mysqltest.DSN(t, w.src), list(w.dsns), list(readers), w.prefix, listen, w.baseURL,
		filepath.Join(w.dir, "session.key"), filepath.Join(w.dir, "exports"))
	path := filepath.Join(t.TempDir(), "weekback.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// serve starts a replica reading through readers and returns its base URL;
// syncWait false turns its causal reads off.
func (w *clusterWorld) serve(t *testing.T, readers []string, listen string, syncWait bool) string {
	t.Helper()
	cfg := w.config(t, readers, listen)
	if !syncWait {
		if err := os.WriteFile(filepath.Join(filepath.Dir(cfg), noSyncWaitMarker), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return "http://" + waitListening(t, startWeekback(t, cfg, "serve"))
}

// galeraScript runs scripts/ensure-galera with args (the cluster the
// test's WEEKBACK_GALERA_* variables name).
func galeraScript(t *testing.T, args ...string) error {
	cmd := exec.Command(filepath.Join("..", "..", "scripts", "ensure-galera"), args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("ensure-galera %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// getStatus returns the status and body of GET u with c.
func getStatus(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// runningSnapshot reports whether a snapshot run of w's prefix is running.
func (w *clusterWorld) runningSnapshot(t *testing.T) bool {
	var n int
	err := w.node1.QueryRow("SELECT COUNT(*) FROM `" + w.prefix + "_meta`.snapshot_runs WHERE status = 'running'").Scan(&n)
	return err == nil && n > 0
}

// lagRows is the size of the write set bigWriteSet commits: seconds of
// applying on the other nodes of the test cluster.
const lagRows = 300_000

// bigWriteSet commits one write set of lagRows rows on node 1, as a copy
// without streaming replication (or any big transaction) does: the other
// nodes apply what is committed after it only once they applied it.
func (w *clusterWorld) bigWriteSet(t *testing.T) {
	t.Helper()
	defer func(start time.Time) {
		t.Logf("a write set of %d rows committed on node 1 in %s", lagRows, time.Since(start))
	}(time.Now())
	lag := "`" + w.prefix + "_lag`"
	mysqltest.MustExec(t, w.node1, "CREATE DATABASE "+lag, "CREATE TABLE "+lag+".t (id INT PRIMARY KEY, v VARCHAR(40) NOT NULL)",
		fmt.Sprintf("INSERT INTO %s.t SELECT seq, MD5(seq) FROM %s.seq_1_to_%d", lag, lag, lagRows))
}

// keepAsking gets u with c every 200 ms until the returned function is
// called.
func keepAsking(c *http.Client, u string) func() {
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(200 * time.Millisecond):
			}
			if resp, err := c.Get(u); err == nil {
				resp.Body.Close()
			}
		}
	}()
	return func() { close(done) }
}

// applyLag returns a channel that gets how long after since the node at
// dsn, read without wsrep_sync_wait, first shows a revoked session.
func (w *clusterWorld) applyLag(t *testing.T, dsn string, since time.Time) <-chan time.Duration {
	node := mysqltest.OpenNode(t, dsn)
	out := make(chan time.Duration, 1)
	go func() {
		for n := 0; n == 0 && time.Since(since) < time.Minute; time.Sleep(10 * time.Millisecond) {
			node.QueryRow("SET STATEMENT wsrep_sync_wait=0 FOR SELECT COUNT(*) FROM `" + w.prefix + "_meta`.revoked_sessions").Scan(&n)
		}
		out <- time.Since(since)
	}()
	return out
}

// TestGaleraLogoutAcrossReplicas: two replicas on nodes 1 and 2 share the
// sessions; during a snapshot (node 2 applying the copy's writes), a
// logout on replica 1 is refused by replica 2 for every request sent
// more than 2 s (the revocation cache's time) after it. A write set of
// lagRows rows makes node 2 apply seconds late; WEEKBACK_TEST_SYNC_WAIT=off
// runs replica 2 without the sync-wait reads, and the test then fails (the
// session accepted 2 s after the logout).
func TestGaleraLogoutAcrossReplicas(t *testing.T) {
	w := newClusterWorld(t)
	one := w.serve(t, w.dsns[:1], w.listen, true)
	two := w.serve(t, w.dsns[1:2], "127.0.0.1:0", os.Getenv("WEEKBACK_TEST_SYNC_WAIT") != "off")
	c := login(t, one, "ann", galeraPassword)
	if status, _ := getStatus(t, c, two+"/mon/"); status != http.StatusOK {
		t.Fatalf("replica 2 answers %d to replica 1's session, want 200 (shared key and base_url)", status)
	}
	w.addBigTable(t)
	snap := startWeekback(t, w.snapCfg, "snapshot", "--day", "tue")
	waitFor(t, "the snapshot to copy", snap, func() bool { return w.runningSnapshot(t) })
	if status, _ := getStatus(t, c, two+"/mon/"); status != http.StatusOK {
		t.Fatalf("replica 2 before the logout = %d, want 200", status)
	}
	stop := keepAsking(c, two+"/mon/") // replica 2 trusts the session (its cache) up to the logout
	w.bigWriteSet(t)
	stop()
	u, _ := url.Parse(two)
	token := c.Jar.Cookies(u) // the logout clears them in c; an attacker keeps them
	csrf := mustCSRF(t, c, one)
	if status, _ := postForm(t, c, one, "/logout", url.Values{"csrf": {csrf}}.Encode(), false); status != http.StatusSeeOther {
		t.Fatalf("POST /logout on replica 1 = %d, want 303", status)
	}
	loggedOut := time.Now()
	lag := w.applyLag(t, w.dsns[1], loggedOut)
	c = newJarClient()
	c.Jar.SetCookies(u, token)
	running := w.runningSnapshot(t)
	for {
		sent := time.Now()
		status, _ := getStatus(t, c, two+"/mon/")
		if status >= 500 {
			t.Fatalf("replica 2 answered %d", status)
		}
		if status != http.StatusOK {
			t.Logf("replica 2 refused the session %s after the logout (%d); snapshot running at the logout: %v",
				sent.Sub(loggedOut).Round(time.Millisecond), status, running)
			break
		}
		if after := sent.Sub(loggedOut); after > 2*time.Second {
			t.Fatalf("replica 2 accepted the logged-out session %s after the logout (snapshot running: %v), want refused after 2 s", after, running)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !running {
		t.Error("the snapshot was not running at the logout: make galeraBigRows larger")
	}
	t.Logf("node 2 applied the revocation %s after the logout (read without waiting)", <-lag)
	if code := snap.wait(t, 5*time.Minute); code != 0 {
		t.Fatalf("snapshot exited %d:\n%s", code, snap.stderr.String())
	}
}

// TestGaleraNodeKilled: the replica whose reader_dsn lists node 2 first
// keeps answering when node 2 is SIGKILLed — 200 from node 3 or 503, never
// 500 — and /readyz names node 3; the jobs submitted before finish; node 2
// rejoins (it is started again even when the test fails).
func TestGaleraNodeKilled(t *testing.T) {
	w := newClusterWorld(t)
	base := w.serve(t, []string{w.dsns[1], w.dsns[2]}, w.listen, true)
	c := login(t, base, "ann", galeraPassword)
	if _, body := mustGet(t, c, base+"/readyz", 200); !strings.Contains(body, mysql.Addr(w.dsns[1])) {
		t.Fatalf("/readyz = %q, want it to name node 2 (%s)", body, mysql.Addr(w.dsns[1]))
	}
	csrf := mustCSRF(t, c, base)
	var jobs []int64
	for _, f := range []string{"customer=eq:customer-1", "customer=eq:customer-2", "customer=eq:customer-3"} {
		jobs = append(jobs, submitJob(t, c, base, csrf, f))
	}
	t.Cleanup(func() {
		if err := galeraScript(t, "--start", "2"); err != nil {
			t.Errorf("node 2 did not rejoin: %v", err)
		}
	})
	if err := galeraScript(t, "--kill", "2"); err != nil {
		t.Fatal(err)
	}
	statuses := map[int]int{}
	var ready string
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end) || ready == ""; {
		for _, path := range []string{"/mon/", "/mon/tables/orders", "/jobs", "/readyz"} {
			status, body := getStatus(t, c, base+path)
			statuses[status]++
			if status != http.StatusOK && status != http.StatusServiceUnavailable {
				t.Fatalf("GET %s with node 2 down = %d, want 200 or 503:\n%.500s", path, status, body)
			}
			if path == "/readyz" && status == http.StatusOK {
				ready = body
			}
		}
		if time.Now().After(end.Add(pollTimeout)) {
			t.Fatalf("/readyz never answered 200 with node 2 down (statuses %v)", statuses)
		}
	}
	t.Logf("answers with node 2 down: %v; /readyz: %s", statuses, ready)
	if !strings.Contains(ready, mysql.Addr(w.dsns[2])) {
		t.Errorf("/readyz = %q, want it to name node 3 (%s)", ready, mysql.Addr(w.dsns[2]))
	}
	done := waitJobsFinal(t, c, base, len(jobs), 2*pollTimeout)
	for _, id := range jobs {
		if j := done[id]; j == nil || j.Status != weekback.JobSucceeded {
			t.Errorf("job %d: %+v, want succeeded", id, j)
		}
	}
	if err := galeraScript(t, "--start", "2"); err != nil {
		t.Fatal(err)
	}
	if status, _ := getStatus(t, c, base+"/mon/"); status != http.StatusOK {
		t.Errorf("after node 2 rejoined: GET /mon/ = %d, want 200", status)
	}
}
