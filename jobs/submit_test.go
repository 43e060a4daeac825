package jobs

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestSubmitErrors: what cannot run is refused at Submit with a sentence
// and a code; nothing is queued.
func TestSubmitErrors(t *testing.T) {
	store := mustJobStore(t, mysqltest.UniqueName("wbj_sub_"))
	r := newRunner(t, store, t.TempDir())
	mon := func(p weekback.JobParams) weekback.JobParams { p.Day = weekback.Monday; return p }
	for _, tt := range []struct {
		name      string
		owner     string
		kind      weekback.JobKind
		p         weekback.JobParams
		code, say string
	}{
		{"no owner", "", weekback.JobExport, mon(weekback.JobParams{Table: "big"}), weekback.EINVALID, "owner"},
		{"kind", "alice", "restore", mon(weekback.JobParams{Table: "big"}), weekback.EINVALID, "unknown job kind"},
		{"unknown day", "alice", weekback.JobExport, weekback.JobParams{Day: "someday", Table: "big"}, weekback.EINVALID, "unknown day"},
		{"day not served", "alice", weekback.JobExport, weekback.JobParams{Day: weekback.Tuesday, Table: "big"}, weekback.ENOTFOUND,
			"no ready backup of Tuesday"},
		{"unknown table", "alice", weekback.JobExport, mon(weekback.JobParams{Table: "nope"}), weekback.ENOTFOUND, "no table “nope”"},
		{"table case", "alice", weekback.JobExport, mon(weekback.JobParams{Table: "BIG"}), weekback.ENOTFOUND, "no table"},
		{"template of a view", "alice", weekback.JobTemplate, mon(weekback.JobParams{Table: "zoo_names"}), weekback.ENOTFOUND, "is a view"},
		{"template unknown table", "alice", weekback.JobTemplate, mon(weekback.JobParams{Table: "nope"}), weekback.ENOTFOUND, "no table"},
		{"no table", "alice", weekback.JobExport, mon(weekback.JobParams{}), weekback.EINVALID, "needs a table"},
		{"profile", "alice", weekback.JobExport, mon(weekback.JobParams{Table: "big", Profile: "excel"}), weekback.EINVALID, "unknown CSV profile"},
		{"encoding", "alice", weekback.JobExport, mon(weekback.JobParams{Table: "big", Encoding: "latin1"}), weekback.EINVALID, "unknown encoding"},
		{"reimport sjis", "alice", weekback.JobExport, mon(weekback.JobParams{Table: "big", Encoding: "shift_jis"}), weekback.EINVALID,
			"spreadsheet profile"},
		{"column", "alice", weekback.JobExport, mon(weekback.JobParams{Table: "big", Columns: []string{"id", "nope"}}), weekback.EINVALID, "nope"},
		{"sort masked", "alice", weekback.JobExport, mon(weekback.JobParams{Table: "users", Sort: weekback.Sort{Column: "password_hash"}}),
			weekback.EINVALID, "credentials"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			j, _, err := r.Submit(context.Background(), tt.owner, tt.kind, tt.p)
			if weekback.ErrorCode(err) != tt.code || !strings.Contains(weekback.ErrorMessage(err), tt.say) {
				t.Fatalf("Submit = %+v, %v (%s); want %s saying %q", j, err, weekback.ErrorCode(err), tt.code, tt.say)
			}
		})
	}
	if jobs, err := store.Jobs(context.Background(), "", 100); err != nil || len(jobs) != 0 {
		t.Fatalf("jobs after refused submits: %d, %v", len(jobs), err)
	}
}

// TestSubmitQueues: Submit normalizes the parameters, estimates the rows
// and names the file; the same export asked again replaces the first;
// beyond MaxActive it is refused (ECONFLICT).
func TestSubmitQueues(t *testing.T) {
	store := mustJobStore(t, mysqltest.UniqueName("wbj_queue_"))
	r := newRunner(t, store, t.TempDir()) // not opened: jobs stay queued
	r.MaxActive = 2
	ctx := context.Background()
	p := weekback.JobParams{Day: "Monday", Table: "big", Profile: " Spreadsheet", Encoding: "SJIS"}
	first, replaced, err := r.Submit(ctx, "alice", weekback.JobExport, p)
	if err != nil || len(replaced) != 0 {
		t.Fatalf("Submit: %v, replaced %v", err, replaced)
	}
	date := shared.gen.Manifest.SnapshotAt.UTC().Format("2006-01-02")
	want := weekback.JobParams{Day: weekback.Monday, Table: "big", Profile: "spreadsheet", Encoding: "shift_jis"}
	got, _ := store.Job(ctx, first.ID)
	if got.Status != weekback.JobQueued || got.RowsTotal != bigRows || first.File != "big-mon-"+date+".csv" ||
		got.Params.Key(weekback.JobExport) != want.Key(weekback.JobExport) {
		t.Fatalf("queued job: %+v (file %q), want params %+v, %d rows", got, first.File, want, bigRows)
	}
	_, replaced, err = r.Submit(ctx, "alice", weekback.JobExport, want)
	if err != nil || !slices.Equal(replaced, []int64{first.ID}) {
		t.Fatalf("the same export again: %v, replaced %v, want [%d]", err, replaced, first.ID)
	}
	tpl := mustSubmit(t, r, "alice", weekback.JobTemplate, weekback.JobParams{Day: weekback.Monday, Table: "zoo"})
	if tpl.File != "zoo-mon-"+date+".template.json" || tpl.RowsTotal != 0 {
		t.Errorf("template job: file %q, rows %d", tpl.File, tpl.RowsTotal)
	}
	_, _, err = r.Submit(ctx, "alice", weekback.JobExport, weekback.JobParams{Day: weekback.Monday, Table: "zoo"})
	if weekback.ErrorCode(err) != weekback.ECONFLICT {
		t.Fatalf("a third active job: %v, want ECONFLICT (limit 2)", err)
	}
	if _, _, err := r.Submit(ctx, "bob", weekback.JobExport, want); err != nil {
		t.Fatalf("another user: %v", err)
	}
	if view, _, err := r.Submit(ctx, "carol", weekback.JobExport, weekback.JobParams{Day: weekback.Monday, Table: "zoo_names"}); err != nil || view.RowsTotal != 0 {
		t.Fatalf("export of a view: %+v, %v; want it queued without a row estimate", view, err)
	}
}

