package server_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/weekback/weekback/mysql"
)

// recordsJSON is the JSON form of a records page.
type recordsJSON struct {
	Columns []struct {
		Name   string `json:"name"`
		Masked bool   `json:"masked"`
	} `json:"columns"`
	Rows []struct {
		Key       string         `json:"key"`
		URL       string         `json:"url"`
		Values    map[string]any `json:"values"`
		Truncated []string       `json:"truncated"`
	} `json:"rows"`
	Next string `json:"next"`
	Prev string `json:"prev"`
}

func (f *dayFixture) records(t *testing.T, path string) recordsJSON {
	t.Helper()
	r := f.get(t, path, true)
	if r.status != 200 {
		t.Fatalf("GET %s = %d\n%.1000s", path, r.status, r.body)
	}
	var p recordsJSON
	if err := json.Unmarshal([]byte(r.body), &p); err != nil {
		t.Fatalf("GET %s: %v\n%.1000s", path, err, r.body)
	}
	return p
}

func names(p recordsJSON) []string {
	var out []string
	for _, r := range p.Rows {
		out = append(out, r.Values["name"].(string))
	}
	return out
}

func TestRecordsPage(t *testing.T) {
	f := MustOpenDayServer(t)
	r := f.get(t, "/wed/tables/items?page_size=5", false)
	if r.status != 200 {
		t.Fatalf("status = %d\n%s", r.status, r.body)
	}
	for _, want := range []string{
		bannerWed, `<a class="day" href="/mon/tables/items?page_size=5">Mon</a>`, `<span class="day off">Sun</span>`,
		`<td class="kind-text"><span class="null">NULL</span></td>`, // NULL …
		`<td class="kind-text empty"></td>`,                         // … is not an empty string
		`<span class="size">4 bytes</span> <code class="hex">0x00ff10ab</code>`,
		"<pre class=\"json\">{\n  &#34;a&#34;: 1,\n  &#34;b&#34;: [\n    true,",
		"POINT(1 2)", "2024-02-29 12:34:56", `<span class="cut"`,
		`<a class="open" href="/wed/tables/items/rows/1">`, `rel="next" href="/wed/tables/items?after=`,
		`<select id="fo-2" name="fo.note">`, `<option value="isnull">is NULL</option>`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("page lacks %q:\n%.6000s", want, r.body)
		}
	}
	p := f.records(t, "/wed/tables/items?page_size=3")
	if len(p.Rows) != 3 || p.Rows[0].Values["data"] != "0x00ff10ab" || p.Rows[0].Values["geo"] != "POINT(1 2)" ||
		p.Rows[0].Values["note"] != "" || p.Rows[2].Values["note"] != nil || p.Rows[1].Values["note"] != "note 2" ||
		p.Rows[1].Truncated[0] != "long_text" || p.Rows[0].URL != "/wed/tables/items/rows/1" {
		t.Errorf("JSON page = %+v", p.Rows)
	}
}

