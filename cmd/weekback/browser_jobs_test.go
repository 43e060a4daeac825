package main

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestBrowserJobs starts a background export from the records page,
// watches its progress bar reach 100 % without reloading the page, sees
// the header's notification and downloads the file.
func TestBrowserJobs(t *testing.T) {
	exe := chromiumPath(t)
	db := mysqltest.MustOpen(t)
	src := mustLoadJobsSource(t, db)
	prefix := newPrefix(t, db)
	cfgPath := writeConfig(t, testConfig{SourceDSN: mysqltest.DSN(t, src), BackupDSN: mysqltest.DSN(t, ""), Prefix: prefix})
	mustSnapshot(t, cfgPath, weekback.Monday)
	addr := freeAddr(t)
	r := startJobsReplica(t, src, prefix, t.TempDir(), addr, "http://"+addr)
	// Keep the only worker busy, so the browser's job is seen queued first.
	c := login(t, r.base, "support", zooPassword)
	csrf := mustCSRF(t, c, r.base)
	for i := range 3 {
		submitJob(t, c, r.base, csrf, fmt.Sprintf("id=ge:%d", i+1))
	}
	b := newBrowser(t, exe, r.base)
	b.open("/login?next=/mon/tables/orders")
	b.run("fill the login form",
		chromedp.SendKeys(chromedp.CSS(`input[name="login"]`), "support"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), zooPassword))
	b.clickAndWait(`form[action="/login"] [type="submit"]`)
	b.jsAndWait("export in the background", `document.querySelector("details.export-form").open = true;
		document.querySelector("select[name=profile]").value = "spreadsheet";
		document.querySelector("select[name=encoding]").value = "utf-8-bom";
		document.querySelector("button.export-background").click()`)
	p := b.where()
	if !strings.HasPrefix(p.Path, "/jobs/") || p.Status != 200 {
		t.Fatalf("after starting the export: %s (HTTP %d), want its job page", p.Path, p.Status)
	}
	b.shot("job-started")
	var first int
	b.eval(`window.__stayed = true; Number(document.querySelector("progress.job-bar").value || 0)`, &first)
	if first >= 100 {
		t.Errorf("the job was already done when its page opened (progress %d): nothing was watched", first)
	}
	done := waitInPage(t, b, `document.querySelector(".job-download:not([hidden])") !== null &&
		Number(document.querySelector("progress.job-bar").value) === 100`, 60*time.Second)
	var stayed bool
	b.eval(`window.__stayed === true`, &stayed)
	if !done || !stayed {
		t.Fatalf("progress reached 100 %%: %v, without reloading the page: %v", done, stayed)
	}
	var over bool
	b.eval(`document.querySelector(".job-leave").hidden && !document.querySelector(".job-over").hidden`, &over)
	if !over {
		t.Error(`the finished job's page still says "the export goes on"`)
	}
	b.shot("job-done")
	var lines int
	b.eval(`fetch(document.querySelector(".job-download").href).then(r => r.text()).then(s => s.split("\r\n").length - 1)`, &lines)
	if want := jobsRows + 1; lines != want {
		t.Errorf("the download has %d lines, want %d (a header and every row)", lines, want)
	}
	b.open("/mon/")
	if !waitInPage(t, b, `document.querySelector(".notify-count:not([hidden])") !== null`, 10*time.Second) {
		t.Error("the header shows no notification of the finished jobs")
	}
	b.shot("notified")
}

// waitInPage evaluates cond in the page every 200 ms until it is true or
// timeout passes; it reports whether it became true.
func waitInPage(t *testing.T, b *browser, cond string, timeout time.Duration) bool {
	t.Helper()
	for end := time.Now().Add(timeout); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		var ok bool
		b.eval(cond, &ok)
		if ok {
			return true
		}
	}
	return false
}

