package restore

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/cespare/xxhash/v2"

	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
)

// parseRow checks the fields of data row n and returns the row with its
// values copied; false (with the problems in the report) when a value
// does not fit.
func (im *importer) parseRow(n int64, fields []export.Field) (importRow, bool) {
	t := im.tbl
	want := len(t.file)
	if t.undo {
		want++
	}
	if len(fields) != want {
		im.rep.addError(ValueError{Row: n, Message: fmt.Sprintf("the row has %d fields, the header %d", len(fields), want)})
		return importRow{}, false
	}
	row := importRow{row: n}
	if t.undo {
		f := fields[0]
		if f.Null || string(f.Value) != UndoRestore && string(f.Value) != UndoDelete {
			im.badValue(n, UndoColumn, f, "is not "+UndoRestore+" or "+UndoDelete)
			return importRow{}, false
		}
		row.del, fields = string(f.Value) == UndoDelete, fields[1:]
	}
	vals, ok := im.checkFields(n, fields, row.del)
	row.vals = vals
	return row, ok && im.firstOfKey(row)
}

// firstOfKey reports whether row's key is new in the file (the check pass
// remembers a 64-bit digest and the row of every key: about 40 bytes a
// row). A key twice would be written twice, and the undo file could not
// undo both; the second is an error.
func (im *importer) firstOfKey(row importRow) bool {
	if !im.tbl.keyed() || im.rep.Executed {
		return true
	}
	d := xxhash.New()
	for _, k := range im.tbl.key {
		v := row.vals[k]
		fmt.Fprintf(d, "%d:", len(v))
		d.Write(v)
	}
	sum := d.Sum64()
	if first, seen := im.keys[sum]; seen {
		im.rep.addError(ValueError{Row: row.row, Message: fmt.Sprintf("has the key %s of row %d: a key may appear once in a file", im.keyText(row), first)})
		return false
	}
	if im.keys == nil {
		im.keys = map[uint64]int64{}
	}
	im.keys[sum] = row.row
	return true
}

// checkFields checks each field against its column and copies the values
// into one buffer. A row to delete needs only its key.
func (im *importer) checkFields(n int64, fields []export.Field, del bool) ([][]byte, bool) {
	ok, size := true, 0
	im.scratch = im.scratch[:0]
	for i, f := range fields {
		fc := im.tbl.file[i]
		var out []byte
		switch {
		case f.Null && !fc.col.Nullable && !(del && !im.tbl.isKey(i)):
			im.badValue(n, fc.col.Name, f, "is NULL, but the column is NOT NULL")
			ok = false
		case !f.Null:
			var problem string
			if out, problem = fc.check(f.Value); problem != "" {
				im.badValue(n, fc.col.Name, f, problem)
				ok = false
			}
		}
		im.scratch = append(im.scratch, out)
		size += len(out)
	}
	if !ok {
		return nil, false
	}
	buf := make([]byte, 0, size)
	vals := make([][]byte, len(fields))
	for i, v := range im.scratch {
		if v != nil {
			start := len(buf)
			buf = append(buf, v...)
			vals[i] = buf[start:len(buf):len(buf)]
		}
	}
	return vals, true
}

func (im *importer) badValue(n int64, column string, f export.Field, problem string) {
	v := "NULL"
	if !f.Null {
		v = fmt.Sprintf("%q", shorten(string(f.Value), 40))
	}
	im.rep.addError(ValueError{Row: n, Column: column, Value: v, Message: v + " " + problem})
}

// probeBatch has the server check the text of columns in character sets
// only it knows (see probeText), and drops the rows that do not fit.
func (im *importer) probeBatch(ctx context.Context, batch []importRow) ([]importRow, error) {
	var items []probeItem
	for i, row := range batch {
		for j, fc := range im.tbl.file {
			if fc.probe && row.vals[j] != nil {
				items = append(items, probeItem{row: i, col: fc.col, value: row.vals[j]})
			}
		}
	}
	if len(items) == 0 {
		return batch, nil
	}
	problems, err := probeText(ctx, im.db, items)
	if err != nil {
		return nil, err
	}
	bad := map[int]bool{}
	for k, p := range problems {
		if it := items[k]; p != "" {
			im.badValue(batch[it.row].row, it.col.Name, export.Field{Value: it.value}, p)
			bad[it.row] = true
		}
	}
	good := batch[:0]
	for i, row := range batch {
		if !bad[i] {
			good = append(good, row)
		}
	}
	return good, nil
}

