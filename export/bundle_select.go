package export

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/template"
)

// MaxSelectionRows bounds the rows a restore bundle holds (they are held
// in memory while the bundle is written, as `weekback restore` holds
// them).
const MaxSelectionRows = 1_000_000

// BundleSelection says which rows of a day a restore bundle holds: the
// rows of Table that matched Filters on the records page, or the rows of
// Kind (deleted, changed) between the bundle's day and Against on the
// changes page, with their child rows when WithChildren. In such a
// bundle every table's hash is the content hash of exactly the rows of
// its CSV, as written.
type BundleSelection struct {
	Table        string   `json:"table"`
	Filters      []string `json:"filters,omitempty"` // column=op:value, as the records page's
	Against      string   `json:"against,omitempty"` // the other day (or production) of a change set
	Kind         string   `json:"kind,omitempty"`    // deleted | changed
	WithChildren bool     `json:"with_children"`
}

// SelectionRequest says which rows WriteSelectionBundle writes.
type SelectionRequest struct {
	// Query is the table of the slot with the page's filters (its
	// columns, sort and masks are ignored: a bundle holds every stored
	// column, credential columns blank).
	Query     mysql.RecordQuery
	Keys      *KeySet // nil: every row of Query; else only the rows whose key is in it
	Selection BundleSelection
	Redaction weekback.Redaction
	Progress  func(rows int64) // rows selected so far, when set
}

// selTable is one table of a selection: its stored columns and the rows
// selected, each once.
type selTable struct {
	name string
	cols []mysql.RecordColumn
	key  []int // key columns, nil without a key (the whole row tells rows apart)
	rows [][][]byte
	seen map[string]bool
}

// selector gathers the rows of a selection bundle.
type selector struct {
	conn   *sqlx.Conn
	cat    *mysql.Catalog
	gen    *weekback.Generation
	req    SelectionRequest
	tables map[string]*selTable
	total  int64
}

// WriteSelectionBundle writes to w a restore bundle of gen (the format of
// WriteDayBundle, docs/BUNDLE_FORMAT.md): the rows req selects of one
// table and, with Selection.WithChildren, the rows of the tables whose
// foreign keys reference them, recursively (each child table is read
// once per level), in load order (parents first), each table's template,
// and manifest.json with the selection, and per table the row count and
// the content hash of exactly the rows written. Credential columns of
// req.Redaction are written blank.
//
// conn must be a connection of a pool opened with mysql.RoleExport on
// the backup server. The selected rows are held in memory; more than
// MaxSelectionRows is an ETOOLARGE *weekback.Error. Other errors as
// ExportCSV and w's, wrapped.
func WriteSelectionBundle(ctx context.Context, conn *sqlx.Conn, cat *mysql.Catalog, gen *weekback.Generation, w io.Writer,
	req SelectionRequest) (*DaySQLResult, error) {
	s := &selector{conn: conn, cat: cat, gen: gen, req: req, tables: map[string]*selTable{}}
	root, err := s.table(ctx, req.Query.Table)
	if err != nil {
		return nil, err
	}
	if err := s.selectRoot(ctx, root); err != nil {
		return nil, err
	}
	fks, err := template.ForeignKeys(ctx, conn, gen.Slot, nil)
	if err != nil {
		return nil, err
	}
	if req.Selection.WithChildren {
		if err := s.addChildren(ctx, fks, map[string][][][]byte{root.name: root.rows}); err != nil {
			return nil, err
		}
	}
	return s.write(ctx, w, fks)
}

// table returns the selection's table name, described once.
func (s *selector) table(ctx context.Context, name string) (*selTable, error) {
	if t := s.tables[name]; t != nil {
		return t, nil
	}
	q, err := storedColumns(ctx, s.conn, s.cat, mysql.RecordQuery{Schema: s.gen.Slot, Table: name}, ProfileReimport)
	if err != nil {
		return nil, err
	}
	rt, err := s.cat.Table(ctx, s.conn, s.gen.Slot, name)
	if err != nil {
		return nil, err
	}
	t := &selTable{name: rt.Name, seen: map[string]bool{}}
	if t.cols, err = s.cat.RecordColumns(ctx, s.conn, q); err != nil {
		return nil, err
	}
	for _, k := range rt.Key {
		t.key = append(t.key, columnIndex(t.cols, k))
	}
	s.tables[name] = t
	return t, nil
}

