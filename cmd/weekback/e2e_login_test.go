package main

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestServeStartsWithoutProduction: with auth.source production, serve
// starts (and stays ready) while production does not answer, says so in
// its log, and answers logins with 503 until it does.
func TestServeStartsWithoutProduction(t *testing.T) {
	f := newFixture(t, false)
	mustSnapshot(t, f.cfg, weekback.Monday)
	cfg := writeConfig(t, testConfig{SourceDSN: dsnWith(t, "", "", mysqltest.DeadAddr(t), "sales"), BackupDSN: mysqltest.DSN(t, ""), Prefix: f.prefix,
		Extra: fmt.Sprintf("server:\n  listen: \"127.0.0.1:0\"\n  base_url: %q\n  session_secret_file: %q\nauth:\n  source: production\n",
			sideEffectsBaseURL, filepath.Join(t.TempDir(), "session.key"))})
	cfg = appendReaderDSN(t, cfg, mysqltest.DSN(t, ""))
	p := startWeekback(t, cfg, "serve")
	addr := waitListening(t, p)
	if log := p.stderr.String(); !strings.Contains(log, "production does not answer") {
		t.Errorf("the log does not say production does not answer:\n%s", log)
	}
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/readyz = %d, want 200: production down only stops logins", resp.StatusCode)
	}
	if status, _ := loginAndGet(t, addr, "anyone", "password", "/mon/"); status != http.StatusServiceUnavailable {
		t.Errorf("a login while production is down = %d, want 503", status)
	}
}
