package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// landingWeek returns the week charts of the landing page's JSON.
func (f *dayFixture) landingWeek(t *testing.T) map[string]json.RawMessage {
	t.Helper()
	r := f.get(t, "/", true)
	var l struct {
		Week []struct {
			Table  string          `json:"table"`
			Moves  json.RawMessage `json:"moves"`
			Alerts []string        `json:"alerts"`
		} `json:"week"`
	}
	if err := json.Unmarshal([]byte(r.body), &l); err != nil {
		t.Fatal(err)
	}
	out := map[string]json.RawMessage{}
	for _, w := range l.Week {
		out[w.Table] = json.RawMessage(fmt.Sprintf(`%s alerts %v`, w.Moves, w.Alerts))
	}
	return out
}

// TestWeekMoves: the week's charts show what each copy added, deleted and
// changed since the copy before it, and flag more than AlertFraction.
func TestWeekMoves(t *testing.T) {
	f := MustOpenCompareServer(t)
	week := f.landingWeek(t)
	for table, want := range map[string]string{
		// Monday's copy, the newest, has none of these tables: all deleted.
		"items": `[{"added":0,"deleted":119,"changed":0,"alert":true},null,{"added":0,"deleted":1,"changed":2},` +
			`{"added":1,"deleted":2,"changed":1},null,null,null] alerts [mon]`,
		"customers": `[{"added":0,"deleted":2,"changed":0,"alert":true},null,{"added":0,"deleted":0,"changed":0},` +
			`{"added":0,"deleted":0,"changed":1,"alert":true},null,null,null] alerts [mon thu]`,
		"legacy": `[null,null,{"added":0,"deleted":0,"changed":0},{"added":0,"deleted":1,"changed":0,"alert":true},null,null,null] alerts [thu]`,
	} {
		if got := string(week[table]); got != want {
			t.Errorf("%s\n got %s\nwant %s", table, got, want)
		}
	}
	r := f.get(t, "/", false)
	for _, want := range []string{`<a class="changes-link" href="/thu/changes">changes</a>`,
		`<a class="alert-link" href="/thu/tables/legacy/changes?against=&amp;kind=deleted"><span class="alert-badge">!</span> Thu</a>`,
		`Thursday: 119 rows — 2 deleted, 1 added, 1 changed since the copy before"`, `<span class="moves"> <span>−2</span> <span>+1</span> <span>~1</span></span>`,
		"! : the day deleted or changed more than 5% of the table"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("landing lacks %q", want)
		}
	}
	if strings.Contains(r.body, `href="/tue/changes"`) {
		t.Errorf("Tuesday's copy, the oldest, links to changes")
	}
}

// TestChangeAlertMetric: /metrics exports the alert and the rows moved of
// every table compared so far, following compare.alert_fraction.
func TestChangeAlertMetric(t *testing.T) {
	f := MustOpenCompareServer(t)
	f.landingWeek(t) // compares the week's pairs
	metrics := func() string {
		r := f.request(t, "GET", "/metrics", nil, nil, nil)
		return r.body
	}
	body := metrics()
	for _, want := range []string{`weekback_table_change_alert{day="thu",table="customers"} 1`,
		`weekback_table_change_alert{day="thu",table="items"} 0`, `weekback_table_change_alert{day="thu",table="legacy"} 1`,
		`weekback_table_change_alert{day="wed",table="items"} 0`,
		`weekback_table_rows_moved{day="thu",kind="deleted",table="items"} 2`,
		`weekback_table_rows_moved{day="wed",kind="changed",table="items"} 2`} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	f.srv.AlertFraction = 0.02 // items on Thursday: 2 deleted + 1 changed of 120 rows = 2.5%
	if body := metrics(); !strings.Contains(body, `weekback_table_change_alert{day="thu",table="items"} 1`) ||
		!strings.Contains(body, `weekback_table_change_alert{day="wed",table="items"} 1`) {
		t.Errorf("with a fraction of 2%%, items is not flagged on Wednesday and Thursday")
	}
}
