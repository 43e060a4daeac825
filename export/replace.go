package export

import (
	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// NewRowReplacer returns the RowReplacer of a CSV download: the credential
// columns of red written blank (NULL where the column allows it, else the
// empty value of its type) and the columns a covers written as pseudonyms.
// Either may be empty (a nil a anonymizes nothing).
func NewRowReplacer(red weekback.Redaction, a *Anonymizer) RowReplacer {
	return func(table string, cols []mysql.RecordColumn) func(values [][]byte) {
		fns := make([]func(row [][]byte, v []byte) []byte, len(cols))
		changed := false
		for i, c := range cols {
			switch {
			case len(red.Masked(table, []string{c.Name})) > 0:
				blank := blankStored(c.Column, slotColumn{nullable: c.Nullable})
				fns[i] = func([][]byte, []byte) []byte { return blank }
			case a.Covers(table, c.Name) && MethodFor(c.Column) != MethodKeep:
				fns[i] = a.ColumnFunc(table, c.Column)
			default:
				continue
			}
			changed = true
		}
		if !changed {
			return nil
		}
		orig := make([][]byte, len(cols))
		return func(values [][]byte) {
			copy(orig, values)
			for i, fn := range fns {
				if fn != nil {
					values[i] = fn(orig, values[i])
				}
			}
		}
	}
}