func TestRecordsFiltersAndSort(t *testing.T) {
	f := MustOpenDayServer(t)
	count := func(path string) int { return len(f.records(t, path).Rows) }
	for _, tt := range []struct {
		query string
		want  int
	}{
		{"f.name=eq:item007", 1},
		{"f.name=contains:11", 11}, // item011, item110 … item119
		{"f.note=isnull", 40},
		{"f.note=eq:", 40},
		{"f.note=notnull&f.name=prefix:item00", 6},
		{"f.id=in:1,2,3,500", 3},
		{"f.name=" + url.QueryEscape("eq:x' OR '1'='1"), 0},
		{"f.name=" + url.QueryEscape("eq:item001; DROP TABLE items"), 0},
	} {
		t.Run(tt.query, func(t *testing.T) {
			if got := count("/wed/tables/items?page_size=500&" + tt.query); got != tt.want {
				t.Fatalf("rows = %d, want %d", got, tt.want)
			}
		})
	}
	if got := names(f.records(t, "/wed/tables/items?sort=-name&page_size=2")); strings.Join(got, " ") != "item120 item119" {
		t.Errorf("sort=-name: %v", got)
	}
	if got := names(f.records(t, "/wed/tables/items?sort=name&page_size=2")); strings.Join(got, " ") != "item001 item002" {
		t.Errorf("sort=name: %v", got)
	}
	for _, tt := range []struct{ query, want string }{
		{"f.nope=eq:1", `has no column`},
		{"sort=nope", `has no column`},
		{"sort=-", "names no column"},
		{"f.name=like:x", "is not an operator"},
		{"page_size=501", "page_size can be at most 500."},
		{"page_size=lots", "page_size lots is not a number of rows: use 1 to 500."},
		{"after=garbage", "no longer valid"},
		{"f.password_hash=eq:x", ""}, // not a column of items: 400 all the same
	} {
		t.Run(tt.query, func(t *testing.T) {
			r := f.get(t, "/wed/tables/items?"+tt.query, false)
			if r.status != 400 || !strings.Contains(r.body, tt.want) || !strings.Contains(r.body, bannerWed) {
				t.Fatalf("status = %d, want 400 saying %q under the banner\n%.3000s", r.status, tt.want, r.body)
			}
		})
	}
}

// TestRecordsPaging pages forward through all 120 rows, filtered and
// sorted, by the page's own links, then back.
func TestRecordsPaging(t *testing.T) {
	f := MustOpenDayServer(t)
	seen := map[string]bool{}
	var forward []string
	path := "/wed/tables/items?sort=-note&page_size=7"
	var last recordsJSON
	for pages := 0; path != ""; pages++ {
		if pages > 30 {
			t.Fatal("paging does not end")
		}
		last = f.records(t, path)
		for _, n := range names(last) {
			if seen[n] {
				t.Fatalf("%s shown twice", n)
			}
			seen[n] = true
			forward = append(forward, n)
		}
		if last.Next != "" && (!strings.Contains(last.Next, "sort=-note") || !strings.Contains(last.Next, "page_size=7")) {
			t.Fatalf("next link %q loses the sort or page size", last.Next)
		}
		path = last.Next
	}
	if len(seen) != 120 {
		t.Fatalf("rows seen = %d, want 120", len(seen))
	}
	var backward []string
	for path = last.Prev; path != ""; {
		p := f.records(t, path)
		backward = append(names(p), backward...)
		path = p.Prev
	}
	if got, want := strings.Join(backward, " "), strings.Join(forward[:len(forward)-len(last.Rows)], " "); got != want {
		t.Fatalf("paging back gave\n%s\nwant\n%s", got, want)
	}
	// Filters survive in the HTML links, escaped.
	r := f.get(t, "/wed/tables/items?f.name="+url.QueryEscape("prefix:item0")+"&f.note=notnull&page_size=5", false)
	if !strings.Contains(r.body, "f.name=prefix%3Aitem0") || !strings.Contains(r.body, "&amp;f.note=notnull") {
		t.Errorf("links lose the filters:\n%.4000s", r.body)
	}
}

// TestRecordsFilterForm: the form's fo.COL/fv.COL fields come back as
// f.COL=op:value, keeping the sort.
func TestRecordsFilterForm(t *testing.T) {
	f := MustOpenDayServer(t)
	r := f.get(t, "/wed/tables/items?sort=-id&fo.note=isnull&fv.note=&fo.name=prefix&fv.name=item0&fo.id=&fv.id=", false)
	loc, _ := url.Parse(r.header.Get("Location"))
	if r.status != 303 || loc.Path != "/wed/tables/items" || loc.Query().Get("f.note") != "isnull" ||
		loc.Query().Get("f.name") != "prefix:item0" || loc.Query().Get("sort") != "-id" || loc.Query().Has("f.id") {
		t.Fatalf("form = %d to %q", r.status, loc)
	}
	if p := f.records(t, loc.String()); len(p.Rows) != 33 || p.Rows[0].Values["name"] != "item099" {
		t.Fatalf("filtered by the form: %d rows, first %v", len(p.Rows), p.Rows[0].Values["name"])
	}
}

