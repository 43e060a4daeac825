package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// MustOpenWeekServer returns the day fixture with a week of manifests on
// its slot: Saturday (last week's, the oldest copy), Monday, Tuesday,
// Wednesday and Thursday (the newest) are served, Friday is building with
// nothing served and Sunday was never taken. On Thursday orders fell from
// 1,020 to 400 rows (a drop) and customers from 2 to 0 (too few rows to
// be one); legacy exists on Saturday only.
func MustOpenWeekServer(t *testing.T) *dayFixture {
	t.Helper()
	f := MustOpenDayServer(t)
	mysqltest.MustExec(t, mysqltest.MustOpen(t),
		"CREATE TABLE `"+f.slot+"`.orders (id INT PRIMARY KEY, total INT NOT NULL)",
		"INSERT INTO `"+f.slot+"`.orders VALUES (1, 10), (2, 20), (3, 30)")
	admin, err := mysql.OpenMeta(context.Background(), f.db, f.meta.Prefix())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []struct {
		day               weekback.Weekday
		date              int
		orders, customers int64
		legacy            bool
	}{
		{weekback.Saturday, 28, 990, 2, true},
		{weekback.Monday, 30, 1000, 2, false},
		{weekback.Tuesday, 31, 1010, 2, false},
		{weekback.Wednesday, 32, 1020, 2, false},
		{weekback.Thursday, 33, 400, 0, false},
	} {
		m := &weekback.Manifest{Day: d.day, Slot: f.slot, SnapshotAt: time.Date(2026, 2, d.date, 0, 30, 0, 0, time.UTC),
			Tables: []weekback.TableInfo{{Name: "customers", Rows: d.customers}, {Name: "items", Rows: 120},
				{Name: "orders", Rows: d.orders}, {Name: "pairs", Rows: 3}, {Name: "users", Rows: 5}}}
		if d.legacy {
			m.Tables = append(m.Tables, weekback.TableInfo{Name: "legacy", Rows: 7})
		}
		if _, err := admin.Switch(context.Background(), d.day, f.slot, m, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// weekJSON is the week of a page's JSON.
type weekJSON struct {
	Table  string   `json:"table"`
	Counts []*int64 `json:"counts"`
	Drops  []string `json:"drops"`
}

func (w weekJSON) String() string {
	var s []string
	for _, c := range w.Counts {
		if c == nil {
			s = append(s, "null")
		} else {
			s = append(s, strings.TrimSpace(string(must(json.Marshal(*c)))))
		}
	}
	return w.Table + " [" + strings.Join(s, " ") + "] drops " + strings.Join(w.Drops, ",")
}

var (
	barLink  = regexp.MustCompile(`<a class="bar[^"]*" href="/([a-z]+)/tables/`)
	dropBars = regexp.MustCompile(`class="bar[^"]* drop"`)
	tableRow = regexp.MustCompile(`<th scope="row">(?:<a href="[^"]*">)?([a-z_]+)`)
)

// checkWeekLinks fails when a bar links to a day without a served copy.
func checkWeekLinks(t *testing.T, body string, wantBars int) {
	t.Helper()
	links := barLink.FindAllStringSubmatch(body, -1)
	for _, m := range links {
		if m[1] == "fri" || m[1] == "sun" {
			t.Errorf("a bar links to %s, which has no served copy", m[1])
		}
	}
	if len(links) != wantBars {
		t.Errorf("%d bars link to a day, want %d", len(links), wantBars)
	}
	if strings.Contains(body, "style=") {
		t.Errorf("the page has a style attribute")
	}
}

func TestWeekOnLanding(t *testing.T) {
	f := MustOpenWeekServer(t)
	r := f.get(t, "/", false)
	if r.status != 200 {
		t.Fatalf("status = %d\n%.2000s", r.status, r.body)
	}
	for _, want := range []string{
		`<h2 id="week-title">The week at a glance</h2>`, "<caption>Rows of every table on each of the seven days</caption>",
		`<th scope="row"><a href="/thu/tables/orders">orders</a></th>`,
		`<a class="bar h8 drop" href="/thu/tables/orders" title="Thursday: 400 rows — 60% fewer than Wednesday"`,
		`<a class="bar h20" href="/wed/tables/orders" title="Wednesday: 1,020 rows" aria-label="Wednesday: 1,020 rows">`,
		`<a class="bar h19" href="/sat/tables/orders" title="Saturday: 990 rows"`,
		`<span class="bar h0 none" role="img" title="Friday: no copy" aria-label="Friday: no copy">`,
		`<span class="bar h0 none" role="img" title="Sunday: no copy"`,
		`<a class="bar h0" href="/thu/tables/customers" title="Thursday: 0 rows"`, // 2 → 0: too few rows for a drop
		`<th scope="row"><a href="/sat/tables/legacy">legacy</a></th>`,
		`<span class="bar h0 absent" role="img" title="Monday: no table legacy in this copy"`,
		`<span class="wd">Thu<span class="mark"> ▼</span></span>`,
		"▼ in red: at least 20% and 10 rows fewer than in the copy taken before.",
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("landing lacks %q", want)
		}
	}
	if n := len(dropBars.FindAllString(r.body, -1)); n != 1 {
		t.Errorf("%d bars marked as a drop, want 1 (orders on Thursday)", n)
	}
	var tables []string
	for _, m := range tableRow.FindAllStringSubmatch(r.body, -1) {
		tables = append(tables, m[1])
	}
	if want := []string{"customers", "items", "orders", "pairs", "users", "legacy"}; !slices.Equal(tables, want) {
		t.Errorf("chart rows = %v, want %v (Thursday's tables, then the others)", tables, want)
	}
	checkWeekLinks(t, r.body, 5*5+1) // five served days × five tables, legacy on Saturday

	var page struct{ Week []weekJSON }
	r = f.get(t, "/", true)
	if err := json.Unmarshal([]byte(r.body), &page); err != nil {
		t.Fatalf("JSON: %v\n%.1000s", err, r.body)
	}
	var got []string
	for _, w := range page.Week {
		got = append(got, w.String())
	}
	for _, want := range []string{
		"orders [1000 1010 1020 400 null 990 null] drops thu",
		"customers [2 2 2 0 null 2 null] drops ",
		"legacy [null null null null null 7 null] drops ",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("JSON week lacks %q:\n%s", want, strings.Join(got, "\n"))
		}
	}
}

func TestWeekOnTablePage(t *testing.T) {
	f := MustOpenWeekServer(t)
	for _, tt := range []struct {
		path     string
		contains []string
	}{
		{"/wed/tables/orders", []string{
			`<figure class="week-chart">`,
			`<span class="bar h20 current" role="img" aria-current="page" title="Wednesday: 1,020 rows"`,
			`<a class="bar h8 drop" href="/thu/tables/orders" title="Thursday: 400 rows — 60% fewer than Wednesday"`,
			`<a class="bar h20" href="/mon/tables/orders" title="Monday: 1,000 rows"`,
			`<span class="bar h0 none" role="img" title="Friday: no copy"`,
			"<figcaption>Rows of orders on each of the seven days <span class=\"legend\">▼ in red",
		}},
		{"/thu/tables/orders?page_size=2&sort=-total", []string{
			`<span class="bar h8 current drop" role="img" aria-current="page" title="Thursday: 400 rows — 60% fewer than Wednesday"`,
			`<a class="bar h20" href="/wed/tables/orders" title="Wednesday: 1,020 rows"`,
		}},
	} {
		t.Run(tt.path, func(t *testing.T) {
			r := f.get(t, tt.path, false)
			if r.status != 200 {
				t.Fatalf("status = %d\n%.2000s", r.status, r.body)
			}
			for _, want := range tt.contains {
				if !strings.Contains(r.body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if n := len(dropBars.FindAllString(r.body, -1)); n != 1 {
				t.Errorf("%d bars marked as a drop, want 1", n)
			}
			checkWeekLinks(t, r.body, 4) // the other served days
		})
	}
	var page struct{ Week weekJSON }
	r := f.get(t, "/wed/tables/orders", true)
	if err := json.Unmarshal([]byte(r.body), &page); err != nil {
		t.Fatalf("JSON: %v\n%.1000s", err, r.body)
	}
	if got, want := page.Week.String(), "orders [1000 1010 1020 400 null 990 null] drops thu"; got != want {
		t.Errorf("JSON week = %s, want %s", got, want)
	}
}

// TestWeekNeedsLogin: the landing page is public, the tables' names and
// counts are not.
func TestWeekNeedsLogin(t *testing.T) {
	f := MustOpenWeekServer(t)
	r := f.request(t, "GET", "/", nil, nil, nil)
	if r.status != 200 || !strings.Contains(r.body, "Log in to see the week at a glance") {
		t.Fatalf("status = %d, want 200 inviting to log in\n%.2000s", r.status, r.body)
	}
	for _, bad := range []string{"orders", "legacy", "week-bars"} {
		if strings.Contains(r.body, bad) {
			t.Errorf("the anonymous landing page holds %q", bad)
		}
	}
	r = f.request(t, "GET", "/", nil, nil, map[string]string{"Accept": "application/json"})
	if !strings.Contains(r.body, `"week":null`) || strings.Contains(r.body, "orders") {
		t.Errorf("anonymous JSON: want week null and no table name\n%.1000s", r.body)
	}
}

// TestWeekInJapanese: the bars' titles in the user's language and its
// number format.
func TestWeekInJapanese(t *testing.T) {
	f := MustOpenWeekServer(t)
	r := f.request(t, "GET", "/wed/tables/orders", nil, []*http.Cookie{f.session}, map[string]string{"Accept-Language": "ja"})
	f.checkPage(t, "/wed/tables/orders", r)
	for _, want := range []string{`title="木曜日: 400行 — 水曜日より60%減少"`, `title="水曜日: 1,020行"`, `<span class="wd">木<span class="mark"> ▼</span></span>`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}
