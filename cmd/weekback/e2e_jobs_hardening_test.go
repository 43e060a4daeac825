package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestJobsLargeRequestAndDamagedRow, through `weekback serve`: a job row
// damaged in the meta schema sits first in the queue; a 47 KB request of
// twelve `in` filters of 1,000 ids is accepted and runs to the end behind
// it; the damaged job is failed once, and the pages of its owner (the
// jobs list, the job page, the header badge, the delete button) answer.
func TestJobsLargeRequestAndDamagedRow(t *testing.T) {
	db := mysqltest.MustOpen(t)
	src := mustLoadJobsSource(t, db)
	hash, err := bcrypt.GenerateFromPassword([]byte(zooPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	mysqltest.MustExec(t, db, "INSERT INTO `"+src+"`.users VALUES (2, 'mallory', '"+string(hash)+"', 1, 'staff')")
	prefix := newPrefix(t, db)
	cfgPath := writeConfig(t, testConfig{SourceDSN: mysqltest.DSN(t, src), BackupDSN: mysqltest.DSN(t, ""), Prefix: prefix})
	mustSnapshot(t, cfgPath, weekback.Monday)
	jobsTable := "`" + mysql.MetaSchema(prefix) + "`.jobs"
	mysqltest.MustExec(t, db, "INSERT INTO "+jobsTable+" (owner, kind, params, param_key, status, created_at) "+
		"VALUES ('mallory', 'export', '{\"day\":\"mon\",\"table\":\"orders\",\"filt', REPEAT('0', 64), 'queued', NOW(6) - INTERVAL 1 MINUTE)")
	addr := freeAddr(t)
	r := startJobsReplica(t, src, prefix, t.TempDir(), addr, "http://"+addr)

	c := login(t, r.base, "support", zooPassword)
	body := strings.Repeat("f.id=in:"+idList()+"&", 12) + "csrf=" + url.QueryEscape(mustCSRF(t, c, r.base))
	id := postRawJob(t, c, r.base, "/mon/tables/orders/exports", body)
	jobs := waitJobsFinal(t, c, r.base, 1, 60*time.Second)
	if j := jobs[id]; j.Status != weekback.JobSucceeded || j.RowsDone != 1000 {
		t.Fatalf("the large request's job = %+v, want succeeded with 1,000 rows", j)
	}
	if lines := strings.Count(string(mustGetBytes(t, c, fmt.Sprintf("%s/jobs/%d/download", r.base, id))), "\r\n"); lines != 1001 {
		t.Errorf("download: %d lines, want 1,001", lines)
	}

	checkBodyTooLarge(t, c, r.base)

	m := login(t, r.base, "mallory", zooPassword)
	own := waitJobsFinal(t, m, r.base, 1, 10*time.Second)
	var bad *weekback.Job
	for _, j := range own {
		bad = j
	}
	if bad == nil || bad.Status != weekback.JobFailed || !bad.Damaged || !strings.Contains(bad.Error, "could not be read back") {
		t.Fatalf("the damaged job = %+v, want failed, damaged, saying so", bad)
	}
	for _, path := range []string{"/jobs", fmt.Sprintf("/jobs/%d", bad.ID), "/mon/", "/jobs?notify=1"} {
		mustGet(t, m, r.base+path, 200)
	}
	del := url.Values{"csrf": {mustCSRF(t, m, r.base)}}
	if status, b := postForm(t, m, r.base, fmt.Sprintf("/jobs/%d/delete", bad.ID), del.Encode(), true); status != http.StatusNoContent {
		t.Fatalf("delete the damaged job = %d %s", status, b)
	}
}

// idList is "1,2,…,1000".
func idList() string {
	ids := make([]string, weekback.MaxInValues)
	for i := range ids {
		ids[i] = fmt.Sprint(i + 1)
	}
	return strings.Join(ids, ",")
}

// postForm posts body, a form as typed, from base's origin (asking JSON
// when asJSON) and returns the status and the answer's body.
func postForm(t *testing.T, c *http.Client, base, path, body string, asJSON bool) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	if asJSON {
		req.Header.Set("Accept", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// postRawJob posts body, a form as typed (commas unescaped), and returns
// the job's id.
func postRawJob(t *testing.T, c *http.Client, base, path, body string) int64 {
	t.Helper()
	status, b := postForm(t, c, base, path, body, true)
	var out struct{ Job struct{ ID int64 } }
	if err := json.Unmarshal(b, &out); err != nil || status != http.StatusAccepted || out.Job.ID == 0 {
		t.Fatalf("POST %s (%d bytes) = %d: %.500s", path, len(body), status, b)
	}
	return out.Job.ID
}

// checkBodyTooLarge: the same request typed in a browser's form (commas
// escaped, 71 KB) is over the server's body limit: 413 with a sentence
// that says what to do, not a generic one.
func checkBodyTooLarge(t *testing.T, c *http.Client, base string) {
	t.Helper()
	form := url.Values{"csrf": {mustCSRF(t, c, base)}, "f.id": slices.Repeat([]string{"in:" + idList()}, 12)}
	status, b := postForm(t, c, base, "/mon/tables/orders/exports", form.Encode(), false)
	if want := "This export request is larger than the 64 KiB the server accepts"; status != 413 || !strings.Contains(string(b), want) {
		t.Errorf("a 71 KB body = %d, want 413 saying %q\n%.2000s", status, want, b)
	}
}