func TestRecordPage(t *testing.T) {
	f := MustOpenDayServer(t)
	r := f.get(t, "/wed/tables/items/rows/1", false)
	for _, want := range []string{bannerWed, `<a class="day" href="/mon/tables/items/rows/1">Mon</a>`, "0x00ff10ab", "POINT(1 2)", "2024-02-29 12:34:56", `class="kind-text empty"`} {
		if r.status != 200 || !strings.Contains(r.body, want) {
			t.Errorf("record page = %d, lacks %q:\n%.4000s", r.status, want, r.body)
		}
	}
	// A composite key with a comma, a slash and a percent sign: the
	// links the table page gives open each record.
	p := f.records(t, "/wed/tables/pairs")
	if len(p.Rows) != 3 {
		t.Fatalf("pairs = %+v", p.Rows)
	}
	for _, row := range p.Rows {
		r := f.get(t, row.URL, true)
		var got struct {
			Values map[string]any `json:"values"`
		}
		json.Unmarshal([]byte(r.body), &got)
		if r.status != 200 || got.Values["a"] != row.Values["a"] || got.Values["v"] != row.Values["v"] {
			t.Errorf("GET %s = %d %v, want the row %v", row.URL, r.status, got.Values, row.Values)
		}
	}
	if key := mysql.FormatRowKey([]string{"x,y/z", "1"}); key != "x%2Cy%2Fz,1" {
		t.Fatalf("FormatRowKey = %q", key)
	}
	if r := f.get(t, "/wed/tables/pairs/rows/x%2Cy%2Fz,1", false); r.status != 200 || !strings.Contains(r.body, "comma") || !strings.Contains(r.body, "x,y/z") {
		t.Errorf("record x,y/z = %d\n%.3000s", r.status, r.body)
	}
	for _, path := range []string{"/wed/tables/pairs/rows/nope,9", "/wed/tables/customers/rows/999", "/wed/tables/items/rows/999", "/wed/tables/items/rows/abc", "/wed/tables/pairs/rows/plain",
		"/wed/tables/pairs/rows/x,y%2Fz,1", "/wed/tables/v_items/rows/1"} {
		if r := f.get(t, path, false); r.status != 404 {
			t.Errorf("GET %s = %d, want 404", path, r.status)
		}
	}
}

// TestRecordsMasked: credential columns show as masked and are never
// read, on every page and in JSON; they cannot be filtered or sorted by.
func TestRecordsMasked(t *testing.T) {
	f := MustOpenDayServer(t) // f.get fails on any credential in an answer
	for _, path := range []string{"/wed/tables/users", "/wed/tables/users/rows/1", "/wed/tables/customers", "/wed/tables/customers/rows/1"} {
		if r := f.get(t, path, false); r.status != 200 || !strings.Contains(r.body, `<span class="masked"`) || !strings.Contains(r.body, "••••") {
			t.Errorf("GET %s = %d, no masked value:\n%.3000s", path, r.status, r.body)
		}
	}
	p := f.records(t, "/wed/tables/users")
	for _, c := range p.Columns {
		if c.Masked != (c.Name == "password_hash") {
			t.Errorf("column %s masked = %v", c.Name, c.Masked)
		}
	}
	if _, ok := p.Rows[0].Values["password_hash"]; ok || p.Rows[0].Values["login_id"] == nil {
		t.Errorf("JSON row = %v, want login_id without password_hash", p.Rows[0].Values)
	}
	if _, ok := f.records(t, "/wed/tables/customers").Rows[0].Values["secret_token"]; ok {
		t.Errorf("redacted secret_token in JSON")
	}
	f.get(t, "/wed/tables/customers/rows/1", true)
	for _, q := range []string{"f.password_hash=prefix:$2", "sort=password_hash", "f.PASSWORD_HASH=notnull"} {
		if r := f.get(t, "/wed/tables/users?"+q, false); r.status != 400 || !strings.Contains(r.body, "credentials") {
			t.Errorf("users?%s = %d, want 400 about credentials", q, r.status)
		}
	}
}
