package server

import (
	"context"
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// TestRecordsCacheKeys: a page is read once per slot copy and query; a
// new copy (another slot, or the same slot name taken anew), another
// filter list (even one whose command-line form reads the same), sort,
// size or cursor is read again; what the caller changes in its page does
// not reach the kept one.
func TestRecordsCacheKeys(t *testing.T) {
	rc := newRecordsCaches()
	reads := 0
	read := func(context.Context) (*mysql.Page, error) {
		reads++
		return &mysql.Page{Table: "t", Rows: []mysql.Row{{Key: "1", Values: []mysql.Value{{Bytes: []byte("v")}}}}, Next: "n"}, nil
	}
	at := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
	gen := &weekback.Generation{Day: weekback.Monday, Slot: "s_mon_r1", Manifest: &weekback.Manifest{SnapshotAt: at}}
	q := mysql.RecordQuery{Schema: gen.Slot, Table: "t", PageSize: 50, MaxValueLen: listValueLen}
	get := func(gen *weekback.Generation, q mysql.RecordQuery) *mysql.Page {
		t.Helper()
		p, _, err := rc.page(context.Background(), gen, q, read)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := get(gen, q)
	p.Rows, p.Next = nil, ""
	if again := get(gen, q); reads != 1 || len(again.Rows) != 1 || again.Next != "n" {
		t.Fatalf("the same page again: %d reads, %d rows, next %q; want 1 read and the page as read", reads, len(again.Rows), again.Next)
	}
	newSlot, anew := *gen, *gen
	newSlot.Slot = "s_mon_r2"
	anew.Manifest = &weekback.Manifest{SnapshotAt: at.Add(24 * time.Hour)}
	variants := []func(*mysql.RecordQuery){
		func(q *mysql.RecordQuery) { q.Filters = []weekback.Filter{{Column: "a=eq:x", Op: weekback.OpIsNull}} },
		func(q *mysql.RecordQuery) {
			q.Filters = []weekback.Filter{{Column: "a", Op: weekback.OpEq, Value: "x=isnull"}}
		},
		func(q *mysql.RecordQuery) { q.Sort = weekback.Sort{Column: "a", Desc: true} },
		func(q *mysql.RecordQuery) { q.PageSize = 10 },
		func(q *mysql.RecordQuery) { q.After = "c" },
		func(q *mysql.RecordQuery) { q.Before = "c" },
	}
	get(&newSlot, q)
	get(&anew, q)
	for _, v := range variants {
		vq := q
		v(&vq)
		get(gen, vq)
	}
	if want := 1 + 2 + len(variants); reads != want {
		t.Fatalf("%d reads, want %d: one per copy and query", reads, want)
	}
}

// TestKeptHTMLCountsInTheLimit: the HTML written from kept pages counts
// in their cache's bytes, so pages whose HTML outgrows the limit are
// dropped, oldest first, and HTML written from a dropped page counts for
// nothing.
func TestKeptHTMLCountsInTheLimit(t *testing.T) {
	rc := newRecordsCaches()
	gen := &weekback.Generation{Day: weekback.Monday, Slot: "s_mon_r1", Manifest: &weekback.Manifest{SnapshotAt: time.Now()}}
	read := func(context.Context) (*mysql.Page, error) { return &mysql.Page{Table: "t"}, nil }
	html := template.HTML(strings.Repeat("<td>x</td>", 100_000)) // 1 MB
	var first *pageText
	for i := range 100 {
		q := mysql.RecordQuery{Schema: gen.Slot, Table: "t", PageSize: i + 1}
		_, h, err := rc.page(context.Background(), gen, q, read)
		if err != nil {
			t.Fatal(err)
		}
		for _, lang := range []string{"ja mon", "en mon"} {
			if got := h.HTML(lang, func() template.HTML { return html }); got != html {
				t.Fatalf("page %d, %s: kept HTML differs", i, lang)
			}
		}
		if first == nil {
			first = h
		}
		if rc.pages.bytes > recordsCacheBytes {
			t.Fatalf("after page %d: %d bytes kept, want at most %d", i, rc.pages.bytes, recordsCacheBytes)
		}
	}
	per := recordsPageBytes(&mysql.Page{Table: "t"}) + 2*int64(len("ja mon")+len(html))
	if n, want := len(rc.pages.order), int(recordsCacheBytes/per); n != want {
		t.Fatalf("%d pages of 2 MB of HTML kept, want %d", n, want)
	}
	before := rc.pages.bytes
	first.HTML("de mon", func() template.HTML { return html }) // its page was dropped long ago
	if rc.pages.bytes != before {
		t.Fatalf("HTML of a dropped page counted: %d bytes, want %d", rc.pages.bytes, before)
	}
}
