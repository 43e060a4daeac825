package main

// TestBrowserPages: `weekback demo` in headless chromium — what the demo
// says about itself, a view's pages and CSV, a bad filter kept inline,
// complete headers on error pages, every page at phone widths in three
// languages, and no warnings logged for ordinary navigation.

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/demo"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// demoServer is a running `weekback demo`.
type demoServer struct {
	base, cfg string
	proc      *weekbackProc
}

// startDemo runs `weekback demo` on a fresh prefix and returns once it
// serves the week (on a fixed port: its base_url is its listen address,
// the only origin its forms accept).
func startDemo(t *testing.T) *demoServer {
	t.Helper()
	db := mysqltest.MustOpen(t)
	prefix := newPrefix(t, db)
	d := &demoServer{cfg: filepath.Join(t.TempDir(), "demo.yaml")}
	d.proc = startWeekback(t, "", "demo", "--dsn", mysqltest.DSN(t, ""), "--prefix", prefix, "--write-config", d.cfg, "--listen", freeAddr(t))
	d.base = strings.TrimSuffix(waitDemo(t, d.proc), "/")
	return d
}

// waitDemo waits until `weekback demo` serves and returns its URL.
func waitDemo(t *testing.T, p *weekbackProc) string {
	t.Helper()
	for deadline := time.Now().Add(demoTimeout); ; time.Sleep(pollEvery) {
		if _, after, ok := strings.Cut(p.stdout.String(), "Serving the demo at "); ok {
			return strings.Fields(after)[0]
		}
		if p.exited() || time.Now().After(deadline) {
			t.Fatalf("the demo does not serve (exited: %v, after %s)\nstdout:\n%s\nstderr:\n%s",
				p.exited(), demoTimeout, p.stdout.String(), p.stderr.String())
		}
	}
}

// demoTimeout bounds the demo's seven snapshots on a busy machine.
const demoTimeout = 2 * time.Minute

// TestBrowserPages walks the demo as a newcomer on a phone would, then
// checks the pages an operator sees.
func TestBrowserPages(t *testing.T) {
	exe := chromiumPath(t)
	start := time.Now()
	d := startDemo(t)
	t.Logf("demo week built and served in %s", time.Since(start).Round(time.Millisecond))
	b := newBrowser(t, exe, d.base)
	pw := &pagesWalk{b: b, d: d}
	for _, s := range []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"demo-landing", pw.demoLanding}, {"login", pw.login}, {"demo-banner", pw.demoBanner}, {"runs-chart", pw.runsChart},
		{"view", pw.view}, {"view-csv", pw.viewCSV}, {"bad-filter", pw.badFilter}, {"job", pw.job},
		{"error-header", pw.errorHeader}, {"header-one-line", pw.headerOneLine}, {"phone-widths", pw.phoneWidths},
		{"phone-widths-logged-out", pw.phoneWidthsLoggedOut}, {"no-warnings", pw.noWarnings},
	} {
		ok := t.Run(s.name, func(st *testing.T) {
			b.t = st
			defer func() { b.t = t }()
			s.fn(st)
			b.shot(s.name)
		})
		if !ok && s.name == "login" {
			return // every later step is logged in
		}
	}
}

// pagesWalk is the state the steps of TestBrowserPages pass on.
type pagesWalk struct {
	b       *browser
	d       *demoServer
	jobPath string // the job page's path
}

// demoLanding: logged out, the landing page explains the demo and shows
// both logins.
func (w *pagesWalk) demoLanding(t *testing.T) {
	w.b.open("/")
	if !w.b.exists(".demo-note") {
		t.Fatal("the demo's landing page does not say it is the demo")
	}
	var logins []string
	w.b.eval(`[...document.querySelectorAll(".demo-logins li")].map(li =>
		li.querySelector(".demo-login").textContent + "/" + li.querySelector(".demo-password").textContent)`, &logins)
	want := []string{demo.Login + "/" + demo.Password, demo.SupportLogin + "/" + demo.SupportPassword}
	if !slices.Equal(logins, want) {
		t.Fatalf("the landing page shows the logins %v, want %v", logins, want)
	}
}

