package server_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/weekback/weekback"
)

// TestRunsPage: admins see each day's runs, the one under way with its
// progress bar, and the chart of recent runs; for anyone else the page
// does not exist.
func TestRunsPage(t *testing.T) {
	f := MustOpenJobsServer(t, false)
	ctx := context.Background()
	host, _ := os.Hostname()
	done := &weekback.SnapshotRun{Day: weekback.Tuesday, Host: host, PID: os.Getpid()}
	if err := f.admin.StartRun(ctx, done, func(id int64) string { return f.slot + "_tue" }); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(3*time.Minute + 7*time.Second)
	done.Status, done.Tables, done.Rows, done.Bytes = weekback.RunSucceeded, 4, 130, 5<<20
	if err := f.admin.FinishRun(ctx, done); err != nil {
		t.Fatal(err)
	}
	lock, err := f.admin.LockSnapshot(ctx)
	if err != nil || lock == nil {
		t.Fatalf("lock: %v", err)
	}
	defer lock.Release()
	running := &weekback.SnapshotRun{Day: weekback.Saturday, Host: host, PID: os.Getpid()}
	if err := f.admin.StartRun(ctx, running, func(id int64) string { return f.slot + "_sat" }); err != nil {
		t.Fatal(err)
	}
	running.Tables, running.Rows = 4, 1000
	if err := f.admin.UpdateRun(ctx, running, 1); err != nil {
		t.Fatal(err)
	}

	admin, clerk := f.session(t, "bcrypt"), f.session(t, "argon")
	r := f.do(t, admin, "GET", "/runs", nil, false)
	for _, want := range []string{`<a class="runs-link" href="/runs">Snapshot runs</a>`, `<h2>Tuesday</h2>`,
		`<td class="run-duration">3 min 07 s</td>` + "\n" + `<td class="num run-rows">130</td>` + "\n" + `<td class="num run-size">5 MB</td>`, "✓ verified",
		"Duration (3 min 07 s)", `<rect class="chart-bar" x="301" y="16" width="298" height="80"><title>Tuesday, `,
		`<tr class="run state-running" data-run="` + itoa(running.ID) + `">`, `<progress class="run-bar" max="100" value="25">`,
		"1 of 4 tables (25%)", `data-runs-poll="/runs" data-active`, `<svg xmlns="http://www.w3.org/2000/svg"`, `<rect class="chart-bar failed"`,
		`<rect class="chart-bar" x=`, "Never run."} {
		if r.status != 200 || !strings.Contains(r.body, want) {
			t.Errorf("/runs = %d, lacks %q", r.status, want)
		}
	}
	if t.Failed() {
		t.Logf("%.6000s", r.body)
	}
	var got struct {
		Running []struct {
			ID      int64 `json:"id"`
			Percent int   `json:"percent"`
		} `json:"running"`
		History []json.RawMessage `json:"history"`
	}
	j := f.do(t, admin, "GET", "/runs", nil, true)
	if err := json.Unmarshal([]byte(j.body), &got); err != nil || len(got.Running) != 1 || got.Running[0].ID != running.ID ||
		got.Running[0].Percent != 25 || len(got.History) != 2 {
		t.Errorf("/runs JSON = %d %+v\n%s", j.status, got, j.body)
	}
	for _, asJSON := range []bool{false, true} {
		if r := f.do(t, clerk, "GET", "/runs", nil, asJSON); r.status != 404 {
			t.Errorf("/runs for a non-admin = %d, want 404", r.status)
		}
	}
	if r := f.do(t, clerk, "GET", "/wed/", nil, false); strings.Contains(r.body, "/runs") {
		t.Errorf("a non-admin's header links to /runs")
	}
}

// TestRunsPageListsSkippedObjects: a run whose copy does not hold some
// objects of the source schema lists them, with their reasons, on /runs.
func TestRunsPageListsSkippedObjects(t *testing.T) {
	f := MustOpenJobsServer(t, false)
	ctx := context.Background()
	run := &weekback.SnapshotRun{Day: weekback.Thursday, Host: "h", PID: 1}
	if err := f.admin.StartRun(ctx, run, func(id int64) string { return f.slot + "_thu" }); err != nil {
		t.Fatal(err)
	}
	run.Status = weekback.RunSucceeded
	if err := f.admin.FinishRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	skipped := []weekback.SkippedObject{
		{Name: "tmp_<x>", Type: "TABLE", Reason: `excluded by the source.exclude glob "tmp_*"`},
		{Name: "audit", Type: "TABLE", Reason: "system-versioned: only the current rows are copied", Partial: true},
	}
	// An old snapshot time: the logins still come from the fixture's day.
	m := &weekback.Manifest{Version: weekback.ManifestVersion, Day: weekback.Thursday, Slot: run.Slot,
		SnapshotAt: time.Date(2000, 1, 6, 0, 0, 0, 0, time.UTC), Skipped: skipped}
	if _, err := f.admin.Switch(ctx, weekback.Thursday, run.Slot, m, 0); err != nil {
		t.Fatal(err)
	}
	admin := f.session(t, "bcrypt")
	r := f.do(t, admin, "GET", "/runs", nil, false)
	for _, want := range []string{`<details class="run-skipped"><summary>2 objects not copied (or only in part)</summary>`,
		`<li><code>tmp_&lt;x&gt;</code> (TABLE): excluded by the source.exclude glob &#34;tmp_*&#34;</li>`,
		`<li><code>audit</code> (TABLE, in part): system-versioned: only the current rows are copied</li>`} {
		if r.status != 200 || !strings.Contains(r.body, want) {
			t.Errorf("/runs = %d, lacks %q", r.status, want)
		}
	}
	var got struct {
		Days []struct {
			Day  weekback.Weekday `json:"day"`
			Runs []struct {
				Skipped []weekback.SkippedObject `json:"skipped"`
			} `json:"runs"`
		} `json:"days"`
	}
	j := f.do(t, admin, "GET", "/runs", nil, true)
	listed := 0
	if err := json.Unmarshal([]byte(j.body), &got); err == nil && len(got.Days) == 7 {
		for _, r := range got.Days[3].Runs {
			listed += len(r.Skipped)
		}
	}
	if listed != 2 {
		t.Errorf("/runs JSON = %d, want Thursday's run with its 2 skipped objects:\n%s", j.status, j.body)
	}
	if t.Failed() {
		t.Logf("%.6000s", r.body)
	}
}
