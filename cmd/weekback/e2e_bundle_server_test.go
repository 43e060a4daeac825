package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestBundleJobEndToEnd is the recovery walkthrough through the server:
// orders 12 and 13 (with their items, by the cascade) are deleted on
// Tuesday; Tuesday's changes page of orders against Monday offers
// "Prepare a restore bundle"; the job writes a zip of exactly those orders
// and their items (the manifest says which selection), its page shows
// the restore commands with the file's name; `weekback restore --bundle`
// of the downloaded zip dry-runs without writing, then brings the rows
// back, equal by content hash to Monday's tables.
func TestBundleJobEndToEnd(t *testing.T) {
	f := newShopFixture(t)
	f.deleteOrders(t)
	mustSnapshot(t, f.cfg, weekback.Tuesday)
	p := startWeekback(t, f.cfg, "serve")
	base := "http://" + waitListening(t, p)
	c := login(t, base, "support", zooPassword)

	_, page := mustGet(t, c, base+"/tue/tables/orders/changes?against=mon&kind=deleted", 200)
	if !strings.Contains(page, `action="/mon/tables/orders/bundles"`) || !strings.Contains(page, "Prepare a restore bundle") {
		t.Fatalf("the changes page has no bundle form:\n%.4000s", page)
	}
	if _, page := mustGet(t, c, base+"/mon/tables/orders?f.customer_id=eq:3", 200); !strings.Contains(page, `action="/mon/tables/orders/bundles"`) {
		t.Errorf("the records page has no bundle form")
	}
	form := url.Values{"csrf": {mustCSRF(t, c, base)}, "missing_in": {"tue"}, "children": {"1"}}
	id := postJob(t, c, base, "/mon/tables/orders/bundles", form)
	j := waitJobsFinal(t, c, base, 1, 2*time.Minute)[id]
	if j.Status != weekback.JobSucceeded || !strings.HasSuffix(j.File, ".bundle.zip") || j.RowsDone != 4 {
		t.Fatalf("bundle job = %+v, want succeeded with 4 rows and a .bundle.zip", j)
	}
	_, jobPage := mustGet(t, c, base+"/jobs/"+itoa(id), 200)
	dry := "weekback restore --bundle " + j.File + " --to &#39;USER:PASS@tcp(HOST:3306)/SCHEMA&#39;"
	if !strings.Contains(jobPage, dry) || !strings.Contains(jobPage, "/SCHEMA&#39; --execute") {
		t.Errorf("the job page does not show the restore commands %q:\n%.4000s", dry, jobPage)
	}
	path := filepath.Join(f.dir, j.File)
	if err := os.WriteFile(path, mustGetBytes(t, c, base+"/jobs/"+itoa(id)+"/download"), 0o600); err != nil {
		t.Fatal(err)
	}
	checkBundleManifest(t, path)

	to := mysqltest.DSN(t, f.src)
	if code, out, stderr := runMain(t, nil, "restore", "--bundle", path, "--to", to); code != 0 || count(t, f.db, "SELECT COUNT(*) FROM `"+f.src+"`.orders") != 2 {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out, stderr)
	}
	undo := filepath.Join(f.dir, "job.undo.jsonl")
	if code, out, stderr := runMain(t, nil, "restore", "--bundle", path, "--to", to, "--execute", "--undo-file", undo); code != 0 {
		t.Fatalf("restore: exit %d\n%s\n%s", code, out, stderr)
	}
	for _, table := range []string{"orders", "order_items"} {
		f.checkTable(t, f.src, table)
	}
	checkRecordsBundle(t, c, base)
}

// checkRecordsBundle: the records page's filtered rows (customer 3's
// orders) with their children make the same bundle, its selection naming
// the filter.
func checkRecordsBundle(t *testing.T, c *http.Client, base string) {
	t.Helper()
	form := url.Values{"csrf": {mustCSRF(t, c, base)}, "f.customer_id": {"eq:3"}, "children": {"1"}}
	id := postJob(t, c, base, "/mon/tables/orders/bundles", form)
	j := waitJobsFinal(t, c, base, 2, 2*time.Minute)[id]
	if j.Status != weekback.JobSucceeded || j.RowsDone != 4 {
		t.Fatalf("records bundle job = %+v, want succeeded with 4 rows", j)
	}
	path := filepath.Join(t.TempDir(), j.File)
	if err := os.WriteFile(path, mustGetBytes(t, c, base+"/jobs/"+itoa(id)+"/download"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := export.OpenBundle(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if sel := b.Manifest.Selection; sel == nil || strings.Join(sel.Filters, ";") != "customer_id=eq:3" || sel.Kind != "" || !sel.WithChildren {
		t.Errorf("records bundle selection = %+v", sel)
	}
}

// checkBundleManifest: the bundle holds orders 12 and 13 and their two
// items, parents first, and names its selection.
func checkBundleManifest(t *testing.T, path string) {
	t.Helper()
	b, err := export.OpenBundle(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	m := b.Manifest
	sel, _ := json.Marshal(m.Selection)
	if strings.Join(m.LoadOrder, ",") != "orders,order_items" || b.Table("orders").Rows != 2 || b.Table("order_items").Rows != 2 ||
		string(sel) != `{"table":"orders","against":"tue","kind":"deleted","with_children":true}` {
		t.Errorf("bundle manifest: load order %v, selection %s, tables %+v", m.LoadOrder, sel, m.Tables)
	}
}
