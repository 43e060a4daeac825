package server_test

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weekback/weekback/jobs"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// idList is "1,2,…,1000": the longest `in` list a filter takes.
func idList() string {
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = strconv.Itoa(i + 1)
	}
	return strings.Join(ids, ",")
}

// largeExportBody is the form a user posted with twelve `in` filters of
// 1,000 ids, commas as typed: about 47 KB (its JSON parameters, 83 KB,
// are more than a TEXT column holds).
func largeExportBody(csrf string) string {
	var b strings.Builder
	for range 12 {
		b.WriteString("f.id=in:" + idList() + "&")
	}
	b.WriteString("csrf=" + url.QueryEscape(csrf))
	return b.String()
}

// postRaw posts body as a form, as u, asking JSON when asJSON.
func (f *jobsFixture) postRaw(t *testing.T, u user, path, body string, asJSON bool) response {
	t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if asJSON {
		req.Header.Set("Accept", "application/json")
	}
	req.AddCookie(u.cookie)
	resp, err := f.srv.Handler().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// TestJobLargeRequest: the 47 KB request of twelve `in` filters runs to
// the end and its file holds the rows asked for (its parameters are not
// cut on the way to the meta schema).
func TestJobLargeRequest(t *testing.T) {
	f := MustOpenJobsServer(t, true)
	u := f.session(t, "argon")
	body := largeExportBody(u.csrf)
	if len(body) < 46000 || len(body) > 48000 {
		t.Fatalf("the request has %d bytes, want about 47 KB", len(body))
	}
	r := f.postRaw(t, u, "/wed/tables/items/exports", body, false)
	id, err := strconv.ParseInt(strings.TrimPrefix(r.header.Get("Location"), "/jobs/"), 10, 64)
	if r.status != 303 || err != nil {
		t.Fatalf("submit = %d %q\n%.1000s", r.status, r.header.Get("Location"), r.body)
	}
	j := f.waitJob(t, u, id)
	if j.Status != "succeeded" || j.RowsDone != 120 {
		t.Fatalf("job = %+v, want succeeded with the 120 rows of items", j)
	}
	if d := f.do(t, u, "GET", j.DownloadURL, nil, false); d.status != 200 || strings.Count(d.body, "\r\n") != 121 {
		t.Fatalf("download = %d, %d lines, want 121", d.status, strings.Count(d.body, "\r\n"))
	}
}

// TestJobParamsTooLarge: parameters over the runner's limit answer 413
// with a sentence naming the sizes, as a page and as JSON; nothing is
// queued.
func TestJobParamsTooLarge(t *testing.T) {
	f := MustOpenJobsServer(t, false, func(r *jobs.Runner) { r.MaxParamBytes = 32 << 10 })
	u := f.session(t, "argon")
	want := "This export asks for too much: its filters and columns take 70 KiB, and a background export accepts at most 32 KiB."
	for _, asJSON := range []bool{false, true} {
		r := f.postRaw(t, u, "/wed/tables/items/exports", largeExportBody(u.csrf), asJSON)
		if r.status != 413 || !strings.Contains(r.body, want) {
			t.Errorf("JSON %v: %d, want 413 saying %q\n%.2000s", asJSON, r.status, want, r.body)
		}
	}
	if list, _ := f.meta.Jobs(t.Context(), "", 10); len(list) != 0 {
		t.Errorf("%d jobs queued, want none", len(list))
	}
}

// TestJobDamagedRow: a job row whose parameters were damaged in the meta
// schema fails once with a sentence; every page that lists jobs answers,
// the delete button removes it, and another user's job still runs.
func TestJobDamagedRow(t *testing.T) {
	f := MustOpenJobsServer(t, false)
	bad, good, admin := f.session(t, "django"), f.session(t, "argon"), f.session(t, "bcrypt")
	badID := f.mustSubmit(t, bad, "items", url.Values{"f.id": {"le:3"}})
	goodID := f.mustSubmit(t, good, "items", url.Values{"f.id": {"le:4"}})
	mysqltest.MustExec(t, mysqltest.MustOpen(t), "UPDATE `"+f.meta.Schema()+"`.jobs SET params = LEFT(params, 30) WHERE id = "+itoa(badID))
	if err := f.runner.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.runner.Close() })
	if j := f.waitJob(t, good, goodID); j.Status != "succeeded" {
		t.Fatalf("the other user's job = %+v, want succeeded", j)
	}
	j := f.waitJob(t, bad, badID)
	if j.Status != "failed" {
		t.Fatalf("damaged job = %+v, want failed", j)
	}
	for _, tc := range []struct {
		u    user
		path string
		want string
	}{
		{bad, "/jobs", "Unreadable export request"},
		{admin, "/jobs?all=1", "Unreadable export request"},
		{bad, "/jobs/" + itoa(badID), "could not be read back, so it was not run"},
		{bad, "/wed/", `class="notify-count"`},
	} {
		for _, asJSON := range []bool{false, true} {
			if r := f.do(t, tc.u, "GET", tc.path, nil, asJSON); r.status != 200 || (!asJSON && !strings.Contains(r.body, tc.want)) {
				t.Errorf("GET %s (JSON %v) = %d, want 200 with %q\n%.2000s", tc.path, asJSON, r.status, tc.want, r.body)
			}
		}
	}
	if r := f.post(t, bad, "/jobs/"+itoa(badID)+"/delete", nil); r.status != 303 {
		t.Errorf("delete = %d\n%.500s", r.status, r.body)
	}
	if r := f.do(t, bad, "GET", "/jobs/"+itoa(badID), nil, false); r.status != 404 {
		t.Errorf("after delete: %d, want 404", r.status)
	}
}

