package template

import (
	"fmt"
	"slices"
	"strings"

	"github.com/weekback/weekback"
)

// TableDiff lists how a table that exists in the target differs from its
// template. Such a table is left alone.
type TableDiff struct {
	Table       string       `json:"table"`
	Differences []Difference `json:"differences"`
}

// Objects a Difference is about.
const (
	DiffTable      = "table"
	DiffColumn     = "column"
	DiffIndex      = "index"
	DiffForeignKey = "foreign key"
)

// Kinds of Difference besides an attribute's name ("type", "default" …).
const (
	DiffMissing = "missing" // in the template, not in the target
	DiffExtra   = "extra"   // in the target, not in the template
)

// Difference is one way an existing table differs from its template: an
// object (the table, a column, an index, a foreign key) missing, extra, or
// with an attribute that has another value. AUTO_INCREMENT counters and
// table comments are not compared.
type Difference struct {
	Table    string `json:"table"`
	Object   string `json:"object"`         // DiffTable, DiffColumn, DiffIndex, DiffForeignKey
	Name     string `json:"name,omitempty"` // the column, index or foreign key
	What     string `json:"what"`           // DiffMissing, DiffExtra, or the attribute: "type", "nullability", "default" …
	Template string `json:"template,omitempty"`
	Target   string `json:"target,omitempty"`
}

// String returns the difference as a sentence, e.g. "orders.amount: type
// decimal(12,2) in the template, decimal(10,2) in the target".
func (d Difference) String() string {
	name := d.Table
	switch d.Object {
	case DiffColumn:
		name += "." + d.Name
	case DiffIndex, DiffForeignKey:
		name += ": " + d.Object + " " + d.Name
	}
	where := map[string]string{DiffMissing: "in the template, missing in the target", DiffExtra: "in the target, not in the template"}[d.What]
	switch {
	case where != "" && d.Object == DiffColumn:
		return name + ": column " + where
	case where != "":
		return name + " " + where
	}
	return fmt.Sprintf("%s: %s %s in the template, %s in the target", name, d.What, d.Template, d.Target)
}

// compareTable returns how got (the target's table) differs from want.
func compareTable(want, got *weekback.TemplateTable) []Difference {
	c := &comparer{table: want.Name}
	c.attr(DiffTable, "", "engine", want.Engine, got.Engine, strings.EqualFold)
	c.attr(DiffTable, "", "collation", want.Collation, got.Collation, sameCharset)
	c.columns(want.Columns, got.Columns)
	c.indexes(want.Indexes, got.Indexes)
	c.foreignKeys(want.ForeignKeys, got.ForeignKeys)
	return c.diffs
}

type comparer struct {
	table string
	diffs []Difference
}

// attr records a difference when want and got are not the same by equal.
func (c *comparer) attr(object, name, what, want, got string, equal func(a, b string) bool) {
	if want != got && !equal(want, got) {
		c.diffs = append(c.diffs, Difference{Table: c.table, Object: object, Name: name, What: what, Template: want, Target: got})
	}
}

// presence records the objects only one side has; it returns the names
// both have, in want's order.
func (c *comparer) presence(object string, want, got []string) []string {
	var both []string
	for _, n := range want {
		if slices.Contains(got, n) {
			both = append(both, n)
		} else {
			c.diffs = append(c.diffs, Difference{Table: c.table, Object: object, Name: n, What: DiffMissing})
		}
	}
	for _, n := range got {
		if !slices.Contains(want, n) {
			c.diffs = append(c.diffs, Difference{Table: c.table, Object: object, Name: n, What: DiffExtra})
		}
	}
	return both
}

