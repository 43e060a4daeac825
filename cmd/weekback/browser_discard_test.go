package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserDiscardAndSnapshotNow: an admin on /runs follows "Discard…",
// reads the confirmation (day, snapshot time, rows), gives a reason and
// confirms; back on /runs the day says it was discarded, its page answers
// 410 with a sentence, and "Take a snapshot of today now" lists a waiting
// request.
func TestBrowserDiscardAndSnapshotNow(t *testing.T) {
	exe := chromiumPath(t)
	w := newAdminWorld(t, "")
	day := string(w.today)
	mustSnapshot(t, w.cfg, w.today)
	srv := startWeekback(t, w.cfg, "serve")
	base := "http://" + waitListening(t, srv)
	b := newBrowser(t, exe, base)
	b.open("/login?next=/runs")
	b.run("fill the login form",
		chromedp.SendKeys(chromedp.CSS(`input[name="login"]`), "boss"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), zooPassword))
	b.clickAndWait(`form[action="/login"] [type="submit"]`)
	b.clickAndWait(`#runs-` + day + ` a.discard-link`)
	var text string
	b.eval(`document.querySelector(".discard-confirm").textContent`, &text)
	if p := b.where(); p.Path != "/"+day+"/discard" || !strings.Contains(text, "2,002 rows") {
		t.Fatalf("confirmation page %s (HTTP %d) says %q", p.Path, p.Status, text)
	}
	b.shot("discard-confirm")
	b.run("give a reason", chromedp.SendKeys(chromedp.CSS(`textarea[name="reason"]`), "test erasure"))
	b.clickAndWait(`form.discard [type="submit"]`)
	b.eval(`(document.querySelector("#runs-`+day+` .discarded") || {}).textContent || ""`, &text)
	if p := b.where(); p.Path != "/runs" || !strings.Contains(text, "by boss (reason: test erasure)") {
		t.Fatalf("after the discard: %s says %q", p.Path, text)
	}
	b.clickAndWait(`form.snapshot-now [type="submit"]`)
	if !waitInPage(t, b, `(document.querySelector(".snapshot-requests .state-pending") || {}).textContent?.includes("waiting for the snapshotter") === true`, 5*time.Second) {
		t.Error("/runs lists no waiting snapshot request after the button")
	}
	b.shot("snapshot-requested")
	b.open("/" + day + "/")
	b.eval(`document.querySelector("main").textContent`, &text)
	if p := b.where(); p.Status != 410 || !strings.Contains(text, "was discarded") {
		t.Fatalf("the discarded day's page: HTTP %d, %q", p.Status, text)
	}
}
