package snapshotter

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/weekback/weekback"
)

// TestProgressLine checks what the progress bar says halfway through: tables
// done, rows, MB, MB/s and an ETA derived from the bytes streamed against
// the catalog's estimate.
func TestProgressLine(t *testing.T) {
	now := time.Date(2026, 11, 23, 0, 30, 0, 0, time.UTC)
	s := &Snapshotter{Now: func() time.Time { return now }}
	p := newProgress(s, &weekback.SnapshotRun{}, &Plan{Tables: make([]*tablePlan, 4), EstBytes: 100e6})
	now = now.Add(10 * time.Second)
	p.add(123456, 50e6)
	p.tableDone()
	got := p.line()
	for _, want := range []string{"50%", "tables 1/4", "rows 123456", "50.0 MB", "5.0 MB/s", "ETA 10s"} {
		if !strings.Contains(got, want) {
			t.Errorf("line %q lacks %q", got, want)
		}
	}
	p.tableDone()
	p.tableDone()
	p.tableDone()
	if got := p.line(); !strings.Contains(got, "100%") || !strings.Contains(got, "ETA 0s") {
		t.Errorf("line when every table is done = %q, want 100%% and ETA 0s", got)
	}
}

// TestProgressTerminalRedraws checks that a terminal gets the line redrawn
// in place (carriage return, clear line) and a newline at the end.
func TestProgressTerminalRedraws(t *testing.T) {
	var out bytes.Buffer
	s := &Snapshotter{Now: time.Now, Progress: &out, Terminal: true}
	p := newProgress(s, &weekback.SnapshotRun{}, &Plan{Tables: make([]*tablePlan, 1), EstBytes: 1})
	p.show(false)
	p.show(true)
	if got := out.String(); strings.Count(got, "\r\033[K") != 2 || !strings.HasSuffix(got, "\n") {
		t.Errorf("terminal output = %q, want two redraws and a final newline", got)
	}
}
