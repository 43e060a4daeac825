package template_test

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/template"
	"github.com/weekback/weekback/template/templatetest"
)

const (
	shopScript   = "testdata/template/shop.sql"
	ordersGolden = "testdata/template/shop_orders.golden.json"
)

// TestTemplateRelatedSets builds templates of a real generation: the
// related set is the same whichever table of it is asked for (foreign keys
// are followed in both directions, transitively), an unrelated table
// stays alone, and without related tables there is one table.
func TestTemplateRelatedSets(t *testing.T) {
	f := templatetest.MustGeneration(t, shopScript, weekback.Wednesday)
	cases := []struct {
		name    string
		table   string
		related bool
		want    []string
	}{
		{"from the middle", "orders", true, templatetest.ShopRelated},
		{"from a referenced table", "products", true, templatetest.ShopRelated},
		{"from a self-referencing table", "customers", true, templatetest.ShopRelated},
		{"from a referencing table", "order notes`x", true, templatetest.ShopRelated},
		{"unrelated table", "audit_log", true, []string{"audit_log"}},
		{"no related", "orders", false, []string{"orders"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tpl := f.MustBuild(t, c.table, c.related)
			if got := templatetest.TableNames(tpl); !slices.Equal(got, c.want) {
				t.Fatalf("tables=%q, want %q", got, c.want)
			}
			if tpl.Table != c.table || tpl.Day != weekback.Wednesday || tpl.Format != weekback.TemplateFormat {
				t.Fatalf("table=%q day=%q format=%d", tpl.Table, tpl.Day, tpl.Format)
			}
		})
	}
	t.Run("unknown table", func(t *testing.T) {
		_, err := template.Build(context.Background(), f.Backup, f.Gen, "nope", true)
		if weekback.ErrorCode(err) != weekback.ENOTFOUND {
			t.Fatalf("err=%v, want ENOTFOUND", err)
		}
	})
}

// TestTemplateGolden compares the template of orders with its golden file
// (refresh with -update) after normalizing what changes from run to run.
func TestTemplateGolden(t *testing.T) {
	f := templatetest.MustGeneration(t, shopScript, weekback.Wednesday)
	tpl := f.MustBuild(t, "orders", true)
	if tpl.SourceSchema != f.Source || tpl.SnapshotAt.IsZero() || !tpl.SnapshotAt.Equal(f.Gen.Manifest.SnapshotAt) {
		t.Fatalf("source=%q snapshot_at=%v, want %q and the manifest's %v", tpl.SourceSchema, tpl.SnapshotAt, f.Source, f.Gen.Manifest.SnapshotAt)
	}
	normalizeTemplate(tpl)
	var buf bytes.Buffer
	if err := template.Write(&buf, tpl); err != nil {
		t.Fatal(err)
	}
	if templatetest.UpdateGolden() {
		if err := os.WriteFile(ordersGolden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(ordersGolden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("template differs from %s (run with -update after checking):\n%s", ordersGolden, buf.String())
	}
}

var definer = regexp.MustCompile("DEFINER=`[^`]*`@`[^`]*`")

// normalizeTemplate replaces what differs between runs and servers.
func normalizeTemplate(tpl *weekback.Template) {
	tpl.SnapshotAt = time.Date(2026, 1, 7, 0, 30, 0, 0, time.UTC)
	tpl.SourceSchema = "shop"
	tpl.SourceServer = "10.11-MariaDB"
	for i := range tpl.Tables {
		for j := range tpl.Tables[i].Triggers {
			tr := &tpl.Tables[i].Triggers[j]
			tr.DDL = definer.ReplaceAllString(tr.DDL, "DEFINER=`app`@`%`")
		}
	}
}
