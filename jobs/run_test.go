package jobs

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
	"github.com/weekback/weekback/template"
)

// mustSubmit submits a job and fails the test on an error.
func mustSubmit(tb testing.TB, r *Runner, owner string, kind weekback.JobKind, p weekback.JobParams) *weekback.Job {
	tb.Helper()
	j, _, err := r.Submit(context.Background(), owner, kind, p)
	if err != nil {
		tb.Fatalf("Submit %+v: %v", p, err)
	}
	return j
}

// waitJob polls job id until ok holds, failing after within.
func waitJob(tb testing.TB, store weekback.JobStore, id int64, within time.Duration, ok func(*weekback.Job) bool) *weekback.Job {
	tb.Helper()
	deadline := time.Now().Add(within)
	for {
		j, err := store.Job(context.Background(), id)
		if err != nil {
			tb.Fatalf("Job %d: %v", id, err)
		}
		if ok(j) {
			return j
		}
		if time.Now().After(deadline) {
			tb.Fatalf("job %d after %s: %+v", id, within, j)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func final(j *weekback.Job) bool   { return j.Status.Final() }
func running(j *weekback.Job) bool { return j.Status == weekback.JobRunning }

// mustSucceed waits for job id to end and fails unless it succeeded.
func mustSucceed(tb testing.TB, store weekback.JobStore, id int64, within time.Duration) *weekback.Job {
	tb.Helper()
	return mustEnd(tb, store, id, within, weekback.JobSucceeded)
}

// mustEnd waits for job id to end and fails unless it ended with want.
func mustEnd(tb testing.TB, store weekback.JobStore, id int64, within time.Duration, want weekback.JobStatus) *weekback.Job {
	tb.Helper()
	j := waitJob(tb, store, id, within, final)
	if j.Status != want {
		tb.Fatalf("job %d: status %s (%q), want %s", id, j.Status, j.Error, want)
	}
	return j
}

// mustRead returns the content of path.
func mustRead(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// dirNames returns the names in dir, sorted.
func dirNames(tb testing.TB, dir string) []string {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// TestJobMatchesDirectExport: a job's file is byte for byte what the
// direct download writes, for profiles, encodings, filters, sort, columns
// and masked columns; nothing else is left in the folder.
func TestJobMatchesDirectExport(t *testing.T) {
	store := mustJobStore(t, mysqltest.UniqueName("wbj_match_"))
	dir := t.TempDir()
	r := mustOpen(t, newRunner(t, store, dir))
	filters := func(exprs ...string) []weekback.Filter {
		var out []weekback.Filter
		for _, e := range exprs {
			f, err := weekback.ParseFilter(e)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, f)
		}
		return out
	}
	for _, tt := range []struct {
		name   string
		p      weekback.JobParams
		masked []string
		rows   int64
	}{
		{"big reimport", weekback.JobParams{Table: "big"}, nil, bigRows},
		{"big filtered sorted columns", weekback.JobParams{Table: "big", Filters: filters("amount=ge:500", "note=notnull:"),
			Sort: weekback.Sort{Column: "amount", Desc: true}, Columns: []string{"amount", "id", "note"}}, nil, -1},
		{"zoo spreadsheet bom", weekback.JobParams{Table: "zoo", Profile: "spreadsheet", Encoding: "utf-8-bom"}, nil, 4},
		{"zoo reimport", weekback.JobParams{Table: "zoo"}, nil, 4},
		{"users masked", weekback.JobParams{Table: "users", Columns: []string{"id", "password_hash", "login_id", "api_token"}},
			[]string{"password_hash", "api_token"}, 2},
		{"users all", weekback.JobParams{Table: "users", Profile: "spreadsheet"}, []string{"password_hash", "api_token"}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.p.Day = weekback.Monday
			j := mustSubmit(t, r, "alice", weekback.JobExport, tt.p)
			done := mustSucceed(t, store, j.ID, 30*time.Second)
			path, err := r.Result(done)
			if err != nil {
				t.Fatalf("Result: %v", err)
			}
			got := mustRead(t, path)
			want, _ := directExport(t, tt.p, tt.masked...)
			if !bytes.Equal(got, want) {
				t.Fatalf("job file (%d bytes) differs from the direct export (%d bytes)", len(got), len(want))
			}
			if tt.rows >= 0 && done.RowsDone != tt.rows {
				t.Errorf("RowsDone=%d, want %d", done.RowsDone, tt.rows)
			}
			if done.Bytes != int64(len(want)) || done.File != j.File || !strings.HasPrefix(done.File, tt.p.Table+"-mon-") {
				t.Errorf("Bytes=%d File=%q, want %d and %q", done.Bytes, done.File, len(want), j.File)
			}
			if bytes.Contains(got, []byte("$2a$")) || bytes.Contains(got, []byte("tok-1")) {
				t.Errorf("a credential column was exported:\n%s", got)
			}
		})
	}
	t.Run("template", func(t *testing.T) {
		j := mustSubmit(t, r, "alice", weekback.JobTemplate, weekback.JobParams{Day: weekback.Monday, Table: "refs", Related: true})
		done := mustSucceed(t, store, j.ID, 30*time.Second)
		reader := mustPool(t, mysql.RoleSource) // the server's page pool (template.json)
		tpl, err := template.Build(context.Background(), reader, shared.gen, "refs", true)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if err := template.Write(&want, tpl); err != nil {
			t.Fatal(err)
		}
		path, err := r.Result(done)
		if err != nil || !bytes.Equal(mustRead(t, path), want.Bytes()) || !strings.HasSuffix(done.File, ".template.json") {
			t.Fatalf("template job: %v, file %q, content differs from template.Write's", err, done.File)
		}
	})
	for _, name := range dirNames(t, dir) {
		if strings.HasPrefix(name, ".") || strings.Contains(name, "errors") {
			t.Errorf("left in the folder: %s", name)
		}
	}
}

// TestProgress: a running job's RowsDone grows, and is written at most
// once a Heartbeat.
func TestProgress(t *testing.T) {
	store := &countingStore{JobStore: mustJobStore(t, mysqltest.UniqueName("wbj_prog_")), rows: make(chan int64, 100)}
	r := newRunner(t, store, t.TempDir())
	r.Heartbeat, r.Lease, r.wrap = time.Second, 5*time.Second, slowly(60*time.Millisecond)
	start := time.Now()
	mustOpen(t, r)
	j := mustSubmit(t, r, "alice", weekback.JobExport, weekback.JobParams{Day: weekback.Monday, Table: "big"})
	mid := waitJob(t, store, j.ID, 30*time.Second, func(j *weekback.Job) bool { return j.RowsDone > 0 || j.Status.Final() })
	done := mustSucceed(t, store, j.ID, 30*time.Second)
	took := time.Since(start)
	if mid.Status != weekback.JobRunning || mid.RowsDone >= bigRows || mid.Percent() <= 0 || mid.Percent() >= 100 {
		t.Errorf("mid-way: %s, %d rows (%d%%), want running with part of %d", mid.Status, mid.RowsDone, mid.Percent(), bigRows)
	}
	close(store.rows)
	var seen []int64
	for n := range store.rows {
		if len(seen) > 0 && n < seen[len(seen)-1] {
			t.Errorf("progress went back: %v", append(seen, n))
		}
		seen = append(seen, n)
	}
	renews := store.renews.Load()
	if limit := int64(took/r.Heartbeat) + 1; renews < 2 || renews > limit {
		t.Errorf("%d progress writes in %s, want 2 to %d (one a second)", renews, took.Round(time.Millisecond), limit)
	}
	// A heartbeat may land after the last row and before the finish (a
	// slower meta schema, such as a cluster): it then reports every row.
	if done.RowsDone != bigRows || seen[len(seen)-1] > bigRows {
		t.Errorf("RowsDone=%d, last progress %d; want %d at the end, never more before", done.RowsDone, seen[len(seen)-1], bigRows)
	}
	t.Logf("%d rows in %s, progress written %d times: %v", done.RowsDone, took.Round(time.Millisecond), renews, seen)
}

// TestShiftJISErrorLog: characters Shift_JIS cannot hold are in the
// job's error log, exactly as the direct download lists them; the job
// completes with losses (status lossy), with '?' in their place, whether
// or not the user asked for '?' (lossy).
func TestShiftJISErrorLog(t *testing.T) {
	store := mustJobStore(t, mysqltest.UniqueName("wbj_sjis_"))
	r := mustOpen(t, newRunner(t, store, t.TempDir()))
	for _, tt := range []struct {
		table string
		lossy bool
		min   int
	}{{"big", false, bigRows / 10}, {"zoo", true, 3}} {
		t.Run(tt.table, func(t *testing.T) {
			p := weekback.JobParams{Day: weekback.Monday, Table: tt.table, Profile: "spreadsheet", Encoding: "sjis", Lossy: tt.lossy}
			j := mustSubmit(t, r, "alice", weekback.JobExport, p)
			done := mustEnd(t, store, j.ID, 30*time.Second, weekback.JobLossy)
			want, list := directExport(t, p)
			if len(list) < tt.min || done.Errors != int64(len(list)) {
				t.Fatalf("Errors=%d, direct export found %d (want at least %d)", done.Errors, len(list), tt.min)
			}
			var wantLog bytes.Buffer
			if err := export.WriteUnencodableCSV(&wantLog, list); err != nil {
				t.Fatal(err)
			}
			logPath, err := r.ErrorLog(done)
			if err != nil || !bytes.Equal(mustRead(t, logPath), wantLog.Bytes()) {
				t.Fatalf("error log %s (%v) differs from the list of the direct export", logPath, err)
			}
			if path, _ := r.Result(done); !bytes.Equal(mustRead(t, path), want) {
				t.Fatalf("the Shift_JIS file differs from the direct export")
			}
			if filepath.Base(logPath) != strconv.FormatInt(done.ID, 10)+".errors.csv" {
				t.Errorf("error log at %s", logPath)
			}
		})
	}
}
