package server

import (
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/i18n"
)

// The chart of /runs: the last runs' durations (upper panel) and sizes
// (lower panel), one bar per run, oldest on the left, drawn on the server
// as inline SVG. Geometry goes in SVG attributes (x, y, width, height),
// colors in classes: the CSP forbids style attributes.

// Chart geometry, in SVG user units.
const (
	chartWidth    = 600
	chartBarsTall = 80 // a full bar
	chartTitle    = 16 // room above a panel's bars for its title
	chartGap      = 2  // between two bars
	chartSpacing  = 14 // between the panels
)

// chartBar is one run in a panel.
type chartBar struct {
	X, Y, W, H int
	Failed     bool
	Label      string // the run in words (its tooltip)
}

// chartPanel is one measure of the runs: its title, the value of a full
// bar, where its title and base line are, and its bars.
type chartPanel struct {
	Title, Top   string
	TitleY, Base int
	Bars         []chartBar
}

// runChart is the SVG of the chart.
type runChart struct {
	Width, Height, Count int
	Panels               []chartPanel
}

// runChart returns the chart of runs (oldest first) in l's language; nil
// when there is none.
func (s *Server) runChart(l *i18n.Localizer, runs []*weekback.SnapshotRun) *runChart {
	if len(runs) == 0 {
		return nil
	}
	now := s.Now()
	durs, sizes, labels := make([]int64, len(runs)), make([]int64, len(runs)), make([]string, len(runs))
	for i, r := range runs {
		d := r.Duration(now)
		durs[i], sizes[i] = int64(d/time.Millisecond), r.Bytes // milliseconds: runs under a second (the demo's) still show
		labels[i] = l.T("runs.chart.run", "weekday", l.Weekday(r.Day.Time()), "datetime", l.DateTime(r.StartedAt, s.Location),
			"duration", durationText(l, d), "size", sizeText(l, r.Bytes))
	}
	panelTall := chartTitle + chartBarsTall + chartSpacing
	ch := &runChart{Width: chartWidth, Height: 2*panelTall - chartSpacing + 1, Count: len(runs)}
	dur := chartPanelOf(runs, durs, labels, 0)
	dur.Title, dur.Top = l.T("runs.chart.duration"), durationText(l, time.Duration(maxOf(durs))*time.Millisecond)
	size := chartPanelOf(runs, sizes, labels, panelTall)
	size.Title, size.Top = l.T("runs.chart.size"), sizeText(l, maxOf(sizes))
	ch.Panels = []chartPanel{dur, size}
	return ch
}

// chartPanelOf lays out one bar per value, the panel starting at top.
func chartPanelOf(runs []*weekback.SnapshotRun, values []int64, labels []string, top int) chartPanel {
	p := chartPanel{TitleY: top + chartTitle - 4, Base: top + chartTitle + chartBarsTall}
	slot := chartWidth / max(len(values), 1)
	w := max(slot-chartGap, 1)
	peak := maxOf(values)
	for i, v := range values {
		h := 0
		if peak > 0 && v > 0 {
			h = int(max(1, v*chartBarsTall/peak))
		}
		p.Bars = append(p.Bars, chartBar{X: i*slot + (slot-w)/2, Y: p.Base - h, W: w, H: h,
			Failed: runs[i].Status == weekback.RunFailed, Label: labels[i]})
	}
	return p
}

// maxOf returns the largest of values (0 for none).
func maxOf(values []int64) int64 {
	var m int64
	for _, v := range values {
		m = max(m, v)
	}
	return m
}
