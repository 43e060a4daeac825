package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// zooTables are the type zoo's tables, parents before children.
var zooTables = []string{"zoo", "codes", "refs", "excluded_table", "no_pk"}

// zooFixture is the type zoo snapshotted into Monday, plus a users table
// so that the server can be logged in to.
type zooFixture struct {
	db     *sql.DB
	src    string
	cfg    string
	addr   string // where serve listens (server.listen and server.base_url)
	gen    *weekback.Generation
	dir    string
	prefix string
}

const zooPassword = "correct horse battery staple"

func newZooFixture(t *testing.T) *zooFixture {
	t.Helper()
	f := &zooFixture{db: mysqltest.MustOpen(t), dir: t.TempDir(), addr: freeAddr(t)}
	f.src = mysqltest.MustLoadScript(t, f.db, "wbe_zoo_", "../../snapshotter/testdata/typezoo/schema.sql")
	hash, err := bcrypt.GenerateFromPassword([]byte(zooPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	mysqltest.MustExec(t, f.db,
		"CREATE TABLE `"+f.src+"`.users (id INT PRIMARY KEY, login_id VARCHAR(40) NOT NULL UNIQUE, password_hash VARCHAR(100) NOT NULL, "+
			"can_manage_settings TINYINT NOT NULL, role VARCHAR(20) NOT NULL)",
		"INSERT INTO `"+f.src+"`.users VALUES (1, 'support', '"+string(hash)+"', 1, 'staff')")
	f.prefix = newPrefix(t, f.db)
	f.cfg = writeConfig(t, testConfig{SourceDSN: mysqltest.DSN(t, f.src), BackupDSN: mysqltest.DSN(t, ""), Prefix: f.prefix,
		Extra: fmt.Sprintf("server:\n  listen: %q\n  base_url: %q\n  session_secret_file: %q\n",
			f.addr, "http://"+f.addr, filepath.Join(f.dir, "session.key"))})
	f.cfg = appendReaderDSN(t, f.cfg, mysqltest.DSN(t, ""))
	mustSnapshot(t, f.cfg, weekback.Monday)
	f.gen = generations(t, f.cfg)[weekback.Monday]
	return f
}

// mustHashTable returns the row count and content hash of schema.table's
// stored columns, computed as the snapshotter does.
func mustHashTable(t *testing.T, schema, table string) (int64, string) {
	t.Helper()
	ctx := context.Background()
	db, err := mysql.Open(ctx, mysqltest.DSN(t, ""), "test", mysql.RoleSource)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables, err := mysql.Tables(ctx, db, schema)
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		if tb.Name == table {
			conn, err := db.Connx(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			n, h, err := mysql.StreamHash(ctx, conn, schema, table, tb.Copied())
			if err != nil {
				t.Fatal(err)
			}
			return n, h
		}
	}
	t.Fatalf("%s has no table %s", schema, table)
	return 0, ""
}

// checkSameAsManifest fails unless every zoo table of target holds
// exactly the rows the generation's manifest recorded.
func (f *zooFixture) checkSameAsManifest(t *testing.T, target string) {
	t.Helper()
	for _, table := range zooTables {
		want := f.gen.Manifest.Table(table)
		n, h := mustHashTable(t, target, table)
		if n != want.Rows || h != want.Hash {
			t.Errorf("%s after the round trip: %d rows, hash %s; want %d rows, hash %s", table, n, h, want.Rows, want.Hash)
		}
	}
}

// TestRoundTripCLI recovers every type-zoo table with the command line:
// export → template → template-apply into an empty schema → import, and
// checks the result is byte-identical to the snapshot.
func TestRoundTripCLI(t *testing.T) {
	f := newZooFixture(t)
	target := mysqltest.MustCreateSchema(t, f.db, "wbe_tgt_")
	targetDSN := mysqltest.DSN(t, target)
	for _, table := range zooTables {
		tpl := filepath.Join(f.dir, table+".template.json")
		mustRunWeekback(t, 0, f.cfg, "template", "--day", "mon", "--table", table, "-o", tpl)
		mustRunWeekback(t, 0, "", "template-apply", "--to", targetDSN, "--execute", tpl)
	}
	for _, table := range zooTables {
		csv := filepath.Join(f.dir, table+".csv")
		mustRunWeekback(t, 0, f.cfg, "export", "--day", "mon", "--table", table, "-o", csv)
		out, _ := mustRunWeekback(t, 0, "", "import", "--to", targetDSN, "--table", table, "--execute", csv)
		t.Logf("import %s: %s", table, strings.TrimSpace(out))
	}
	f.checkSameAsManifest(t, target)
}

// login logs in to the server at base and returns a client with the
// session cookie.
func login(t *testing.T, base, user, password string) *http.Client {
	t.Helper()
	c := newJarClient()
	if status := postLogin(t, c, base, user, password); status != http.StatusSeeOther {
		t.Fatalf("POST /login = %d, want 303", status)
	}
	return c
}

// newJarClient returns a client with a cookie jar that does not follow
// redirects.
func newJarClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// postLogin opens the login form with c, posts it and returns the status.
func postLogin(t *testing.T, c *http.Client, base, user, password string) int {
	t.Helper()
	_, body := mustGet(t, c, base+"/login", 200)
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF field on the login page:\n%s", body)
	}
	status, _ := postForm(t, c, base, "/login", url.Values{"csrf": {m[1]}, "login": {user}, "password": {password}, "next": {"/"}}.Encode(), false)
	return status
}

// mustGet fetches u and fails unless it answers want.
func mustGet(t *testing.T, c *http.Client, u string, want int) (http.Header, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	if resp.StatusCode != want {
		t.Fatalf("GET %s = %d, want %d:\n%.2000s", u, resp.StatusCode, want, body)
	}
	return resp.Header, string(body)
}

// TestRoundTripHTTP is TestRoundTripCLI through the browser downloads:
// template.json and export.csv from the server, applied and imported with
// the command line.
func TestRoundTripHTTP(t *testing.T) {
	f := newZooFixture(t)
	p := startWeekback(t, f.cfg, "serve")
	base := "http://" + waitListening(t, p)
	c := login(t, base, "support", zooPassword)
	target := mysqltest.MustCreateSchema(t, f.db, "wbe_tgt_")
	targetDSN := mysqltest.DSN(t, target)
	date := f.gen.Manifest.SnapshotAt.UTC().Format("2006-01-02")
	for _, table := range zooTables {
		h, body := mustGet(t, c, base+"/mon/tables/"+table+"/template.json", 200)
		if cd := h.Get("Content-Disposition"); !strings.Contains(cd, table+"-mon-"+date+".template.json") {
			t.Errorf("template.json Content-Disposition = %q", cd)
		}
		tpl := filepath.Join(f.dir, table+".template.json")
		mustWrite(t, tpl, body)
		mustRunWeekback(t, 0, "", "template-apply", "--to", targetDSN, "--execute", tpl)
	}
	for _, table := range zooTables {
		h, body := mustGet(t, c, base+"/mon/tables/"+table+"/export.csv", 200)
		if cd, want := h.Get("Content-Disposition"), table+"-mon-"+date+".csv"; !strings.Contains(cd, want) {
			t.Errorf("export.csv Content-Disposition = %q, want the file name %s", cd, want)
		}
		csv := filepath.Join(f.dir, table+".csv")
		mustWrite(t, csv, body)
		mustRunWeekback(t, 0, "", "import", "--to", targetDSN, "--table", table, "--execute", csv)
	}
	f.checkSameAsManifest(t, target)
	id := postJob(t, c, base, "/mon/tables/refs/templates", url.Values{"csrf": {mustCSRF(t, c, base)}})
	if j := waitJobsFinal(t, c, base, 1, 30*time.Second)[id]; j == nil || j.Status != weekback.JobSucceeded {
		t.Fatalf("template job: %+v, want succeeded", j)
	}
	_, direct := mustGet(t, c, base+"/mon/tables/refs/template.json", 200)
	if _, got := mustGet(t, c, fmt.Sprintf("%s/jobs/%d/download", base, id), 200); got != direct {
		t.Errorf("the template job's download differs from template.json:\n%s\nwant:\n%s", got, direct)
	}
	_, body := mustGet(t, c, base+"/mon/tables/users/export.csv", 200)
	if strings.Contains(body, "password_hash") || strings.Contains(body, "$2a$") {
		t.Errorf("the users export carries the password column:\n%s", body)
	}
}

func mustWrite(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestExportUsageErrors checks that bad exports exit 2 naming the fix,
// and that a Shift_JIS export of characters it cannot hold lists each one
// and exits 1 without leaving a file.
func TestExportUsageErrors(t *testing.T) {
	f := newZooFixture(t)
	out := filepath.Join(f.dir, "out.csv")
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"no table", []string{"export", "--day", "mon"}, 2, []string{"--day and --table"}},
		{"bad day", []string{"export", "--day", "someday", "--table", "zoo"}, 2, []string{"someday"}},
		{"unknown table", []string{"export", "--day", "mon", "--table", "payments"}, 2, []string{`"payments"`, "the tables of mon are: ", "zoo"}},
		{"mistyped table", []string{"export", "--day", "mon", "--table", "Zooo"}, 2, []string{`"Zooo"`, `did you mean "zoo"?`}},
		{"template of an unknown table", []string{"template", "--day", "mon", "--table", "codez"}, 2, []string{`did you mean "codes"?`}},
		{"unknown column", []string{"export", "--day", "mon", "--table", "zoo", "--columns", "id,nope"}, 2, []string{"nope", "the columns are: id, "}},
		{"mistyped column", []string{"export", "--day", "mon", "--table", "zoo", "--columns", "id,u_bigg"}, 2, []string{`did you mean "u_big"?`}},
		{"bad filter", []string{"export", "--day", "mon", "--table", "zoo", "--filter", "id"}, 2, []string{"column=op:value"}},
		{"bad profile", []string{"export", "--day", "mon", "--table", "zoo", "--profile", "excel"}, 2, []string{"excel"}},
		{"sjis reimport", []string{"export", "--day", "mon", "--table", "zoo", "--encoding", "shift_jis"}, 2, []string{"spreadsheet"}},
		{"password column", []string{"export", "--day", "mon", "--table", "users", "--columns", "id,password_hash"}, 2, []string{"credentials"}},
		{"unencodable", []string{"export", "--day", "mon", "--table", "zoo", "--columns", "id,ch", "--profile", "spreadsheet",
			"--encoding", "shift_jis", "-o", out}, 1, []string{"row 4, column ch: ♥ (U+2665)", "row 4, column ch: 𠮷 (U+20BB7)", "row 4, column ch: 😀 (U+1F600)", "--lossy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runWeekback(t, f.cfg, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", code, tt.code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, stderr)
				}
			}
			if strings.Contains(stderr, "U+301C") || strings.Contains(stderr, "U+2014") {
				t.Errorf("〜 (U+301C) or — (U+2014) reported: CP932 holds them as 0x8160 and 0x815C:\n%s", stderr)
			}
		})
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed export left %s (err %v)", out, err)
	}
	entries, _ := os.ReadDir(f.dir)
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if slices.ContainsFunc(names, func(n string) bool { return strings.HasSuffix(n, ".tmp") }) {
		t.Errorf("temporary files left behind: %v", names)
	}
	mustRunWeekback(t, 0, f.cfg, "export", "--day", "mon", "--table", "zoo", "--columns", "id,ch", "--profile", "spreadsheet",
		"--encoding", "shift_jis", "--lossy", "-o", out)
	if _, err := os.Stat(out); err != nil {
		t.Errorf("--lossy export: %v", err)
	}
	dir := t.TempDir()
	mustRunWeekback(t, 0, f.cfg, "export", "--day", "mon", "--table", "codes", "-o", dir)
	name := "codes-mon-" + f.gen.Manifest.SnapshotAt.UTC().Format("2006-01-02") + ".csv"
	if body, err := os.ReadFile(filepath.Join(dir, name)); err != nil || !strings.HasPrefix(string(body), "\"id\",\"code\"\r\n") {
		t.Errorf("-o DIR: %s: %v %q", name, err, body)
	}
}
