package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestBackupUnreachable503: when the backup server stops answering
// (connections refused), pages answer 503 with Retry-After and a sentence
// for the user — never 500, never the driver's error.
func TestBackupUnreachable503(t *testing.T) {
	proxy := mysqltest.NewProxy(t, mysqltest.ServerAddr(t))
	f := mustOpenServerAt(t, true, mysqltest.DSNVia(t, proxy, ""))
	if status, _, body := f.do(t, "GET", "/", nil); status != http.StatusOK {
		t.Fatalf("GET / while the backup server answers = %d\n%.500s", status, body)
	}
	f.db.SetMaxIdleConns(0) // every request dials
	proxy.Close()
	for _, accept := range []string{"text/html", "application/json"} {
		status, header, body := f.do(t, "GET", "/", map[string]string{"Accept": accept})
		if status != http.StatusServiceUnavailable || header.Get("Retry-After") == "" {
			t.Errorf("GET / (%s) with the backup server down = %d, Retry-After %q; want 503 with Retry-After\n%.500s",
				accept, status, header.Get("Retry-After"), body)
		}
		for _, bad := range []string{"dial tcp", "connection refused", "goroutine"} {
			if strings.Contains(body, bad) {
				t.Errorf("GET / (%s) shows %q:\n%.500s", accept, bad, body)
			}
		}
	}
}