// query returns the query that reads t's stored columns.
func (s *selector) query(t *selTable) mysql.RecordQuery {
	q := mysql.RecordQuery{Schema: s.gen.Slot, Table: t.name}
	for _, c := range t.cols {
		q.Columns = append(q.Columns, c.Name)
	}
	return q
}

// selectRoot adds the rows of the request's table its filters (and keys)
// select.
func (s *selector) selectRoot(ctx context.Context, t *selTable) error {
	q := s.query(t)
	q.Filters = s.req.Query.Filters
	scan := func(ctx context.Context, emit func([][]byte) error) error {
		return s.cat.ScanRecords(ctx, s.conn, q, emit)
	}
	if s.req.Keys != nil {
		var err error
		if scan, err = s.req.Keys.scan(ctx, s.conn, s.cat, q, len(t.cols)); err != nil {
			return err
		}
	}
	return scan(ctx, func(values [][]byte) error {
		_, err := s.add(t, values)
		return err
	})
}

// add adds a copy of values to t unless t holds that row; it reports
// whether it was new.
func (s *selector) add(t *selTable, values [][]byte) (bool, error) {
	id := rowText(values, t.key)
	if t.seen[id] {
		return false, nil
	}
	if s.total++; s.total > MaxSelectionRows {
		return false, weekback.Errorf(weekback.ETOOLARGE, "a restore bundle holds at most %d rows: narrow the selection with filters, or restore with `weekback restore --from DAY`", MaxSelectionRows)
	}
	t.seen[id] = true
	row := make([][]byte, len(values))
	for i, v := range values {
		if v != nil {
			row[i] = append(make([]byte, 0, len(v)), v...)
		}
	}
	t.rows = append(t.rows, row)
	if s.req.Progress != nil && s.total%1000 == 0 {
		s.req.Progress(s.total)
	}
	return true, nil
}

// rowText identifies a row by the values of cols (all of them when cols
// is empty), each as "len:bytes", NULL as "-".
func rowText(values [][]byte, cols []int) string {
	var b strings.Builder
	each := func(v []byte) {
		if v == nil {
			b.WriteString("-,")
			return
		}
		b.WriteString(strconv.Itoa(len(v)) + ":")
		b.Write(v)
		b.WriteByte(',')
	}
	if len(cols) == 0 {
		for _, v := range values {
			each(v)
		}
		return b.String()
	}
	for _, c := range cols {
		each(values[c])
	}
	return b.String()
}

// addChildren adds, level by level, the rows of the tables whose foreign
// keys reference the rows added at the level before (fresh, by table).
func (s *selector) addChildren(ctx context.Context, fks map[string][]weekback.TemplateForeignKey, fresh map[string][][][]byte) error {
	for len(fresh) > 0 {
		next := map[string][][][]byte{}
		for _, child := range sortedNames(fks) {
			added, err := s.childRows(ctx, child, fks[child], fresh)
			if err != nil {
				return err
			}
			if len(added) > 0 {
				next[child] = added
			}
		}
		fresh = next
	}
	return nil
}

// childRows reads child once and adds its rows whose foreign keys name a
// row of fresh; it returns those that were new.
func (s *selector) childRows(ctx context.Context, child string, fks []weekback.TemplateForeignKey, fresh map[string][][][]byte) ([][][]byte, error) {
	refs := fkReferencing(fks, fresh)
	if len(refs) == 0 {
		return nil, nil
	}
	t, err := s.table(ctx, child)
	if err != nil {
		return nil, err
	}
	type match struct {
		cols   []int
		wanted map[string]bool
	}
	matches := make([]match, len(refs))
	for i, fk := range refs {
		refCols := columnIndexes(s.tables[fk.ReferencedTable].cols, fk.ReferencedColumns)
		matches[i] = match{cols: columnIndexes(t.cols, fk.Columns), wanted: map[string]bool{}}
		for _, r := range fresh[fk.ReferencedTable] {
			matches[i].wanted[rowText(r, refCols)] = true
		}
	}
	var added [][][]byte
	err = s.cat.ScanRecords(ctx, s.conn, s.query(t), func(values [][]byte) error {
		for _, m := range matches {
			if !hasNullAt(values, m.cols) && m.wanted[rowText(values, m.cols)] {
				isNew, err := s.add(t, values)
				if isNew {
					added = append(added, t.rows[len(t.rows)-1])
				}
				return err
			}
		}
		return nil
	})
	return added, err
}

