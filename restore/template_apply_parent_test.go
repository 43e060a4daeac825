package restore_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/restore"
	"github.com/weekback/weekback/template"
	"github.com/weekback/weekback/template/templatetest"
)

// refsFixture is production with codes ← refs, snapshotted as Monday,
// and refs' template without its related tables.
func refsFixture(t *testing.T) (*templatetest.Fixture, *weekback.Template) {
	t.Helper()
	script := filepath.Join(t.TempDir(), "refs.sql")
	if err := os.WriteFile(script, []byte(`CREATE TABLE codes (code VARCHAR(10) NOT NULL PRIMARY KEY, label VARCHAR(20));
CREATE TABLE refs (id INT PRIMARY KEY, code VARCHAR(10), CONSTRAINT refs_code FOREIGN KEY (code) REFERENCES codes (code));
`), 0o600); err != nil {
		t.Fatal(err)
	}
	f := templatetest.MustGeneration(t, script, weekback.Monday)
	tpl := f.MustBuild(t, "refs", false)
	if names := templatetest.TableNames(tpl); !slices.Equal(names, []string{"refs"}) {
		t.Fatalf("template tables %q, want refs alone", names)
	}
	return f, tpl
}

// TestTemplateApplyParentInTarget: a template of refs alone applies to a
// target that has refs' parent table codes already: refs is created with
// its foreign key to the existing codes.
func TestTemplateApplyParentInTarget(t *testing.T) {
	f, tpl := refsFixture(t)
	a := mustApplyTarget(t, f)
	if _, err := a.db.Exec(templatetest.ShowCreate(t, f.DB, f.Source, "codes")); err != nil {
		t.Fatal(err)
	}
	p := a.mustPlan(t, tpl)
	if names := plannedNames(p); !slices.Equal(names, []string{"refs"}) {
		t.Fatalf("planned %q, want refs\n%s", names, a.report(t, p))
	}
	if err := restore.ApplyTemplate(context.Background(), a.db, p); err != nil {
		t.Fatalf("ApplyTemplate: %v", err)
	}
	assertLikeProduction(t, f, a, "codes", "refs")
}

// TestTemplateApplyParentWithoutKey: the target's codes has no key on the
// column refs references: refused before anything runs, naming codes and
// the column.
func TestTemplateApplyParentWithoutKey(t *testing.T) {
	f, tpl := refsFixture(t)
	a := mustApplyTarget(t, f)
	if _, err := a.db.Exec("CREATE TABLE codes (code VARCHAR(10) NOT NULL, label VARCHAR(20))"); err != nil {
		t.Fatal(err)
	}
	_, err := template.PlanApply(context.Background(), a.db, tpl)
	if weekback.ErrorCode(err) != weekback.EINVALID || !strings.Contains(err.Error(), "references codes (code)") ||
		!strings.Contains(err.Error(), "table codes in database "+a.schema+" has no key") {
		t.Fatalf("err=%v, want EINVALID naming codes (code)", err)
	}
	if n := templatetest.CountTables(t, f.DB, a.schema); n != 1 {
		t.Fatalf("%d tables in the target, want codes alone", n)
	}
}
