package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
	"github.com/weekback/weekback/server"
	"github.com/weekback/weekback/server/auth"
)

// fixture is a meta schema on the test server (a fresh prefix) and a
// server reading it.
type fixture struct {
	db   *sqlx.DB
	meta *mysql.Meta
	srv  *server.Server
}

// MustOpenServer returns a server over a fresh meta schema; with ready set,
// Monday has a generation.
func MustOpenServer(t *testing.T, ready bool) *fixture {
	t.Helper()
	return mustOpenServerAt(t, ready, mysqltest.DSN(t, ""))
}

// mustOpenServerAt is MustOpenServer with the backup server at dsn.
func mustOpenServerAt(t *testing.T, ready bool, dsn string) *fixture {
	t.Helper()
	ctx := context.Background()
	prefix := mysqltest.UniqueName("wbs_")
	mysqltest.DropPrefixOnCleanup(t, mysqltest.MustOpen(t), prefix)
	db, err := mysql.Open(ctx, dsn, "test", mysql.RoleMeta)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	admin, err := mysql.OpenMeta(ctx, db, prefix)
	if err != nil {
		t.Fatal(err)
	}
	if ready {
		m := &weekback.Manifest{Day: weekback.Monday, Slot: prefix + "_mon_r1", SnapshotAt: time.Now().Add(-time.Hour),
			Tables: []weekback.TableInfo{{Name: "orders", Rows: 42}}, Rows: 42}
		if _, err := admin.Switch(ctx, weekback.Monday, m.Slot, m, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	meta, err := mysql.AttachMeta(ctx, db, prefix)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, meta: meta, srv: server.New()}
	f.srv.Generations, f.srv.Ping, f.srv.ChangeSets = meta, meta.Ping, meta
	f.srv.Location, _ = time.LoadLocation("Asia/Tokyo")
	f.srv.Sessions = auth.NewSessions([]byte(strings.Repeat("k", auth.MinSecretBytes)), testBaseURL)
	f.srv.SessionStore, f.srv.Audit, f.srv.BaseURL = meta, meta, testBaseURL
	f.srv.Users = mysql.NewestUsers(db, meta, mysql.NewCatalog(), testUserSpec)
	f.srv.Build()
	return f
}

// get sends a request to the app and returns status, headers and body.
func (f *fixture) do(t *testing.T, method, path string, header map[string]string) (int, http.Header, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := f.srv.Handler().Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

func TestRoutes(t *testing.T) {
	f := MustOpenServer(t, true)
	for _, tt := range []struct {
		name, method, path string
		header             map[string]string
		status             int
		contains           []string
	}{
		{"landing", "GET", "/", nil, 200, []string{`<a href="/mon/">Monday</a>`, "never taken", "Asia/Tokyo", "/static/app.css"}},
		{"landing as JSON", "GET", "/", map[string]string{"Accept": "application/json"}, 200, []string{`"day":"mon"`, `"url":"/mon/"`, `"status":"never"`}},
		{"healthz", "GET", "/healthz", nil, 200, []string{"ok"}},
		{"readyz", "GET", "/readyz", nil, 200, []string{"ready"}},
		{"metrics", "GET", "/metrics", nil, 200, []string{`weekback_generation_age_seconds{day="mon"}`, "weekback_http_requests_total"}},
		{"static css", "GET", "/static/app.css", nil, 200, []string{".badge-ready"}},
		{"unknown page", "GET", "/nope", nil, 404, []string{"There is no page at this address."}},
		{"unknown page as JSON", "GET", "/nope", map[string]string{"Accept": "application/json"}, 404, []string{`"status":404`}},
		{"write method", "POST", "/", nil, 405, []string{"read-only"}},
		{"delete method", "DELETE", "/", nil, 405, []string{"read-only"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, header, body := f.do(t, tt.method, tt.path, tt.header)
			if status != tt.status {
				t.Fatalf("status = %d, want %d\n%s", status, tt.status, body)
			}
			for _, want := range tt.contains {
				if !strings.Contains(body, want) {
					t.Errorf("body lacks %q:\n%.2000s", want, body)
				}
			}
			if csp := header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("Content-Security-Policy = %q", csp)
			}
			if header.Get("X-Content-Type-Options") != "nosniff" || header.Get("Referrer-Policy") == "" {
				t.Errorf("security headers missing: %v", header)
			}
		})
	}
}

// landingDays is the days list of the landing page's JSON.
type landingDays struct {
	Days []struct {
		Day    string `json:"day"`
		Ready  bool   `json:"ready"`
		Tables int    `json:"tables"`
		Rows   int64  `json:"rows"`
		Status string `json:"status"`
	} `json:"days"`
}

func TestLandingJSONDays(t *testing.T) {
	f := MustOpenServer(t, true)
	_, _, body := f.do(t, "GET", "/", map[string]string{"Accept": "application/json"})
	var got landingDays
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("JSON: %v\n%s", err, body)
	}
	if len(got.Days) != 7 || got.Days[0].Day != "mon" || !got.Days[0].Ready || got.Days[6].Day != "sun" || got.Days[6].Ready {
		t.Fatalf("days = %+v, want mon ready and six more not ready", got.Days)
	}
}

