package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestServeMetricsProtected: serve with server.metrics_listen and
// server.metrics_token_file answers /metrics only there and only with the
// token; a short token file stops it with exit 2 naming the key.
func TestServeMetricsProtected(t *testing.T) {
	db := mysqltest.MustOpen(t)
	src, prefix := mustLoadGrantsSource(t, db), newPrefix(t, db)
	dir := t.TempDir()
	token := "0123456789abcdef0123456789abcdef"
	tokenFile := filepath.Join(dir, "metrics.token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	cfg := writeConfig(t, testConfig{SourceDSN: mysqltest.DSN(t, src), BackupDSN: mysqltest.DSN(t, ""), Prefix: prefix,
		Extra: fmt.Sprintf("server:\n  listen: %q\n  base_url: \"http://%s\"\n  session_secret_file: %q\n  metrics_listen: %q\n  metrics_token_file: %q\n",
			addr, addr, filepath.Join(dir, "session.key"), metricsAddr, tokenFile)})
	mustSnapshot(t, cfg, weekback.Monday)
	appendReaderDSN(t, cfg, mysqltest.DSN(t, ""))
	p := startWeekback(t, cfg, "serve")
	waitListening(t, p)
	for _, tt := range []struct {
		url, token string
		want       int
	}{
		{"http://" + addr + "/metrics", token, 404},
		{"http://" + metricsAddr + "/metrics", "", 401},
		{"http://" + metricsAddr + "/metrics", token, 200},
	} {
		req, _ := http.NewRequest("GET", tt.url, nil)
		if tt.token != "" {
			req.Header.Set("Authorization", "Bearer "+tt.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.want || (tt.want == 200) != strings.Contains(string(body), "weekback_http_requests_total") {
			t.Fatalf("GET %s (token %v) = %d, want %d", tt.url, tt.token != "", resp.StatusCode, tt.want)
		}
	}
	if err := os.WriteFile(tokenFile, []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr := mustRunWeekback(t, 2, cfg, "serve")
	if !strings.Contains(stderr, "server.metrics_token_file") || !strings.Contains(stderr, "at least 16") {
		t.Fatalf("serve with a short token file: stderr %q, want the key and the fix", stderr)
	}
}
