package server

// The week at a glance: the row count of a table on each of the seven
// days, from the manifests (no query of the slots), drawn as seven small
// bars so that a mass deletion stands out.
//
// Scale. Each table has its own scale: its largest count of the week is a
// full bar (barSteps), every other count the nearest step below or above
// (rounded), and a count above zero never shrinks to nothing (step 1 at
// least). The height is a CSS class, h0 … h20 (the CSP forbids style
// attributes).
//
// Drop rule. A day's count is a drop when it is at least dropPercent % and
// at least dropMinRows rows below the count of the copy taken just before
// it: the day with the latest earlier snapshot among the days whose copy
// has the table. Days are compared in the order their snapshots were taken,
// not Monday to Sunday: on a Wednesday, Thursday's copy is six days old and
// Monday's two, so Monday follows Sunday and Thursday comes first. A day
// without a served copy, or whose copy lacks the table, is skipped (the
// bar says so); it neither drops nor hides the drop of the next day.

import (
	"slices"
	"sort"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/i18n"
)

// Scale and drop rule of the week's charts (see above).
const (
	barSteps    = 20 // a full bar; CSS has the classes h0 … h20
	dropPercent = 20 // a drop loses at least this share of the rows …
	dropMinRows = 10 // … and at least this many
)

// weekChart is one table over the seven days. Its JSON keeps to raw values:
// Counts holds seven numbers or nulls, Monday first (null when the day has
// no served copy or its copy lacks the table), Drops the days marked as a
// drop.
type weekChart struct {
	Table  string             `json:"table"`
	Counts [7]*int64          `json:"counts"`
	Drops  []weekback.Weekday `json:"drops,omitempty"`
	// Moves holds, Monday first, the rows each day's copy added, deleted
	// and changed since the copy before it (null until compared), and
	// Alerts the days that deleted or changed more than
	// Server.AlertFraction of the table (see week_moves.go).
	Moves  [7]*weekMove       `json:"moves"`
	Alerts []weekback.Weekday `json:"alerts,omitempty"`
	URL    string             `json:"-"` // the table on the newest day that has it
	Bars   []weekBar          `json:"-"`
}

// weekBar is one day of a weekChart, for the page.
type weekBar struct {
	Day     weekback.Weekday
	Short   string // the day's short name
	Label   string // the day and the count in the request's language (title, aria-label)
	Height  int    // 0 … barSteps
	URL     string // "" when the day's copy lacks the table (or there is none)
	Served  bool   // the day has a served copy
	Has     bool   // … holding the table
	Drop    bool
	Current bool      // the page's own day
	Move    *weekMove // rows moved since the copy before, when compared
	Alert   bool
	// ChangesURL opens the table's changes since the copy before.
	ChangesURL string
}

// dayCount is one day of a table's week: its row count (nil when unknown)
// and when its copy was taken.
type dayCount struct {
	Rows *int64
	At   time.Time
}

// barHeight returns the height of a bar of count rows, in steps of
// barSteps, when the week's largest count is top.
func barHeight(count, top int64) int {
	if count <= 0 || top <= 0 {
		return 0
	}
	if count >= top {
		return barSteps
	}
	return int(max(1, (count*barSteps+top/2)/top))
}

// isDrop reports whether going from prev rows to cur rows is a drop.
func isDrop(prev, cur int64) bool {
	lost := prev - cur
	return lost >= dropMinRows && lost*100 >= prev*dropPercent
}

// previousCopies returns, for each day with a count, the index of the day
// whose copy was taken just before among the days with a count (ties go
// to the earlier weekday); -1 for the first copy and for days without a
// count.
func previousCopies(days [7]dayCount) [7]int {
	var order []int
	for i, d := range days {
		if d.Rows != nil {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return days[order[a]].At.Before(days[order[b]].At) })
	prev := [7]int{-1, -1, -1, -1, -1, -1, -1}
	for k := 1; k < len(order); k++ {
		prev[order[k]] = order[k-1]
	}
	return prev
}

