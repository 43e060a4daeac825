package restore

import (
	"fmt"

	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
)

// undoFile is the undo file of an import: a reimport CSV with UndoColumn
// first, then every stored column of the table. Rows are synced to disk
// before the transaction that changes them commits.
type undoFile struct {
	*syncedFile
	w    *export.CSVWriter
	vals [][]byte
}

// createUndo creates the undo file at path (never over an existing file,
// readable by its owner only: it holds production rows) and writes its
// header.
func createUndo(path string, stored []mysql.RecordColumn) (*undoFile, error) {
	sf, err := createSynced(path, "path")
	if err != nil {
		return nil, err
	}
	action := mysql.RecordColumn{Column: mysql.Column{Name: UndoColumn, DataType: "varchar", ColumnType: "varchar(7)"}, Kind: mysql.KindText}
	cols := append([]mysql.RecordColumn{action}, stored...)
	u := &undoFile{syncedFile: sf, vals: make([][]byte, len(cols))}
	if u.w, err = export.NewCSVWriter(sf.f, cols, export.CSVOptions{}); err == nil {
		sf.flush = u.w.Flush
		err = u.w.WriteHeader()
	}
	if err == nil {
		err = u.sync()
	}
	if err != nil {
		sf.f.Close()
		return nil, fmt.Errorf("write undo file %s: %w", path, err)
	}
	return u, nil
}

// add writes one row: action, then the values of the stored columns.
func (u *undoFile) add(action string, values [][]byte) error {
	u.vals[0] = []byte(action)
	copy(u.vals[1:], values)
	if err := u.w.WriteRow(u.vals); err != nil {
		return fmt.Errorf("write undo file %s: %w", u.path, err)
	}
	return nil
}