func (w *pagesWalk) login(t *testing.T) {
	w.b.open("/login?next=/mon/")
	w.b.run("fill the login form",
		chromedp.SendKeys(chromedp.CSS(`input[name="login"]`), demo.Login),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), demo.Password))
	w.b.clickAndWait(`form[action="/login"] [type="submit"]`)
	if p := w.b.where(); p.Path != "/mon/" || p.Status != 200 {
		t.Fatalf("after logging in: %s (HTTP %d), want /mon/", p.Path, p.Status)
	}
}

// demoBanner: each day's banner gives that day's date in the story.
func (w *pagesWalk) demoBanner(t *testing.T) {
	texts := map[string]bool{}
	for _, day := range []string{"mon", "thu", "sun"} {
		w.b.open("/" + day + "/")
		var text string
		w.b.eval(`(document.querySelector(".backup-banner .banner-demo") || {textContent: ""}).textContent`, &text)
		if text == "" {
			t.Fatalf("/%s/ has no demo line in its banner", day)
		}
		texts[text] = true
	}
	if len(texts) != 3 {
		t.Errorf("the demo lines of mon, thu and sun are not three different dates: %v", texts)
	}
}

// runsChart: /runs charts the demo's seven runs (shorter than a second).
func (w *pagesWalk) runsChart(t *testing.T) {
	w.b.open("/runs")
	var tall int
	w.b.eval(`[...document.querySelectorAll("rect.chart-bar")].filter(r => Number(r.getAttribute("height")) > 0).length`, &tall)
	if tall < 2*len(weekback.Weekdays) {
		t.Fatalf("the runs chart has %d visible bars, want at least %d (durations and sizes of 7 runs)", tall, 2*len(weekback.Weekdays))
	}
}

// viewPageSize pages the demo's view in several pages.
const viewPageSize = 20

// view: the day lists the view, its page lists rows in the order of its
// first column, paging forward shows every row once.
func (w *pagesWalk) view(t *testing.T) {
	w.b.open("/mon/")
	w.b.clickAndWait(`ul.views a[href="/mon/tables/order_totals"]`)
	if p := w.b.where(); p.Status != 200 || !w.b.exists("table.records") || !w.b.exists(".view-note") {
		t.Fatalf("the view's page: %s (HTTP %d), want its records and the note on its order", p.Path, p.Status)
	}
	w.b.open(fmt.Sprintf("/mon/tables/order_totals?page_size=%d", viewPageSize))
	var ids []int
	for pages := 1; ; pages++ {
		ids = append(ids, ints(t, w.b.column("customer_id"))...)
		if !w.b.exists(`nav.pager a[rel="next"]`) {
			t.Logf("%d rows in %d pages", len(ids), pages)
			break
		}
		w.b.clickAndWait(`nav.pager a[rel="next"]`)
	}
	want := w.viewRows(t, "SELECT customer_id FROM $V ORDER BY customer_id")
	if got := fmt.Sprint(ids); got != fmt.Sprint(want) || len(want) <= viewPageSize {
		t.Fatalf("paging the view showed customer_id %s\nwant (more than one page) %v", got, want)
	}
}

