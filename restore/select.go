package restore

import (
	"context"
	"fmt"
	"slices"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/compare"
	"github.com/weekback/weekback/mysql"
)

// selectRows fills the builder's sets: every table of the day (All), or
// the table's filtered rows and, as asked, their children and parents.
func (b *builder) selectRows(ctx context.Context) error {
	if b.opts.All {
		return b.selectAll(ctx)
	}
	t, err := b.table(ctx, b.opts.Table)
	if err != nil {
		return err
	}
	rows, err := b.filtered(ctx, t)
	if err != nil {
		return err
	}
	if rows, err = b.narrow(ctx, t, rows); err != nil {
		return err
	}
	added := b.add(t.name, rows)
	if b.opts.WithChildren || b.opts.WithRelated {
		if err := b.addChildren(ctx, t.name, added); err != nil {
			return err
		}
	}
	if b.opts.WithRelated {
		return b.addParents(ctx)
	}
	return nil
}

// selectAll reads every row of every table of the day.
func (b *builder) selectAll(ctx context.Context) error {
	for _, ti := range b.src.Gen.Manifest.Tables {
		t, err := b.table(ctx, ti.Name)
		if err != nil {
			return err
		}
		rows, err := selectAll(ctx, b.src.DB, b.src.Gen.Slot, t)
		if err != nil {
			return fmt.Errorf("read %s of the day: %w", t.name, err)
		}
		b.add(t.name, rows)
	}
	return nil
}

