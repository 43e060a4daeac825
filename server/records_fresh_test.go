package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestRecordsPageOfANewCopy: a records page (and its filtered count) is
// kept for the copy it was read from only: once the day serves a new copy,
// the same address shows the new copy's rows.
func TestRecordsPageOfANewCopy(t *testing.T) {
	f := MustOpenCompareServer(t)
	const path = "/thu/tables/items?f.note=eq:renamed+in+the+new+copy"
	for _, asJSON := range []bool{true, false} {
		if r := f.get(t, path, asJSON); r.status != 200 || strings.Contains(r.body, "item009") {
			t.Fatalf("before the new copy = %d, item009 shown: %v", r.status, strings.Contains(r.body, "item009"))
		}
	}
	prefix := f.meta.Prefix()
	thu, next := "`"+prefix+"_thu_r2`", "`"+prefix+"_thu_r9`"
	mysqltest.MustExec(t, mysqltest.MustOpen(t), "CREATE DATABASE "+next,
		"CREATE TABLE "+next+".items LIKE "+thu+".items", "INSERT INTO "+next+".items SELECT * FROM "+thu+".items",
		"UPDATE "+next+".items SET note = 'renamed in the new copy' WHERE id = 9")
	admin, err := mysql.OpenMeta(context.Background(), f.db, prefix)
	if err != nil {
		t.Fatal(err)
	}
	m := &weekback.Manifest{Day: weekback.Thursday, Slot: prefix + "_thu_r9", SnapshotAt: time.Date(2026, 3, 12, 0, 30, 0, 0, time.UTC),
		Tables: []weekback.TableInfo{{Name: "items", Rows: 119}}, Rows: 119}
	if _, err := admin.Switch(context.Background(), weekback.Thursday, m.Slot, m, time.Minute); err != nil {
		t.Fatal(err)
	}
	r := f.get(t, path, true)
	if r.status != 200 || !strings.Contains(r.body, `"key":"9"`) {
		t.Fatalf("after the new copy = %d, want item 9\n%.1000s", r.status, r.body)
	}
	if r := f.get(t, path, false); !strings.Contains(r.body, "item009") || !strings.Contains(r.body, "1 ") {
		t.Fatalf("the HTML page after the new copy lacks item009 or its count\n%.3000s", r.body)
	}
}

// TestChangedRowsPageInEachLanguage: the rows of a kept page of changes
// are written once per language: the same page asked for in English, then
// in Japanese, then in English again shows each its own words.
func TestChangedRowsPageInEachLanguage(t *testing.T) {
	f := MustOpenCompareServer(t)
	const path = "/thu/tables/items/changes?against=wed&kind=changed"
	for _, c := range []struct{ lang, open, not string }{{"en", `">open</a>`, `">詳細</a>`}, {"ja", `">詳細</a>`, `">open</a>`}, {"en", `">open</a>`, `">詳細</a>`}} {
		r := f.request(t, "GET", path, nil, []*http.Cookie{f.session}, map[string]string{"Accept-Language": c.lang})
		if r.status != 200 || !strings.Contains(r.body, c.open) || strings.Contains(r.body, c.not) || !strings.Contains(r.body, "item009") {
			t.Fatalf("%s: %d, want item009 with %q and not %q\n%.3000s", c.lang, r.status, c.open, c.not, r.body)
		}
	}
}

// TestRecordsRowsOfTwoDaysOneSlot: Wednesday and Thursday of the day
// fixture serve one slot, so they share a kept page; the rows' links
// still go to each page's own day, and the words are each request's
// language.
func TestRecordsRowsOfTwoDaysOneSlot(t *testing.T) {
	f := MustOpenDayServer(t)
	for _, c := range []struct{ day, lang, open string }{{"wed", "en", "open"}, {"thu", "en", "open"}, {"thu", "ja", "詳細"}, {"wed", "ja", "詳細"}} {
		r := f.request(t, "GET", "/"+c.day+"/tables/items", nil, []*http.Cookie{f.session}, map[string]string{"Accept-Language": c.lang})
		want := `<a class="open" href="/` + c.day + `/tables/items/rows/1">` + c.open + `</a>`
		if r.status != 200 || !strings.Contains(r.body, want) {
			t.Fatalf("%s in %s: %d, want %s\n%.3000s", c.day, c.lang, r.status, want, r.body)
		}
	}
}