// weekCounts returns table's count on each day of gens (Monday first
// whatever their order) and whether each day has a served copy.
func weekCounts(gens []*weekback.Generation, table string) (days [7]dayCount, served [7]bool) {
	for _, g := range gens {
		i := slices.Index(weekback.Weekdays, g.Day)
		if i < 0 || !g.Ready() {
			continue
		}
		served[i] = true
		days[i].At = g.Manifest.SnapshotAt
		if t := g.Manifest.Table(table); t != nil {
			rows := t.Rows
			days[i].Rows = &rows
		}
	}
	return days, served
}

// weekOf returns the chart of table over gens in l's language (without l,
// for JSON, the bars have no labels). Bars link to the table on each day
// whose copy has it; current is the page's day ("" on the landing page).
func weekOf(l *i18n.Localizer, gens []*weekback.Generation, table string, current weekback.Weekday) *weekChart {
	days, served := weekCounts(gens, table)
	prev := previousCopies(days)
	var top int64
	for _, d := range days {
		if d.Rows != nil {
			top = max(top, *d.Rows)
		}
	}
	ch := &weekChart{Table: table, Bars: make([]weekBar, 7)}
	var newest time.Time
	for i, day := range weekback.Weekdays {
		b := weekBar{Day: day, Served: served[i], Current: day == current}
		if served[i] && days[i].Rows != nil {
			n := *days[i].Rows
			ch.Counts[i] = days[i].Rows
			b.Has, b.Height, b.URL = true, barHeight(n, top), tableURL(day, table)
			if p := prev[i]; p >= 0 && isDrop(*days[p].Rows, n) {
				b.Drop = true
				ch.Drops = append(ch.Drops, day)
			}
			if ch.URL == "" || days[i].At.After(newest) {
				ch.URL, newest = b.URL, days[i].At
			}
		}
		if l != nil {
			b.Short, b.Label = l.T("weekday.short."+string(day)), barLabel(l, b, days, prev[i], table)
		}
		ch.Bars[i] = b
	}
	return ch
}

// barLabel returns the title of bar b in l's language: its day and count,
// and for a drop how much fewer than the copy prev before it.
func barLabel(l *i18n.Localizer, b weekBar, days [7]dayCount, prev int, table string) string {
	name := l.Weekday(b.Day.Time())
	switch {
	case !b.Served:
		return l.T("week.bar.no_copy", "weekday", name)
	case !b.Has:
		return l.T("week.bar.absent", "weekday", name, "table", table)
	}
	i := slices.Index(weekback.Weekdays, b.Day)
	label := l.N("week.bar", int(*days[i].Rows), "weekday", name)
	if b.Drop {
		lost := (*days[prev].Rows - *days[i].Rows) * 100 / *days[prev].Rows
		label += " " + l.T("week.bar.drop", "percent", lost, "previous", l.Weekday(weekback.Weekdays[prev].Time()))
	}
	return label
}

// weekLegend explains the drop mark in l's language.
func weekLegend(l *i18n.Localizer) string {
	return l.T("week.legend", "percent", dropPercent, "rows", dropMinRows)
}

// weekTables returns the tables the landing page charts: those of the
// newest ready generation in its order, then those only other days have,
// by name.
func weekTables(gens []*weekback.Generation) []string {
	var out []string
	seen := map[string]bool{}
	if g := weekback.NewestReady(gens); g != nil {
		for _, t := range g.Manifest.Tables {
			if !seen[t.Name] {
				seen[t.Name] = true
				out = append(out, t.Name)
			}
		}
	}
	var others []string
	for _, g := range gens {
		if !g.Ready() {
			continue
		}
		for _, t := range g.Manifest.Tables {
			if !seen[t.Name] {
				seen[t.Name] = true
				others = append(others, t.Name)
			}
		}
	}
	sort.Strings(others)
	return append(out, others...)
}

// weekCharts returns the landing page's charts, one per table of
// weekTables.
func weekCharts(l *i18n.Localizer, gens []*weekback.Generation) []*weekChart {
	tables := weekTables(gens)
	out := make([]*weekChart, len(tables))
	for i, t := range tables {
		out[i] = weekOf(l, gens, t, "")
	}
	return out
}
