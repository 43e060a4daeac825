package main

// The browser test of comparisons: from the landing page to the orders
// Thursday's script deleted in two clicks, a deleted order's history and
// its record page on a day that lacks it, the same pages in Japanese, and
// the day's search box. Elements are found by structure, never by UI text.

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/weekback/weekback/demo"
)

// changesWalk is the state the steps of TestBrowserChanges pass on.
type changesWalk struct {
	b       *browser
	changes string // the orders deleted on Thursday: path and query
	key     string // a deleted order's key
	heading string // the English heading of the changes page
}

func TestBrowserChanges(t *testing.T) {
	exe := chromiumPath(t)
	base := startDemoServer(t, compareDays)
	w := &changesWalk{b: newBrowser(t, exe, base)}
	for _, s := range []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"login", w.login}, {"two-clicks", w.twoClicks}, {"history", w.history}, {"last-seen", w.lastSeen},
		{"japanese", w.japanese}, {"search", w.search},
	} {
		ok := t.Run(s.name, func(st *testing.T) {
			w.b.t = st
			defer func() { w.b.t = t }()
			s.fn(st)
			w.b.shot(s.name)
		})
		if !ok {
			return
		}
	}
}

func (w *changesWalk) login(t *testing.T) {
	w.b.open("/login?next=%2F")
	w.b.run("fill the login form",
		chromedp.SendKeys(chromedp.CSS(`input[name="login"]`), demo.Login),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), demo.Password))
	w.b.clickAndWait(`form[action="/login"] [type="submit"]`)
	if p := w.b.where(); p.Path != "/" || p.Status != 200 {
		t.Fatalf("after logging in: %s (HTTP %d), want / (HTTP 200)", p.Path, p.Status)
	}
}

// twoClicks: landing → Thursday's changes → orders deleted, where the
// orders of customers 1–60 (the script's) outnumber a day's few usual
// deletions.
func (w *changesWalk) twoClicks(t *testing.T) {
	w.b.clickAndWait(`a.changes-link[href="/thu/changes"]`)
	if p := w.b.where(); p.Path != "/thu/changes" || p.Status != 200 || !w.b.exists(`select[name="against"] option[value="wed"][selected]`) {
		t.Fatalf("first click: %s%s (HTTP %d), want /thu/changes against Wednesday", p.Path, p.Query, p.Status)
	}
	w.b.eval(`document.querySelector("h1").textContent`, &w.heading)
	w.b.clickAndWait(`tr[data-table="orders"] a.deleted`)
	p := w.b.where()
	if p.Path != "/thu/tables/orders/changes" || queryParam(t, p.Query, "kind") != "deleted" || queryParam(t, p.Query, "against") != "wed" {
		t.Fatalf("second click: %s%s, want the orders deleted since Wednesday", p.Path, p.Query)
	}
	w.changes = p.Path + p.Query
	script := 0
	for _, c := range w.b.column("customer_id") {
		if n, err := strconv.Atoi(c); err == nil && n <= 60 {
			script++
		}
	}
	if script <= 3 {
		t.Fatalf("the first page of deleted orders has %d orders of customers 1–60, want the script's deletion", script)
	}
	w.b.eval(`document.querySelector("table.changes-rows tbody a.history").getAttribute("href")`, &w.key)
	w.key = strings.TrimSuffix(strings.TrimPrefix(w.key, "/wed/tables/orders/rows/"), "/history")
	if w.key == "" || strings.Contains(w.key, "/") {
		t.Fatalf("the first deleted order's history link gives no key (%q)", w.key)
	}
}

// history: the deleted order's history says it was deleted on Thursday.
func (w *changesWalk) history(t *testing.T) {
	w.b.clickAndWait(`table.changes-rows tbody a.history`)
	p := w.b.where()
	if p.Path != "/wed/tables/orders/rows/"+w.key+"/history" || p.Status != 200 {
		t.Fatalf("history: %s (HTTP %d)", p.Path, p.Status)
	}
	for day, want := range map[string]string{"thu": "deleted", "fri": "no_copy"} {
		var state string
		w.b.eval(fmt.Sprintf(`document.querySelector('tr[data-day="%s"]').dataset.state`, day), &state)
		if state != want {
			t.Errorf("%s: state %q, want %q", day, state, want)
		}
	}
	if !w.b.exists(`tr[data-day="wed"][data-state] th a[href="/wed/tables/orders/rows/` + w.key + `"]`) {
		t.Errorf("Wednesday's row does not link to the order")
	}
}

// lastSeen: the order's page on Thursday says where it was last seen.
func (w *changesWalk) lastSeen(t *testing.T) {
	w.b.open("/thu/tables/orders/rows/" + w.key)
	if p := w.b.where(); p.Status != 404 || !w.b.exists("a.last-seen-link") {
		t.Fatalf("the deleted order on Thursday: HTTP %d, last-seen link %v", p.Status, w.b.exists("a.last-seen-link"))
	}
	w.b.clickAndWait("a.last-seen-link")
	if p := w.b.where(); p.Path != "/wed/tables/orders/rows/"+w.key || p.Status != 200 {
		t.Fatalf("the last-seen link led to %s (HTTP %d)", p.Path, p.Status)
	}
}

// japanese: the changes and history pages in Japanese.
func (w *changesWalk) japanese(t *testing.T) {
	w.b.open("/lang/ja?next=" + url.QueryEscape(w.changes))
	p := w.b.where()
	if p.Lang != "ja" || p.Path+p.Query != w.changes || !w.b.exists("table.changes-rows tbody tr") {
		t.Fatalf("in Japanese: lang %q at %s%s", p.Lang, p.Path, p.Query)
	}
	w.b.open("/thu/changes")
	var heading string
	w.b.eval(`document.querySelector("h1").textContent`, &heading)
	if heading == w.heading || !w.b.exists(`tr[data-table="orders"] a.deleted`) {
		t.Errorf("the changes page in Japanese: heading %q (English %q)", heading, w.heading)
	}
	w.b.open("/thu/tables/orders/rows/" + w.key + "/history")
	if p := w.b.where(); p.Lang != "ja" || !w.b.exists(`tr[data-day="thu"][data-state="deleted"] td.state-deleted`) {
		t.Fatalf("the history in Japanese: lang %q", p.Lang)
	}
}

// search: the banner's search box finds the deleted order on Wednesday.
func (w *changesWalk) search(t *testing.T) {
	w.b.open("/wed/")
	w.b.run("type in the search box", chromedp.SendKeys(chromedp.CSS(`form.day-search input[name="q"]`), w.key))
	w.b.clickAndWait(`form.day-search [type="submit"]`)
	p := w.b.where()
	if p.Path != "/wed/search" || queryParam(t, p.Query, "q") != w.key {
		t.Fatalf("the search box led to %s%s", p.Path, p.Query)
	}
	if !w.b.exists(`section[data-table="orders"] a.open[href="/wed/tables/orders/rows/` + w.key + `"]`) {
		t.Fatalf("the search for %s does not list the order", w.key)
	}
}
