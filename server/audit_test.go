package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/server"
)

// auditJSON is the JSON answer of /audit.
type auditJSON struct {
	Entries []weekback.AuditEntry `json:"entries"`
	Next    string                `json:"next"`
}

// mustOpenAuditServer returns a login server whose audit log holds n export entries
// after bcrypt's (an admin's) login, and bcrypt's session.
func mustOpenAuditServer(t *testing.T, n int) (*loginFixture, *http.Cookie) {
	t.Helper()
	f := MustOpenLoginServer(t)
	admin := f.mustLogin(t, "bcrypt")
	for i := range n {
		e := &weekback.AuditEntry{Login: "argon", Client: "192.0.2.1", Action: weekback.AuditExport, Outcome: weekback.OutcomeOK,
			Day: weekback.Wednesday, Table: "orders", Detail: fmt.Sprintf("entry %d", i), Rows: int64(i)}
		if err := f.meta.Audit(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	return f, admin
}

func (f *loginFixture) auditJSON(t *testing.T, path string, c *http.Cookie) auditJSON {
	t.Helper()
	r := f.request(t, "GET", path, nil, []*http.Cookie{c}, map[string]string{"Accept": "application/json"})
	var got auditJSON
	if err := json.Unmarshal([]byte(r.body), &got); r.status != 200 || err != nil {
		t.Fatalf("GET %s as JSON = %d, %v\n%.500s", path, r.status, err, r.body)
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("GET %s: Cache-Control = %q, want no-store", path, cc)
	}
	return got
}

// assertNewestFirst fails unless the IDs strictly decrease.
func assertNewestFirst(t *testing.T, entries []weekback.AuditEntry) {
	t.Helper()
	for i := 1; i < len(entries); i++ {
		if entries[i].ID >= entries[i-1].ID {
			t.Fatalf("entry %d has ID %d after %d: want newest first", i, entries[i].ID, entries[i-1].ID)
		}
	}
}

func TestAuditJSONPaging(t *testing.T) {
	f, admin := mustOpenAuditServer(t, 150)
	first := f.auditJSON(t, "/audit", admin)
	if len(first.Entries) != server.AuditPageSize || first.Entries[0].Detail != "entry 149" {
		t.Fatalf("first page: %d entries starting with %+v, want %d from entry 149", len(first.Entries), first.Entries[0], server.AuditPageSize)
	}
	assertNewestFirst(t, first.Entries)
	last := first.Entries[len(first.Entries)-1]
	if want := "/audit?before=" + strconv.FormatInt(last.ID, 10); first.Next != want {
		t.Fatalf("next = %q, want %q", first.Next, want)
	}
	second := f.auditJSON(t, first.Next, admin)
	if len(second.Entries) != 51 || second.Next != "" || second.Entries[0].ID >= last.ID {
		t.Fatalf("second page: %d entries, next %q; want the 51 older ones (50 exports and the login) and no next", len(second.Entries), second.Next)
	}
	assertNewestFirst(t, second.Entries)
	if e := second.Entries[50]; e.Action != weekback.AuditLogin || e.Login != "bcrypt" || e.Outcome != weekback.OutcomeOK {
		t.Errorf("oldest entry = %+v, want bcrypt's login", e)
	}
}

var auditRowID = regexp.MustCompile(`<tr id="audit-\d+" class="audit-entry[^"]*" data-id="(\d+)">`)

func TestAuditPage(t *testing.T) {
	f, admin := mustOpenAuditServer(t, 120)
	newest := f.auditJSON(t, "/audit", admin).Entries[0]
	r := f.request(t, "GET", "/audit", nil, []*http.Cookie{admin}, nil)
	if r.status != 200 || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("GET /audit = %d, Cache-Control %q; want 200, no-store", r.status, r.header.Get("Cache-Control"))
	}
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	at := newest.At.In(tokyo)
	assertBody(t, "audit page", r.body, []string{"<h1>Audit log</h1>", "<th>Time</th>", "<th>Outcome</th>", "<th>Detail</th>",
		`<time datetime="` + strings.ReplaceAll(at.Format(time.RFC3339), "+", "&#43;") + `">` + at.Format("Mon, Jan 2, 2006 15:04:05") + `</time>`,
		"<td>argon</td><td>192.0.2.1</td><td>export</td><td>ok</td><td>Wednesday</td><td>orders</td><td>entry 119</td>",
		`<td class="num">119</td>`, `rel="next"`, "Older entries", `<span class="admin-mark">admin</span>`},
		[]string{"Newest entries"})
	var ids []int64
	for _, m := range auditRowID.FindAllStringSubmatch(r.body, -1) {
		ids = append(ids, must(strconv.ParseInt(m[1], 10, 64)))
	}
	if len(ids) != server.AuditPageSize || ids[0] != newest.ID {
		t.Fatalf("rows = %d from ID %v, want %d from %d", len(ids), ids[:min(1, len(ids))], server.AuditPageSize, newest.ID)
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] >= ids[i-1] {
			t.Fatalf("row %d: ID %d after %d, want newest first", i, ids[i], ids[i-1])
		}
	}
	next := regexp.MustCompile(`<a href="(/audit\?before=\d+)" rel="next">`).FindStringSubmatch(r.body)
	if next == nil {
		t.Fatal("no link to older entries")
	}
	older := f.request(t, "GET", next[1], nil, []*http.Cookie{admin}, nil)
	assertBody(t, "older page", older.body, []string{"Newest entries", "entry 0", "<td>login</td><td>ok</td>"}, []string{`rel="next"`, "entry 20<"})
	ja := f.request(t, "GET", "/audit", nil, []*http.Cookie{admin, langCookie("ja")}, nil)
	assertBody(t, "Japanese audit page", ja.body, []string{"<h1>監査ログ</h1>", "<td>エクスポート</td><td>成功</td><td>水曜日</td>"}, nil)
	if bad := f.request(t, "GET", "/audit?before=abc", nil, []*http.Cookie{admin}, nil); bad.status != 400 {
		t.Errorf("before=abc = %d, want 400", bad.status)
	}
}

