package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestChangesWhileComparing: a comparison that outlasts the page's wait
// answers 202 with its progress and a page that reloads itself; it goes
// on in the background and the next visit shows the result.
func TestChangesWhileComparing(t *testing.T) {
	f := MustOpenCompareServer(t)
	unlock := lockThursdayItems(t, f)
	f.srv.RequestTimeout = 2 * time.Second
	r := f.get(t, "/thu/changes", false)
	if r.status != 202 || r.header.Get("Refresh") == "" || !strings.Contains(r.body, `<p class="lead comparing" role="status">Comparing the two copies`) {
		t.Fatalf("while comparing: status %d, Refresh %q\n%.3000s", r.status, r.header.Get("Refresh"), r.body)
	}
	if r := f.get(t, "/thu/changes", true); r.status != 202 || !strings.Contains(r.body, `"status":"comparing"`) {
		t.Fatalf("while comparing, as JSON: status %d\n%.1000s", r.status, r.body)
	}
	unlock()
	f.srv.RequestTimeout = 30 * time.Second
	if r := f.get(t, "/thu/changes", false); r.status != 200 || !strings.Contains(r.body, `data-table="items"`) {
		t.Fatalf("after the comparison: status %d\n%.2000s", r.status, r.body)
	}
}

// lockThursdayItems write-locks the items table of f's Thursday copy
// (MustOpenCompareServer's), which holds a comparison's read of it until
// the returned function unlocks it.
func lockThursdayItems(t *testing.T, f *dayFixture) (unlock func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := mysqltest.MustOpen(t).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := conn.ExecContext(ctx, "LOCK TABLES `"+f.meta.Prefix()+"_thu_r2`.items WRITE"); err != nil {
		t.Fatal(err)
	}
	return func() {
		if _, err := conn.ExecContext(ctx, "UNLOCK TABLES"); err != nil {
			t.Fatal(err)
		}
	}
}
