package snapshotter

import (
	"strings"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// TestPlanHistory: a versioned table is copied with its history only when
// the backup server can insert it and its period is a timestamp; otherwise
// it is listed as copied in part, with the reason.
func TestPlanHistory(t *testing.T) {
	implicit := &mysql.Table{Name: "audit", Versioned: true}
	trx := &mysql.Table{Name: "trx", Versioned: true, Columns: []mysql.Column{
		{Name: "s", DataType: "bigint", Generated: true, Period: "ROW START"},
		{Name: "e", DataType: "bigint", Generated: true, Period: "ROW END"}}}
	for _, tc := range []struct {
		name   string
		table  *mysql.Table
		server string
		want   bool
		reason string
	}{
		{"insertable", implicit, historyOK, true, ""},
		{"old server", implicit, "the backup server cannot insert history rows", false, "cannot insert history rows"},
		{"transaction ids", trx, historyOK, false, "transaction ids"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &Plan{}
			s := &Snapshotter{}
			got := s.planHistory(p, tc.table, tc.server)
			if got != tc.want {
				t.Fatalf("planHistory = %v, want %v", got, tc.want)
			}
			if tc.want != (len(p.Skipped) == 0) || (!tc.want && (!p.Skipped[0].Partial || !strings.Contains(p.Skipped[0].Reason, tc.reason))) {
				t.Fatalf("skipped = %+v, want it named as copied in part because %q", p.Skipped, tc.reason)
			}
		})
	}
}

func TestSkipHidden(t *testing.T) {
	p := &Plan{}
	p.skipHidden([]weekback.ObjectDDL{{Name: "shown", Type: "TRIGGER", DDL: "CREATE TRIGGER …"}, {Name: "hidden", Type: "PROCEDURE"}})
	if len(p.Skipped) != 1 || p.Skipped[0].Name != "hidden" || !strings.Contains(p.Skipped[0].Reason, "mysql.proc") {
		t.Fatalf("skipped = %+v, want the procedure whose DDL is hidden, naming the grant", p.Skipped)
	}
}
