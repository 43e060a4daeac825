package restore

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
	"unicode/utf8"

	"github.com/weekback/weekback"
)

// The undo file of a restore (and of an undo) is JSON lines: a header,
// then for each table a line naming its columns and key, then one line
// per row: op "delete" (the restore inserted the row: undo deletes it) or
// "put" (the row as it was before: undo writes it back). Undo applies the
// rows last first, so children inserted after their parents are deleted
// before them, and rows a cascade would remove, saved before the row that
// removes them, come back after it. Values are JSON strings, null, or
// {"hex": …} for bytes that are not UTF-8.

// UndoFormat is the version of the undo files this binary writes and
// reads.
const UndoFormat = 1

// Undo operations.
const (
	opDelete = "delete"
	opPut    = "put"
)

// undoLine is one line of an undo file: a header, a table or a row.
type undoLine struct {
	Format int              `json:"weekback_undo,omitempty"`
	Kind   string           `json:"kind,omitempty"` // restore, undo
	Schema string           `json:"schema,omitempty"`
	Day    weekback.Weekday `json:"day,omitempty"`
	At     *time.Time       `json:"at,omitempty"`

	Table   string   `json:"table,omitempty"`
	Columns []string `json:"columns,omitempty"`
	Key     []string `json:"key,omitempty"`

	T     string      `json:"t,omitempty"`
	Op    string      `json:"op,omitempty"`
	Group int         `json:"g,omitempty"` // >0: rows of a foreign-key cycle (undone with checks off for the group)
	V     []undoValue `json:"v,omitempty"`
}

// undoValue is one value: nil is NULL.
type undoValue []byte

// MarshalJSON writes null, a string, or {"hex": …}.
func (v undoValue) MarshalJSON() ([]byte, error) {
	switch {
	case v == nil:
		return []byte("null"), nil
	case utf8.Valid(v):
		return json.Marshal(string(v))
	}
	return json.Marshal(map[string]string{"hex": hex.EncodeToString(v)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (v *undoValue) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		*v = nil
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		err := json.Unmarshal(b, &s)
		*v = append(undoValue{}, s...)
		return err
	}
	var h struct {
		Hex string `json:"hex"`
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return err
	}
	raw, err := hex.DecodeString(h.Hex)
	*v = append(undoValue{}, raw...)
	return err
}

// undoWriter appends to an undo file; rows are synced to disk before the
// transaction that writes them commits.
type undoWriter struct {
	path    string
	f       *os.File
	w       *bufio.Writer
	size    int64            // bytes synced so far
	defined map[string]int64 // table → offset of its line
	lines   int64            // row lines written
}

// createUndoFile creates path (never over an existing file, readable by
// its owner only: it holds production rows) and writes head.
func createUndoFile(path string, head undoLine) (*undoWriter, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, weekback.Errorf(weekback.EINVALID, "the undo file %s exists already: move it away or choose another --undo-file, then run again", path)
	}
	if err != nil {
		return nil, weekback.Errorf(weekback.EINVALID, "cannot create the undo file %s (%v): make its folder writable or choose another --undo-file", path, err)
	}
	u := &undoWriter{path: path, f: f, w: bufio.NewWriter(f), defined: map[string]int64{}}
	head.Format = UndoFormat
	err = u.line(head)
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

func (u *undoWriter) line(l undoLine) error {
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = u.w.Write(b)
	return err
}

// add writes a row of t, defining t first when needed.
func (u *undoWriter) add(t *table, op string, group int, r row) error {
	if _, ok := u.defined[t.name]; !ok {
		u.defined[t.name] = u.size + int64(u.w.Buffered())
		names := make([]string, len(t.cols))
		for i, c := range t.cols {
			names[i] = c.Name
		}
		if err := u.line(undoLine{Table: t.name, Columns: names, Key: t.rt.Key}); err != nil {
			return fmt.Errorf("write undo file %s: %w", u.path, err)
		}
	}
	v := make([]undoValue, len(r))
	for i, x := range r {
		v[i] = undoValue(x)
	}
	u.lines++
	if err := u.line(undoLine{T: t.name, Op: op, Group: group, V: v}); err != nil {
		return fmt.Errorf("write undo file %s: %w", u.path, err)
	}
	return nil
}

// sync flushes the lines written and waits until they are on disk.
func (u *undoWriter) sync() error {
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

// mark returns the position cut goes back to.
func (u *undoWriter) mark() (int64, error) {
	err := u.sync()
	return u.size, err
}

// cut drops what was written after size (the rows of a transaction that
// was rolled back).
func (u *undoWriter) cut(size int64) error {
	u.w.Reset(u.f)
	if err := u.f.Truncate(size); err != nil {
		return fmt.Errorf("cut undo file %s: %w", u.path, err)
	}
	if _, err := u.f.Seek(size, io.SeekStart); err != nil {
		return fmt.Errorf("cut undo file %s: %w", u.path, err)
	}
	for name, at := range u.defined {
		if at >= size {
			delete(u.defined, name)
		}
	}
	u.size = size
	return u.f.Sync()
}

func (u *undoWriter) close() error {
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

// undoFile is an undo file read back.
type undoFile struct {
	head   undoLine
	tables map[string]undoLine
	rows   []undoLine
}

// maxUndoLine limits one line of an undo file (a row with large values).
const maxUndoLine = 1 << 30

// readUndoFile reads and checks path.
func readUndoFile(path string) (*undoFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, weekback.Errorf(weekback.EINVALID, "cannot read the undo file %s: %v", path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), maxUndoLine)
	uf := &undoFile{tables: map[string]undoLine{}}
	for n := 1; sc.Scan(); n++ {
		var l undoLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, weekback.Errorf(weekback.EINVALID, "line %d of the undo file %s is not valid (%v): use the file restore wrote, unchanged", n, path, err)
		}
		if err := uf.take(n, l); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read undo file %s: %w", path, err)
	}
	if uf.head.Format != UndoFormat {
		return nil, weekback.Errorf(weekback.EINVALID, "%s is not a restore undo file (format %d, want %d): `weekback import` reads the undo files of imports", path, uf.head.Format, UndoFormat)
	}
	return uf, nil
}

// take files one line.
func (uf *undoFile) take(n int, l undoLine) error {
	switch {
	case n == 1:
		uf.head = l
	case l.Table != "":
		uf.tables[l.Table] = l
	case l.T != "" && (l.Op == opDelete || l.Op == opPut) && len(l.V) == len(uf.tables[l.T].Columns):
		uf.rows = append(uf.rows, l)
	default:
		return weekback.Errorf(weekback.EINVALID, "line %d of the undo file is not a row of a table it defines: use the file restore wrote, unchanged", n)
	}
	return nil
}
