package jobs

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestJanitor: with an injected clock, a download expires after
// DownloadTTL (status expired, files removed, Result ENOTFOUND) and the
// job is purged after Retention; stray temporary files of jobs that do
// not run are removed, other files are left alone.
func TestJanitor(t *testing.T) {
	store := mustJobStore(t, mysqltest.UniqueName("wbj_jan_"))
	dir := t.TempDir()
	r := mustOpen(t, newRunner(t, store, dir))
	janitor := newRunner(t, store, dir) // not opened: its clock is the test's to change
	ctx := context.Background()
	j := mustSubmit(t, r, "alice", weekback.JobExport, weekback.JobParams{Day: weekback.Monday, Table: "zoo", Profile: "spreadsheet", Encoding: "sjis"})
	done := mustEnd(t, store, j.ID, 30*time.Second, weekback.JobLossy)
	result, err := r.Result(done)
	if err != nil || done.Errors == 0 {
		t.Fatalf("Result: %v, %d errors", err, done.Errors)
	}
	errLog, _ := r.ErrorLog(done)
	stray := filepath.Join(dir, ".999999.tmp-"+workerToken(r.Worker)+"-1")
	other := filepath.Join(dir, "notes.txt")
	for _, p := range []string{stray, other} {
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	sweepAt := func(at time.Time) {
		t.Helper()
		janitor.Now = func() time.Time { return at }
		if err := janitor.Sweep(ctx); err != nil {
			t.Fatalf("Sweep: %v", err)
		}
	}
	sweepAt(now.Add(r.DownloadTTL - time.Minute))
	if _, err := os.Stat(result); err != nil {
		t.Fatalf("before DownloadTTL the file is gone: %v", err)
	}
	if _, err := os.Stat(stray); !os.IsNotExist(err) {
		t.Errorf("a temporary file of no job is left: %v", err)
	}
	sweepAt(now.Add(r.DownloadTTL + time.Minute))
	expired, err := store.Job(ctx, j.ID)
	if err != nil || expired.Status != weekback.JobExpired || !Expired(expired, janitor.Now(), r.DownloadTTL) {
		t.Fatalf("after DownloadTTL: %+v, %v; want expired", expired, err)
	}
	for _, p := range []string{result, errLog} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s after expiry: %v, want it removed", p, err)
		}
	}
	if _, err := r.Result(expired); weekback.ErrorCode(err) != weekback.ENOTFOUND {
		t.Errorf("Result of an expired job: %v, want ENOTFOUND", err)
	}
	sweepAt(now.Add(r.Retention + time.Minute))
	if _, err := store.Job(ctx, j.ID); weekback.ErrorCode(err) != weekback.ENOTFOUND {
		t.Fatalf("after Retention: %v, want the job purged (ENOTFOUND)", err)
	}
	if names := dirNames(t, dir); len(names) != 1 || names[0] != "notes.txt" {
		t.Errorf("folder after the purge: %v, want only notes.txt", names)
	}
}

