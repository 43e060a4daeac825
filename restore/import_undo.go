package restore

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
)

// undoFile is the undo file of an import: a reimport CSV with UndoColumn
// first, then every stored column of the table. Rows are synced to disk
// before the transaction that changes them commits.
type undoFile struct {
	path string
	f    *os.File
	w    *export.CSVWriter
	size int64 // bytes synced so far
	vals [][]byte
}

// createUndo creates the undo file at path (never over an existing file,
// readable by its owner only: it holds production rows) and writes its
// header.
func createUndo(path string, stored []mysql.RecordColumn) (*undoFile, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, weekback.Errorf(weekback.EINVALID, "the undo file %s exists already: move it away or choose another path, then run again", path)
	}
	if err != nil {
		return nil, weekback.Errorf(weekback.EINVALID, "cannot create the undo file %s (%v): make its folder writable or choose another path", path, err)
	}
	action := mysql.RecordColumn{Column: mysql.Column{Name: UndoColumn, DataType: "varchar", ColumnType: "varchar(7)"}, Kind: mysql.KindText}
	cols := append([]mysql.RecordColumn{action}, stored...)
	u := &undoFile{path: path, f: f, vals: make([][]byte, len(cols))}
	if u.w, err = export.NewCSVWriter(f, cols, export.CSVOptions{}); err == nil {
		err = u.w.WriteHeader()
	}
	if err == nil {
		err = u.sync()
	}
	if err == nil {
		err = syncDir(filepath.Dir(path))
	}
	if err != nil {
		f.Close()
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

// sync flushes the rows written and waits until they are on disk.
func (u *undoFile) sync() error {
	if err := u.w.Flush(); err != nil {
		return fmt.Errorf("write undo file %s: %w", u.path, err)
	}
	if err := u.f.Sync(); err != nil {
		return fmt.Errorf("sync undo file %s: %w", u.path, err)
	}
	size, err := u.f.Seek(0, io.SeekCurrent)
	if err != nil {
		return fmt.Errorf("undo file %s: %w", u.path, err)
	}
	u.size = size
	return nil
}

// cut drops what was written after size (the rows of a batch that was
// rolled back).
func (u *undoFile) cut(size int64) error {
	if err := u.w.Flush(); err != nil {
		return fmt.Errorf("write undo file %s: %w", u.path, err)
	}
	if err := u.f.Truncate(size); err != nil {
		return fmt.Errorf("cut undo file %s: %w", u.path, err)
	}
	if _, err := u.f.Seek(size, io.SeekStart); err != nil {
		return fmt.Errorf("cut undo file %s: %w", u.path, err)
	}
	u.size = size
	return u.f.Sync()
}

func (u *undoFile) close() error {
	err := u.sync()
	if cerr := u.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close undo file %s: %w", u.path, cerr)
	}
	return err
}

// syncDir makes a new file's directory entry durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