func (c *comparer) columns(want, got []weekback.TemplateColumn) {
	name := func(col weekback.TemplateColumn) string { return col.Name }
	both := pairs(c, DiffColumn, want, got, name, func(n string, w, g weekback.TemplateColumn) {
		c.attr(DiffColumn, n, "type", w.ColumnType, g.ColumnType, sameType)
		c.attr(DiffColumn, n, "nullability", nullability(w.Nullable), nullability(g.Nullable), exact)
		c.attr(DiffColumn, n, "default", showDefault(w.Default), showDefault(g.Default), sameDefault)
		c.attr(DiffColumn, n, "extra", w.Extra, g.Extra, sameExtra)
		c.attr(DiffColumn, n, "character set", w.Charset, g.Charset, sameCharset)
		c.attr(DiffColumn, n, "collation", w.Collation, g.Collation, sameCharset)
		c.attr(DiffColumn, n, "generated as", w.Generated, g.Generated, sameExpression)
		c.attr(DiffColumn, n, "comment", w.Comment, g.Comment, exact)
	})
	if len(both) == len(want) && len(both) == len(got) {
		c.attr(DiffTable, "", "column order", list(mapNames(want, name)), list(mapNames(got, name)), exact)
	}
}

func (c *comparer) indexes(want, got []weekback.TemplateIndex) {
	name := func(ix weekback.TemplateIndex) string { return ix.Name }
	pairs(c, DiffIndex, want, got, name, func(n string, w, g weekback.TemplateIndex) {
		c.attr(DiffIndex, n, "columns", indexColumns(w.Columns), indexColumns(g.Columns), exact)
		c.attr(DiffIndex, n, "uniqueness", uniqueness(w.Unique), uniqueness(g.Unique), exact)
		c.attr(DiffIndex, n, "type", w.Type, g.Type, strings.EqualFold)
	})
}

func (c *comparer) foreignKeys(want, got []weekback.TemplateForeignKey) {
	name := func(fk weekback.TemplateForeignKey) string { return fk.Name }
	pairs(c, DiffForeignKey, want, got, name, func(n string, w, g weekback.TemplateForeignKey) {
		c.attr(DiffForeignKey, n, "columns", list(w.Columns), list(g.Columns), exact)
		c.attr(DiffForeignKey, n, "reference", reference(w), reference(g), exact)
		c.attr(DiffForeignKey, n, "ON UPDATE", w.OnUpdate, g.OnUpdate, sameRule)
		c.attr(DiffForeignKey, n, "ON DELETE", w.OnDelete, g.OnDelete, sameRule)
	})
}

// pairs records the objects only one side has and calls same for each
// object both have (by name, in want's order); it returns their names.
func pairs[T any](c *comparer, object string, want, got []T, name func(T) string, same func(n string, w, g T)) []string {
	wantNames, gotNames := mapNames(want, name), mapNames(got, name)
	both := c.presence(object, wantNames, gotNames)
	for _, n := range both {
		same(n, want[slices.Index(wantNames, n)], got[slices.Index(gotNames, n)])
	}
	return both
}

func mapNames[T any](items []T, name func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = name(it)
	}
	return out
}

func list(names []string) string { return "(" + strings.Join(names, ", ") + ")" }

func indexColumns(cols []weekback.TemplateIndexColumn) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c.Name
		if c.Length > 0 {
			parts[i] += fmt.Sprintf("(%d)", c.Length)
		}
		if c.Descending {
			parts[i] += " DESC"
		}
	}
	return list(parts)
}

func reference(fk weekback.TemplateForeignKey) string {
	table := fk.ReferencedTable
	if fk.ReferencedSchema != "" {
		table = fk.ReferencedSchema + "." + table
	}
	return table + " " + list(fk.ReferencedColumns)
}

func nullability(nullable bool) string {
	if nullable {
		return "NULL"
	}
	return "NOT NULL"
}

func uniqueness(unique bool) string {
	if unique {
		return "unique"
	}
	return "not unique"
}

// showDefault prints a column default; "none" when there is none.
func showDefault(def *string) string {
	if def == nil {
		return "none"
	}
	return *def
}

func exact(a, b string) bool { return a == b }
