package main

// The browser test: Debian's chromium, headless, walks through `weekback
// serve` over the demo sales database like a user would. Elements are
// found by structure (ids, classes, hrefs, form field names, data
// attributes), never by UI text, which is translated.

import (
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/demo"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// browserDays is how many days of the demo week the browser test snapshots.
const browserDays = 3

// TestBrowser logs in, opens a day and its orders, filters, sorts, pages
// forward and back, opens a record, switches day and language and logs
// out, saving a screenshot after each step.
func TestBrowser(t *testing.T) {
	exe := chromiumPath(t)
	start := time.Now()
	base := startDemoServer(t, browserDays)
	t.Logf("demo database, %d snapshots and serve ready in %s", browserDays, time.Since(start).Round(time.Millisecond))
	b := newBrowser(t, exe, base)
	w := &walk{b: b}
	for _, s := range []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"landing", w.landing}, {"login-redirect", w.loginRedirect}, {"login", w.login}, {"open-table", w.openTable},
		{"filter", w.filter}, {"sort", w.sort}, {"page", w.page}, {"record", w.record},
		{"switch-day", w.switchDay}, {"language", w.language}, {"logout", w.logout},
	} {
		ok := t.Run(s.name, func(st *testing.T) {
			b.t = st
			defer func() { b.t = t }()
			s.fn(st)
			b.shot(s.name)
		})
		if !ok {
			return // each step starts where the previous one ended
		}
	}
}

// startDemoServer builds the demo sales database on a fresh prefix,
// simulates and snapshots its first days, starts `weekback serve` on it
// and returns the server's base URL.
func startDemoServer(t *testing.T, days int) string {
	t.Helper()
	base, _ := startDemoDays(t, days)
	return base
}

// startDemoDays is startDemoServer, also returning the configuration file.
func startDemoDays(t *testing.T, days int) (base, cfg string) {
	t.Helper()
	db := mysqltest.MustOpen(t)
	prefix := newPrefix(t, db)
	schema := prefix + "_sales" // dropped with the prefix
	if err := demo.Create(t.Context(), db, schema); err != nil {
		t.Fatalf("create the demo database: %v", err)
	}
	addr := freeAddr(t)
	cfg = writeConfig(t, testConfig{SourceDSN: mysqltest.DSN(t, schema), BackupDSN: mysqltest.DSN(t, ""), Prefix: prefix,
		Extra: fmt.Sprintf("server:\n  listen: %q\n  base_url: %q\n  session_secret_file: %q\n",
			addr, "http://"+addr, filepath.Join(t.TempDir(), "session.key"))})
	cfg = appendReaderDSN(t, cfg, mysqltest.DSN(t, ""))
	for i, day := range weekback.Weekdays[:days] {
		if _, err := demo.Simulate(t.Context(), db, schema, i); err != nil {
			t.Fatalf("simulate %s: %v", day, err)
		}
		mustSnapshot(t, cfg, day)
	}
	p := startWeekback(t, cfg, "serve")
	return "http://" + waitListening(t, p), cfg
}

// walk is the state the steps of TestBrowser pass on.
type walk struct {
	b     *browser
	day   string // the day logged into
	first string // id of the first row of the sorted, filtered page
}

func (w *walk) landing(t *testing.T) {
	w.b.open("/")
	if p := w.b.where(); p.Status != 200 {
		t.Fatalf("GET / answered %d, want 200", p.Status)
	}
	if !w.b.exists("tr.status-ready a[href]") {
		t.Fatal("the landing page lists no ready day with a link")
	}
}

func (w *walk) loginRedirect(t *testing.T) {
	var href string
	w.b.eval(`document.querySelector("tr.status-ready a[href]").getAttribute("href")`, &href)
	w.day = strings.Trim(href, "/")
	if !weekback.Weekday(w.day).Valid() {
		t.Fatalf("the first ready day links to %q, want /{day}/", href)
	}
	w.b.clickAndWait("tr.status-ready a[href]")
	p := w.b.where()
	if !strings.HasSuffix(p.Path, "/login") || !w.b.exists(`form input[name="login"]`) {
		t.Fatalf("opening %s without a session led to %s%s, want the login page", href, p.Path, p.Query)
	}
	if next := queryParam(t, p.Query, "next"); next != href {
		t.Errorf("login page next=%q, want %q", next, href)
	}
}

