package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// jobsRows is the size of the table the jobs export: big enough that a
// job is still running when its replica is killed.
const jobsRows = 150_000

// mustLoadJobsSource creates a source schema with an orders table of
// jobsRows rows and a users table holding one user allowed to log in.
func mustLoadJobsSource(t *testing.T, db *sql.DB) string {
	t.Helper()
	s := mysqltest.MustCreateSchema(t, db, "wbe_jobs_")
	q := "`" + s + "`."
	hash, err := bcrypt.GenerateFromPassword([]byte(zooPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	mysqltest.MustExec(t, db,
		"CREATE TABLE "+q+"orders (id INT UNSIGNED NOT NULL PRIMARY KEY, customer VARCHAR(64) NOT NULL, "+
			"note VARCHAR(255) NULL, amount DECIMAL(12,2) NOT NULL, created_at DATETIME(6) NOT NULL)",
		fmt.Sprintf("INSERT INTO %sorders SELECT seq, CONCAT('顧客-', seq %% 997), IF(seq %% 5 = 0, NULL, CONCAT(MD5(seq), SHA1(seq))), "+
			"seq * 1.25, '2026-01-01' + INTERVAL seq SECOND FROM %sseq_1_to_%d", q, q, jobsRows),
		"CREATE TABLE "+q+"users (id INT PRIMARY KEY, login_id VARCHAR(40) NOT NULL UNIQUE, password_hash VARCHAR(100) NOT NULL, "+
			"can_manage_settings TINYINT NOT NULL, role VARCHAR(20) NOT NULL)",
		"INSERT INTO "+q+"users VALUES (1, 'support', '"+string(hash)+"', 1, 'staff')")
	return s
}

// jobsReplica is one `weekback serve` of the jobs test.
type jobsReplica struct {
	p    *weekbackProc
	base string
}

// startJobsReplica serves prefix on addr, with the shared session key,
// base_url (replicas sit behind one address) and export folder, a short
// job lease and no per-user limit that 20 jobs would reach.
func startJobsReplica(t *testing.T, src, prefix, shared, addr, baseURL string) *jobsReplica {
	t.Helper()
	cfg := writeConfig(t, testConfig{SourceDSN: mysqltest.DSN(t, src), BackupDSN: mysqltest.DSN(t, ""), Prefix: prefix,
		Extra: fmt.Sprintf("server:\n  listen: %q\n  base_url: %q\n  session_secret_file: %q\n"+
			"exports:\n  dir: %q\n  workers: 2\n  job_lease: \"2s\"\n  max_active_jobs: 25\n",
			addr, baseURL, filepath.Join(shared, "session.key"), filepath.Join(shared, "exports"))})
	cfg = appendReaderDSN(t, cfg, mysqltest.DSN(t, ""))
	r := &jobsReplica{p: startWeekback(t, cfg, "serve")}
	r.base = "http://" + waitListening(t, r.p)
	return r
}

// TestJobsSurviveAKilledReplica runs 20 export jobs on two replicas of
// one meta schema and kills one (SIGKILL) while it runs a job: every job
// still succeeds exactly once and every download equals the direct export.
func TestJobsSurviveAKilledReplica(t *testing.T) {
	db := mysqltest.MustOpen(t)
	src := mustLoadJobsSource(t, db)
	prefix := newPrefix(t, db)
	shared := t.TempDir()
	cfgPath := writeConfig(t, testConfig{SourceDSN: mysqltest.DSN(t, src), BackupDSN: mysqltest.DSN(t, ""), Prefix: prefix})
	mustSnapshot(t, cfgPath, weekback.Monday)
	firstAddr := freeAddr(t)
	first := startJobsReplica(t, src, prefix, shared, firstAddr, "http://"+firstAddr)
	second := startJobsReplica(t, src, prefix, shared, freeAddr(t), "http://"+firstAddr)
	c := login(t, first.base, "support", zooPassword)
	csrf := mustCSRF(t, c, first.base)

	ids := make([]int64, 20)
	for i := range ids {
		ids[i] = submitJob(t, c, first.base, csrf, fmt.Sprintf("id=le:%d", jobsRows-i))
	}
	killed := killWhileRunning(t, db, prefix, first)
	jobs := waitJobsFinal(t, c, second.base, len(ids), 60*time.Second)
	for _, id := range ids {
		j := jobs[id]
		if j.Status != weekback.JobSucceeded {
			t.Errorf("job %d: %s (%s), want succeeded", id, j.Status, j.Error)
			continue
		}
		got := mustGetBytes(t, c, second.base+fmt.Sprintf("/jobs/%d/download", id))
		want := mustGetBytes(t, c, second.base+"/mon/tables/orders/export.csv?f.id="+url.QueryEscape(j.Params.Filters[0].Param()))
		if !bytes.Equal(got, want) {
			t.Errorf("job %d: download of %d bytes differs from the direct export's %d", id, len(got), len(want))
		}
	}
	var runByKilled int
	q := fmt.Sprintf("SELECT COUNT(*) FROM `%s_meta`.jobs WHERE id IN (%s) AND status = 'succeeded' AND worker NOT LIKE ?", prefix, joinIDs(killed))
	if err := db.QueryRow(q, fmt.Sprintf("%%:%d:%%", first.p.cmd.Process.Pid)).Scan(&runByKilled); err != nil {
		t.Fatal(err)
	}
	if runByKilled != len(killed) {
		t.Errorf("of the %d jobs the killed replica was running, %d were finished by the other", len(killed), runByKilled)
	}
	entries, _ := os.ReadDir(filepath.Join(shared, "exports"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if results := countSuffix(names, ".csv"); results != len(ids) {
		t.Errorf("exports folder holds %d result files, want %d: %v", results, len(ids), names)
	}
	second.p.cmd.Process.Signal(syscall.SIGTERM)
	if code := second.p.wait(t, 30*time.Second); code != 0 {
		t.Errorf("serve exited %d after SIGTERM\n%s", code, second.p.stderr.String())
	}
}

// killWhileRunning waits until the replica runs a job, kills it and
// returns the jobs it was running.
func killWhileRunning(t *testing.T, db *sql.DB, prefix string, r *jobsReplica) []int64 {
	t.Helper()
	pid := r.p.cmd.Process.Pid
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		rows, err := db.Query(fmt.Sprintf("SELECT id FROM `%s_meta`.jobs WHERE status = 'running' AND worker LIKE ?", prefix),
			fmt.Sprintf("%%:%d:%%", pid))
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			ids = append(ids, id)
		}
		rows.Close()
		if len(ids) > 0 {
			if err := r.p.cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			r.p.wait(t, 10*time.Second)
			return ids
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the first replica never ran a job")
	return nil
}

func mustCSRF(t *testing.T, c *http.Client, base string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/me", nil)
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var me struct{ CSRF string }
	if err := json.NewDecoder(resp.Body).Decode(&me); err != nil || me.CSRF == "" {
		t.Fatalf("GET /me: %v, csrf %q", err, me.CSRF)
	}
	return me.CSRF
}

// submitJob starts a background export of orders with one filter and
// returns its id.
func submitJob(t *testing.T, c *http.Client, base, csrf, filter string) int64 {
	t.Helper()
	col, param, _ := strings.Cut(filter, "=")
	return postJob(t, c, base, "/mon/tables/orders/exports", url.Values{"csrf": {csrf}, "f." + col: {param}})
}

// postJob posts form to path (which starts a job) and returns the job's id.
func postJob(t *testing.T, c *http.Client, base, path string, form url.Values) int64 {
	t.Helper()
	return postRawJob(t, c, base, path, form.Encode())
}

// waitJobsFinal polls /jobs until n jobs are final and returns them by id.
func waitJobsFinal(t *testing.T, c *http.Client, base string, n int, timeout time.Duration) map[int64]*weekback.Job {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		req, _ := http.NewRequest("GET", base+"/jobs", nil)
		req.Header.Set("Accept", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out struct{ Jobs []*weekback.Job }
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err := json.Unmarshal(body, &out); err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET /jobs = %d (%v):\n%.1000s", resp.StatusCode, err, body)
		}
		byID, final := map[int64]*weekback.Job{}, 0
		for _, j := range out.Jobs {
			byID[j.ID] = j
			if j.Status.Final() {
				final++
			}
		}
		if final >= n {
			return byID
		}
		if time.Now().After(deadline) {
			var states []string
			for _, j := range out.Jobs {
				states = append(states, fmt.Sprintf("%d:%s", j.ID, j.Status))
			}
			t.Fatalf("after %s, %d of %d jobs are final: %v", timeout, final, n, states)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func mustGetBytes(t *testing.T, c *http.Client, u string) []byte {
	t.Helper()
	_, body := mustGet(t, c, u, 200)
	return []byte(body)
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return strings.Join(s, ",")
}

func countSuffix(names []string, suffix string) int {
	n := 0
	for _, name := range names {
		if strings.HasSuffix(name, suffix) && !strings.HasPrefix(name, ".") {
			n++
		}
	}
	return n
}
