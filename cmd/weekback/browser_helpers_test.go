package main

// Helpers of the browser test: finding Debian's chromium, driving it
// headless through chromedp with bounded waits, and saving a screenshot
// after each step under var/browser-artifacts/.

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// envRequireBrowser, set to 1 (as .ci/run does), turns a missing chromium
// from a skip into a failure.
const envRequireBrowser = "WEEKBACK_REQUIRE_BROWSER"

// Bounds of the browser test: a hung browser fails it in bounded time.
const (
	browserTimeout = 3 * time.Minute  // the whole browser session, start included (TestBrowserPages walks 80 pages)
	stepTimeout    = 15 * time.Second // one step: an action and the page it leads to
	pollBrowser    = 25 * time.Millisecond
)

// artifactsDir is where screenshots go, relative to this package's
// directory (go test runs in cmd/weekback): the repository's var/.
var artifactsDir = filepath.Join("..", "..", "var", "browser-artifacts")

// chromiumPath returns Debian's chromium. Without one the test is skipped,
// loudly, unless WEEKBACK_REQUIRE_BROWSER=1 makes it fail.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv(envRequireBrowser) == "1" {
		t.Fatalf("chromium not found in PATH and %s=1: install Debian's chromium (apt-get install chromium) so the browser tests can run", envRequireBrowser)
	}
	t.Skipf("!!! chromium not found: browser tests SKIPPED (apt-get install chromium; %s=1 makes this a failure)", envRequireBrowser)
	return ""
}

// freeAddr returns a loopback address with a port free right now: serve
// must know its own origin (base_url) before it starts, since it refuses
// POSTs from any other.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// browser is one headless chromium tab driven by chromedp.
type browser struct {
	t     *testing.T
	ctx   context.Context // the tab; ends after browserTimeout
	base  string          // http://host:port of the server
	shots string          // screenshot directory, "" when it cannot be made
	n     int             // screenshots taken
}

// newBrowser starts chromium headless with a fresh profile and returns its
// tab; chromium is stopped (and its profile removed) when the test ends.
func newBrowser(t *testing.T, exe, base string) *browser {
	t.Helper()
	profile, err := os.MkdirTemp("", "weekback-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	// Not t.TempDir: chromium's helpers may still be writing to the profile
	// for a moment after it exits, and a failed removal must not fail the test.
	t.Cleanup(func() { os.RemoveAll(profile) })
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.UserDataDir(profile), chromedp.WindowSize(1280, 1000),
		chromedp.Flag("headless", "new"), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("no-first-run", true), chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-default-apps", true), chromedp.Flag("disable-extensions", true),
	}
	ctx, cancelTime := context.WithTimeout(context.Background(), browserTimeout)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	ctx, cancelTab := chromedp.NewContext(ctx, chromedp.WithLogf(t.Logf))
	b := &browser{t: t, ctx: ctx, base: base, shots: screenshotDir(t)}
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for chromium to exit
		cancelTime()
	})
	// The first action starts chromium, which then lives as long as the
	// context of that call: the tab's, not a step's.
	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium %s: %v", exe, err)
	}
	t.Logf("chromium started in %s", time.Since(start).Round(time.Millisecond))
	t.Cleanup(func() { // runs first: shows the page the test failed on
		if t.Failed() {
			b.shot("failed")
		}
	})
	return b
}

// screenshotDir empties and returns var/browser-artifacts/<test>/, or ""
// (with a log line) when it cannot be made.
func screenshotDir(t *testing.T) string {
	dir := filepath.Join(artifactsDir, strings.ReplaceAll(t.Name(), "/", "_"))
	os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Logf("screenshots will not be saved: %v", err)
		return ""
	}
	return dir
}

// run runs actions within stepTimeout and fails the test on error.
func (b *browser) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v (at %s)", what, err, b.locationNow())
	}
}

// eval evaluates the JavaScript expression js in the page into out
// (promises awaited) and fails the test on error.
func (b *browser) eval(js string, out any) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v (at %s)", js, err, b.locationNow())
	}
	if len(raw) == 0 {
		raw = []byte("null") // undefined
	}
	if err := json.Unmarshal(raw, out); err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
}

// locationNow returns the page's address, or why it is unknown; it never
// fails the test.
func (b *browser) locationNow() string {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "unknown location: " + err.Error()
	}
	return loc
}

