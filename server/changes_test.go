package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// changesJSON is the JSON answer of a changes page.
type changesJSON struct {
	From    string `json:"from"`
	To      string `json:"to"`
	Against string `json:"against"`
	Tables  []struct {
		Table        string   `json:"table"`
		RowsFrom     int64    `json:"rows_from"`
		RowsTo       int64    `json:"rows_to"`
		Added        int64    `json:"added"`
		Deleted      int64    `json:"deleted"`
		Changed      int64    `json:"changed"`
		Status       string   `json:"status"`
		ColumnsAdded []string `json:"columns_added"`
	} `json:"tables"`
}

func (c changesJSON) String() string {
	var s []string
	for _, t := range c.Tables {
		s = append(s, fmt.Sprintf("%s %d→%d -%d +%d ~%d %s%v", t.Table, t.RowsFrom, t.RowsTo, t.Deleted, t.Added, t.Changed, t.Status, t.ColumnsAdded))
	}
	return c.From + "→" + c.To + ": " + strings.Join(s, "; ")
}

// TestChanges: every table's counts between two copies, compared forward
// in time whichever day the page is on, the previous copy by default.
func TestChanges(t *testing.T) {
	f := MustOpenCompareServer(t)
	const wedThu = "wed→thu: customers 2→2 -0 +0 ~1 changed[]; fresh 0→2 -0 +2 ~0 only_in_to[]; " +
		"items 120→119 -2 +1 ~1 changed[]; legacy 1→0 -1 +0 ~0 only_in_from[]; pairs 3→3 -0 +0 ~0 same[w]; users 5→5 -0 +0 ~0 same[]"
	for _, tt := range []struct{ path, want string }{
		{"/thu/changes?against=wed", wedThu},
		{"/thu/changes", wedThu}, // the copy taken before Thursday's
		{"/wed/changes?against=thu", wedThu},
		{"/wed/changes", "tue→wed: customers 2→2 -0 +0 ~0 same[]; items 121→120 -1 +0 ~2 changed[]; legacy 1→1 -0 +0 ~0 same[]; " +
			"pairs 3→3 -0 +0 ~0 same[]; users 5→5 -0 +0 ~0 same[]"},
		{"/tue/changes", "→: "}, // the oldest copy: nothing to compare with
	} {
		t.Run(tt.path, func(t *testing.T) {
			r := f.get(t, tt.path, true)
			if r.status != 200 {
				t.Fatalf("status %d\n%.2000s", r.status, r.body)
			}
			var c changesJSON
			if err := json.Unmarshal([]byte(r.body), &c); err != nil {
				t.Fatal(err)
			}
			if got := c.String(); got != tt.want {
				t.Fatalf("changes\n got %s\nwant %s", got, tt.want)
			}
		})
	}
	for _, tt := range []struct {
		path   string
		status int
		want   string
	}{
		{"/thu/changes?against=xyz", 400, "is not a day"},
		{"/thu/changes?against=thu", 400, "Pick another day"},
		{"/thu/changes?against=sun", 404, "no copy of Sunday"},
		{"/thu/changes?against=production", 400, "weekback diff --from thu --to production"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			if r := f.get(t, tt.path, false); r.status != tt.status || !strings.Contains(r.body, tt.want) {
				t.Fatalf("status %d, want %d saying %q\n%.2000s", r.status, tt.status, tt.want, r.body)
			}
		})
	}
}

// TestChangesPage: biggest change first, each count links to its rows.
func TestChangesPage(t *testing.T) {
	f := MustOpenCompareServer(t)
	r := f.get(t, "/thu/changes", false)
	for _, want := range []string{"What changed from Wednesday to Thursday", `<option value="wed" selected>Wednesday</option>`,
		`<a class="deleted" href="/thu/tables/items/changes?against=wed&amp;kind=deleted">2</a>`,
		`<a class="added" href="/thu/tables/fresh/changes?against=wed&amp;kind=added">2</a>`,
		`<span class="table-status">table dropped</span>`, "columns added: w", `<a href="/wed/tables/legacy">legacy</a>`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("page lacks %q\n%.6000s", want, r.body)
		}
	}
	if day := f.get(t, "/thu/", false); !strings.Contains(day.body, `<a class="changes-link" href="/thu/changes">`) {
		t.Errorf("the day page does not link to its changes")
	}
	var order []string
	for _, part := range strings.Split(r.body, `data-table="`)[1:] {
		order = append(order, part[:strings.IndexByte(part, '"')])
	}
	if got := strings.Join(order, " "); got != "items fresh customers legacy pairs users" {
		t.Errorf("tables in the order %s, want the biggest change first", got)
	}
}

// changeRowsJSON is the JSON answer of a table's changes.
type changeRowsJSON struct {
	Rows []struct {
		Key     string            `json:"key"`
		URL     string            `json:"url"`
		Values  map[string]any    `json:"values"`
		Changes []json.RawMessage `json:"changes"`
	} `json:"rows"`
	Next string `json:"next"`
}