// batchPlan is what a batch does: the rows (indexes in the batch) to
// insert, overwrite and remove, and the counts of the others.
type batchPlan struct {
	insert, update, remove []int
	same, skip             int64
	conflicts              []ImportConflict
	current                map[int][][]byte // current content (stored columns) of the rows found, by batch index
}

func (p *batchPlan) changes() bool { return len(p.insert)+len(p.update)+len(p.remove) > 0 }

// classify compares each row of the batch with the current row of the
// same key.
func (im *importer) classify(batch []importRow, current map[int][][]byte) *batchPlan {
	p := &batchPlan{current: current}
	for i, row := range batch {
		old, found := current[i]
		switch {
		case !im.tbl.keyed():
			p.insert = append(p.insert, i)
		case row.del && found:
			p.remove = append(p.remove, i)
		case row.del:
			p.same++
		case !found:
			p.insert = append(p.insert, i)
		case im.sameRow(row, old):
			p.same++
		case im.tbl.undo || im.opts.Mode == ImportUpsert:
			p.update = append(p.update, i)
		case im.opts.Mode == ImportMissingOnly:
			p.skip++
		default:
			p.conflicts = append(p.conflicts, ImportConflict{Row: row.row, Key: im.keyText(row), Fields: im.differing(row, old)})
		}
	}
	return p
}

// count adds a batch's plan to the report.
func (r *ImportReport) count(p *batchPlan) {
	r.Insert += int64(len(p.insert))
	r.Update += int64(len(p.update))
	r.Delete += int64(len(p.remove))
	r.Same += p.same
	r.Skip += p.skip
	for _, c := range p.conflicts {
		r.addConflict(c)
	}
}

// sameRow reports whether the table's row old (stored columns) holds the
// values of row in every column of the file.
func (im *importer) sameRow(row importRow, old [][]byte) bool {
	for i, fc := range im.tbl.file {
		a, b := row.vals[i], old[fc.stored]
		if (a == nil) != (b == nil) || !bytes.Equal(a, b) {
			return false
		}
	}
	return true
}

// differing returns the columns of the file whose values differ from the
// table's row old, the first MaxConflictFields.
func (im *importer) differing(row importRow, old [][]byte) []FieldDiff {
	var out []FieldDiff
	for i, fc := range im.tbl.file {
		a, b := row.vals[i], old[fc.stored]
		if (a == nil) == (b == nil) && bytes.Equal(a, b) {
			continue
		}
		if len(out) == MaxConflictFields {
			break
		}
		out = append(out, FieldDiff{Column: fc.col.Name, File: fieldText(fc.col, a), Target: fieldText(fc.col, b)})
	}
	return out
}

// fieldText shows a value in a report: NULL, 0x-hex, or text in quotes
// (so the text "NULL" is told from NULL), shortened.
func fieldText(c *mysql.RecordColumn, v []byte) string {
	if v == nil || export.WritesHex(c.Kind) {
		return shorten(valueText(c, v), 40)
	}
	return fmt.Sprintf("%q", shorten(string(v), 40))
}

// keyText returns the row's key values joined by ",", binary ones as
// 0x-hex.
func (im *importer) keyText(row importRow) string {
	parts := make([]string, len(im.tbl.key))
	for i, k := range im.tbl.key {
		parts[i] = shorten(valueText(im.tbl.file[k].col, row.vals[k]), 40)
	}
	return strings.Join(parts, ",")
}

// valueText returns v as the file writes it.
func valueText(c *mysql.RecordColumn, v []byte) string {
	switch {
	case v == nil:
		return "NULL"
	case export.WritesHex(c.Kind):
		return "0x" + hex.EncodeToString(v)
	}
	return string(v)
}