// TestJobOwnerCase: with a case-sensitive login column, "Zed" and "zed"
// are two users: neither sees the other's jobs, on the list, the job page
// or the badge.
func TestJobOwnerCase(t *testing.T) {
	f := MustOpenJobsServer(t, true)
	q := "`" + f.slot + "`.users"
	mysqltest.MustExec(t, mysqltest.MustOpen(t), "ALTER TABLE "+q+" MODIFY login_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL",
		"INSERT INTO "+q+" VALUES (90, 'Zed', '"+argon2Hash()+"', 1, 'staff'), (91, 'zed', '"+argon2Hash()+"', 1, 'staff')")
	upper, lower := f.session(t, "Zed"), f.session(t, "zed")
	id := f.mustSubmit(t, upper, "items", url.Values{"f.id": {"le:3"}})
	f.waitJob(t, upper, id)
	var list struct {
		Jobs   []jobJSON `json:"jobs"`
		Unseen int       `json:"unseen"`
	}
	r := f.do(t, lower, "GET", "/jobs", nil, true)
	if err := json.Unmarshal([]byte(r.body), &list); err != nil || len(list.Jobs) != 0 || list.Unseen != 0 {
		t.Errorf("zed's /jobs = %d %s, want no job and nothing unseen", r.status, r.body)
	}
	if r := f.do(t, lower, "GET", "/jobs/"+itoa(id), nil, false); r.status != 404 {
		t.Errorf("zed opens Zed's job: %d, want 404", r.status)
	}
	if n := unseen(t, f, upper); n != 1 {
		t.Errorf("Zed's badge = %d, want 1", n)
	}
}

// TestJobReplacedDownload: the same export asked again, concurrently or
// after the first finished: the earlier job ends replaced, its download
// answers 410 with a link to the newer job, whose file is the one served.
func TestJobReplacedDownload(t *testing.T) {
	f := MustOpenJobsServer(t, true)
	u := f.session(t, "argon")
	form := url.Values{"f.id": {"le:30"}}
	first := f.waitJob(t, u, f.mustSubmit(t, u, "items", form))
	second := f.mustSubmit(t, u, "items", form)
	checkReplaced(t, f, u, first.ID, second)
	var wg sync.WaitGroup
	ids := make([]int64, 2)
	for i := range 2 {
		wg.Go(func() {
			time.Sleep(time.Duration(i) * 10 * time.Millisecond)
			ids[i] = f.mustSubmit(t, u, "items", url.Values{"f.id": {"le:40"}})
		})
	}
	wg.Wait()
	checkReplaced(t, f, u, min(ids[0], ids[1]), max(ids[0], ids[1]))
}

