package server_test

import (
	"strings"
	"testing"
)

// TestRecordsCount: a records page says how many rows its query has: the
// table's (from the manifest) unfiltered, the filters' when filtered
// (never the table's), counted for a view; a bad filter keeps the page
// with the sentence in the filter form and no count.
func TestRecordsCount(t *testing.T) {
	f := MustOpenDayServer(t)
	for _, tt := range []struct {
		name, path string
		status     int
		want       []string
		lacks      []string
	}{
		{"table", "/wed/tables/items?page_size=5", 200, []string{`<p class="count">120 rows</p>`}, nil},
		{"filtered", "/wed/tables/items?f.id=le:7&page_size=5", 200, []string{`<p class="count">7 rows match the filters</p>`},
			[]string{`<p class="count">120`}},
		{"filtered, one row", "/wed/tables/items?f.id=eq:7", 200, []string{`<p class="count">1 row matches the filters</p>`}, nil},
		{"view", "/wed/tables/v_items", 200, []string{`<p class="count">120 rows</p>`}, nil},
		{"view filtered", "/wed/tables/v_items?f.name=prefix:item00", 200, []string{`<p class="count">9 rows match the filters</p>`}, nil},
		{"bad filter value", "/wed/tables/items?f.id=eq:abc", 400, []string{`<h1>items</h1>`, `class="form-error query-error"`,
			`name="fv.id" value="abc"`, `<details class="filter-form" open>`}, []string{`class="count"`, "No records match"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := f.get(t, tt.path, false)
			if r.status != tt.status {
				t.Fatalf("status = %d, want %d\n%.2000s", r.status, tt.status, r.body)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.body, w) {
					t.Errorf("body lacks %q", w)
				}
			}
			for _, bad := range tt.lacks {
				if strings.Contains(r.body, bad) {
					t.Errorf("body holds %q", bad)
				}
			}
		})
	}
}