// TestRemoveAndPaths: a job's files are named after its id only; Remove
// deletes them and tolerates missing ones.
func TestRemoveAndPaths(t *testing.T) {
	r := New()
	r.Dir = t.TempDir()
	j := &weekback.Job{ID: 42, Kind: weekback.JobExport, Status: weekback.JobSucceeded, Errors: 1, FinishedAt: time.Now(),
		File: "../../etc/passwd", Params: weekback.JobParams{Table: "../x"}}
	for _, name := range []string{"42.csv", "42.errors.csv"} {
		if err := os.WriteFile(filepath.Join(r.Dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path, err := r.Result(j)
	if err != nil || path != filepath.Join(r.Dir, "42.csv") {
		t.Fatalf("Result = %q, %v", path, err)
	}
	if path, err := r.ErrorLog(j); err != nil || path != filepath.Join(r.Dir, "42.errors.csv") {
		t.Fatalf("ErrorLog = %q, %v", path, err)
	}
	tpl := &weekback.Job{ID: 42, Kind: weekback.JobTemplate}
	if got := r.resultPath(tpl); got != filepath.Join(r.Dir, "42.template.json") {
		t.Errorf("template result at %s", got)
	}
	if err := r.Remove(j); err != nil {
		t.Fatal(err)
	}
	if err := r.Remove(j); err != nil {
		t.Fatalf("Remove again: %v", err)
	}
	for _, bad := range []*weekback.Job{j, {ID: 0, Status: weekback.JobSucceeded}, {ID: 7, Status: weekback.JobRunning}} {
		if _, err := r.Result(bad); weekback.ErrorCode(err) != weekback.ENOTFOUND {
			t.Errorf("Result of job %d (%s): %v, want ENOTFOUND", bad.ID, bad.Status, err)
		}
	}
	if _, err := r.ErrorLog(&weekback.Job{ID: 7}); weekback.ErrorCode(err) != weekback.ENOTFOUND {
		t.Errorf("ErrorLog of a job without errors: %v, want ENOTFOUND", err)
	}
}

func TestExpired(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	ttl := 20 * time.Hour
	for _, tt := range []struct {
		name string
		j    weekback.Job
		want bool
	}{
		{"fresh", weekback.Job{Status: weekback.JobSucceeded, FinishedAt: now.Add(-time.Hour)}, false},
		{"just before", weekback.Job{Status: weekback.JobSucceeded, FinishedAt: now.Add(-ttl + time.Second)}, false},
		{"at ttl", weekback.Job{Status: weekback.JobSucceeded, FinishedAt: now.Add(-ttl)}, true},
		{"old", weekback.Job{Status: weekback.JobSucceeded, FinishedAt: now.Add(-2 * ttl)}, true},
		{"expired", weekback.Job{Status: weekback.JobExpired, FinishedAt: now}, true},
		{"old failed", weekback.Job{Status: weekback.JobFailed, FinishedAt: now.Add(-2 * ttl)}, false},
		{"running", weekback.Job{Status: weekback.JobRunning}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Expired(&tt.j, now, ttl); got != tt.want {
				t.Fatalf("Expired = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTempNames(t *testing.T) {
	for _, tt := range []struct {
		name, id, token string
	}{
		{".12.tmp-ab12-345", "12", "ab12"},
		{".7.errors.tmp-ff-1", "7", "ff"},
		{"12.csv", "", ""},
		{".12.tmp-", "", ""},
		{"..12.tmp-ab-1", "", ""},
	} {
		m := tempName.FindStringSubmatch(tt.name)
		if got := [2]string{}; m != nil {
			got = [2]string{m[1], m[2]}
			if got != [2]string{tt.id, tt.token} {
				t.Errorf("%s: id %s token %s, want %s %s", tt.name, got[0], got[1], tt.id, tt.token)
			}
		} else if tt.id != "" {
			t.Errorf("%s: no match, want id %s", tt.name, tt.id)
		}
	}
	if a, b := workerToken("h:1:ab"), workerToken("h:1:ac"); len(a) != 8 || a == b || tempName.FindString(".1.tmp-"+a+"-9") == "" {
		t.Errorf("workerToken = %q and %q", a, b)
	}
}

// TestJanitorChangeSets: the janitor deletes the stored change sets of a
// day replaced (or discarded) since, and keeps those of served slots.
func TestJanitorChangeSets(t *testing.T) {
	prefix := mysqltest.UniqueName("wbj_cs_")
	store := mustJobStore(t, prefix)
	ctx := context.Background()
	switchTo := func(day weekback.Weekday, slot string) {
		t.Helper()
		m := &weekback.Manifest{Day: day, Slot: slot, SnapshotAt: time.Now()}
		if _, err := store.Switch(ctx, day, slot, m, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	mon, tue, wed := prefix+"_mon_r1", prefix+"_tue_r2", prefix+"_wed_r3"
	switchTo(weekback.Monday, mon)
	switchTo(weekback.Tuesday, tue)
	switchTo(weekback.Wednesday, wed)
	for _, pair := range [][2]string{{mon, tue}, {tue, wed}} {
		if err := store.PutChangeSet(ctx, &weekback.ChangeSet{From: pair[0], To: pair[1], Engine: 1, Tables: []byte("[]")}); err != nil {
			t.Fatal(err)
		}
	}
	switchTo(weekback.Monday, prefix+"_mon_r4") // Monday replaced: mon..tue is of no served slot
	janitor := newRunner(t, store, t.TempDir())
	janitor.ChangeSets = store
	if err := janitor.Sweep(ctx); err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	if cs, err := store.ChangeSet(ctx, mon, tue); err != nil || cs != nil {
		t.Errorf("the replaced Monday's change set = %+v, %v; want deleted", cs, err)
	}
	if cs, err := store.ChangeSet(ctx, tue, wed); err != nil || cs == nil {
		t.Errorf("tue..wed = %+v, %v; want kept", cs, err)
	}
}
