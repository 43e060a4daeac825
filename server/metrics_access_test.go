package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

const testMetricsToken = "metrics-token-0123456789"

// getMetrics asks url with the bearer token (none when empty) and
// returns the status, the challenge and the body.
func getMetrics(t *testing.T, url, token string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), string(body)
}

// checkMetricsToken checks that url answers 401 with a Bearer challenge
// without the token or with a wrong one, and the metrics with it.
func checkMetricsToken(t *testing.T, url string) {
	t.Helper()
	for _, token := range []string{"", "wrong", testMetricsToken + "x"} {
		if status, challenge, body := getMetrics(t, url, token); status != 401 || !strings.HasPrefix(challenge, "Bearer") || strings.Contains(body, "weekback_") {
			t.Fatalf("%s with token %q = %d, WWW-Authenticate %q; want 401 with a Bearer challenge and no metrics", url, token, status, challenge)
		}
	}
	if status, _, body := getMetrics(t, url, testMetricsToken); status != 200 || !strings.Contains(body, "weekback_http_requests_total") {
		t.Fatalf("%s with the token = %d, want the metrics:\n%.300s", url, status, body)
	}
}

// TestMetricsToken: with server.metrics_token, /metrics on the main
// listener needs it.
func TestMetricsToken(t *testing.T) {
	f := MustOpenServer(t, true)
	f.srv.MetricsToken, f.srv.Listen = testMetricsToken, "127.0.0.1:0"
	if err := f.srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.srv.Close() })
	checkMetricsToken(t, "http://"+f.srv.Addr()+"/metrics")
}

// TestMetricsListen: with server.metrics_listen, /metrics is served there
// (with the token when one is set) and not on the main listener.
func TestMetricsListen(t *testing.T) {
	f := MustOpenServer(t, true)
	f.srv.MetricsToken, f.srv.Listen, f.srv.MetricsListen = testMetricsToken, "127.0.0.1:0", "127.0.0.1:0"
	if err := f.srv.Open(); err != nil {
		t.Fatal(err)
	}
	if status, _, body := getMetrics(t, "http://"+f.srv.Addr()+"/metrics", testMetricsToken); status != 404 || strings.Contains(body, "weekback_") {
		t.Fatalf("/metrics on the main listener = %d, want 404", status)
	}
	addr := f.srv.MetricsAddr()
	checkMetricsToken(t, "http://"+addr+"/metrics")
	if status, _, _ := getMetrics(t, "http://"+addr+"/mon/", testMetricsToken); status != 404 {
		t.Fatalf("a page on the metrics listener = %d, want 404", status)
	}
	if err := f.srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get("http://" + addr + "/metrics"); err == nil {
		t.Error("the metrics listener still answers after Close")
	}
}
