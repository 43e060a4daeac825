package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/server"
)

// TestAuditFilters: the audit page filters by kind, user, table (a
// restore's detail lists every table it wrote) and day; the link to older
// entries keeps the filters; the form shows them; a bad day answers 400.
func TestAuditFilters(t *testing.T) {
	f, admin := mustOpenAuditServer(t, server.AuditPageSize+5) // exports by argon, Wednesday, orders
	for _, e := range []*weekback.AuditEntry{
		{Login: "alice@batch-01", Client: "cli", Action: weekback.AuditRestore, Outcome: weekback.OutcomeOK, Day: weekback.Thursday,
			Table: "order_items", Detail: `{"reason":"ticket 7","tables":{"order_items":219,"orders":110}}`, Rows: 329},
		{Login: "alice@batch-01", Client: "cli", Action: weekback.AuditUndo, Outcome: weekback.OutcomeOK,
			Table: "customers", Detail: `{"reason":"\"orders\": no","tables":{"customers":1}}`, Rows: 1},
	} {
		if err := f.meta.Audit(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		query   string
		actions []string
	}{
		{"action=restore", []string{"restore"}},
		{"login=alice%40batch-01", []string{"undo", "restore"}},
		{"table=orders&day=thu", []string{"restore"}},
		{"table=customers", []string{"undo"}},
		{"action=undo&table=orders", nil},
	} {
		got := f.auditJSON(t, "/audit?"+tc.query, admin)
		var actions []string
		for _, e := range got.Entries {
			actions = append(actions, e.Action)
		}
		if strings.Join(actions, ",") != strings.Join(tc.actions, ",") {
			t.Errorf("/audit?%s lists %v, want %v", tc.query, actions, tc.actions)
		}
	}
	page := f.auditJSON(t, "/audit?action=export&table=orders", admin)
	next, err := url.Parse(page.Next)
	if err != nil || next.Query().Get("action") != "export" || next.Query().Get("table") != "orders" || next.Query().Get("before") == "" {
		t.Fatalf("next = %q, want the filters kept", page.Next)
	}
	if older := f.auditJSON(t, page.Next, admin); len(older.Entries) != 5 {
		t.Errorf("older filtered page: %d entries, want the 5 oldest exports", len(older.Entries))
	}
	html := f.request(t, "GET", "/audit?action=restore&day=thu", nil, []*http.Cookie{admin}, nil)
	if html.status != 200 || !strings.Contains(html.body, `<option value="restore" selected>`) || !strings.Contains(html.body, `<option value="thu" selected>`) {
		t.Errorf("GET /audit?action=restore&day=thu = %d, the form does not show the filters:\n%.2000s", html.status, html.body)
	}
	if bad := f.request(t, "GET", "/audit?day=someday", nil, []*http.Cookie{admin}, nil); bad.status != 400 {
		t.Errorf("GET /audit?day=someday = %d, want 400", bad.status)
	}
}
