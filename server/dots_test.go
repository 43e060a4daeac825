package server_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/weekback/weekback"
)

// TestDotNamesOpen: tables named "." and "..", and records whose key is
// "." or "..", open from their links as a browser resolves them (dot
// segments removed, even percent-encoded ones).
func TestDotNamesOpen(t *testing.T) {
	f := MustOpenDayServer(t)
	f.serveDay(t, weekback.Saturday, []weekback.TableInfo{{Name: ".", Rows: 1}, {Name: "..", Rows: 3}, {Name: "~..", Rows: 1}},
		"CREATE TABLE $S.`.` (id INT PRIMARY KEY, v VARCHAR(10))", "INSERT INTO $S.`.` VALUES (1, 'one-dot')",
		"CREATE TABLE $S.`..` (k VARCHAR(10) PRIMARY KEY, v VARCHAR(10))",
		"INSERT INTO $S.`..` VALUES ('.', 'key-dot'), ('..', 'key-dots'), ('~.', 'key-tilde')",
		"CREATE TABLE $S.`~..` (id INT PRIMARY KEY, v VARCHAR(10))", "INSERT INTO $S.`~..` VALUES (1, 'tilde-dots')")
	day := f.get(t, "/sat/", false)
	for table, want := range map[string]string{".": "one-dot", "..": "key-dots", "~..": "tilde-dots"} {
		page := f.follow(t, day.body, "/sat/", `"([^"]*/tables/[^"/?]*)"[^>]*>`+regexp.QuoteMeta(table)+`<`)
		if !strings.Contains(page.body, want) {
			t.Fatalf("table %q: the page its link opens lacks %q:\n%.800s", table, want, page.body)
		}
	}
	records := f.get(t, "/sat/tables/~..", false)
	for key, want := range map[string]string{".": "key-dot", "..": "key-dots", "~.": "key-tilde"} {
		page := f.follow(t, records.body, "/sat/tables/~..", `href="([^"]*/rows/[^"]*)">open</a></td><td class="kind-text">`+regexp.QuoteMeta(key)+`<`)
		if !strings.Contains(page.body, want) {
			t.Fatalf("key %q: the page its link opens lacks %q:\n%.800s", key, want, page.body)
		}
	}
}

// follow finds the first link matching pattern (its first group) in body,
// resolves it against from as a browser would, and gets it: it must
// answer 200.
func (f *dayFixture) follow(t *testing.T, body, from, pattern string) response {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no link matching %s on %s", pattern, from)
	}
	base, _ := url.Parse("http://weekback.test" + from)
	ref, err := url.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
	if err != nil {
		t.Fatal(err)
	}
	u := base.ResolveReference(ref)
	r := f.get(t, u.RequestURI(), false)
	if r.status != 200 {
		t.Fatalf("link %s (from %s, resolved to %s) = %d, want 200", m[1], from, u.RequestURI(), r.status)
	}
	return r
}
