package server

import (
	"slices"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/i18n"
)

func rows(n int64) *int64 { return &n }

func TestBarHeight(t *testing.T) {
	for _, tt := range []struct {
		name       string
		count, top int64
		want       int
	}{
		{"the largest count is a full bar", 1020, 1020, barSteps},
		{"half", 500, 1000, 10},
		{"rounded down", 400, 1020, 8}, // 7.84 steps
		{"rounded up", 990, 1020, 19},  // 19.41 steps
		{"rounded to full", 1010, 1020, 20},
		{"tiny but not empty", 1, 1_000_000, 1},
		{"zero rows", 0, 1000, 0},
		{"an empty week", 0, 0, 0},
		{"above the top (cannot happen) is capped", 2000, 1000, barSteps},
		{"large tables do not overflow", 4_000_000_000, 8_000_000_000, 10},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := barHeight(tt.count, tt.top); got != tt.want {
				t.Fatalf("barHeight(%d, %d) = %d, want %d", tt.count, tt.top, got, tt.want)
			}
		})
	}
}

func TestIsDrop(t *testing.T) {
	for _, tt := range []struct {
		name      string
		prev, cur int64
		want      bool
	}{
		{"mass deletion", 1020, 400, true},
		{"exactly 20% and 10 rows", 50, 40, true},
		{"just under 20%", 51, 41, false}, // 19.6%
		{"20% but only 9 rows", 45, 36, false},
		{"everything deleted", 10, 0, true},
		{"a small table emptied: 2 rows", 2, 0, false},
		{"many rows but a small share", 100_000, 90_000, false},
		{"growth", 100, 300, false},
		{"unchanged", 100, 100, false},
		{"from nothing", 0, 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := isDrop(tt.prev, tt.cur); got != tt.want {
				t.Fatalf("isDrop(%d, %d) = %v, want %v", tt.prev, tt.cur, got, tt.want)
			}
		})
	}
}

func TestPreviousCopies(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 3, 0, 0, 0, time.UTC) }
	for _, tt := range []struct {
		name string
		days [7]dayCount
		want [7]int
	}{
		{"a plain week, Monday first", [7]dayCount{
			{rows(1), day(2)}, {rows(1), day(3)}, {rows(1), day(4)}, {rows(1), day(5)}, {rows(1), day(6)}, {rows(1), day(7)}, {rows(1), day(8)}},
			[7]int{-1, 0, 1, 2, 3, 4, 5}},
		{"on a Wednesday: Thursday is the oldest copy, Monday follows Sunday", [7]dayCount{
			{rows(1), day(9)}, {rows(1), day(10)}, {rows(1), day(11)}, {rows(1), day(5)}, {rows(1), day(6)}, {rows(1), day(7)}, {rows(1), day(8)}},
			[7]int{6, 0, 1, -1, 3, 4, 5}},
		{"days without a count are skipped", [7]dayCount{
			{rows(1), day(2)}, {nil, day(3)}, {rows(1), day(4)}, {nil, time.Time{}}, {rows(1), day(6)}, {nil, time.Time{}}, {nil, time.Time{}}},
			[7]int{-1, -1, 0, -1, 2, -1, -1}},
		{"no copy at all", [7]dayCount{}, [7]int{-1, -1, -1, -1, -1, -1, -1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := previousCopies(tt.days); got != tt.want {
				t.Fatalf("previousCopies = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestWeekOf: counts, drops across the end of the week, links only to the
// days whose copy has the table, labels in the language.
func TestWeekOf(t *testing.T) {
	at := func(d int) time.Time { return time.Date(2026, 3, d, 3, 0, 0, 0, time.UTC) }
	gen := func(day weekback.Weekday, d int, tables ...weekback.TableInfo) *weekback.Generation {
		return &weekback.Generation{Day: day, Status: weekback.StatusReady, Slot: "s_" + string(day),
			Manifest: &weekback.Manifest{Day: day, SnapshotAt: at(d), Tables: tables}}
	}
	orders := func(n int64) weekback.TableInfo { return weekback.TableInfo{Name: "orders", Rows: n} }
	// Today is Tuesday: Monday (9th) and Tuesday (10th) are this week's,
	// Wednesday … Sunday (4th … 8th) last week's.
	gens := []*weekback.Generation{gen(weekback.Monday, 9, orders(100)), gen(weekback.Tuesday, 10, orders(100)),
		gen(weekback.Wednesday, 4, orders(300)), gen(weekback.Thursday, 5), {Day: weekback.Friday, Status: weekback.StatusNever},
		gen(weekback.Saturday, 7, orders(310)), gen(weekback.Sunday, 8, orders(320))}
	en := i18n.Default().Localizer(language.English)
	ch := weekOf(en, gens, "orders", weekback.Tuesday)
	var counts []any
	for _, c := range ch.Counts {
		if c == nil {
			counts = append(counts, nil)
		} else {
			counts = append(counts, *c)
		}
	}
	if want := []any{int64(100), int64(100), int64(300), nil, nil, int64(310), int64(320)}; !slices.Equal(counts, want) {
		t.Errorf("counts = %v, want %v", counts, want)
	}
	if want := []weekback.Weekday{weekback.Monday}; !slices.Equal(ch.Drops, want) {
		t.Errorf("drops = %v, want %v (Sunday 320 → Monday 100)", ch.Drops, want)
	}
	if ch.URL != "/tue/tables/orders" {
		t.Errorf("URL = %q, want the newest copy's", ch.URL)
	}
	for _, tt := range []struct {
		i              int
		url, label     string
		height         int
		drop, cur, has bool
	}{
		{0, "/mon/tables/orders", "Monday: 100 rows — 68% fewer than Sunday", 6, true, false, true},
		{1, "/tue/tables/orders", "Tuesday: 100 rows", 6, false, true, true},
		{2, "/wed/tables/orders", "Wednesday: 300 rows", 19, false, false, true},
		{3, "", "Thursday: no table orders in this copy", 0, false, false, false},
		{4, "", "Friday: no copy", 0, false, false, false},
		{6, "/sun/tables/orders", "Sunday: 320 rows", 20, false, false, true},
	} {
		b := ch.Bars[tt.i]
		if b.URL != tt.url || b.Label != tt.label || b.Height != tt.height || b.Drop != tt.drop || b.Current != tt.cur || b.Has != tt.has {
			t.Errorf("bar %s = %+v, want url %q label %q height %d drop %v current %v has %v",
				b.Day, b, tt.url, tt.label, tt.height, tt.drop, tt.cur, tt.has)
		}
	}
}

func TestWeekTables(t *testing.T) {
	gen := func(day weekback.Weekday, d int, names ...string) *weekback.Generation {
		m := &weekback.Manifest{Day: day, SnapshotAt: time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC)}
		for _, n := range names {
			m.Tables = append(m.Tables, weekback.TableInfo{Name: n})
		}
		return &weekback.Generation{Day: day, Status: weekback.StatusReady, Slot: "s", Manifest: m}
	}
	gens := []*weekback.Generation{gen(weekback.Monday, 2, "zeta", "users", "archive"), gen(weekback.Tuesday, 3, "users", "orders"),
		{Day: weekback.Wednesday, Status: weekback.StatusNever}}
	got := weekTables(gens)
	if want := []string{"users", "orders", "archive", "zeta"}; !slices.Equal(got, want) {
		t.Fatalf("weekTables = %v, want %v (the newest day's, then the others by name)", got, want)
	}
	if got := weekTables(nil); len(got) != 0 {
		t.Fatalf("weekTables(nil) = %v, want none", got)
	}
}
