package template_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/template"
	"github.com/weekback/weekback/template/templatetest"
)

// mustReadGolden returns the golden template file's bytes.
func mustReadGolden(tb testing.TB) []byte {
	tb.Helper()
	b, err := os.ReadFile(ordersGolden)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestTemplateReadRoundTrip reads the golden file back and writes it
// again byte for byte: the checksum verifies and nothing is lost.
func TestTemplateReadRoundTrip(t *testing.T) {
	golden := mustReadGolden(t)
	tpl, err := template.Read(bytes.NewReader(golden))
	if err != nil {
		t.Fatalf("read golden template: %v", err)
	}
	if len(tpl.Tables) != len(templatetest.ShopRelated) || tpl.Lookup("orders") == nil {
		t.Fatalf("tables=%q", templatetest.TableNames(tpl))
	}
	var buf bytes.Buffer
	if err := template.Write(&buf, tpl); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), golden) {
		t.Fatalf("written again, the template differs from the file it was read from:\n%s", buf.String())
	}
}

// TestTemplateReadRejects proves that Read catches damaged,
// edited and foreign files, each with a sentence that says what to do.
func TestTemplateReadRejects(t *testing.T) {
	golden := string(mustReadGolden(t))
	cases := []struct {
		name string
		body string
		want string
	}{
		{"tampered DDL", strings.Replace(golden, "`amount` decimal(12,2)", "`amount` decimal(10,2)", 1), "changed after export"},
		{"tampered column", strings.Replace(golden, `"nullable": false`, `"nullable": true`, 1), "changed after export"},
		{"tampered checksum", strings.Replace(golden, `"checksum": "sha256:`, `"checksum": "sha256:00`, 1), "changed after export"},
		{"no checksum", strings.Replace(golden, `"checksum"`, `"checksum_"`, 1), "has no checksum"},
		{"newer format", strings.Replace(golden, `"format": 1`, `"format": 2`, 1), "upgrade weekback"},
		{"not a template", `{"name": "x"}`, "not a Weekback template"},
		{"bad JSON", golden[:len(golden)/2], "not a valid template"},
		{"empty", "", "it is empty"},
		{"trailing data", golden + "{}", "more data"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := template.Read(strings.NewReader(c.body))
			if weekback.ErrorCode(err) != weekback.EINVALID || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err=%v, want EINVALID saying %q", err, c.want)
			}
		})
	}
}

// TestTemplateReadRejectsForeignDDL: a template whose checksum was
// recomputed still only ever creates its own tables.
func TestTemplateReadRejectsForeignDDL(t *testing.T) {
	for _, ddl := range []string{"DROP TABLE `orders`", "CREATE TABLE `customers` (\n  `id` int\n)"} {
		tpl, err := template.Read(bytes.NewReader(mustReadGolden(t)))
		if err != nil {
			t.Fatal(err)
		}
		tpl.Lookup("orders").DDL = ddl
		var buf bytes.Buffer
		if err := template.Write(&buf, tpl); err != nil {
			t.Fatal(err)
		}
		_, err = template.Read(&buf)
		if weekback.ErrorCode(err) != weekback.EINVALID || !strings.Contains(err.Error(), "not its CREATE TABLE") {
			t.Fatalf("DDL %q: err=%v, want EINVALID", ddl, err)
		}
	}
}

// TestTemplateFormatDocExample keeps the example of docs/TEMPLATE_FORMAT.md
// a template that reads back, checksum included.
func TestTemplateFormatDocExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/TEMPLATE_FORMAT.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```json\n")
	example, _, ok2 := strings.Cut(rest, "\n```")
	if !ok || !ok2 {
		t.Fatalf("docs/TEMPLATE_FORMAT.md has no JSON example")
	}
	tpl, err := template.Read(strings.NewReader(example))
	if err != nil {
		t.Fatalf("the documented example does not read: %v", err)
	}
	if tpl.Table != "orders" || len(tpl.Tables) != 1 {
		t.Fatalf("example: table=%q tables=%q", tpl.Table, templatetest.TableNames(tpl))
	}
}
