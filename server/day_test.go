package server_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
	"github.com/weekback/weekback/server"
)

// dayFixture is a login server whose slot also holds tables to browse.
// Monday and Wednesday serve it, Thursday serves it though its last run
// failed, Friday is building with nothing served, the others were never
// taken. The session is bcrypt's, logged in through the login form.
type dayFixture struct {
	*loginFixture
	session *http.Cookie
	secrets []string // values that must never appear: password hashes, redacted columns
}

// MustOpenDayServer returns the fixture, logged in.
func MustOpenDayServer(t *testing.T) *dayFixture {
	t.Helper()
	lf := MustOpenLoginServer(t, func(s *server.Server) {
		s.PasswordTable, s.PasswordColumn, s.Redact = "users", "password_hash", []string{"customers.secret_*"}
	})
	ctx := context.Background()
	root := mysqltest.MustOpen(t)
	q := func(s string) string { return strings.ReplaceAll(s, "$S.", "`"+lf.slot+"`.") }
	mysqltest.MustExec(t, root,
		q("CREATE TABLE $S.items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, note VARCHAR(40) NULL, data BLOB NULL, "+
			"doc JSON NULL, geo GEOMETRY NULL, at DATETIME NULL, long_text TEXT NULL)"),
		q("INSERT INTO $S.items SELECT seq, CONCAT('item', LPAD(seq, 3, '0')), ELT(1 + seq % 3, NULL, '', CONCAT('note ', seq)), "+
			"IF(seq = 1, UNHEX('00FF10AB'), NULL), IF(seq = 1, '{\"a\":1,\"b\":[true,null]}', NULL), "+
			"IF(seq = 1, ST_GeomFromText('POINT(1 2)'), NULL), IF(seq = 1, '2024-02-29 12:34:56', NULL), "+
			"IF(seq = 2, REPEAT('long ', 100), NULL) FROM $S.seq_1_to_120"),
		q("CREATE TABLE $S.pairs (a VARCHAR(20) NOT NULL, b INT NOT NULL, v VARCHAR(10) NULL, PRIMARY KEY (a, b))"),
		q("INSERT INTO $S.pairs VALUES ('x,y/z', 1, 'comma'), ('plain', 2, 'plain'), ('100%', 3, 'percent')"),
		q("CREATE TABLE $S.customers (id INT PRIMARY KEY, email VARCHAR(64) NOT NULL, secret_token VARCHAR(64) NOT NULL)"),
		q("INSERT INTO $S.customers VALUES (1, 'a@example.com', 'tok-SECRET-123'), (2, 'b@example.com', 'tok-SECRET-456')"),
		q("CREATE VIEW $S.v_items AS SELECT id, name FROM $S.items"),
		q("CREATE VIEW $S.v_users AS SELECT * FROM $S.users"),
	)
	var secrets []string
	rows, err := root.Query(q("SELECT password_hash FROM $S.users"))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var h string
		rows.Scan(&h)
		secrets = append(secrets, h[len(h)/2:]) // the hash's tail: no prefix shared with anything else
	}
	rows.Close()
	secrets = append(secrets, "tok-SECRET")

	pool, err := mysql.Open(ctx, mysqltest.DSN(t, ""), "backup.reader_dsn", mysql.RoleSource)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	lf.srv.Slots = pool

	admin, err := mysql.OpenMeta(ctx, lf.db, lf.meta.Prefix())
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 4, 0, 30, 0, 0, time.UTC) // 09:30 in Tokyo
	m := &weekback.Manifest{Day: weekback.Wednesday, Slot: lf.slot, SnapshotAt: at, Rows: 5 + 120 + 3 + 2,
		Tables: []weekback.TableInfo{{Name: "customers", Rows: 2}, {Name: "items", Rows: 120}, {Name: "pairs", Rows: 3}, {Name: "users", Rows: 5}},
		Views:  []weekback.ViewInfo{{Name: "v_items"}, {Name: "v_users"}}}
	for _, d := range []weekback.Weekday{weekback.Wednesday, weekback.Thursday} {
		md := *m
		md.Day = d
		if _, err := admin.Switch(ctx, d, lf.slot, &md, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	host, _ := os.Hostname()
	failed := &weekback.SnapshotRun{Day: weekback.Thursday, Host: host, PID: os.Getpid()}
	if err := admin.StartRun(ctx, failed, func(id int64) string { return lf.slot + "_next" }); err != nil {
		t.Fatal(err)
	}
	failed.Status, failed.Error = weekback.RunFailed, "test"
	if err := admin.FinishRun(ctx, failed); err != nil {
		t.Fatal(err)
	}
	building := &weekback.SnapshotRun{Day: weekback.Friday, Host: host, PID: os.Getpid()}
	if err := admin.StartRun(ctx, building, func(id int64) string { return lf.slot + "_fri" }); err != nil {
		t.Fatal(err)
	}
	return &dayFixture{loginFixture: lf, session: lf.mustLogin(t, "bcrypt"), secrets: secrets}
}

// get requests path with the session (as JSON when asJSON) and checks
// what every answer of a day's page must: no caching, no inline style or
// script, no credential.
func (f *dayFixture) get(t *testing.T, path string, asJSON bool) response {
	t.Helper()
	var header map[string]string
	if asJSON {
		header = map[string]string{"Accept": "application/json"}
	}
	r := f.request(t, "GET", path, nil, []*http.Cookie{f.session}, header)
	f.checkPage(t, path, r)
	return r
}

var inlineCode = regexp.MustCompile(`(?i)<script|\sstyle=|<style|\son[a-z]+=|javascript:`)

func (f *dayFixture) checkPage(t *testing.T, path string, r response) {
	t.Helper()
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("GET %s: Cache-Control = %q, want no-store", path, cc)
	}
	if m := inlineCode.FindString(r.body); m != "" {
		t.Errorf("GET %s: inline code %q (forbidden by the CSP)", path, m)
	}
	for _, s := range f.secrets {
		if strings.Contains(r.body, s) {
			t.Errorf("GET %s: the answer holds the credential %q", path, s)
		}
	}
}

