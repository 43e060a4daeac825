package server_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/jobs"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
	"github.com/weekback/weekback/server"
)

// bigRows makes the "big" table about 40 MB of CSV: far more than the
// loopback's socket buffers, so a client that stops reading stalls its
// download.
const bigRows = 400_000

// listeningExportServer is the export fixture with a "big" table served
// on Saturday, listening on a loopback port with the server's settings
// changed by configure.
func listeningExportServer(t *testing.T, configure func(*server.Server)) (*dayFixture, string) {
	t.Helper()
	f := mustOpenExportServer(t)
	f.serveBig(t)
	f.srv.Listen = "127.0.0.1:0"
	configure(f.srv)
	if err := f.srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.srv.Close() })
	return f, "http://" + f.srv.Addr()
}

// serveBig serves the "big" table (and items) on Saturday.
func (f *dayFixture) serveBig(t *testing.T) {
	t.Helper()
	f.serveDay(t, weekback.Saturday, []weekback.TableInfo{{Name: "big", Rows: bigRows}, {Name: "items", Rows: 120}},
		"CREATE TABLE $S.big (id INT PRIMARY KEY, filler VARCHAR(100) NOT NULL)",
		fmt.Sprintf("INSERT INTO $S.big SELECT seq, CONCAT(REPEAT('x', 80), seq) FROM $S.seq_1_to_%d", bigRows))
}

// serveDay runs stmts on the fixture's slot ($S. stands for it) and makes
// day serve the slot with tables in its manifest.
func (f *dayFixture) serveDay(t *testing.T, day weekback.Weekday, tables []weekback.TableInfo, stmts ...string) {
	t.Helper()
	for i, s := range stmts {
		stmts[i] = strings.ReplaceAll(s, "$S.", "`"+f.slot+"`.")
	}
	mysqltest.MustExec(t, mysqltest.MustOpen(t), stmts...)
	ctx := context.Background()
	admin, err := mysql.OpenMeta(ctx, f.db, f.meta.Prefix())
	if err != nil {
		t.Fatal(err)
	}
	m := &weekback.Manifest{Day: day, Slot: f.slot, SnapshotAt: time.Now().Add(-time.Hour), Tables: tables}
	for _, ti := range tables {
		m.Rows += ti.Rows
	}
	if _, err := admin.Switch(ctx, day, f.slot, m, time.Minute); err != nil {
		t.Fatal(err)
	}
}

// stalledDownload asks for path on a raw connection, reads the response's
// headers and stops reading; the connection is closed when the test ends.
func stalledDownload(t *testing.T, addr string, session *http.Cookie, path string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\n\r\n", path, addr, session.String())
	status, err := bufio.NewReaderSize(conn, 4096).ReadString('\n')
	if err != nil || !strings.Contains(status, " 200 ") {
		t.Fatalf("stalled download: status line %q, %v", status, err)
	}
	return conn
}

// get asks base+path with the fixture's session and returns the
// response, its body read to the end (or the read's error).
func (f *dayFixture) httpGet(t *testing.T, base, path string) (*http.Response, string, error) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+path, nil)
	req.AddCookie(f.session)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, string(body), err
}

// TestExportsBounded: two clients that stop reading hold both places of
// MaxExports 2; the next download waits ExportQueueWait and gets 503 with
// Retry-After while pages still answer; once the stalled clients go, the
// places come back.
func TestExportsBounded(t *testing.T) {
	f, base := listeningExportServer(t, func(s *server.Server) { s.MaxExports, s.ExportQueueWait = 2, 300*time.Millisecond })
	addr := strings.TrimPrefix(base, "http://")
	stalled := []net.Conn{stalledDownload(t, addr, f.session, "/sat/tables/big/export.csv"), stalledDownload(t, addr, f.session, "/sat/tables/big/export.csv")}
	start := time.Now()
	resp, body, _ := f.httpGet(t, base, "/sat/tables/items/export.csv")
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "10" || !strings.Contains(body, "Too many downloads") {
		t.Fatalf("third download = %d, Retry-After %q, want 503 with Retry-After 10:\n%.500s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if waited := time.Since(start); waited < 300*time.Millisecond {
		t.Errorf("refused after %v, want a wait of 300ms first", waited)
	}
	if resp, _, _ := f.httpGet(t, base, "/sat/tables/items"); resp.StatusCode != 200 {
		t.Fatalf("records page while downloads are full = %d, want 200", resp.StatusCode)
	}
	for _, c := range stalled {
		c.Close()
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, body, err := f.httpGet(t, base, "/sat/tables/items/export.csv")
		if resp.StatusCode == 200 && err == nil && strings.Count(body, "\n") == 121 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("download after the stalled clients left = %d (%v), %d lines; want 200 with 121", resp.StatusCode, err, strings.Count(body, "\n"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestExportFailureCutsResponse: a download whose statement is stopped
// part way (here by ExportTimeout, while its client pauses) ends with a
// broken transfer, never as a clean but short file, and is audited as
// failed.
func TestExportFailureCutsResponse(t *testing.T) {
	f, base := listeningExportServer(t, func(s *server.Server) { s.ExportTimeout = 500 * time.Millisecond })
	req, _ := http.NewRequest("GET", base+"/sat/tables/big/export.csv", nil)
	req.AddCookie(f.session)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("download = %d, want 200", resp.StatusCode)
	}
	head := make([]byte, 1024)
	if _, err := io.ReadFull(resp.Body, head); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3500 * time.Millisecond) // past the limit and its grace
	n, err := io.Copy(io.Discard, resp.Body)
	if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("reading the rest: %d bytes, err %v; want io.ErrUnexpectedEOF (a cut-off transfer)", n, err)
	}
	if n > int64(bigRows)*100 {
		t.Fatalf("read %d bytes: the whole table, the export was not stopped", n)
	}
	var failed bool
	for deadline := time.Now().Add(5 * time.Second); !failed && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		entries, _ := f.meta.AuditEntries(context.Background(), 0, 1)
		failed = len(entries) == 1 && entries[0].Action == weekback.AuditExport && entries[0].Outcome == weekback.OutcomeFailed
	}
	if !failed {
		t.Error("the cut-off download is not audited as failed")
	}
}

// TestJobStatementTimeout: an export job whose statement runs longer than
// the runner's StatementTimeout (exports.statement_timeout) fails saying
// so.
func TestJobStatementTimeout(t *testing.T) {
	f := MustOpenJobsServer(t, true, func(r *jobs.Runner) { r.StatementTimeout = 50 * time.Millisecond })
	f.serveBig(t)
	u := f.session(t, "bcrypt")
	r := f.post(t, u, "/sat/tables/big/exports", url.Values{"sort": {"-filler"}})
	id, err := strconv.ParseInt(strings.TrimPrefix(r.header.Get("Location"), "/jobs/"), 10, 64)
	if r.status != 303 || err != nil {
		t.Fatalf("submit = %d, Location %q", r.status, r.header.Get("Location"))
	}
	if j := f.waitJob(t, u, id); j.Status != string(weekback.JobFailed) {
		t.Fatalf("job = %+v, want failed", j)
	}
	page := f.do(t, u, "GET", "/jobs/"+strconv.FormatInt(id, 10), nil, false)
	if !strings.Contains(page.body, "took longer than 50ms") {
		t.Fatalf("job page does not say the statement took too long:\n%.3000s", page.body)
	}
}
