package restore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/restore"
)

// TestRestoreRentalTriggers deletes a rental (its payment's rental_id
// goes NULL through ON DELETE SET NULL) and restores it with its children:
// the rental is inserted, the payment is a conflict shown field by field
// and left alone, the dry run names the BEFORE INSERT trigger that stamps
// rental_date, and the restored row keeps the day's rental_date.
func TestRestoreRentalTriggers(t *testing.T) {
	f := mustFixture(t, sakilaScript, weekback.Thursday)
	src, target := f.restoreSource(t), f.target(t)
	q := func(s string) string { return strings.ReplaceAll(s, "$S", mysql.QuoteIdent(f.Source)) }
	f.exec(t, q("DELETE FROM $S.rental WHERE rental_id = 1"))
	opts := restore.Options{Table: "rental", Filters: []weekback.Filter{filter(t, "rental_id=eq:1")}, MissingIn: restore.Production,
		WithChildren: true, UndoPath: undoPath(t, "rental")}
	p := mustPlan(t, src, target, opts)
	r := report(t, p)
	for _, want := range []string{"triggers set rental_date on INSERT: the day's values are written back", "conflict 1: never overwritten", "rental_id: day \"1\", now NULL", "dry run"} {
		if !strings.Contains(r, want) {
			t.Errorf("dry run report lacks %q:\n%s", want, r)
		}
	}
	opts.Execute = true
	p = mustPlan(t, src, target, opts)
	if err := p.Execute(context.Background(), target); err != nil {
		t.Fatalf("Execute: %v\n%s", err, report(t, p))
	}
	var date string
	if err := f.DB.QueryRow(q("SELECT CAST(rental_date AS CHAR) FROM $S.rental WHERE rental_id = 1")).Scan(&date); err != nil || date != "2005-05-24 22:53:30" {
		t.Fatalf("rental_date=%q (%v), want the day's 2005-05-24 22:53:30", date, err)
	}
	if r := report(t, p); !strings.Contains(r, "verified: the 1 rows written read back as the day's") {
		t.Errorf("report:\n%s", r)
	}
}