func (f *dayFixture) changeRows(t *testing.T, path string) changeRowsJSON {
	t.Helper()
	r := f.get(t, path, true)
	if r.status != 200 {
		t.Fatalf("GET %s = %d\n%.2000s", path, r.status, r.body)
	}
	var c changeRowsJSON
	if err := json.Unmarshal([]byte(r.body), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c changeRowsJSON) keys() string {
	var k []string
	for _, r := range c.Rows {
		k = append(k, r.Key)
	}
	return strings.Join(k, " ")
}

// TestTableChanges: the rows of each kind, paged and filtered, with where
// they can be downloaded from.
func TestTableChanges(t *testing.T) {
	f := MustOpenCompareServer(t)
	for _, tt := range []struct{ path, want string }{
		{"/thu/tables/items/changes?against=wed&kind=deleted", "7 8"},
		{"/thu/tables/items/changes?against=wed", "7 8"}, // deleted by default
		{"/thu/tables/items/changes?against=wed&kind=added", "122"},
		{"/thu/tables/items/changes?against=wed&kind=changed", "9"},
		{"/thu/tables/items/changes?kind=deleted&f.name=eq:item008", "8"},
		{"/thu/tables/legacy/changes?kind=deleted", "1"},
		{"/wed/tables/items/changes?kind=changed", "1 5"},
		{"/thu/tables/pairs/changes?kind=added", ""}, // none: the comparison says so without reading the tables
	} {
		t.Run(tt.path, func(t *testing.T) {
			if got := f.changeRows(t, tt.path).keys(); got != tt.want {
				t.Fatalf("keys %q, want %q", got, tt.want)
			}
		})
	}
	p := f.changeRows(t, "/thu/tables/items/changes?against=wed&kind=deleted&page_size=1")
	if p.keys() != "7" || p.Rows[0].URL != "/wed/tables/items/rows/7" || p.Next == "" {
		t.Fatalf("first page %+v", p)
	}
	if p2 := f.changeRows(t, p.Next); p2.keys() != "8" || p2.Next != "" {
		t.Fatalf("second page %+v (from %s)", p2, p.Next)
	}
	c := f.changeRows(t, "/thu/tables/items/changes?kind=changed")
	if len(c.Rows[0].Changes) != 1 || string(c.Rows[0].Changes[0]) != `{"column":"note","old":{"note":null},"new":{"note":""}}` {
		t.Errorf("changes of items 9: %s", c.Rows[0].Changes)
	}
	for _, tt := range []struct {
		path, want string
	}{
		{"/thu/tables/items/changes?kind=bogus", "is not a kind of change"},
		{"/thu/tables/items/changes?sort=name", "in the order of the table"},
		{"/tue/tables/items/changes", "no earlier one"},
	} {
		if r := f.get(t, tt.path, false); r.status/100 != 4 || !strings.Contains(r.body, tt.want) {
			t.Errorf("%s: status %d, want 4xx saying %q\n%.1500s", tt.path, r.status, tt.want, r.body)
		}
	}
}

// TestTableChangesPage: old → new highlighted, credentials never shown,
// and the download form narrows the export to these rows.
func TestTableChangesPage(t *testing.T) {
	f := MustOpenCompareServer(t)
	r := f.get(t, "/thu/tables/items/changes?kind=changed", false)
	for _, want := range []string{`<td class="kind-text empty changed-cell"><span class="diff-old"><span class="null">NULL</span></span> → <span class="diff-new"></span></td>`,
		`<a class="kind-tab kind-deleted" href="/thu/tables/items/changes?against=wed&amp;kind=deleted">Deleted (2)</a>`,
		`<span class="kind-tab current kind-changed" aria-current="page">Changed (1)</span>`,
		`<form method="get" action="/wed/tables/items/export.csv">`, `<input type="hidden" name="changed_in" value="thu">`,
		`<a class="history" href="/wed/tables/items/rows/9/history">`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("page lacks %q\n%.6000s", want, r.body)
		}
	}
	r = f.get(t, "/thu/tables/items/changes?kind=added&f.name=prefix:item", false)
	for _, want := range []string{`<form method="get" action="/thu/tables/items/export.csv">`, `<input type="hidden" name="missing_in" value="wed">`,
		`<input type="hidden" name="f.name" value="prefix:item">`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("added page lacks %q\n%.6000s", want, r.body)
		}
	}
	r = f.get(t, "/thu/tables/customers/changes?kind=changed", false) // checkPage: no credential in it
	if !strings.Contains(r.body, "changed (credential: not shown)") {
		t.Errorf("customers' changed secret_token\n%.4000s", r.body)
	}
	if r := f.get(t, "/thu/tables/items/changes?kind=deleted&fo.name=eq&fv.name=item007", false); r.status != 303 ||
		r.header.Get("Location") != "/thu/tables/items/changes?f.name=eq%3Aitem007&against=&kind=deleted" {
		t.Errorf("filter form: %d to %q", r.status, r.header.Get("Location"))
	}
}