// TestLandingCounts: visitors who are not logged in see each day's status
// and time but not its numbers of tables and rows, unless PublicCounts;
// logged-in users always see them.
func TestLandingCounts(t *testing.T) {
	f := MustOpenDayServer(t)
	check := func(name string, cookies []*http.Cookie, want bool) {
		t.Helper()
		var got landingDays
		r := f.request(t, "GET", "/", nil, cookies, map[string]string{"Accept": "application/json"})
		if err := json.Unmarshal([]byte(r.body), &got); err != nil || len(got.Days) != 7 {
			t.Fatalf("%s: JSON %v\n%s", name, err, r.body)
		}
		page := f.request(t, "GET", "/", nil, cookies, nil).body
		hasCounts := strings.Contains(page, ">Tables</th>")
		if hasCounts != want || strings.Contains(r.body, `"rows"`) != want || !strings.Contains(page, "<time datetime=") {
			t.Fatalf("%s: counts shown = %v (JSON: %s), want %v, with the snapshot time either way", name, hasCounts, r.body, want)
		}
	}
	check("anonymous", nil, false)
	check("logged in", []*http.Cookie{f.session}, true)
	f.srv.PublicCounts = true
	check("anonymous with public_counts", nil, true)
}

func TestNotReadyWithoutGeneration(t *testing.T) {
	f := MustOpenServer(t, false)
	if status, _, body := f.do(t, "GET", "/readyz", nil); status != 503 || !strings.Contains(body, "no generation") {
		t.Fatalf("readyz = %d %q, want 503 saying no generation is ready", status, body)
	}
}

// TestInternalErrorsStayInternal breaks the database under the server: the
// user gets a generic 500 page, never the driver's message.
func TestInternalErrorsStayInternal(t *testing.T) {
	f := MustOpenServer(t, true)
	f.db.Close()
	status, _, body := f.do(t, "GET", "/", nil)
	if status != 500 {
		t.Fatalf("status = %d, want 500", status)
	}
	for _, leak := range []string{"sql:", "database is closed", "SELECT", "goroutine", ".go:"} {
		if strings.Contains(body, leak) {
			t.Errorf("error page leaks %q:\n%s", leak, body)
		}
	}
	if status, _, _ := f.do(t, "GET", "/readyz", nil); status != 503 {
		t.Errorf("readyz with the database gone = %d, want 503", status)
	}
}

// TestListenAndClose serves on a real port and shuts down gracefully.
func TestListenAndClose(t *testing.T) {
	f := MustOpenServer(t, true)
	f.srv.Listen = "127.0.0.1:0"
	if err := f.srv.Open(); err != nil {
		t.Fatal(err)
	}
	addr := f.srv.Addr()
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("healthz over TCP = %d", resp.StatusCode)
	}
	if err := f.srv.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Fatalf("server still answers after Close")
	}
}