func TestAuditRefused(t *testing.T) {
	f := MustOpenLoginServer(t)
	staff := f.mustLogin(t, "argon")
	for _, tt := range []struct {
		name    string
		cookies []*http.Cookie
		header  map[string]string
		status  int
		where   string
	}{
		{"not an admin", []*http.Cookie{staff}, nil, 404, ""},
		{"not an admin, JSON", []*http.Cookie{staff}, map[string]string{"Accept": "application/json"}, 404, ""},
		{"no session", nil, nil, 303, "/login?next=/audit"},
		{"no session, JSON", nil, map[string]string{"Accept": "application/json"}, 401, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := f.request(t, "GET", "/audit", nil, tt.cookies, tt.header)
			if r.status != tt.status || r.header.Get("Location") != tt.where {
				t.Fatalf("GET /audit = %d to %q, want %d to %q\n%.500s", r.status, r.header.Get("Location"), tt.status, tt.where, r.body)
			}
			if tt.status == 404 && tt.header == nil && !strings.Contains(r.body, "There is no page at this address.") {
				t.Errorf("404 page is not the ordinary one:\n%.1000s", r.body)
			}
		})
	}
	entries, _ := f.meta.AuditEntries(context.Background(), 0, 1)
	if len(entries) != 1 || entries[0].Action != weekback.AuditRefused || entries[0].Login != "argon" {
		t.Fatalf("last audit entry = %+v, want argon refused", entries)
	}
}

// loginFailures returns weekback_login_failures_total for reason.
func (f *loginFixture) loginFailures(t *testing.T, reason string) int {
	t.Helper()
	r := f.request(t, "GET", "/metrics", nil, nil, nil)
	m := regexp.MustCompile(`(?m)^weekback_login_failures_total\{reason="` + reason + `"\} (\d+)$`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("/metrics = %d has no weekback_login_failures_total for %s: %q", r.status, reason, r.body)
	}
	return must(strconv.Atoi(m[1]))
}

func TestLoginFailureMetric(t *testing.T) {
	f := MustOpenLoginServer(t, func(s *server.Server) { s.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/32")} })
	for _, reason := range []string{"wrong_password", "unknown_user", "not_allowed", "unknown_hash", "throttled", "csrf"} {
		if got := f.loginFailures(t, reason); got != 0 {
			t.Fatalf("%s = %d before any login, want 0", reason, got)
		}
	}
	f.login(t, "bcrypt", "wrong", "/", nil)
	if got := f.loginFailures(t, "wrong_password"); got != 1 {
		t.Fatalf("wrong_password = %d after a wrong password, want 1", got)
	}
	f.login(t, "clerk", testPassword, "/", nil)
	f.request(t, "POST", "/login", nil, nil, nil)
	for reason, want := range map[string]int{"not_allowed": 1, "csrf": 1, "throttled": 0} {
		if got := f.loginFailures(t, reason); got != want {
			t.Errorf("%s = %d, want %d", reason, got, want)
		}
	}
	xff := map[string]string{"X-Forwarded-For": "198.51.100.7"}
	for range 10 {
		f.login(t, "argon", "wrong", "/", xff)
	}
	assertThrottled(t, f.login(t, "argon", testPassword, "/", xff))
	if got := f.loginFailures(t, "throttled"); got != 1 {
		t.Fatalf("throttled = %d after a throttled login, want 1", got)
	}
}
