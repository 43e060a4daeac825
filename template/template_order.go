package template

import (
	"slices"
	"strings"

	"github.com/weekback/weekback"
)

// createOrder is the order in which tables can be created with their
// foreign keys checked: every table after the tables it references.
type createOrder struct {
	Tables []*weekback.TemplateTable
	// Deferred lists, per table, the foreign keys that close a cycle: the
	// table is created without them and they are added by ALTER TABLE once
	// the table they reference exists.
	Deferred map[string][]weekback.TemplateForeignKey
}

// orderTables orders tables (by name among equals, so the result is
// stable). References to tables outside the list and self-references do
// not constrain the order. When every remaining table waits for another,
// the tables form a cycle: one table on it is created first, without its
// foreign keys to the tables still waiting.
func orderTables(tables []*weekback.TemplateTable) createOrder {
	rest := slices.Clone(tables)
	slices.SortFunc(rest, func(a, b *weekback.TemplateTable) int { return strings.Compare(a.Name, b.Name) })
	inList := map[string]bool{}
	for _, t := range rest {
		inList[t.Name] = true
	}
	order := createOrder{Deferred: map[string][]weekback.TemplateForeignKey{}}
	done := map[string]bool{}
	for len(rest) > 0 {
		i := slices.IndexFunc(rest, func(t *weekback.TemplateTable) bool { return waitsFor(t, inList, done) == "" })
		if i < 0 {
			i = onCycle(rest, inList, done)
			order.Deferred[rest[i].Name] = pendingKeys(rest[i], inList, done)
		}
		done[rest[i].Name] = true
		order.Tables = append(order.Tables, rest[i])
		rest = slices.Delete(rest, i, i+1)
	}
	return order
}

// waitsFor returns the first table of the list, not yet created and not t
// itself, that t references; "" when t can be created now.
func waitsFor(t *weekback.TemplateTable, inList, done map[string]bool) string {
	for _, ref := range t.References() {
		if ref != t.Name && inList[ref] && !done[ref] {
			return ref
		}
	}
	return ""
}

// onCycle returns the index in rest of a table that lies on a cycle: from
// the first table, it follows what each one waits for until a table
// repeats.
func onCycle(rest []*weekback.TemplateTable, inList, done map[string]bool) int {
	byName := map[string]int{}
	for i, t := range rest {
		byName[t.Name] = i
	}
	seen := map[int]bool{}
	i := 0
	for !seen[i] {
		seen[i] = true
		i = byName[waitsFor(rest[i], inList, done)]
	}
	return i
}

// pendingKeys returns t's foreign keys to tables of the list not yet
// created (itself aside).
func pendingKeys(t *weekback.TemplateTable, inList, done map[string]bool) []weekback.TemplateForeignKey {
	var out []weekback.TemplateForeignKey
	for _, fk := range t.ForeignKeys {
		ref := fk.ReferencedTable
		if fk.ReferencedSchema == "" && ref != t.Name && inList[ref] && !done[ref] {
			out = append(out, fk)
		}
	}
	return out
}
