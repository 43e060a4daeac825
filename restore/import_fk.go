package restore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/cespare/xxhash/v2"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/template"
)

// MaxImportOrphans is how many rows without a parent ImportReport keeps.
const MaxImportOrphans = 100

// ImportOrphan is a row of the file whose foreign key names a parent row
// that is neither in the target nor (for a key to its own table) in the
// file: the server would refuse it.
type ImportOrphan struct {
	Row        int64  // data row of the file, from 1
	ForeignKey string // the constraint's name
	Parent     string // the referenced table
	Values     string // the row's values of the foreign key's columns, joined by ","
}

// parentCheck is one foreign key of the import's table whose columns are
// all in the file: the file columns and the parent's columns, quoted.
type parentCheck struct {
	fk      weekback.TemplateForeignKey
	cols    []int // file column of each of fk.Columns
	self    bool  // references the table itself through its key: a parent may be in the file
	pending []ImportOrphan
	digests []uint64 // of pending, for the file's keys
}

// loadParentChecks reads the table's foreign keys on the target.
func (im *importer) loadParentChecks(ctx context.Context) error {
	fks, err := template.ForeignKeys(ctx, im.db, im.tbl.rt.Schema, []string{im.tbl.rt.Name})
	if err != nil {
		return err
	}
	for _, fk := range fks[im.tbl.rt.Name] {
		pc := &parentCheck{fk: fk}
		for _, c := range fk.Columns {
			pc.cols = append(pc.cols, im.tbl.fileIndex(c))
		}
		if fk.ReferencedSchema != "" || slices.Contains(pc.cols, -1) {
			continue // another schema's table, or a column the file leaves to its default
		}
		pc.self = fk.ReferencedTable == im.tbl.rt.Name && slices.Equal(fk.ReferencedColumns, im.tbl.rt.Key)
		im.parents = append(im.parents, pc)
	}
	return nil
}

// checkParents looks up the parents of the batch's rows (rows to write,
// not to delete) and notes the rows whose parent is missing.
func (im *importer) checkParents(ctx context.Context, batch []importRow) error {
	for _, pc := range im.parents {
		var rows []int
		for i, r := range batch {
			if !r.del && !hasNullAt(r.vals, pc.cols) {
				rows = append(rows, i)
			}
		}
		for start := 0; start < len(rows); start += im.keyChunk() {
			chunk := rows[start:min(start+im.keyChunk(), len(rows))]
			found, err := im.parentsFound(ctx, pc, batch, chunk)
			if err != nil {
				return err
			}
			for _, i := range chunk {
				if !found[im.fkText(pc, batch[i])] {
					im.noteOrphan(pc, batch[i])
				}
			}
		}
	}
	return nil
}

func hasNullAt(vals [][]byte, cols []int) bool {
	return slices.ContainsFunc(cols, func(c int) bool { return vals[c] == nil })
}

// parentsFound returns the foreign-key texts of the rows whose parent
// exists in the target.
func (im *importer) parentsFound(ctx context.Context, pc *parentCheck, batch []importRow, rows []int) (map[string]bool, error) {
	refs := make([]string, len(pc.fk.ReferencedColumns))
	for i, c := range pc.fk.ReferencedColumns {
		refs[i] = "t." + mysql.QuoteIdent(c)
	}
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?,", len(refs)), ",") + ")"
	var args []any
	for _, i := range rows {
		for _, c := range pc.cols {
			args = append(args, valueArg(im.tbl.file[c].col, batch[i].vals[c]))
		}
	}
	query := mysql.Tag + "SELECT " + strings.Join(pc.childExprs(im), ", ") + " FROM " +
		mysql.QuoteTable(im.tbl.rt.Schema, pc.fk.ReferencedTable) + " AS t WHERE (" + strings.Join(refs, ", ") + ") IN (" +
		strings.TrimSuffix(strings.Repeat(tuple+",", len(rows)), ",") + ")"
	res, err := im.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("look up parents in %s: %w", pc.fk.ReferencedTable, err)
	}
	defer res.Close()
	found := map[string]bool{}
	for res.Next() {
		vals := make([][]byte, len(refs))
		dest := make([]any, len(refs))
		for i := range vals {
			dest[i] = &vals[i]
		}
		if err := res.Scan(dest...); err != nil {
			return nil, fmt.Errorf("look up parents in %s: %w", pc.fk.ReferencedTable, err)
		}
		found[joinTexts(vals)] = true
	}
	if err := res.Err(); err != nil {
		return nil, fmt.Errorf("look up parents in %s: %w", pc.fk.ReferencedTable, err)
	}
	return found, nil
}

// childExprs reads the parent's (alias t) referenced columns as the child's columns
// are read from the file (numbers and dates as text), so the two compare.
func (pc *parentCheck) childExprs(im *importer) []string {
	out := make([]string, len(pc.cols))
	for i, c := range pc.cols {
		child := *im.tbl.file[c].col
		child.Name = pc.fk.ReferencedColumns[i]
		out[i] = readExpr(&child)
	}
	return out
}

// fkText is the lookup text of row's foreign-key values.
func (im *importer) fkText(pc *parentCheck, row importRow) string {
	vals := make([][]byte, len(pc.cols))
	for i, c := range pc.cols {
		vals[i] = row.vals[c]
	}
	return joinTexts(vals)
}

// noteOrphan records a row without a parent; a row referencing its own
// table waits until the whole file is read (its parent may come later).
func (im *importer) noteOrphan(pc *parentCheck, row importRow) {
	vals := make([]string, len(pc.cols))
	for i, c := range pc.cols {
		vals[i] = shorten(valueText(im.tbl.file[c].col, row.vals[c]), 40)
	}
	o := ImportOrphan{Row: row.row, ForeignKey: pc.fk.Name, Parent: pc.fk.ReferencedTable, Values: strings.Join(vals, ",")}
	if !pc.self {
		im.rep.addOrphan(o)
		return
	}
	d := xxhash.New()
	for _, c := range pc.cols {
		fmt.Fprintf(d, "%d:", len(row.vals[c]))
		d.Write(row.vals[c])
	}
	pc.pending, pc.digests = append(pc.pending, o), append(pc.digests, d.Sum64())
}

// settleSelfParents reports the rows referencing their own table whose
// parent is not among the file's keys either.
func (im *importer) settleSelfParents() {
	for _, pc := range im.parents {
		for i, o := range pc.pending {
			if _, inFile := im.keys[pc.digests[i]]; !inFile {
				im.rep.addOrphan(o)
			}
		}
		pc.pending, pc.digests = nil, nil
	}
}

func (r *ImportReport) addOrphan(o ImportOrphan) {
	r.Orphan++
	if len(r.Orphans) < MaxImportOrphans {
		r.Orphans = append(r.Orphans, o)
	}
}

// orphansError refuses to write rows the server would refuse.
func (im *importer) orphansError() error {
	r := im.rep
	if r.Orphan == 0 {
		return nil
	}
	o := r.Orphans[0]
	return weekback.Errorf(weekback.EINVALID,
		"%d rows of the file reference a parent row that is not in the target (the first: row %d, %s = %s in table %s): nothing was written. Load the parent rows first (weekback restore --with-related brings a table back with its parents, in order), or remove those rows from the file",
		r.Orphan, o.Row, o.ForeignKey, o.Values, o.Parent)
}