func (w *walk) login(t *testing.T) {
	w.b.run("fill the login form",
		chromedp.SendKeys(chromedp.CSS(`input[name="login"]`), demo.Login),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), demo.Password))
	w.b.clickAndWait(`form[action="/login"] [type="submit"]`)
	p := w.b.where()
	if want := "/" + w.day + "/"; p.Path != want || p.Status != 200 {
		t.Fatalf("after logging in: %s (HTTP %d), want %s (HTTP 200)", p.Path, p.Status, want)
	}
	if !w.b.exists(".backup-banner") || !w.b.exists("table.tables") {
		t.Fatal("the day page lacks its banner or its list of tables")
	}
}

func (w *walk) openTable(t *testing.T) {
	href := "/" + w.day + "/tables/orders"
	w.b.clickAndWait(`table.tables a[href="` + href + `"]`)
	if p := w.b.where(); p.Path != href || p.Status != 200 {
		t.Fatalf("after clicking orders: %s (HTTP %d), want %s (HTTP 200)", p.Path, p.Status, href)
	}
	if n := len(w.b.column("status")); n == 0 {
		t.Fatal("the orders page shows no rows")
	}
}

// filter uses the filter form: status eq paid.
func (w *walk) filter(t *testing.T) {
	w.b.run("fill the filter form",
		chromedp.Click(chromedp.CSS("details.filter-form > summary"), chromedp.NodeVisible),
		chromedp.SetValue(chromedp.CSS(`select[name="fo.status"]`), string(weekback.OpEq)),
		chromedp.SendKeys(chromedp.CSS(`input[name="fv.status"]`), "paid", chromedp.NodeVisible))
	w.b.clickAndWait(`details.filter-form form [type="submit"]`)
	p := w.b.where()
	if f := queryParam(t, p.Query, "f.status"); f != "eq:paid" {
		t.Fatalf("after filtering: %s%s, want f.status=eq:paid", p.Path, p.Query)
	}
	mustAll(t, w.b.column("status"), "paid")
}

// sort clicks the id header twice: ascending, then descending.
func (w *walk) sort(t *testing.T) {
	for _, want := range []string{"id", "-id"} {
		w.b.clickAndWait(w.b.tagSortLink("id"))
		p := w.b.where()
		if got := queryParam(t, p.Query, "sort"); got != want {
			t.Fatalf("after clicking the id header: sort=%q, want %q (%s)", got, want, p.Query)
		}
		ids := ints(t, w.b.column("id"))
		if len(ids) < 2 || !sortedStrictly(ids, strings.HasPrefix(want, "-")) {
			t.Fatalf("sort=%s shows ids %v", want, ids)
		}
		mustAll(t, w.b.column("status"), "paid")
	}
}

// page goes forward and back with the pager's rel=next and rel=prev.
func (w *walk) page(t *testing.T) {
	ids := ints(t, w.b.column("id"))
	w.first = strconv.Itoa(ids[0])
	w.b.clickAndWait(`nav.pager a[rel="next"]`)
	p := w.b.where()
	if queryParam(t, p.Query, "after") == "" {
		t.Fatalf("next page %s%s has no after cursor", p.Path, p.Query)
	}
	next := ints(t, w.b.column("id"))
	if len(next) == 0 || next[0] >= ids[len(ids)-1] || !sortedStrictly(next, true) {
		t.Fatalf("page 1 ends at id %d, page 2 shows %v", ids[len(ids)-1], next)
	}
	mustAll(t, w.b.column("status"), "paid")
	w.b.shot("page-next")
	w.b.clickAndWait(`nav.pager a[rel="prev"]`)
	if back := w.b.column("id"); len(back) == 0 || back[0] != w.first {
		t.Fatalf("back on page 1: first id %v, want %s", back, w.first)
	}
}

func (w *walk) record(t *testing.T) {
	w.b.clickAndWait(`table.records tbody tr a.open`)
	p := w.b.where()
	if want := "/" + w.day + "/tables/orders/rows/" + w.first; p.Path != want || p.Status != 200 {
		t.Fatalf("record page %s (HTTP %d), want %s (HTTP 200)", p.Path, p.Status, want)
	}
	if !w.b.exists("table.record") {
		t.Fatal("the record page lacks its table")
	}
}

