package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// exportForm is a background export's form: filters, sort, profile and
// encoding, as the records page's form sends them.
var exportForm = url.Values{"f.id": {"le:60"}, "f.note": {"notnull"}, "sort": {"-name"},
	"profile": {"spreadsheet"}, "encoding": {"utf-8-bom"}}

// TestJobExportDownload: the records page offers the background export;
// submitting it goes to the job's page, the job runs to the end, and its
// download is the direct download of the same parameters. It is audited,
// and the header announces it until the jobs page is visited.
func TestJobExportDownload(t *testing.T) {
	f := MustOpenJobsServer(t, true)
	u := f.session(t, "argon")
	page := f.do(t, u, "GET", "/wed/tables/items?f.id=le:60", nil, false)
	for _, want := range []string{`formaction="/wed/tables/items/exports"`, `formmethod="post"`, `name="csrf" value="` + u.csrf + `"`,
		`<script src="/static/jobs.js" defer></script>`, `class="notify"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("records page lacks %q", want)
		}
	}
	id := f.mustSubmit(t, u, "items", exportForm)
	r := f.do(t, u, "GET", "/jobs/"+itoa(id), nil, false)
	for _, want := range []string{`<progress class="job-bar" max="100"`, `data-poll="/jobs/` + itoa(id) + `"`, "items — backup of Wednesday",
		"<code>id=le:60</code>", "<code>sort=-name</code>"} {
		if r.status != 200 || !strings.Contains(r.body, want) {
			t.Errorf("job page = %d, lacks %q\n%.3000s", r.status, want, r.body)
		}
	}
	j := f.waitJob(t, u, id)
	if j.Status != "succeeded" || j.Percent != 100 || j.DownloadURL != "/jobs/"+itoa(id)+"/download" || j.RowsDone != 40 {
		t.Fatalf("job = %+v, want succeeded, 100 %%, 40 rows, with a download", j)
	}
	checkNotified(t, f, u, id)
	got := f.do(t, u, "GET", j.DownloadURL, nil, false)
	direct := f.do(t, u, "GET", "/wed/tables/items/export.csv?"+exportForm.Encode(), nil, false)
	if got.status != 200 || direct.status != 200 || got.body != direct.body || len(got.body) < 100 {
		t.Fatalf("download = %d (%d bytes), direct = %d (%d bytes): they differ\n%.300s\n---\n%.300s", got.status, len(got.body),
			direct.status, len(direct.body), got.body, direct.body)
	}
	for _, h := range []string{"Content-Type", "Content-Disposition"} {
		if got.header.Get(h) != direct.header.Get(h) {
			t.Errorf("%s = %q, want %q as the direct download", h, got.header.Get(h), direct.header.Get(h))
		}
	}
	checkExportAudited(t, f, u.login, id)
}

// checkExportAudited: the job's export is in the audit log like a direct
// download.
func checkExportAudited(t *testing.T, f *jobsFixture, login string, id int64) {
	t.Helper()
	entries, err := f.meta.AuditEntries(context.Background(), 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Action == weekback.AuditExport && e.Login == login && strings.Contains(e.Detail, "job="+itoa(id)) {
			if e.Day != weekback.Wednesday || e.Table != "items" || !strings.Contains(e.Detail, "filter=id=le:60") {
				t.Errorf("audit entry = %+v", e)
			}
			return
		}
	}
	t.Errorf("no audit entry of job %d in %+v", id, entries)
}

// checkNotified: every page's header counts the finished job and links
// to its download until /jobs is visited; the badge's JSON says the same.
func checkNotified(t *testing.T, f *jobsFixture, u user, id int64) {
	t.Helper()
	page := f.do(t, u, "GET", "/wed/", nil, false)
	for _, want := range []string{`<span class="notify-count" aria-live="polite" title="finished since your last visit of the jobs page">1</span>`,
		`<a class="notify-latest" href="/jobs/` + itoa(id) + `/download">Download items-wed-2026-03-04.csv</a>`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("header lacks %q:\n%.1500s", want, page.body)
		}
	}
	if n := unseen(t, f, u); n != 1 {
		t.Errorf("unseen = %d, want 1", n)
	}
	if r := f.do(t, u, "GET", "/jobs/?notify=1", nil, true); strings.Contains(r.body, `"jobs"`) {
		t.Errorf("notify=1 answers the jobs too: %.300s", r.body)
	}
	f.do(t, u, "GET", "/jobs", nil, false)
	if n := unseen(t, f, u); n != 0 {
		t.Errorf("after /jobs: unseen = %d, want 0", n)
	}
	if page := f.do(t, u, "GET", "/wed/", nil, false); !strings.Contains(page.body, `class="notify-count" aria-live="polite" title="finished since your last visit of the jobs page" hidden>0<`) {
		t.Errorf("the badge is still shown after /jobs:\n%.1500s", page.body)
	}
}

// unseen returns the badge's count, as jobs.js reads it.
func unseen(t *testing.T, f *jobsFixture, u user) int {
	t.Helper()
	r := f.do(t, u, "GET", "/jobs?notify=1", nil, true)
	var got struct {
		Unseen *int `json:"unseen"`
	}
	if err := json.Unmarshal([]byte(r.body), &got); err != nil || got.Unseen == nil {
		t.Fatalf("GET /jobs?notify=1 = %d %s", r.status, r.body)
	}
	return *got.Unseen
}

// TestJobMasksCredentials: a background export masks credential columns
// as the direct download does.
func TestJobMasksCredentials(t *testing.T) {
	f := MustOpenJobsServer(t, true)
	u := f.session(t, "argon")
	j := f.waitJob(t, u, f.mustSubmit(t, u, "customers", nil))
	got := f.do(t, u, "GET", j.DownloadURL, nil, false)
	if j.Status != "succeeded" || got.status != 200 || !strings.Contains(got.body, "a@example.com") || strings.Contains(got.body, "tok-SECRET") {
		t.Fatalf("job %+v, download %d:\n%s", j, got.status, got.body)
	}
}

// TestJobVisibility: another user's job does not exist for a non-admin
// (404 everywhere, never 403); an admin sees it on the "All jobs" tab.
func TestJobVisibility(t *testing.T) {
	f := MustOpenJobsServer(t, true)
	owner, other, admin := f.session(t, "argon"), f.session(t, "django"), f.session(t, "bcrypt")
	id := f.mustSubmit(t, owner, "items", nil)
	f.waitJob(t, owner, id)
	base := "/jobs/" + itoa(id)
	for _, path := range []string{base, base + "/download", base + "/errors.csv"} {
		for _, asJSON := range []bool{false, true} {
			if r := f.do(t, other, "GET", path, nil, asJSON); r.status != 404 || strings.Contains(r.body, "argon") {
				t.Errorf("GET %s (JSON %v) by another user = %d, want 404\n%.500s", path, asJSON, r.status, r.body)
			}
		}
	}
	for _, path := range []string{base + "/cancel", base + "/delete"} {
		if r := f.post(t, other, path, nil); r.status != 404 {
			t.Errorf("POST %s by another user = %d, want 404", path, r.status)
		}
	}
	if r := f.do(t, other, "GET", "/jobs?all=1", nil, false); strings.Contains(r.body, `data-job="`+itoa(id)+`"`) || strings.Contains(r.body, "All jobs") {
		t.Errorf("a non-admin's all=1 shows others' jobs or the tab")
	}
	if r := f.do(t, admin, "GET", "/jobs", nil, false); strings.Contains(r.body, `data-job="`+itoa(id)+`"`) {
		t.Errorf("the admin's own tab shows another user's job")
	}
	r := f.do(t, admin, "GET", "/jobs?all=1", nil, false)
	if !strings.Contains(r.body, `data-job="`+itoa(id)+`"`) || !strings.Contains(r.body, "<td>argon</td>") || !strings.Contains(r.body, `aria-current="page">All jobs`) {
		t.Errorf("all=1 for an admin lacks the job:\n%.3000s", r.body)
	}
	if r := f.do(t, admin, "GET", base+"/download", nil, false); r.status != 200 {
		t.Errorf("admin download = %d", r.status)
	}
	if r := f.do(t, f.session(t, "argon"), "GET", base, nil, false); r.status != 200 {
		t.Errorf("the owner's page = %d", r.status)
	}
}

// TestJobPathTraversal: only a positive decimal id names a job; nothing
// else reaches the store or the file system.
func TestJobPathTraversal(t *testing.T) {
	f := MustOpenJobsServer(t, true)
	u := f.session(t, "argon")
	id := f.mustSubmit(t, u, "items", nil)
	f.waitJob(t, u, id)
	for _, path := range []string{"/jobs/..%2F..%2Fetc%2Fpasswd/download", "/jobs/../../etc/passwd", "/jobs/%2e%2e/download",
		"/jobs/%2e%2e%2f" + itoa(id) + "/download", "/jobs/" + itoa(id) + ".csv/download", "/jobs/-1/download", "/jobs/0/download",
		"/jobs/+" + itoa(id) + "/download", "/jobs/0" + itoa(id) + "/download", "/jobs/" + itoa(id) + "%00/download",
		"/jobs/99999999999999999999/download", "/jobs/1e3/download", "/jobs/%20" + itoa(id) + "/download", "/jobs/" + itoa(id) + "/download/x",
		"/jobs/" + itoa(id) + "%2Fdownload", "/jobs/" + itoa(id) + "/errors.csv%2F..%2F..%2Fetc%2Fpasswd"} {
		t.Run(path, func(t *testing.T) {
			if r := f.do(t, u, "GET", path, nil, false); r.status != 404 || strings.Contains(r.body, "root:") {
				t.Fatalf("status = %d, want 404\n%.300s", r.status, r.body)
			}
		})
	}
}

// TestJobExpired: once exports.download_ttl is over, the download and the
// error log answer 410 with a sentence saying how to export again.
func TestJobExpired(t *testing.T) {
	f := MustOpenJobsServer(t, true)
	u := f.session(t, "argon")
	id := f.mustSubmit(t, u, "items", nil)
	f.waitJob(t, u, id)
	f.ageJob(t, id, f.runner.DownloadTTL+time.Minute)
	base := "/jobs/" + itoa(id)
	for _, path := range []string{base + "/download", base + "/errors.csv"} {
		r := f.do(t, u, "GET", path, nil, false)
		want := "The file of this export has expired: files are kept for 20 hours after the export. Export items again from its page"
		if r.status != 410 || !strings.Contains(r.body, want) || !strings.Contains(r.body, `<a href="/wed/tables/items">Go to items to export it again</a>`) {
			t.Errorf("GET %s = %d, want 410 with %q\n%.2000s", path, r.status, want, r.body)
		}
		if r := f.do(t, u, "GET", path, nil, true); r.status != 410 || !strings.Contains(r.body, `"table_url":"/wed/tables/items"`) {
			t.Errorf("GET %s as JSON = %d %s", path, r.status, r.body)
		}
	}
	if j := f.job(t, u, id); j.Status != "expired" || j.DownloadURL != "" {
		t.Errorf("job = %+v, want expired without a download", j)
	}
	fr := f.request(t, "GET", base+"/download", nil, []*http.Cookie{u.cookie}, map[string]string{"Accept-Language": "fr"})
	if fr.status != 410 || !strings.Contains(fr.body, "Le fichier de cet export a expiré") {
		t.Errorf("in French: %d\n%.1000s", fr.status, fr.body)
	}
}

// TestJobQueue: with the workers stopped, jobs stay queued: the per-user
// limit answers 409, the same export asked again replaces the earlier
// one (and its page says so), cancel and delete work and need the
// session's CSRF token.
func TestJobQueue(t *testing.T) {
	f := MustOpenJobsServer(t, false)
	u := f.session(t, "argon")
	first := f.mustSubmit(t, u, "items", url.Values{"f.id": {"lt:10"}})
	second := f.mustSubmit(t, u, "items", url.Values{"f.id": {"lt:20"}})
	if _, r := f.submit(t, u, "items", url.Values{"f.id": {"lt:30"}}); r.status != 409 ||
		!strings.Contains(r.body, "You already have 2 exports queued or running, the most allowed.") {
		t.Errorf("third job = %d, want 409 with the limit's sentence\n%.2000s", r.status, r.body)
	}
	again := f.mustSubmit(t, u, "items", url.Values{"f.id": {"lt:10"}})
	if j := f.job(t, u, first); j.Status != "replaced" || j.ReplacedBy != again || j.StatusText != "replaced by #"+itoa(again) {
		t.Errorf("replaced job = %+v", j)
	}
	page := f.do(t, u, "GET", "/jobs/"+itoa(again), nil, false)
	if !strings.Contains(page.body, "This export replaced the same export asked for earlier: <a href=\"/jobs/"+itoa(first)+"\">#"+itoa(first)+"</a>") {
		t.Errorf("the new job's page does not name the replaced one:\n%.3000s", page.body)
	}
	checkCSRF(t, f, u, second)
	if r := f.post(t, u, "/jobs/"+itoa(second)+"/cancel", nil); r.status != 303 || r.header.Get("Location") != "/jobs/"+itoa(second) {
		t.Errorf("cancel = %d to %q", r.status, r.header.Get("Location"))
	}
	if j := f.job(t, u, second); j.Status != "canceled" || j.Active {
		t.Errorf("canceled job = %+v", j)
	}
	if r := f.post(t, u, "/jobs/"+itoa(second)+"/delete", url.Values{"next": {"/jobs"}}); r.status != 303 || r.header.Get("Location") != "/jobs" {
		t.Errorf("delete = %d to %q", r.status, r.header.Get("Location"))
	}
	if r := f.do(t, u, "GET", "/jobs/"+itoa(second), nil, false); r.status != 404 || !strings.Contains(r.body, "There is no export job #"+itoa(second)) {
		t.Errorf("deleted job = %d\n%.500s", r.status, r.body)
	}
	if r := f.do(t, u, "GET", "/jobs/"+itoa(again)+"/download", nil, false); r.status != 404 || !strings.Contains(r.body, "has no file to download (status: queued)") {
		t.Errorf("download of a queued job = %d\n%.500s", r.status, r.body)
	}
}

// checkCSRF: the POSTs of the export center refuse a missing or wrong
// token and a foreign origin (403), and change nothing.
func checkCSRF(t *testing.T, f *jobsFixture, u user, id int64) {
	t.Helper()
	bad := u
	for name, token := range map[string]string{"no token": "", "wrong token": strings.Repeat("A", 43)} {
		bad.csrf = token
		for _, path := range []string{"/jobs/" + itoa(id) + "/cancel", "/jobs/" + itoa(id) + "/delete", "/wed/tables/items/exports"} {
			form := url.Values{}
			if token != "" {
				form.Set("csrf", token)
			}
			if r := f.do(t, bad, "POST", path, form, false); r.status != 403 {
				t.Errorf("%s: POST %s = %d, want 403", name, path, r.status)
			}
		}
	}
	form := url.Values{"csrf": {u.csrf}}
	r := f.request(t, "POST", "/jobs/"+itoa(id)+"/cancel", form, []*http.Cookie{u.cookie}, map[string]string{"Origin": "https://evil.example"})
	if r.status != 403 {
		t.Errorf("foreign origin: %d, want 403", r.status)
	}
	if j := f.job(t, u, id); j.Status != "queued" {
		t.Errorf("after refused POSTs the job is %s, want queued", j.Status)
	}
}

// TestJobsOff: without a runner the export center does not exist.
func TestJobsOff(t *testing.T) {
	f := MustOpenDayServer(t)
	for _, path := range []string{"/jobs", "/jobs/1", "/jobs/1/download"} {
		if r := f.get(t, path, false); r.status != 404 {
			t.Errorf("GET %s = %d, want 404", path, r.status)
		}
	}
	if r := f.get(t, "/wed/tables/items", false); strings.Contains(r.body, "export-background") || strings.Contains(r.body, "jobs.js") {
		t.Errorf("the records page offers background exports without a runner")
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// TestJobErrorLog: the characters Shift_JIS cannot hold are listed in the
// job's error log, the same list the direct download offers, and the file
// holds '?' in their place, as the direct download with lossy=1. The job
// completed with losses: its own status, colour and download text, with
// the error log next to the download.
func TestJobErrorLog(t *testing.T) {
	f := MustOpenJobsServer(t, true)
	mysqltest.MustExec(t, mysqltest.MustOpen(t), "UPDATE `"+f.slot+"`.items SET note = 'smile 😀', name = 'ok 𠮷' WHERE id = 2")
	u := f.session(t, "argon")
	form := url.Values{"f.id": {"le:5"}, "profile": {"spreadsheet"}, "encoding": {"shift_jis"}}
	j := f.waitJob(t, u, f.mustSubmit(t, u, "items", form))
	if j.Status != "lossy" || j.StatusText != "completed with losses" || j.Errors != 2 || j.ErrorsURL != "/jobs/"+itoa(j.ID)+"/errors.csv" ||
		j.DownloadText != "Download with losses (2 characters replaced by ?)" {
		t.Fatalf("job = %+v, want completed with losses (lossy), 2 errors and their log", j)
	}
	for _, path := range []string{"/jobs/" + itoa(j.ID), "/jobs"} {
		page := f.do(t, u, "GET", path, nil, false)
		for _, want := range []string{`<span class="job-errors-text">2 errors</span> <a class="job-errors-link" href="/jobs/` + itoa(j.ID) + `/errors.csv">`,
			`<span class="job-state state-lossy"><span class="job-status-text">completed with losses</span>`,
			`<a class="job-download lossy" href="/jobs/` + itoa(j.ID) + `/download"><span class="job-download-text">Download with losses (2 characters replaced by ?)</span>`,
			`</a><a class="job-download-errors" href="/jobs/` + itoa(j.ID) + `/errors.csv">Error log (CSV)</a>`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("%s lacks %s:\n%.3000s", path, want, page.body)
			}
		}
	}
	log := f.do(t, u, "GET", j.ErrorsURL, nil, false)
	list := f.do(t, u, "GET", "/wed/tables/items/export.csv?"+form.Encode()+"&unencodable=csv", nil, false)
	if log.status != 200 || log.body != list.body || !strings.Contains(log.body, "😀") ||
		log.header.Get("Content-Disposition") != `attachment; filename="job-`+itoa(j.ID)+`-errors.csv"; filename*=UTF-8''job-`+itoa(j.ID)+`-errors.csv` {
		t.Errorf("errors.csv = %d %v\n%s\nwant the direct list:\n%s", log.status, log.header, log.body, list.body)
	}
	file := f.do(t, u, "GET", j.DownloadURL, nil, false)
	form.Set("lossy", "1")
	direct := f.do(t, u, "GET", "/wed/tables/items/export.csv?"+form.Encode(), nil, false)
	if file.status != 200 || file.body != direct.body || file.header.Get("Content-Type") != "text/csv; charset=Shift_JIS" {
		t.Errorf("download = %d %q, want the lossy direct download", file.status, file.header.Get("Content-Type"))
	}
}
