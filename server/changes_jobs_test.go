package server_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/weekback/weekback/jobs"
)

// mustOpenCompareJobs returns the jobs fixture with the compare copies
// and a runner that compares through the server.
func mustOpenCompareJobs(t *testing.T) *jobsFixture {
	t.Helper()
	f := MustOpenJobsServer(t, false)
	addCompareCopies(t, f.dayFixture)
	f.runner.Compare = f.srv.CompareJob
	if err := f.runner.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.runner.Close() })
	return f
}

// compareJobText is what a comparison's job page says, as JSON.
type compareJobText struct {
	jobJSON
	Description  string `json:"description"`
	ProgressText string `json:"progress_text"`
}

func (f *jobsFixture) compareJob(t *testing.T, u user, id int64) compareJobText {
	t.Helper()
	var j compareJobText
	f.jobInto(t, u, id, &j)
	return j
}

// submitCompare posts the changes page's "Compare in the background" form
// and returns the job's id.
func (f *jobsFixture) submitCompare(t *testing.T, u user, path string) int64 {
	t.Helper()
	r := f.post(t, u, path, nil)
	id, err := strconv.ParseInt(strings.TrimPrefix(r.header.Get("Location"), "/jobs/"), 10, 64)
	if r.status != 303 || err != nil {
		t.Fatalf("POST %s = %d %q\n%.2000s", path, r.status, r.header.Get("Location"), r.body)
	}
	return id
}

// TestCompareJob: a changes page still comparing offers "Compare in the
// background"; the job shows in the export center with its progress in
// tables, finishes with a link to the changes page, which then shows the
// result; the change set is stored in the meta schema.
func TestCompareJob(t *testing.T) {
	f := mustOpenCompareJobs(t)
	u := f.session(t, "bcrypt")
	ctx := context.Background()
	unlock := lockThursdayItems(t, f.dayFixture)
	f.srv.RequestTimeout = 2 * time.Second
	page := f.do(t, u, "GET", "/thu/changes?against=wed", nil, false)
	form := `<form class="compare-job" method="post" action="/thu/changes/jobs?against=wed"><input type="hidden" name="csrf" value="` + u.csrf + `"><button type="submit">Compare in the background</button>`
	if page.status != 202 || !strings.Contains(page.body, form) {
		t.Fatalf("while comparing: status %d, want 202 with the form %s\n%.3000s", page.status, form, page.body)
	}
	id := f.submitCompare(t, u, "/thu/changes/jobs?against=wed")
	deadline := time.Now().Add(20 * time.Second)
	for j := f.compareJob(t, u, id); j.Status != "running" || !strings.HasSuffix(j.ProgressText, "of 6 tables"); j = f.compareJob(t, u, id) {
		if time.Now().After(deadline) {
			t.Fatalf("job %+v: want running with a progress in tables (6: both days' tables)", j)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if list := f.do(t, u, "GET", "/jobs", nil, false); !strings.Contains(list.body, "Changes of Thursday against Wednesday") {
		t.Errorf("/jobs does not list the comparison:\n%.3000s", list.body)
	}
	unlock()
	f.srv.RequestTimeout = 30 * time.Second
	j := f.waitJob(t, u, id)
	if j.Status != "succeeded" || j.DownloadURL != "/thu/changes?against=wed" || j.DownloadText != "Open the changes" || j.File != "" {
		t.Fatalf("finished job %+v: want succeeded, linking to the changes page, no file", j)
	}
	if jp := f.do(t, u, "GET", "/jobs/"+strconv.FormatInt(id, 10), nil, false); !strings.Contains(jp.body, `href="/thu/changes?against=wed"`) {
		t.Errorf("the job's page does not link to the changes page:\n%.3000s", jp.body)
	}
	if r := f.do(t, u, "GET", "/jobs/"+strconv.FormatInt(id, 10)+"/download", nil, false); r.status != 404 {
		t.Errorf("a comparison's download = %d, want 404 (it has no file)", r.status)
	}
	if r := f.do(t, u, "GET", "/thu/changes?against=wed", nil, false); r.status != 200 || !strings.Contains(r.body, `data-table="items"`) {
		t.Fatalf("the changes page after the job: status %d\n%.2000s", r.status, r.body)
	}
	if cs, err := f.meta.ChangeSet(ctx, f.slot, f.meta.Prefix()+"_thu_r2"); err != nil || cs == nil {
		t.Errorf("stored change set of wed..thu = %v, %v; want one", cs, err)
	}
}

// TestCompareJobAlone: a comparison job nobody's page started computes
// and stores the pair itself; a repeat replaces it; a day compared with
// itself or with production is refused.
func TestCompareJobAlone(t *testing.T) {
	f := mustOpenCompareJobs(t)
	u := f.session(t, "bcrypt")
	first := f.submitCompare(t, u, "/tue/changes/jobs?against=wed")
	second := f.submitCompare(t, u, "/tue/changes/jobs?against=wed")
	if j := f.waitJob(t, u, first); j.Status != "replaced" || j.ReplacedBy != second {
		t.Errorf("first job %+v: want replaced by %d", j, second)
	}
	if j := f.waitJob(t, u, second); j.Status != "succeeded" || j.DownloadURL != "/tue/changes?against=wed" {
		t.Fatalf("second job %+v: want succeeded", j)
	}
	cs, err := f.meta.ChangeSet(context.Background(), f.meta.Prefix()+"_tue_r1", f.slot)
	if err != nil || cs == nil || !strings.Contains(string(cs.Tables), `"table":"items"`) {
		t.Fatalf("stored change set of tue..wed = %+v, %v; want items in it", cs, err)
	}
	if r := f.do(t, u, "GET", "/tue/changes?against=wed", nil, false); r.status != 200 || !strings.Contains(r.body, `data-table="items"`) {
		t.Fatalf("the changes page after the job: status %d\n%.2000s", r.status, r.body)
	}
	f.ageJob(t, second, 2*jobs.DefaultDownloadTTL)
	if err := f.runner.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if kept, err := f.meta.Kept(context.Background(), u.login); err != nil || len(kept) != 0 {
		t.Errorf("kept downloads = %d (%v), want none: a comparison has no file", len(kept), err)
	}
	if j := f.job(t, u, second); j.Status != "succeeded" {
		t.Errorf("after the download TTL and a sweep the comparison is %s, want still succeeded (it has no file to expire)", j.Status)
	}
	for _, path := range []string{"/tue/changes/jobs?against=tue", "/tue/changes/jobs?against=production", "/tue/changes/jobs?against=xyz"} {
		if r := f.post(t, u, path, nil); r.status != 400 {
			t.Errorf("POST %s = %d, want 400", path, r.status)
		}
	}
}