// viewRows runs query on Monday's slot ($V is its order_totals view).
func (w *pagesWalk) viewRows(t *testing.T, query string) []string {
	t.Helper()
	slot := generations(t, w.d.cfg)[weekback.Monday].Slot
	rows, err := mysqltest.MustOpen(t).Query(strings.ReplaceAll(query, "$V", mysql.QuoteTable(slot, "order_totals")))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// viewCSV downloads the view as a reimport CSV from its page and reads it
// back: the view's rows, every value as the server prints it; then loads
// it back with `weekback import`.
func (w *pagesWalk) viewCSV(t *testing.T) {
	var body string
	w.b.eval(`fetch(document.querySelector("details.export-form form").action).then(r => r.ok ? r.text() : "HTTP " + r.status)`, &body)
	records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(records) == 0 {
		t.Fatalf("the view's CSV does not read back (%v):\n%.500s", err, body)
	}
	if got := strings.Join(records[0], ","); got != "customer_id,name,orders,total" {
		t.Errorf("CSV header %q", got)
	}
	var got []string
	for _, r := range records[1:] {
		got = append(got, strings.Join(r, "|"))
	}
	want := w.viewRows(t, "SELECT CONCAT_WS('|', customer_id, name, orders, total) FROM $V ORDER BY customer_id, name")
	if !slices.Equal(got, want) {
		t.Fatalf("the CSV holds %d rows, the view %d; first difference: %s", len(got), len(want), firstDifference(got, want))
	}
	w.loadBack(t, body)
}

// loadBack imports the view's CSV with `weekback import` into a table of
// the view's shape (keyed by customer_id, one row per customer) and
// compares the table with the view.
func (w *pagesWalk) loadBack(t *testing.T, csvText string) {
	db := mysqltest.MustOpen(t)
	target := mysqltest.MustCreateSchema(t, db, "wbviewcsv_")
	view := mysql.QuoteTable(generations(t, w.d.cfg)[weekback.Monday].Slot, "order_totals")
	table := mysql.QuoteTable(target, "order_totals")
	mysqltest.MustExec(t, db, "CREATE TABLE "+table+" AS SELECT * FROM "+view+" LIMIT 0", "ALTER TABLE "+table+" ADD PRIMARY KEY (customer_id)")
	file := filepath.Join(t.TempDir(), "order_totals.csv")
	if err := os.WriteFile(file, []byte(csvText), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRunWeekback(t, 0, "", "import", "--to", mysqltest.DSN(t, target), "--table", "order_totals", "--execute", file)
	var inView, inTable, inBoth int
	for q, n := range map[string]*int{"SELECT COUNT(*) FROM " + view: &inView, "SELECT COUNT(*) FROM " + table: &inTable,
		"SELECT COUNT(*) FROM (SELECT * FROM " + view + " UNION SELECT * FROM " + table + ") AS u": &inBoth} {
		if err := db.QueryRow(q).Scan(n); err != nil {
			t.Fatal(err)
		}
	}
	if inView == 0 || inTable != inView || inBoth != inView {
		t.Fatalf("loaded back: %d rows, the view %d, their union %d; want the same rows", inTable, inView, inBoth)
	}
}

func firstDifference(got, want []string) string {
	for i := range max(len(got), len(want)) {
		g, wt := "(none)", "(none)"
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			wt = want[i]
		}
		if g != wt {
			return fmt.Sprintf("row %d: %q, want %q", i, g, wt)
		}
	}
	return "none"
}

// badFilter: a value its column cannot hold keeps the page (400), with
// the sentence in the filter form and the value as typed.
func (w *pagesWalk) badFilter(t *testing.T) {
	w.b.open("/mon/tables/orders?f.id=eq:abc")
	p := w.b.where()
	var state struct {
		Heading, Error, Value string
		Open                  bool
	}
	w.b.eval(`({heading: document.querySelector("main h1").textContent,
		error: (document.querySelector("details.filter-form form .query-error") || {textContent: ""}).textContent,
		value: document.querySelector('input[name="fv.id"]').value,
		open: document.querySelector("details.filter-form").open})`, &state)
	if p.Status != 400 || state.Heading != "orders" || state.Error == "" || state.Value != "abc" || !state.Open {
		t.Fatalf("bad filter: HTTP %d, %+v; want 400 on the orders page with the error in the open form and the value kept", p.Status, state)
	}
}

// job starts a background export of orders: its page, and later the
// header's badge.
func (w *pagesWalk) job(t *testing.T) {
	w.b.open("/mon/tables/orders")
	w.b.jsAndWait("export in the background", `document.querySelector("details.export-form").open = true;
		document.querySelector("button.export-background").click()`)
	p := w.b.where()
	if !strings.HasPrefix(p.Path, "/jobs/") || p.Status != 200 {
		t.Fatalf("after starting the export: %s (HTTP %d), want its job page", p.Path, p.Status)
	}
	w.jobPath = p.Path
	if !waitInPage(t, w.b, `document.querySelector(".job-download:not([hidden])") !== null`, 30*time.Second) {
		t.Fatal("the export did not finish")
	}
}

// errorHeader: an error page's header is the same as any page's: the
// jobs link and its badge included.
func (w *pagesWalk) errorHeader(t *testing.T) {
	for _, path := range []string{"/mon/tables/nope", "/nope", "/mon/tables/orders/rows/999999999"} {
		w.b.open(path)
		if !w.b.exists("header.top a.notify-jobs") || !w.b.exists("header.top a.runs-link") {
			t.Errorf("the error page %s lacks the header's jobs or runs link", path)
		}
	}
	if !waitInPage(t, w.b, `document.querySelector("header.top .notify-count:not([hidden])") !== null`, 10*time.Second) {
		t.Error("the error page's header shows no badge for the finished job")
	}
}

// headerOneLine: on a desktop, the header stays on one line in every
// language, badge shown; on a tablet it wraps instead of overflowing.
func (w *pagesWalk) headerOneLine(t *testing.T) {
	for _, lang := range []string{"fr", "ja", "en"} {
		w.b.open("/lang/" + lang + "?next=/mon/")
		if !waitInPage(t, w.b, `document.querySelector("header.top .notify-count:not([hidden])") !== null`, 10*time.Second) {
			t.Fatalf("%s: no badge in the header", lang)
		}
		var lines int
		w.b.eval(headerLinesJS, &lines)
		if lines != 1 {
			w.b.shot("header-" + lang)
			t.Errorf("%s: the header at 1280 px takes %d lines, want 1", lang, lines)
		}
		w.b.run("tablet viewport", chromedp.EmulateViewport(768, 1000))
		var width int
		w.b.eval(`document.documentElement.scrollWidth`, &width)
		if width > 768 {
			t.Errorf("%s: at 768 px the page is %d px wide (the header must wrap, not overflow)", lang, width)
		}
		w.b.run("desktop viewport", chromedp.EmulateViewport(1280, 1000))
	}
}

// headerLinesJS counts the lines of the header's items (their distinct
// vertical positions).
const headerLinesJS = `(() => {
	const tops = [...document.querySelectorAll("header.top > *")].filter(e => e.offsetParent)
		.map(e => e.getBoundingClientRect()).map(r => r.top + r.height / 2).sort((a, b) => a - b);
	let lines = 0, last = -1e9;
	for (const y of tops) { if (y - last > 12) { lines++; last = y; } }
	return lines;
})()`

// phonePages are the pages checked at phone widths (job pages are added).
var phonePages = []string{"/", "/login", "/mon/", "/mon/tables/orders", "/mon/tables/orders/rows/1", "/mon/tables/order_totals",
	"/mon/tables/customers", "/jobs", "/runs", "/audit", "/mon/tables/nope", "/nope", "/mon/tables/orders?f.id=eq:abc"}

// phoneWidths: every page fits 390 and 360 px wide in en, ja and fr: no
// horizontal scroll but inside the records table's own scroller, and no
// short label broken inside a word.
func (w *pagesWalk) phoneWidths(t *testing.T) {
	w.checkPhonePages(t, append(slices.Clone(phonePages), w.jobPath))
}

// phoneWidthsLoggedOut: the public pages too, after logging out with the
// header's form.
func (w *pagesWalk) phoneWidthsLoggedOut(t *testing.T) {
	w.b.open("/")
	w.b.clickAndWait(`form[action="/logout"] button`)
	if w.b.exists(`form[action="/logout"]`) {
		t.Fatal("still logged in after logging out")
	}
	w.checkPhonePages(t, []string{"/", "/login", "/login?next=/mon/tables/orders", "/nope"})
}

// checkPhonePages opens each page at 390 and 360 px in every language and
// reports what does not fit (phoneProblemsJS).
func (w *pagesWalk) checkPhonePages(t *testing.T, pages []string) {
	for _, lang := range []string{"en", "ja", "fr"} {
		w.b.open("/lang/" + lang + "?next=/")
		for _, width := range []int64{390, 360} {
			w.b.run("phone viewport", chromedp.EmulateViewport(width, 800))
			for _, path := range pages {
				w.b.open(path)
				var problems []string
				w.b.eval(phoneProblemsJS, &problems)
				if len(problems) > 0 {
					w.b.shot(fmt.Sprintf("%s-%d-%s", lang, width, strings.ReplaceAll(strings.Trim(path, "/"), "/", "_")))
					t.Errorf("%s at %d px in %s:\n  %s", path, width, lang, strings.Join(problems, "\n  "))
				}
			}
		}
	}
	w.b.run("desktop viewport", chromedp.EmulateViewport(1280, 1000))
}

// phoneProblemsJS lists what breaks a page on a phone: the page wider
// than the screen (headless chromium's scroll bar taken off: stricter
// than a phone's), an element sticking out of it (outside .scroll), and
// a short one-word label (links, buttons, badges, headers, cells) whose
// text is laid out on more than one line.
const phoneProblemsJS = `(() => {
	const out = [], de = document.documentElement, W = de.clientWidth; // the screen without a scroll bar
	const name = e => e.tagName.toLowerCase() + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : "") +
		' "' + e.textContent.trim().slice(0, 30) + '"';
	if (de.scrollWidth > innerWidth || de.scrollWidth > W) out.push("the page is " + de.scrollWidth + " px wide, the screen " + W);
	for (const e of document.querySelectorAll("body *")) {
		if (e.closest(".scroll") || !e.offsetParent) continue;
		const r = e.getBoundingClientRect();
		if (r.width > 0 && (r.right > W + 1 || r.left < -1)) out.push("sticks out (" + Math.round(r.left) + "–" + Math.round(r.right) + " px): " + name(e));
	}
	const lines = e => {
		const rs = [], texts = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
		for (let n = texts.nextNode(); n; n = texts.nextNode()) {
			const range = document.createRange();
			range.selectNodeContents(n);
			rs.push(...[...range.getClientRects()].filter(r => r.width > 0 && r.height > 0));
		}
		rs.sort((a, b) => a.top - b.top);
		let n = 0, bottom = -1e9;
		for (const r of rs) { if (r.top >= bottom - 2) { n++; bottom = r.bottom; } else { bottom = Math.max(bottom, r.bottom); } }
		return n;
	};
	for (const e of document.querySelectorAll("a, button, .badge, th, td, label, summary, .day, .admin-mark, .banner-status, .notify-count, [class^=state-]")) {
		const text = e.textContent.trim();
		if (!text || !e.offsetParent || /\s/.test(text) || [...text].length > 16) continue;
		if (lines(e) > 1) out.push("one word on " + lines(e) + " lines: " + name(e));
	}
	return out.slice(0, 12);
})()`

// noWarnings: ordinary navigation (error pages included) logs no warning
// about cancelled requests.
func (w *pagesWalk) noWarnings(t *testing.T) {
	for line := range strings.SplitSeq(w.d.proc.stderr.String(), "\n") {
		if strings.Contains(line, "context canceled") && !strings.Contains(line, "level=DEBUG") {
			t.Errorf("logged: %s", line)
		}
	}
}
