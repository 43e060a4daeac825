package jobs

import (
	"compress/gzip"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestDownloadJob runs a day's SQL download: it succeeds with every row of
// the day counted, its file is a complete gzip script named after the
// day, and the same request asked again replaces it (file removed).
func TestDownloadJob(t *testing.T) {
	store := mustJobStore(t, mysqltest.UniqueName("wbj_dl_"))
	dir := t.TempDir()
	r := newRunner(t, store, dir)
	r.Stored = mustPool(t, mysql.RoleSource)
	mustOpen(t, r)
	j := mustSubmit(t, r, "alice", weekback.JobDownload, weekback.JobParams{Day: weekback.Monday, Table: "ignored", Format: "SQL"})
	if j.Params.Format != FormatSQL || j.Params.Table != "" || j.RowsTotal == 0 {
		t.Fatalf("submitted %+v, want format sql, no table, rows to do", j.Params)
	}
	done := waitJob(t, store, j.ID, 60*time.Second, final)
	if done.Status != weekback.JobSucceeded || done.RowsDone != done.RowsTotal || !strings.HasSuffix(done.File, "-mon-"+shared.gen.Manifest.SnapshotAt.In(r.Location).Format("2006-01-02")+".sql.gz") {
		t.Fatalf("download job: %+v", done)
	}
	path, err := r.Result(done)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	script, err := io.ReadAll(zr)
	if err != nil || !strings.HasSuffix(string(script), "-- Download complete\n") {
		t.Fatalf("the script is incomplete (%v): ends %q", err, script[max(0, len(script)-60):])
	}
	again := mustSubmit(t, r, "alice", weekback.JobDownload, weekback.JobParams{Day: weekback.Monday, Format: "sql"})
	waitJob(t, store, again.ID, 60*time.Second, final)
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the replaced download's file is still there (%v)", err)
	}
}

// TestDownloadJobRefused: an unknown format, and anonymization on a runner
// without exports.anonymize, are refused at submit.
func TestDownloadJobRefused(t *testing.T) {
	store := mustJobStore(t, mysqltest.UniqueName("wbj_dlr_"))
	r := mustOpen(t, newRunner(t, store, t.TempDir()))
	for _, p := range []weekback.JobParams{{Day: weekback.Monday, Format: "xml"}, {Day: weekback.Monday, Format: "sql", Anonymize: true}} {
		if _, _, err := r.Submit(t.Context(), "alice", weekback.JobDownload, p); weekback.ErrorCode(err) != weekback.EINVALID {
			t.Errorf("Submit(%+v) = %v, want EINVALID", p, err)
		}
	}
}

// TestCancelDownload: a download canceled while it streams ends canceled
// within 2 s and leaves no file.
func TestCancelDownload(t *testing.T) {
	store := mustJobStore(t, mysqltest.UniqueName("wbj_dlc_"))
	dir := t.TempDir()
	r := newRunner(t, store, dir)
	r.Stored = mustPool(t, mysql.RoleSource)
	r.Heartbeat, r.Lease, r.wrap = cancelHeartbeat, 5*time.Second, slowly(100*time.Millisecond)
	mustOpen(t, r)
	j := mustSubmit(t, r, "alice", weekback.JobDownload, weekback.JobParams{Day: weekback.Monday, Format: "csv"})
	waitJob(t, store, j.ID, 10*time.Second, func(j *weekback.Job) bool { return j.RowsDone > 0 })
	cancelWithin(t, store, j.ID)
	mustHaveNoFiles(t, dir)
}
