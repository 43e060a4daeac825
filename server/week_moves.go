package server

// The real movement behind the week's row counts: for each day, the rows
// its copy added, deleted and changed since the copy taken just before it
// (by snapshot time), from the change cache, so that 100 deletions hidden
// by 100 inserts show. A day whose copy deleted or changed more than
// Server.AlertFraction of a table's rows (rows deleted + rows changed >
// fraction × the rows of the copy before; a dropped table deleted them
// all) gets an alert badge, and weekback_table_change_alert says so to
// Prometheus. Pairs not compared yet are started in the background and
// shown once done.

import (
	"context"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/compare"
	"github.com/weekback/weekback/i18n"
)

// weekWait is how long the landing page waits for the week's
// comparisons before it shows what is done.
const weekWait = 2 * time.Second

// weekMove is what one day's copy of a table moved since the copy before.
type weekMove struct {
	Added   int64 `json:"added"`
	Deleted int64 `json:"deleted"`
	Changed int64 `json:"changed"`
	Alert   bool  `json:"alert,omitempty"`
}

// dayMoves holds, for each day whose copy has one before it and was
// compared with it, the change of each table.
type dayMoves map[weekback.Weekday]map[string]compare.TableChange

// weekMoves returns the comparisons of each served copy with the one
// before it, starting those not done and waiting for them at most wait.
func (s *Server) weekMoves(ctx context.Context, gens []*weekback.Generation, wait time.Duration) dayMoves {
	served := servedByTime(gens)
	deadline := time.Now().Add(wait)
	out := dayMoves{}
	for i := 1; i < len(served); i++ {
		e := s.changes.entry(served[i-1], served[i])
		if !e.wait(ctx, time.Until(deadline)) || e.err != nil {
			continue
		}
		out[served[i].Day] = e.byTable
	}
	return out
}

// isAlert reports whether tc deleted or changed more than fraction of
// the rows it had.
func isAlert(tc compare.TableChange, fraction float64) bool {
	return tc.RowsFrom > 0 && float64(tc.Deleted+tc.Changed) > fraction*float64(tc.RowsFrom)
}

// addMoves puts moves into the charts: each bar's movement, alert and
// label in l's language (without l, for JSON, raw values only).
func (s *Server) addMoves(l *i18n.Localizer, charts []*weekChart, moves dayMoves) {
	for _, ch := range charts {
		for i, day := range weekback.Weekdays {
			tc, ok := moves[day][ch.Table]
			if !ok || tc.Status == compare.StatusOnlyInTo && ch.Counts[i] == nil {
				continue
			}
			m := &weekMove{Added: tc.Added, Deleted: tc.Deleted, Changed: tc.Changed, Alert: isAlert(tc, s.AlertFraction)}
			ch.Moves[i] = m
			if m.Alert {
				ch.Alerts = append(ch.Alerts, day)
			}
			b := &ch.Bars[i]
			b.Move, b.Alert = m, m.Alert
			if tc.Moved() > 0 {
				b.ChangesURL = tableChangesURL(day, ch.Table, "", biggestKind(tc))
			}
			if l != nil && tc.Moved() > 0 {
				b.Label += " — " + l.T("week.moves", "deleted", tc.Deleted, "added", tc.Added, "changed", tc.Changed)
				if m.Alert {
					b.Label += " " + l.T("week.alert", "percent", alertPercent(s.AlertFraction))
				}
			}
		}
	}
}

// biggestKind returns the kind of change tc has most of (deleted first).
func biggestKind(tc compare.TableChange) compare.Kind {
	k := compare.Deleted
	if tc.Added > tc.Deleted {
		k = compare.Added
	}
	if tc.Changed > max(tc.Added, tc.Deleted) {
		k = compare.Changed
	}
	return k
}

// changeCollector exports the week's comparisons done so far when
// scraped (and starts those missing).
type changeCollector struct{ s *Server }

var (
	changeAlertDesc = prometheus.NewDesc("weekback_table_change_alert",
		"1 when the day's copy deleted or changed more than compare.alert_fraction of the table's rows since the copy before it, else 0.",
		[]string{"day", "table"}, nil)
	rowsMovedDesc = prometheus.NewDesc("weekback_table_rows_moved",
		"Rows of the table the day's copy added, deleted or changed since the copy before it.", []string{"day", "table", "kind"}, nil)
)

// Describe sends the collector's descriptors.
func (cc *changeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- changeAlertDesc
	ch <- rowsMovedDesc
}

// Collect reports the comparisons already done (bounded by a short
// timeout to read the generations).
func (cc *changeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	gens, err := cc.s.Generations.Generations(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(changeAlertDesc, err)
		return
	}
	for day, tables := range cc.s.weekMoves(ctx, gens, 0) {
		for _, name := range sortedKeys(tables) {
			tc := tables[name]
			alert := 0.0
			if isAlert(tc, cc.s.AlertFraction) {
				alert = 1
			}
			ch <- prometheus.MustNewConstMetric(changeAlertDesc, prometheus.GaugeValue, alert, string(day), name)
			for kind, n := range map[compare.Kind]int64{compare.Added: tc.Added, compare.Deleted: tc.Deleted, compare.Changed: tc.Changed} {
				ch <- prometheus.MustNewConstMetric(rowsMovedDesc, prometheus.GaugeValue, float64(n), string(day), name, string(kind))
			}
		}
	}
}

func sortedKeys(m map[string]compare.TableChange) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// changesLinks sets the landing page's link to each day's changes since
// the copy before it.
func (s *Server) changesLinks(days []dayView, gens []*weekback.Generation) {
	for i := range days {
		if g := generationOf(gens, days[i].Day); g != nil && g.Ready() && previousCopy(gens, g) != nil {
			days[i].ChangesURL = changesURL(g.Day, "")
		}
	}
}

// alertLegend explains the alert badge in l's language, "" when no
// chart has one.
func alertLegend(l *i18n.Localizer, fraction float64, charts []*weekChart) string {
	for _, ch := range charts {
		if len(ch.Alerts) > 0 {
			return l.T("week.alert.legend", "percent", alertPercent(fraction))
		}
	}
	return ""
}

// alertPercent returns fraction as a percentage without float noise
// (0.05 → "5", 0.125 → "12.5").
func alertPercent(fraction float64) string {
	return strconv.FormatFloat(math.Round(fraction*1e4)/100, 'f', -1, 64)
}