// TestFailedJob: a job that fails when it runs ends failed with the
// sentence of its error (here: a generated column in a reimport export).
func TestFailedJob(t *testing.T) {
	store := mustJobStore(t, mysqltest.UniqueName("wbj_fail_"))
	dir := t.TempDir()
	r := mustOpen(t, newRunner(t, store, dir))
	j := mustSubmit(t, r, "alice", weekback.JobExport, weekback.JobParams{Day: weekback.Monday, Table: "zoo", Columns: []string{"id", "vcol"}})
	done := waitJob(t, store, j.ID, 30*time.Second, final)
	if done.Status != weekback.JobFailed || !strings.Contains(done.Error, "vcol") || !strings.Contains(done.Error, "generated") {
		t.Fatalf("job: %s %q, want failed naming the generated column", done.Status, done.Error)
	}
	if _, err := r.Result(done); weekback.ErrorCode(err) != weekback.ENOTFOUND {
		t.Errorf("Result of a failed job: %v", err)
	}
	mustHaveNoFiles(t, dir)
}

// TestErrorLogBatches: the error log written in batches is exactly what
// export.WriteUnencodableCSV writes for the whole list, every batch
// formula-guarded.
func TestErrorLogBatches(t *testing.T) {
	r := New()
	r.Dir = t.TempDir()
	for _, n := range []int{0, 1, errorLogBatch - 1, errorLogBatch, 3*errorLogBatch + 7} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			j := &weekback.Job{ID: int64(n + 1)}
			l := &errorLog{create: func() (*tempFile, error) { return r.createTemp(j.ID, "errors.", r.errorsPath(j)) }}
			var list []export.Unencodable
			for i := range n {
				u := export.Unencodable{Row: int64(i + 1), Column: []string{`col "x", y`, `=cmd|' /C calc'!A0`}[i%2], Char: "♥", Code: "U+2665"}
				list = append(list, u)
				l.add(u)
			}
			if err := l.finish(); err != nil || l.count != int64(n) || (l.out == nil) != (n == 0) {
				t.Fatalf("finish: %v, count %d, file %v", err, l.count, l.out != nil)
			}
			if n == 0 {
				return
			}
			if _, err := l.out.commit(); err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			if err := export.WriteUnencodableCSV(&want, list); err != nil {
				t.Fatal(err)
			}
			got := mustRead(t, r.errorsPath(j))
			if !bytes.Equal(got, want.Bytes()) {
				t.Fatalf("error log of %d entries: %d bytes, want %d", n, len(got), want.Len())
			}
			if guarded := bytes.Count(got, []byte(`,'=cmd|`)); guarded != n/2 {
				t.Fatalf("error log of %d entries: %d formula cells guarded, want %d", n, guarded, n/2)
			}
		})
	}
}

// TestViewExportJob: a view exports in the background like a table: every
// row the view returns, in the order of its first column.
func TestViewExportJob(t *testing.T) {
	store := mustJobStore(t, mysqltest.UniqueName("wbj_view_"))
	r := mustOpen(t, newRunner(t, store, t.TempDir()))
	j := mustSubmit(t, r, "alice", weekback.JobExport, weekback.JobParams{Day: weekback.Monday, Table: "zoo_names"})
	done := mustSucceed(t, store, j.ID, 30*time.Second)
	path, err := r.Result(done)
	if err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil || len(lines) == 0 || strings.Join(lines[0], ",") != "id,txt" {
		t.Fatalf("the view's export does not read back with the header id,txt: %v\n%s", err, body)
	}
	var n int
	if err := shared.slots.QueryRow("SELECT COUNT(*) FROM " + mysql.QuoteTable(shared.gen.Slot, "zoo_names")).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if len(lines)-1 != n || done.RowsDone != int64(n) {
		t.Fatalf("the view's export has %d rows (job says %d), the view %d", len(lines)-1, done.RowsDone, n)
	}
}