// TestBrowserFinishedJobPage: a finished job's page says it is over, not
// that the export goes on; its delete button shows a drawn icon (no emoji
// font needed); downloading the file clears the header's badge. The job,
// a Shift_JIS export of a row with an emoji, completed with losses: its
// status has its own colour on the job page and on /jobs, its download
// link says so and its error log opens from there.
func TestBrowserFinishedJobPage(t *testing.T) {
	exe := chromiumPath(t)
	db := mysqltest.MustOpen(t)
	src := mustLoadJobsSource(t, db)
	prefix := newPrefix(t, db)
	cfgPath := writeConfig(t, testConfig{SourceDSN: mysqltest.DSN(t, src), BackupDSN: mysqltest.DSN(t, ""), Prefix: prefix})
	mysqltest.MustExec(t, db, "UPDATE `"+src+"`.orders SET note = 'smile 😀' WHERE id = 7")
	mustSnapshot(t, cfgPath, weekback.Monday)
	addr := freeAddr(t)
	r := startJobsReplica(t, src, prefix, t.TempDir(), addr, "http://"+addr)
	c := login(t, r.base, "support", zooPassword)
	id := postJob(t, c, r.base, "/mon/tables/orders/exports", url.Values{"csrf": {mustCSRF(t, c, r.base)}, "f.id": {"le:100"},
		"profile": {"spreadsheet"}, "encoding": {"shift_jis"}})
	if j := waitJobsFinal(t, c, r.base, 1, 60*time.Second)[id]; j.Status != weekback.JobLossy {
		t.Fatalf("job = %+v, want lossy", j)
	}

	b := newBrowser(t, exe, r.base)
	b.open("/login?next=/mon/")
	b.run("fill the login form",
		chromedp.SendKeys(chromedp.CSS(`input[name="login"]`), "support"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), zooPassword))
	b.clickAndWait(`form[action="/login"] [type="submit"]`)
	if !b.exists(".notify-count:not([hidden])") {
		t.Fatal("the header shows no badge for the finished job")
	}
	b.open(fmt.Sprintf("/jobs/%d", id))
	b.shot("job-finished")
	var page struct {
		Leave, Over bool
		IconWidth   float64
		Text        string
	}
	b.eval(`(() => {
		const btn = document.querySelector("form.job-delete button"), icon = btn.querySelector("svg");
		return {Leave: document.querySelector(".job-leave").offsetParent !== null,
			Over: document.querySelector(".job-over").offsetParent !== null,
			IconWidth: icon ? icon.getBoundingClientRect().width : 0, Text: btn.textContent};
	})()`, &page)
	if page.Leave || !page.Over {
		t.Errorf(`finished job page: "the export goes on" shown %v, "this export is over" shown %v`, page.Leave, page.Over)
	}
	if page.IconWidth < 8 || strings.ContainsRune(page.Text, '🗑') {
		t.Errorf("delete button: icon %.0f px wide, text %q; want a drawn icon and no emoji", page.IconWidth, page.Text)
	}
	checkLossyShown(t, b)
	var status int
	b.eval(`fetch(document.querySelector(".job-download").href).then(r => r.text().then(() => r.status))`, &status)
	if status != 200 {
		t.Fatalf("download = %d", status)
	}
	b.open("/mon/")
	if b.exists(".notify-count:not([hidden])") {
		t.Error("the badge still shows after the download")
	}
	b.shot("badge-cleared")
	b.open("/jobs")
	var colour string
	b.eval(`getComputedStyle(document.querySelector(".job-state")).color`, &colour)
	if colour != lossyColour {
		t.Errorf("/jobs shows the status in %s, want %s", colour, lossyColour)
	}
	b.shot("jobs-lossy")
}

// lossyColour is the colour of a job that completed with losses (app.css).
const lossyColour = "rgb(181, 71, 8)"

// checkLossyShown: on the open job page, the status is "completed with
// losses" in its colour, the download link says so, and the error log
// next to it lists the emoji.
func checkLossyShown(t *testing.T, b *browser) {
	t.Helper()
	var got struct {
		Status, Colour, Download, Errors string
	}
	js := `(() => { const s = document.querySelector(".job-state"), e = document.querySelector(".job-download-errors");
		return {Status: s.textContent, Colour: getComputedStyle(s).color,
			Download: document.querySelector(".job-download").textContent, Errors: e.hidden ? "" : e.href}; })()`
	b.eval(js, &got)
	if got.Status != "completed with losses" || got.Colour != lossyColour || !strings.Contains(got.Download, "with losses") || got.Errors == "" {
		t.Errorf("job page shows %+v, want the lossy status in %s, a download saying so and the error log", got, lossyColour)
	}
	var log string
	b.eval(`fetch(document.querySelector(".job-download-errors").href).then(r => r.text())`, &log)
	if !strings.Contains(log, "😀") {
		t.Errorf("error log from the download line:\n%s", log)
	}
}
