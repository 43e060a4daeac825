package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserDownloadDay: an administrator's day page has "Download this
// day" with the format and the anonymize box; choosing the CSV bundle and
// submitting lands on the job's page, which describes the download.
func TestBrowserDownloadDay(t *testing.T) {
	exe := chromiumPath(t)
	f := newDownloadFixture(t)
	p := startWeekback(t, f.cfg, "serve")
	base := "http://" + waitListening(t, p)
	b := newBrowser(t, exe, base)
	b.open("/login?next=/mon/")
	b.run("fill the login form",
		chromedp.SendKeys(chromedp.CSS(`input[name="login"]`), "boss"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), zooPassword))
	b.clickAndWait(`form[action="/login"] [type="submit"]`)
	if !b.exists(`form.day-download input[name="anonymize"]`) {
		t.Fatal("the day page has no download form with the anonymize box")
	}
	b.shot("day-download")
	var chosen string
	b.eval(`document.querySelector('form.day-download select[name="format"]').value = "csv"`, &chosen)
	b.clickAndWait(`form.day-download button[type="submit"]`)
	if loc := b.locationNow(); !strings.Contains(loc, "/jobs/") {
		t.Fatalf("after submitting, the browser is at %s, want a job's page", loc)
	}
	var desc string
	b.eval(`document.querySelector(".job-desc").textContent`, &desc)
	if !strings.Contains(desc, "CSV bundle") {
		t.Errorf("the job page describes %q, want the day's CSV bundle", desc)
	}
	b.shot("download-job")
}