// fkReferencing returns the foreign keys of fks that reference a table of
// fresh, in the order childRows matches them.
func fkReferencing(fks []weekback.TemplateForeignKey, fresh map[string][][][]byte) []weekback.TemplateForeignKey {
	var out []weekback.TemplateForeignKey
	for _, fk := range fks {
		if rows, ok := fresh[fk.ReferencedTable]; ok && fk.ReferencedSchema == "" && len(rows) > 0 {
			out = append(out, fk)
		}
	}
	return out
}

func columnIndexes(cols []mysql.RecordColumn, names []string) []int {
	out := make([]int, len(names))
	for i, n := range names {
		out[i] = columnIndex(cols, n)
	}
	return out
}

func hasNullAt(values [][]byte, cols []int) bool {
	return slices.ContainsFunc(cols, func(c int) bool { return c < 0 || values[c] == nil })
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// write writes the selected tables in load order, then the manifest.
func (s *selector) write(ctx context.Context, w io.Writer, fks map[string][]weekback.TemplateForeignKey) (*DaySQLResult, error) {
	m := s.gen.Manifest
	sel := s.req.Selection
	bm := &BundleManifest{Format: BundleFormat, Version: BundleVersion, Day: s.gen.Day, SourceSchema: m.SourceSchema,
		SnapshotAt: m.SnapshotAt, Blanked: []string{}, Anonymized: []string{}, Selection: &sel}
	refs := map[string][]string{} // among the selected tables: a parent outside is production's
	for child, list := range fks {
		for _, fk := range list {
			if s.tables[child] != nil && s.tables[fk.ReferencedTable] != nil && fk.ReferencedSchema == "" {
				refs[child] = append(refs[child], fk.ReferencedTable)
			}
		}
	}
	bm.LoadOrder = loadOrder(sortedNames(s.tables), refs)
	zw := zip.NewWriter(w)
	res := &DaySQLResult{}
	for _, name := range bm.LoadOrder {
		bt, err := s.writeTable(ctx, zw, s.tables[name])
		if err != nil {
			return res, err
		}
		bm.addTable(bt, res)
	}
	res.Blanked = bm.Blanked
	if err := writeBundleManifest(zw, bm); err != nil {
		return res, err
	}
	if err := zw.Close(); err != nil {
		return res, fmt.Errorf("write the bundle: %w", err)
	}
	return res, nil
}

// writeTable writes t's CSV (credential columns blank) and template.
func (s *selector) writeTable(ctx context.Context, zw *zip.Writer, t *selTable) (*BundleTable, error) {
	bt := &BundleTable{Name: t.name, CSV: bundleCSVDir + t.name + ".csv", Template: bundleTemplateDir + t.name + ".template.json",
		Rows: int64(len(t.rows))}
	f, err := zw.Create(bt.CSV)
	if err != nil {
		return nil, fmt.Errorf("write the bundle: %w", err)
	}
	cw, err := NewCSVWriter(f, t.cols, CSVOptions{Profile: ProfileReimport})
	if err != nil {
		return nil, err
	}
	for _, c := range t.cols {
		bt.Columns = append(bt.Columns, c.Name)
	}
	bt.Blanked = s.req.Redaction.Masked(t.name, bt.Columns)
	replace := NewRowReplacer(s.req.Redaction, nil)(t.name, t.cols)
	h := mysql.NewRowHasher()
	if err := cw.WriteHeader(); err != nil {
		return nil, fmt.Errorf("write the bundle: %w", err)
	}
	for _, r := range t.rows {
		if replace != nil {
			replace(r)
		}
		h.Add(r)
		if err := cw.WriteRow(r); err != nil {
			return nil, fmt.Errorf("write the bundle: %w", err)
		}
	}
	if err := cw.Flush(); err != nil {
		return nil, fmt.Errorf("write the bundle: %w", err)
	}
	bt.Hash = h.Hash()
	return bt, writeBundleTemplate(ctx, s.conn, s.gen, zw, bt)
}