// checkReplaced: job older ended replaced by newer; its download is 410
// and links to newer, which succeeds and downloads.
func checkReplaced(t *testing.T, f *jobsFixture, u user, older, newer int64) {
	t.Helper()
	if j := f.waitJob(t, u, newer); j.Status != "succeeded" {
		t.Fatalf("newer job = %+v", j)
	}
	j := f.waitJob(t, u, older)
	if j.Status != "replaced" || j.ReplacedBy != newer || j.DownloadURL != "" {
		t.Fatalf("older job = %+v, want replaced by %d, no download", j, newer)
	}
	r := f.do(t, u, "GET", "/jobs/"+itoa(older)+"/download", nil, false)
	if r.status != 410 || !strings.Contains(r.body, `<a class="job-newer" href="/jobs/`+itoa(newer)+`">Go to job #`+itoa(newer)+`</a>`) {
		t.Errorf("download of the replaced job = %d, want 410 linking to %d\n%.2000s", r.status, newer, r.body)
	}
	if r := f.do(t, u, "GET", "/jobs/"+itoa(older)+"/download", nil, true); r.status != 410 || !strings.Contains(r.body, `"replaced_by_url":"/jobs/`+itoa(newer)+`"`) {
		t.Errorf("JSON download of the replaced job = %d %s", r.status, r.body)
	}
	if r := f.do(t, u, "GET", "/jobs/"+itoa(newer)+"/download", nil, false); r.status != 200 {
		t.Errorf("download of the newer job = %d", r.status)
	}
}

// TestJobQuota: beyond the quota of kept files the oldest download is
// removed (410 saying why); a user whose kept exports are over the byte
// quota gets 409 naming the job to delete.
func TestJobQuota(t *testing.T) {
	f := MustOpenJobsServer(t, true, func(r *jobs.Runner) { r.QuotaFiles, r.QuotaBytes = 2, 0 })
	u := f.session(t, "argon")
	var ids []int64
	for _, le := range []string{"le:10", "le:20", "le:30"} {
		ids = append(ids, f.waitJob(t, u, f.mustSubmit(t, u, "items", url.Values{"f.id": {le}})).ID)
	}
	// The worker evicts just after it records the third job's end.
	for end := time.Now().Add(10 * time.Second); f.job(t, u, ids[0]).Status != "expired"; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("oldest job = %+v, want expired", f.job(t, u, ids[0]))
		}
	}
	r := f.do(t, u, "GET", "/jobs/"+itoa(ids[0])+"/download", nil, false)
	if r.status != 410 || !strings.Contains(r.body, "was removed to make room for newer ones") {
		t.Errorf("the oldest download = %d, want 410 saying it was removed for room\n%.2000s", r.status, r.body)
	}
	f.runner.QuotaBytes = 1 << 10
	_, r = f.submit(t, u, "items", url.Values{"f.id": {"le:5"}})
	want := "more than you may keep (2 exports, 1 KB). Delete #" + itoa(ids[1]) + ", #" + itoa(ids[2]) +
		" on the jobs page, then start this export again."
	if r.status != 409 || !strings.Contains(r.body, want) {
		t.Errorf("submit over quota = %d, want 409 saying %q\n%.2000s", r.status, want, r.body)
	}
}

// TestJobBadgeClearsOnDownload: downloading a finished job clears it from
// the owner's badge; an admin's download of it does not.
func TestJobBadgeClearsOnDownload(t *testing.T) {
	f := MustOpenJobsServer(t, true)
	u, admin := f.session(t, "argon"), f.session(t, "bcrypt")
	j := f.waitJob(t, u, f.mustSubmit(t, u, "items", nil))
	if r := f.do(t, admin, "GET", j.DownloadURL, nil, false); r.status != 200 || unseen(t, f, u) != 1 {
		t.Fatalf("after an admin's download (%d): unseen = %d, want 1", r.status, unseen(t, f, u))
	}
	if r := f.do(t, u, "GET", j.DownloadURL, nil, false); r.status != 200 {
		t.Fatalf("download = %d", r.status)
	}
	if n := unseen(t, f, u); n != 0 {
		t.Errorf("after the download: unseen = %d, want 0", n)
	}
}
