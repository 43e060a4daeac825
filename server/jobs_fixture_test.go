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
	"github.com/weekback/weekback/jobs"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// jobsFixture is the day fixture with a job runner over its meta schema,
// writing to a temporary folder, and CSV downloads read as serve reads
// them (mysql.RoleExport), by the server and the runner alike.
type jobsFixture struct {
	*dayFixture
	runner *jobs.Runner
	admin  *mysql.Meta // the meta schema, to set up runs and age jobs
}

// MustOpenJobsServer returns the fixture; with start unset the runner's
// workers are not started, so that submitted jobs stay queued.
func MustOpenJobsServer(t *testing.T, start bool, configure ...func(*jobs.Runner)) *jobsFixture {
	t.Helper()
	f := mustOpenExportServer(t)
	admin, err := mysql.OpenMeta(context.Background(), f.db, f.meta.Prefix())
	if err != nil {
		t.Fatal(err)
	}
	admin.Now = f.clock.Now
	r := jobs.New()
	r.Store, r.Generations, r.Slots, r.Catalog = f.meta, f.meta, f.srv.ExportSlots, f.srv.Catalog
	r.Redaction = weekback.Redaction{PasswordTable: f.srv.PasswordTable, PasswordColumn: f.srv.PasswordColumn, Globs: f.srv.Redact}
	r.Location, r.Dir, r.Now = f.srv.Location, t.TempDir(), f.clock.Now
	r.Workers, r.Poll, r.Heartbeat, r.Lease, r.MaxActive = 1, 20*time.Millisecond, 100*time.Millisecond, 2*time.Second, 2
	for _, c := range configure {
		c(r)
	}
	if start {
		if err := r.Open(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
	}
	f.srv.Jobs, f.srv.Runs = r, f.meta
	f.srv.Build()
	return &jobsFixture{dayFixture: f, runner: r, admin: admin}
}

// user is a logged-in session and the CSRF token of its forms.
type user struct {
	login  string
	cookie *http.Cookie
	csrf   string
}

// session logs login in.
func (f *jobsFixture) session(t *testing.T, login string) user {
	t.Helper()
	c := f.mustLogin(t, login)
	r := f.me(t, c)
	var me struct{ CSRF string }
	if err := json.Unmarshal([]byte(r.body), &me); err != nil || me.CSRF == "" {
		t.Fatalf("/me = %d %s", r.status, r.body)
	}
	return user{login: login, cookie: c, csrf: me.CSRF}
}

// do sends a request as u: a form when form is set, JSON asked for when
// asJSON. Pages are checked as every page is: no caching, no inline code,
// no credential.
func (f *jobsFixture) do(t *testing.T, u user, method, path string, form url.Values, asJSON bool) response {
	t.Helper()
	header := map[string]string{}
	if asJSON {
		header["Accept"] = "application/json"
	}
	r := f.request(t, method, path, form, []*http.Cookie{u.cookie}, header)
	if method == "GET" && r.status == 200 && !strings.HasSuffix(strings.SplitN(path, "?", 2)[0], "/download") {
		// jobs.js is the one script a page may load (from /static).
		page := r
		page.body = strings.ReplaceAll(r.body, `<script src="/static/jobs.js" defer></script>`, "")
		f.checkPage(t, path, page)
	}
	return r
}

// post sends a form as u with its CSRF token.
func (f *jobsFixture) post(t *testing.T, u user, path string, form url.Values) response {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", u.csrf)
	return f.do(t, u, "POST", path, form, false)
}

// submit starts a background export of table as u and returns the job's
// id (0 when the answer is no redirect to a job page).
func (f *jobsFixture) submit(t *testing.T, u user, table string, form url.Values) (int64, response) {
	t.Helper()
	r := f.post(t, u, "/wed/tables/"+table+"/exports", form)
	loc, ok := strings.CutPrefix(r.header.Get("Location"), "/jobs/")
	if r.status != 303 || !ok {
		return 0, r
	}
	id, err := strconv.ParseInt(loc, 10, 64)
	if err != nil {
		t.Fatalf("Location = %q", r.header.Get("Location"))
	}
	return id, r
}

// mustSubmit is submit that fails the test without a job.
func (f *jobsFixture) mustSubmit(t *testing.T, u user, table string, form url.Values) int64 {
	t.Helper()
	id, r := f.submit(t, u, table, form)
	if id == 0 {
		t.Fatalf("submit %s %v = %d %s\n%.2000s", table, form, r.status, r.header.Get("Location"), r.body)
	}
	return id
}

// jobJSON is what the JSON of a job page holds.
type jobJSON struct {
	ID           int64  `json:"id"`
	Owner        string `json:"owner"`
	Status       string `json:"status"`
	Active       bool   `json:"active"`
	Percent      int    `json:"percent"`
	RowsDone     int64  `json:"rows_done"`
	RowsTotal    int64  `json:"rows_total"`
	Errors       int64  `json:"errors"`
	File         string `json:"file"`
	ReplacedBy   int64  `json:"replaced_by"`
	DownloadURL  string `json:"download_url"`
	DownloadText string `json:"download_text"`
	ErrorsURL    string `json:"errors_url"`
	StatusText   string `json:"status_text"`
}

// job returns job id as u sees it.
func (f *jobsFixture) job(t *testing.T, u user, id int64) jobJSON {
	t.Helper()
	var j jobJSON
	f.jobInto(t, u, id, &j)
	return j
}

// jobInto decodes the JSON of job id's page, as u sees it, into v.
func (f *jobsFixture) jobInto(t *testing.T, u user, id int64, v any) {
	t.Helper()
	r := f.do(t, u, "GET", "/jobs/"+strconv.FormatInt(id, 10), nil, true)
	if r.status != 200 || json.Unmarshal([]byte(r.body), v) != nil {
		t.Fatalf("GET /jobs/%d as JSON = %d %s", id, r.status, r.body)
	}
}

// waitJob polls job id as the page does until it is no longer active
// (for at most 30 s).
func (f *jobsFixture) waitJob(t *testing.T, u user, id int64) jobJSON {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		j := f.job(t, u, id)
		if !j.Active {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d still %s after 30 s", id, j.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ageJob moves job id's end back by d, as if it had finished d earlier.
func (f *jobsFixture) ageJob(t *testing.T, id int64, d time.Duration) {
	t.Helper()
	mysqltest.MustExec(t, mysqltest.MustOpen(t), "UPDATE `"+f.meta.Schema()+"`.jobs SET finished_at = finished_at - INTERVAL "+
		strconv.FormatInt(int64(d/time.Second), 10)+" SECOND WHERE id = "+strconv.FormatInt(id, 10))
}