// filtered returns the day's rows of t that match the filters: the
// records code finds their keys (filters typed by column, as export
// does), then the rows are read by key.
func (b *builder) filtered(ctx context.Context, t *table) ([]row, error) {
	if len(b.opts.Filters) == 0 || !t.keyed() {
		if len(b.opts.Filters) > 0 {
			return nil, weekback.Errorf(weekback.EINVALID,
				"table %s has no primary key and no NOT NULL unique key: --filter cannot pick its rows; restore it whole (without --filter)", t.name)
		}
		return selectAll(ctx, b.src.DB, b.src.Gen.Slot, t)
	}
	conn, err := b.src.DB.Connx(ctx)
	if err != nil {
		return nil, fmt.Errorf("read %s of the day: %w", t.name, err)
	}
	defer conn.Close()
	var keys [][][]byte
	q := mysql.RecordQuery{Schema: b.src.Gen.Slot, Table: t.name, Filters: b.opts.Filters, Columns: t.rt.Key}
	err = new(mysql.Catalog).ScanRecords(ctx, conn, q, func(values [][]byte) error {
		keys = append(keys, cloneValues(values))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return selectIn(ctx, b.src.DB, b.src.Gen.Slot, t, t.key, keys, "")
}

func cloneValues(values [][]byte) [][]byte {
	out := make([][]byte, len(values))
	for i, v := range values {
		if v != nil {
			out[i] = slices.Clone(v)
			if out[i] == nil {
				out[i] = []byte{}
			}
		}
	}
	return out
}

// narrow keeps the rows --missing-in / --changed-in ask for, as the
// compare engine finds them (the day compared with the other day or
// with production's snapshot), and for --changed-in remembers the damaged
// day's version of each.
func (b *builder) narrow(ctx context.Context, t *table, rows []row) ([]row, error) {
	if b.opts.MissingIn == "" && !b.opts.ChangedIn {
		return rows, nil
	}
	if !t.keyed() {
		return nil, weekback.Errorf(weekback.EINVALID,
			"table %s has no primary key and no NOT NULL unique key: its rows cannot be matched with another day's; restore it without --missing-in/--changed-in", t.name)
	}
	keys, err := b.againstKeys(ctx, t)
	if err != nil {
		return nil, err
	}
	texts, err := keyTexts(ctx, b.src.DB, b.src.Gen.Slot, t, rows)
	if err != nil {
		return nil, err
	}
	var out []row
	for _, r := range rows {
		if keys[texts[t.keyText(r)]] {
			out = append(out, r)
		}
	}
	if !b.opts.ChangedIn {
		return out, nil
	}
	found, err := lookup(ctx, b.src.DB, b.src.Against.Slot, t, out, "")
	for k, r := range found {
		b.damaged(t)[k] = r
	}
	return out, err
}

// againstKeys returns the keys (mysql.FormatRowKey) of the day's rows of
// t the compare engine finds missing in, or changed in, the other side.
func (b *builder) againstKeys(ctx context.Context, t *table) (map[string]bool, error) {
	c := &compare.Comparer{From: compare.GenerationSide(b.src.DB, b.src.Gen)}
	c.From.Digests = b.src.Digests
	if b.opts.MissingIn == Production {
		prod, err := compare.OpenProduction(ctx, b.target, b.schema)
		if err != nil {
			return nil, err
		}
		defer prod.Close()
		c.To = prod
	} else {
		c.To = compare.GenerationSide(b.src.DB, b.src.Against)
		c.To.Digests = b.src.Digests
	}
	kind := compare.Deleted
	if b.opts.ChangedIn {
		kind = compare.Changed
	}
	keys := map[string]bool{}
	err := c.Keys(ctx, compare.RowQuery{Table: t.name, Kind: kind, Filters: b.opts.Filters}, func(key []string) error {
		keys[mysql.FormatRowKey(key)] = true
		return nil
	})
	return keys, err
}

// addChildren adds, recursively, the day's rows of the tables whose
// foreign keys reference rows added to name.
func (b *builder) addChildren(ctx context.Context, name string, rows []row) error {
	type work struct {
		table string
		rows  []row
	}
	queue := []work{{name, rows}}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, child := range sortedKeys(b.fks) {
			for _, fk := range b.fks[child] {
				if fk.ReferencedSchema != "" || fk.ReferencedTable != cur.table || len(cur.rows) == 0 {
					continue
				}
				added, err := b.follow(ctx, child, fk.Columns, cur.table, fk.ReferencedColumns, cur.rows)
				if err != nil {
					return err
				}
				if len(added) > 0 {
					queue = append(queue, work{child, added})
				}
			}
		}
	}
	return nil
}

// addParents adds, recursively, the day's rows the selected rows
// reference, until no table gains a row.
func (b *builder) addParents(ctx context.Context) error {
	done := map[string]int{}
	for changed := true; changed; {
		changed = false
		for i := 0; i < len(b.order); i++ { // b.order grows as parents are met
			name := b.order[i]
			rows := b.sets[name].rows[done[name]:]
			if len(rows) == 0 {
				continue
			}
			done[name], changed = b.sets[name].len(), true
			for _, fk := range b.fks[name] {
				if fk.ReferencedSchema != "" || b.src.Gen.Manifest.Table(fk.ReferencedTable) == nil {
					continue
				}
				if _, err := b.follow(ctx, fk.ReferencedTable, fk.ReferencedColumns, name, fk.Columns, rows); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// follow reads the day's rows of table `to` whose columns toCols hold the
// values of fromCols in rows of table `from`, adds them and returns those
// that were new.
func (b *builder) follow(ctx context.Context, to string, toCols []string, from string, fromCols []string, rows []row) ([]row, error) {
	tt, err := b.table(ctx, to)
	if err != nil {
		return nil, err
	}
	ft := b.tables[from]
	tuples := distinctTuples(rows, colIndexes(ft, fromCols))
	if len(tuples) == 0 {
		return nil, nil
	}
	got, err := selectIn(ctx, b.src.DB, b.src.Gen.Slot, tt, colIndexes(tt, toCols), tuples, "")
	if err != nil {
		return nil, err
	}
	return b.add(to, got), nil
}

// colIndexes returns the index in t.cols of each of names.
func colIndexes(t *table, names []string) []int {
	out := make([]int, len(names))
	for i, n := range names {
		out[i] = t.col(n)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
