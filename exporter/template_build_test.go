package exporter_test

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/exporter"
)

const (
	shopScript   = "testdata/template/shop.sql"
	cycleScript  = "testdata/template/cycle.sql"
	typeZooSQL   = "../snapshotter/testdata/typezoo/schema.sql"
	ordersGolden = "testdata/template/shop_orders.golden.json"
)

// shopRelated is the shop's related set, in the order the template lists
// it (referenced tables first, by name among equals).
var shopRelated = []string{"customers", "orders", "order notes`x", "products", "order_items"}

// TestTemplateRelatedSets builds templates of a real generation: the
// related set is the same whichever table of it is asked for (foreign keys
// are followed in both directions, transitively), an unrelated table
// stays alone, and without related tables there is one table.
func TestTemplateRelatedSets(t *testing.T) {
	f := mustTemplateGeneration(t, shopScript, weekback.Wednesday)
	cases := []struct {
		name    string
		table   string
		related bool
		want    []string
	}{
		{"from the middle", "orders", true, shopRelated},
		{"from a referenced table", "products", true, shopRelated},
		{"from a self-referencing table", "customers", true, shopRelated},
		{"from a referencing table", "order notes`x", true, shopRelated},
		{"unrelated table", "audit_log", true, []string{"audit_log"}},
		{"no related", "orders", false, []string{"orders"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tpl := f.mustBuildTemplate(t, c.table, c.related)
			if got := templateTableNames(tpl); !slices.Equal(got, c.want) {
				t.Fatalf("tables=%q, want %q", got, c.want)
			}
			if tpl.Table != c.table || tpl.Day != weekback.Wednesday || tpl.Format != weekback.TemplateFormat {
				t.Fatalf("table=%q day=%q format=%d", tpl.Table, tpl.Day, tpl.Format)
			}
		})
	}
	t.Run("unknown table", func(t *testing.T) {
		_, err := exporter.BuildTemplate(context.Background(), f.backup, f.gen, "nope", true)
		if weekback.ErrorCode(err) != weekback.ENOTFOUND {
			t.Fatalf("err=%v, want ENOTFOUND", err)
		}
	})
}

// TestTemplateGolden compares the template of orders with its golden file
// (refresh with -update) after normalizing what changes from run to run.
func TestTemplateGolden(t *testing.T) {
	f := mustTemplateGeneration(t, shopScript, weekback.Wednesday)
	tpl := f.mustBuildTemplate(t, "orders", true)
	if tpl.SourceSchema != f.source || tpl.SnapshotAt.IsZero() || !tpl.SnapshotAt.Equal(f.gen.Manifest.SnapshotAt) {
		t.Fatalf("source=%q snapshot_at=%v, want %q and the manifest's %v", tpl.SourceSchema, tpl.SnapshotAt, f.source, f.gen.Manifest.SnapshotAt)
	}
	normalizeTemplate(tpl)
	var buf bytes.Buffer
	if err := exporter.WriteTemplate(&buf, tpl); err != nil {
		t.Fatal(err)
	}
	if templateUpdateGolden() {
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