// switchDay follows the banner's link to another day.
func (w *walk) switchDay(t *testing.T) {
	const link = `.backup-banner .day-switch a.day[href]`
	var href string
	w.b.eval(`(document.querySelector(`+jsString(link)+`) || {getAttribute: () => ""}).getAttribute("href")`, &href)
	day, _, _ := strings.Cut(strings.TrimPrefix(href, "/"), "/")
	if day == "" || day == w.day {
		t.Fatalf("the day switcher offers %q, want a link to another day", href)
	}
	w.b.clickAndWait(link)
	p := w.b.where()
	if p.Path != href || !strings.HasPrefix(p.Path, "/"+day+"/") {
		t.Fatalf("after switching day: %s, want %s", p.Path, href)
	}
	t.Logf("switched from %s to %s (HTTP %d)", w.day, p.Path, p.Status)
	if !w.b.exists(`.day-switch [aria-current="page"]`) {
		t.Error("the banner marks no current day after switching")
	}
}

// language switches to Japanese with the header's switcher, when it exists.
func (w *walk) language(t *testing.T) {
	const link = `a[data-lang="ja"]`
	if !w.b.exists(link) {
		t.Logf("no %s link on the page yet: language step SKIPPED", link)
		return
	}
	before := w.b.where()
	w.b.jsAndWait("click "+link, `document.querySelector(`+jsString(link)+`).click()`)
	p := w.b.where()
	if p.Lang != "ja" {
		t.Fatalf(`after switching to Japanese: <html lang=%q> at %s, want "ja"`, p.Lang, p.Path)
	}
	if p.Path != before.Path {
		t.Errorf("switching language led from %s to %s, want the same page", before.Path, p.Path)
	}
	w.b.open(p.Path) // the choice is remembered
	if again := w.b.where(); again.Lang != "ja" {
		t.Fatalf(`reopening %s after switching to Japanese: <html lang=%q>, want "ja"`, p.Path, again.Lang)
	}
}

// logout logs out with the page's logout form, or (while pages have none)
// posts /logout from the page with the session's CSRF token; a protected
// page must then lead to the login page.
func (w *walk) logout(t *testing.T) {
	switch {
	case w.b.exists(`form[action="/logout"] button`):
		w.b.clickAndWait(`form[action="/logout"] button`)
	case w.b.exists(`form[action="/logout"]`):
		w.b.jsAndWait("submit the logout form", `document.querySelector('form[action="/logout"]').requestSubmit()`)
	default:
		t.Log("the page has no logout form: logging out with fetch POST /logout and the token from /me")
		var status int
		w.b.eval(`(async () => {
			const me = await (await fetch("/me", {headers: {Accept: "application/json"}})).json();
			const r = await fetch("/logout", {method: "POST", headers: {"X-CSRF-Token": me.csrf}, redirect: "manual"});
			return r.type === "opaqueredirect" ? 303 : r.status;
		})()`, &status)
		if status != 303 {
			t.Fatalf("POST /logout answered %d, want 303", status)
		}
	}
	w.b.open("/" + w.day + "/")
	if p := w.b.where(); !strings.HasSuffix(p.Path, "/login") || !w.b.exists(`input[name="password"]`) {
		t.Fatalf("after logging out, /%s/ led to %s (HTTP %d), want the login page", w.day, p.Path, p.Status)
	}
}

// queryParam returns the parameter name of the query string q.
func queryParam(t *testing.T, q, name string) string {
	t.Helper()
	v, err := url.ParseQuery(strings.TrimPrefix(q, "?"))
	if err != nil {
		t.Fatalf("query %q: %v", q, err)
	}
	return v.Get(name)
}

// mustAll fails the test unless cells is not empty and every cell is want.
func mustAll(t *testing.T, cells []string, want string) {
	t.Helper()
	if len(cells) == 0 {
		t.Fatalf("no rows, want rows all %q", want)
	}
	for i, c := range cells {
		if c != want {
			t.Fatalf("row %d shows %q, want %q (all: %v)", i+1, c, want, cells)
		}
	}
}

// ints parses the cells of an integer column.
func ints(t *testing.T, cells []string) []int {
	t.Helper()
	out := make([]int, len(cells))
	for i, c := range cells {
		n, err := strconv.Atoi(c)
		if err != nil {
			t.Fatalf("row %d: id %q is not an integer", i+1, c)
		}
		out[i] = n
	}
	return out
}

// sortedStrictly reports whether ids are strictly ascending (or
// descending when desc).
func sortedStrictly(ids []int, desc bool) bool {
	if desc {
		ids = slices.Clone(ids)
		slices.Reverse(ids)
	}
	for i := 1; i < len(ids); i++ {
		if ids[i-1] >= ids[i] {
			return false
		}
	}
	return true
}
