package server_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// historyJSON is the JSON answer of a record's history.
type historyJSON struct {
	Key  string `json:"key"`
	Days []struct {
		Day          string `json:"day"`
		State        string `json:"state"`
		TableMissing bool   `json:"table_missing"`
		URL          string `json:"url"`
		Changes      []struct {
			Column     string          `json:"column"`
			Old        json.RawMessage `json:"old"`
			New        json.RawMessage `json:"new"`
			OldMissing bool            `json:"old_missing"`
		} `json:"changes"`
	} `json:"days"`
}

// summary returns "day:state[col:old>new]" for each day.
func (h historyJSON) summary() string {
	var out []string
	for _, d := range h.Days {
		s := d.Day + ":" + d.State
		if d.TableMissing {
			s += "(no table)"
		}
		for _, c := range d.Changes {
			old := string(c.Old)
			if c.OldMissing {
				old = "-"
			}
			s += "[" + c.Column + ":" + old + ">" + string(c.New) + "]"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

// TestHistory: a record on each day, oldest copy first, with what changed.
func TestHistory(t *testing.T) {
	f := MustOpenCompareServer(t)
	// Monday's copy, the newest, has none of these tables.
	const rest = " mon:deleted(no table) fri:no_copy sat:no_copy sun:no_copy"
	const restAbsent = " mon:absent(no table) fri:no_copy sat:no_copy sun:no_copy"
	for _, tt := range []struct{ path, want string }{
		{"/wed/tables/items/rows/5/history", `tue:present wed:changed[name:"item005-old">"item005"] thu:unchanged` + rest},
		{"/wed/tables/items/rows/7/history", `tue:present wed:unchanged thu:deleted` + restAbsent},
		{"/thu/tables/items/rows/9/history", `tue:present wed:unchanged thu:changed[note:null>""]` + rest},
		{"/thu/tables/items/rows/122/history", `tue:absent wed:absent thu:added` + rest},
		{"/wed/tables/items/rows/121/history", `tue:present wed:deleted thu:absent` + restAbsent},
		{"/wed/tables/items/rows/1/history", `tue:present wed:changed[data:"0x00ff10ac">"0x00ff10ab"] thu:unchanged` + rest},
		{"/wed/tables/pairs/rows/plain,2/history", `tue:present wed:unchanged thu:changed[w:->null]` + rest},
		{"/wed/tables/customers/rows/1/history", `tue:present wed:unchanged thu:unchanged` + rest}, // secret_token: a credential
		{"/thu/tables/legacy/rows/1/history", `tue:present wed:unchanged thu:deleted(no table)` + restAbsent},
	} {
		t.Run(tt.path, func(t *testing.T) {
			r := f.get(t, tt.path, true)
			if r.status != 200 {
				t.Fatalf("status %d\n%.2000s", r.status, r.body)
			}
			var h historyJSON
			if err := json.Unmarshal([]byte(r.body), &h); err != nil {
				t.Fatal(err)
			}
			if got := h.summary(); got != tt.want {
				t.Fatalf("history\n got %s\nwant %s", got, tt.want)
			}
		})
	}
	if r := f.get(t, "/wed/tables/nope/rows/1/history", false); r.status != 404 {
		t.Errorf("unknown table: status %d, want 404", r.status)
	}
}

// TestHistoryPage: the record page links to the history, which shows the
// change old → new; a record this day lacks says where it was last seen.
func TestHistoryPage(t *testing.T) {
	f := MustOpenCompareServer(t)
	if r := f.get(t, "/wed/tables/items/rows/5", false); !strings.Contains(r.body, `<a class="history-link" href="/wed/tables/items/rows/5/history">History over the week</a>`) {
		t.Errorf("the record page has no link to its history\n%.3000s", r.body)
	}
	r := f.get(t, "/wed/tables/items/rows/5/history", false)
	for _, want := range []string{bannerWed, `<tr class="day-wed current" data-day="wed" data-state="changed">`,
		`<li data-column="name"><strong>name</strong>: <span class="diff-old">item005-old</span> → <span class="diff-new">item005</span></li>`,
		`<a href="/tue/tables/items/rows/5">Tuesday</a>`, `<a class="day" href="/thu/tables/items/rows/5/history">Thu</a>`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("history lacks %q\n%.5000s", want, r.body)
		}
	}
	r = f.get(t, "/thu/tables/items/rows/7", false)
	for _, want := range []string{"There is no record 7 of items in the copy of Thursday.",
		`<a class="last-seen-link" href="/wed/tables/items/rows/7">Last seen on Wednesday (copy taken Wed, Mar 4, 2026 09:30)</a>`,
		`<a class="history-link" href="/thu/tables/items/rows/7/history">`} {
		if r.status != 404 || !strings.Contains(r.body, want) {
			t.Errorf("status %d, want 404 with %q\n%.3000s", r.status, want, r.body)
		}
	}
	if r := f.get(t, "/thu/tables/items/rows/7", true); r.status != 404 || !strings.Contains(r.body, `"last_seen":{"day":"wed","url":"/wed/tables/items/rows/7"}`) {
		t.Errorf("as JSON: status %d\n%.1000s", r.status, r.body)
	}
	if r := f.get(t, "/thu/tables/items/rows/999", false); r.status != 404 || strings.Contains(r.body, "Last seen") {
		t.Errorf("a record no copy has: status %d\n%.1000s", r.status, r.body)
	}
}
