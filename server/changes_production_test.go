package server_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestChangesProduction: with Server.Production (compare.production), a
// day compares with production inside one snapshot: here "production"
// is Thursday's slot, so it shows Wednesday → Thursday's changes.
func TestChangesProduction(t *testing.T) {
	f := mustOpenExportServer(t)
	addCompareCopies(t, f)
	pool, err := mysql.Open(context.Background(), mysqltest.DSN(t, ""), "source.dsn", mysql.RoleSource)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	f.srv.Production, f.srv.ProductionSchema = pool, f.meta.Prefix()+"_thu_r2"
	r := f.get(t, "/wed/changes?against=production", true)
	var c changesJSON
	if err := json.Unmarshal([]byte(r.body), &c); err != nil || r.status != 200 {
		t.Fatalf("status %d: %v\n%.1000s", r.status, err, r.body)
	}
	const want = "wed→production: customers 2→2 -0 +0 ~1 changed[]; fresh 0→2 -0 +2 ~0 only_in_to[]; " +
		"items 120→119 -2 +1 ~1 changed[]; legacy 1→0 -1 +0 ~0 only_in_from[]; pairs 3→3 -0 +0 ~0 same[w]; users 5→5 -0 +0 ~0 same[]"
	if got := c.String(); got != want {
		t.Errorf("changes\n got %s\nwant %s", got, want)
	}
	if got := f.changeRows(t, "/wed/tables/items/changes?against=production&kind=deleted").keys(); got != "7 8" {
		t.Errorf("deleted since in production: %q, want 7 8", got)
	}
	if got := ids(t, f.get(t, "/wed/tables/items/export.csv?missing_in=production", false).body); got != "7 8" {
		t.Errorf("export missing in production: %q, want 7 8", got)
	}
	if body := f.get(t, "/wed/changes", false).body; !strings.Contains(body, `<option value="production">production (now)</option>`) {
		t.Errorf("the compare-with list lacks production")
	}
}
