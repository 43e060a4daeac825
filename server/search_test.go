package server_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// searchJSON is the JSON answer of a search.
type searchJSON struct {
	Q      string `json:"q"`
	Tables []struct {
		Table    string `json:"table"`
		More     bool   `json:"more"`
		Error    string `json:"error"`
		Skipped  bool   `json:"skipped"`
		Filtered []struct {
			Column string `json:"column"`
			URL    string `json:"url"`
		} `json:"filtered"`
		Rows []struct {
			Key string `json:"key"`
			URL string `json:"url"`
		} `json:"rows"`
	} `json:"tables"`
}

func (f *dayFixture) search(t *testing.T, q string) searchJSON {
	t.Helper()
	path := "/wed/search?q=" + url.QueryEscape(q)
	r := f.get(t, path, true)
	if r.status != 200 {
		t.Fatalf("GET %s = %d\n%.1000s", path, r.status, r.body)
	}
	var s searchJSON
	if err := json.Unmarshal([]byte(r.body), &s); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return s
}

// found returns "table:key key …" for each table of s.
func (s searchJSON) found() string {
	var out []string
	for _, t := range s.Tables {
		var keys []string
		for _, r := range t.Rows {
			keys = append(keys, r.Key)
		}
		out = append(out, t.Table+":"+strings.Join(keys, " "))
	}
	return strings.Join(out, ", ")
}

// TestSearch: text by contains, numbers and keys by equality, across every
// table, credential columns never searched, a per-table limit.
func TestSearch(t *testing.T) {
	f := MustOpenDayServer(t)
	for _, tt := range []struct{ q, want string }{
		{"item007", "items:7"},
		{"ITEM007", "items:7"},         // the column's collation ignores case
		{"100%", "pairs:100%25,3"},     // % taken literally
		{"x,y/z", "pairs:x%2Cy%2Fz,1"}, // a composite key
		{"b@example", "customers:2"},   // text anywhere in a value
		{"SECRET-123", ""},             // customers.secret_token is redacted
		{"$2", ""},                     // users.password_hash too
		{"bcrypt", "users:1"},          // the users table's other columns are searched
		{"' OR '1'='1", ""},            // SQL is only a value
		{"118", "items:118"},           // id = 118 and item118
	} {
		t.Run(tt.q, func(t *testing.T) {
			if got := f.search(t, tt.q).found(); got != tt.want {
				t.Fatalf("found %q, want %q", got, tt.want)
			}
		})
	}
	s := f.search(t, "item")
	if len(s.Tables) != 1 || !s.Tables[0].More || len(s.Tables[0].Rows) != 20 {
		t.Fatalf("q=item: %+v, want items with its first 20 rows and more", s.Tables)
	}
	if fl := s.Tables[0].Filtered; len(fl) != 1 || fl[0].URL != "/wed/tables/items?f.name=contains%3Aitem" {
		t.Errorf("filtered links %+v, want items by name", fl)
	}
	if n := len(f.records(t, s.Tables[0].Filtered[0].URL+"&page_size=500").Rows); n != 120 {
		t.Errorf("the filtered records page has %d rows, want 120", n)
	}
}

// TestSearchPage: the HTML page highlights the value, every day's banner
// has the search box, and a too long value is refused.
func TestSearchPage(t *testing.T) {
	f := MustOpenDayServer(t)
	r := f.get(t, "/wed/search?q=tem00", false)
	for _, want := range []string{bannerWed, `<section class="search-result" data-table="items">`,
		`<a class="open" href="/wed/tables/items/rows/7">`, `i<mark>tem00</mark>7`,
		`<a class="filtered" href="/wed/tables/items?f.name=contains%3Atem00">name</a>`,
		`<input id="search-q" type="search" name="q" value="tem00"`, `<a class="day" href="/mon/search?q=tem00">Mon</a>`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("page lacks %q\n%.4000s", want, r.body)
		}
	}
	if r := f.get(t, "/wed/tables/items", false); !strings.Contains(r.body, `<form class="day-search" method="get" action="/wed/search" role="search">`) {
		t.Errorf("the records page's banner has no search box")
	}
	if r := f.get(t, "/wed/search?q=nothing-like-this", false); r.status != 200 || !strings.Contains(r.body, `class="lead search-none"`) {
		t.Errorf("no match: status %d\n%.2000s", r.status, r.body)
	}
	if r := f.get(t, "/wed/search?q="+strings.Repeat("x", 201), false); r.status != 400 || !strings.Contains(r.body, "at most 200 characters") {
		t.Errorf("too long: status %d\n%.2000s", r.status, r.body)
	}
}
