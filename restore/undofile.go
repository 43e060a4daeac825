package restore

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
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
	*syncedFile
	w       *bufio.Writer
	defined map[string]int64 // table → offset of its line
}

// createUndoFile creates path (never over an existing file, readable by
// its owner only: it holds production rows) and writes head.
func createUndoFile(path string, head undoLine) (*undoWriter, error) {
	sf, err := createSynced(path, "--undo-file")
	if err != nil {
		return nil, err
	}
	u := &undoWriter{syncedFile: sf, w: bufio.NewWriter(sf.f), defined: map[string]int64{}}
	sf.flush = u.w.Flush
	head.Format = UndoFormat
	if err = u.line(head); err == nil {
		err = u.sync()
	}
	if err != nil {
		sf.f.Close()
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
	if err := u.line(undoLine{T: t.name, Op: op, Group: group, V: v}); err != nil {
		return fmt.Errorf("write undo file %s: %w", u.path, err)
	}
	return nil
}

// mark returns the position cut goes back to.
func (u *undoWriter) mark() (int64, error) {
	err := u.sync()
	return u.size, err
}

// cut drops what was written after size, and forgets the tables defined
// there.
func (u *undoWriter) cut(size int64) error {
	err := u.syncedFile.cut(size)
	for name, at := range u.defined {
		if at >= size {
			delete(u.defined, name)
		}
	}
	return err
}

// undoContent is an undo file read back.
type undoContent struct {
	head   undoLine
	tables map[string]undoLine
	rows   []undoLine
}

// maxUndoLine limits one line of an undo file (a row with large values).
const maxUndoLine = 1 << 30

// readUndoFile reads and checks path.
func readUndoFile(path string) (*undoContent, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, weekback.Errorf(weekback.EINVALID, "cannot read the undo file %s: %v", path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), maxUndoLine)
	uf := &undoContent{tables: map[string]undoLine{}}
	for n := 1; sc.Scan(); n++ {
		var l undoLine
		if n == 1 && strings.Contains(sc.Text(), UndoColumn) {
			return nil, weekback.Errorf(weekback.EINVALID,
				"%s is the undo file of an import, not of a restore: reverse it with weekback import --to … --table TABLE --execute %s", path, path)
		}
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
func (uf *undoContent) take(n int, l undoLine) error {
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