const bannerWed = "Backup of Wednesday (taken Wed, Mar 4, 2026 09:30) — read-only"

func TestDayPages(t *testing.T) {
	f := MustOpenDayServer(t)
	for _, tt := range []struct {
		name, path string
		asJSON     bool
		status     int
		contains   []string
		lacks      []string
	}{
		{"tables of a day", "/wed/", false, 200, []string{bannerWed, `class="backup-banner"`, `href="/wed/tables/items"`,
			`<td class="num">120</td>`, "v_items", `<a class="day" href="/mon/">Mon</a>`, `<a class="day" href="/thu/">Thu</a>`,
			`<span class="day current" aria-current="page">Wed</span>`, `<span class="day off">Fri</span>`, `<span class="day off">Sun</span>`}, nil},
		{"tables as JSON", "/wed/", true, 200, []string{`"name":"items","rows":120`, `"views":[{"name":"v_items"`, `"banner":{"day":"wed","snapshot_at":"2026-03-04T09:30:00+09:00","status":"ready"`, `"day":"wed"`}, []string{"Backup of"}},
		{"without a trailing slash", "/wed", false, 200, []string{bannerWed}, nil},
		{"failed day still served", "/thu/", false, 200, []string{"Backup of Thursday", "last run failed — the previous copy is served"}, nil},
		{"never taken", "/sun/", false, 404, []string{"The backup of Sunday has never been taken", `<a href="/">`}, []string{"backup-banner"}},
		{"run under way, nothing served", "/fri/", false, 404, []string{"The backup of Friday", "Pick another day", `<a href="/">`}, nil},
		{"never taken as JSON", "/sun/", true, 404, []string{`"status":404`, "never been taken"}, nil},
		{"unknown day", "/xyz/", false, 404, []string{"There is no page at this address."}, nil},
		{"unknown day, deeper", "/xyz/tables/items", false, 404, nil, nil},
		{"unknown table", "/wed/tables/nope", false, 404, []string{"There is no table “nope” in this backup", bannerWed}, nil},
		{"unknown table as JSON", "/wed/tables/nope", true, 404, []string{`"status":404`}, nil},
		{"view", "/wed/tables/v_items", false, 200, []string{`class="notice view-note"`, "v_items is a view, shown read-only", `<table class="records">`},
			[]string{"template.json"}},
		{"record of an unknown table", "/wed/tables/nope/rows/1", false, 404, nil, nil},
		{"view of the users table: its password column stays masked", "/wed/tables/v_users", false, 200, []string{`class="masked"`}, nil},
		{"a view has no template", "/wed/tables/v_items/template.json", false, 404, nil, nil},
		{"a view's CSV leaves the password column out", "/wed/tables/v_users/export.csv", false, 200, []string{"login_id"}, []string{"password_hash"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := f.get(t, tt.path, tt.asJSON)
			if r.status != tt.status {
				t.Fatalf("status = %d, want %d\n%.3000s", r.status, tt.status, r.body)
			}
			for _, want := range tt.contains {
				if !strings.Contains(r.body, want) {
					t.Errorf("body lacks %q:\n%.3000s", want, r.body)
				}
			}
			for _, bad := range tt.lacks {
				if strings.Contains(r.body, bad) {
					t.Errorf("body holds %q", bad)
				}
			}
		})
	}
}

// TestDayPagesNeedLogin: without a session every page of a day sends the
// browser to the login page (coming back afterwards), and JSON clients
// get 401.
func TestDayPagesNeedLogin(t *testing.T) {
	f := MustOpenDayServer(t)
	for _, path := range []string{"/wed/", "/sun/", "/wed/tables/items", "/wed/tables/items?sort=-name&f.note=isnull", "/wed/tables/items/rows/1", "/wed/tables/nope"} {
		t.Run(path, func(t *testing.T) {
			r := f.request(t, "GET", path, nil, nil, nil)
			want := "/login?next=" + strings.ReplaceAll(url.QueryEscape(path), "%2F", "/")
			if r.status != 303 || r.header.Get("Location") != want {
				t.Fatalf("status %d to %q, want 303 to %q", r.status, r.header.Get("Location"), want)
			}
			if r.header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", r.header.Get("Cache-Control"))
			}
			if r := f.request(t, "GET", path, nil, nil, map[string]string{"Accept": "application/json"}); r.status != 401 {
				t.Errorf("as JSON: status %d, want 401", r.status)
			}
		})
	}
}

// TestDayWriteMethods: no data address can be written to.
func TestDayWriteMethods(t *testing.T) {
	f := MustOpenDayServer(t)
	for _, path := range []string{"/wed/", "/wed/tables/items", "/wed/tables/items/rows/1", "/wed/tables/pairs/rows/plain,2"} {
		for _, method := range []string{"POST", "PUT", "PATCH", "DELETE"} {
			t.Run(method+" "+path, func(t *testing.T) {
				r := f.request(t, method, path, url.Values{"name": {"x"}}, []*http.Cookie{f.session}, nil)
				if r.status != 405 || !strings.Contains(r.body, "read-only") {
					t.Fatalf("status = %d, want 405 saying read-only\n%.500s", r.status, r.body)
				}
			})
		}
	}
}