// open loads path (relative to the server) and waits for its load event.
func (b *browser) open(path string) {
	b.t.Helper()
	b.run("open "+path, chromedp.Navigate(b.base+path))
}

// markStale tags the current document, so that waitNewDocument can tell
// when another one replaced it.
var markStale = chromedp.Evaluate[chromedp.Void](`window.__weekbackStale = true`)

// clickAndWait clicks the first element matching the CSS selector sel
// like a user (it must be visible) and waits for the page it leads to.
func (b *browser) clickAndWait(sel string) {
	b.t.Helper()
	b.run("click "+sel, markStale, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	b.waitNewDocument("after clicking " + sel)
}

// jsAndWait runs js (which navigates, e.g. submits a form) and waits for
// the page it leads to.
func (b *browser) jsAndWait(what, js string) {
	b.t.Helper()
	b.run(what, markStale, chromedp.Evaluate[chromedp.Void](js))
	b.waitNewDocument(what)
}

// waitNewDocument waits until a document that markStale did not tag has
// loaded. Evaluation errors while the page changes are expected and
// retried.
func (b *browser) waitNewDocument(what string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	for {
		try, stop := context.WithTimeout(ctx, 2*time.Second)
		state, err := chromedp.Run(try, chromedp.Evaluate[string](`window.__weekbackStale ? "stale" : document.readyState`))
		stop()
		if err == nil && state == "complete" {
			return
		}
		select {
		case <-ctx.Done():
			b.t.Fatalf("%s: no new page loaded within %s (state %q, err %v, at %s)", what, stepTimeout, state, err, b.locationNow())
		case <-time.After(pollBrowser):
		}
	}
}

// page is where the browser is and what it got.
type page struct {
	Path   string `json:"path"`
	Query  string `json:"query"`
	Status int    `json:"status"` // HTTP status of the document (after redirects)
	Lang   string `json:"lang"`   // <html lang>
}

// where returns the current page.
func (b *browser) where() page {
	b.t.Helper()
	var p page
	b.eval(`({path: location.pathname, query: location.search, lang: document.documentElement.lang,
		status: (performance.getEntriesByType("navigation")[0] || {}).responseStatus || 0})`, &p)
	return p
}

// exists reports whether the CSS selector sel matches an element.
func (b *browser) exists(sel string) bool {
	b.t.Helper()
	var ok bool
	b.eval(fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(sel)), &ok)
	return ok
}

// column returns the trimmed text of column col's cells in the rows of the
// records table, top to bottom; it fails the test when there is no such
// column. The column is found by its header (a column name, which is data,
// not UI text).
func (b *browser) column(col string) []string {
	b.t.Helper()
	var cells []string
	b.eval(fmt.Sprintf(`(() => {
		const ths = [...document.querySelectorAll("table.records thead th")];
		const i = ths.findIndex(th => { const a = th.querySelector("a"); return (a ? a.textContent : th.textContent).trim() === %s; });
		if (i < 0) return null;
		return [...document.querySelectorAll("table.records tbody tr")].map(tr => tr.cells[i] ? tr.cells[i].textContent.trim() : "");
	})()`, jsString(col)), &cells)
	if cells == nil {
		b.t.Fatalf("the records table at %s has no column %q", b.where().Path, col)
	}
	return cells
}

// tagSortLink gives the sort link in column col's header a test-only
// attribute and returns a selector for it, so that it can be clicked.
func (b *browser) tagSortLink(col string) string {
	b.t.Helper()
	var ok bool
	b.eval(fmt.Sprintf(`(() => {
		for (const a of document.querySelectorAll("table.records thead th a")) {
			if (a.textContent.trim() === %s) { a.setAttribute("data-weekback-test", "sort"); return true; }
		}
		return false;
	})()`, jsString(col)), &ok)
	if !ok {
		b.t.Fatalf("column %q has no sort link", col)
	}
	return `a[data-weekback-test="sort"]`
}

// shot saves a PNG of the whole page as NN-name.png. A screenshot that
// cannot be taken or saved is logged, never a failure.
func (b *browser) shot(name string) {
	if b.shots == "" {
		return
	}
	b.n++
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(b.shots, fmt.Sprintf("%02d-%s.png", b.n, name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}
