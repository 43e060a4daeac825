package restore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
)

// table describes name for a restore from the bundle: as the target has
// it when it exists there (its stored columns must be the template's),
// else from the bundle's template. A table outside the bundle is the
// target's (a parent the plan checks).
func (in *bundleInput) table(ctx context.Context, target sqlx.QueryerContext, schema, name string, fks []weekback.TemplateForeignKey) (*table, error) {
	tt := in.tpls[name]
	trt, err := new(mysql.Catalog).Table(ctx, target, schema, name)
	switch {
	case tt == nil && err == nil:
		return targetTable(ctx, target, schema, name, fks)
	case tt == nil:
		return nil, weekback.Errorf(weekback.ENOTFOUND, "table %q is neither in the bundle nor in the target", name)
	case weekback.ErrorCode(err) == weekback.ENOTFOUND:
		t := newTable(templateRecordTable(schema, tt), fks)
		return t, in.noteBlanked(t)
	case err != nil:
		return nil, fmt.Errorf("describe %s in the target: %w", name, err)
	}
	t := newTable(templateRecordTable(schema, tt), fks)
	if err := t.sameColumns(trt); err != nil {
		return nil, err
	}
	t = newTable(trt, fks) // the target's catalog: sizes and kinds as its server knows them
	if err := t.attachTarget(ctx, target, schema, trt); err != nil {
		return nil, err
	}
	return t, in.noteBlanked(t)
}

// noteBlanked sets t.blanked from the manifest and checks that the CSV
// holds t's stored columns in order.
func (in *bundleInput) noteBlanked(t *table) error {
	bt := in.b.Table(t.name)
	names := make([]string, len(t.cols))
	for i, c := range t.cols {
		names[i] = c.Name
	}
	if !slices.Equal(bt.Columns, names) {
		return weekback.Errorf(weekback.EINVALID, "bundle %s: the CSV of %s has the columns (%s), the table (%s): prepare the bundle again from the day the table had these columns",
			in.name, t.name, strings.Join(bt.Columns, ", "), strings.Join(names, ", "))
	}
	for _, c := range bt.Blanked {
		if i := t.col(c); i >= 0 {
			t.blanked = append(t.blanked, i)
		}
	}
	return nil
}

// rows reads t's CSV: every value checked against its column as `import`
// checks it, the row count and (when nothing was blanked, or the bundle
// is a selection whose hash covers the rows as written) the content hash
// checked against the manifest's.
func (in *bundleInput) rows(ctx context.Context, t *table) ([]row, error) {
	bt := in.b.Table(t.name)
	rc, err := in.b.OpenCSV(t.name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	checks := make([]valueFunc, len(t.cols))
	for i := range t.cols {
		if checks[i], err = newValueFunc(&t.cols[i]); err != nil {
			return nil, err
		}
	}
	cr := export.NewCSVReader(rc)
	if _, err := cr.Read(); err != nil { // the header: the manifest's columns, checked by noteBlanked
		return nil, in.damaged(t.name, cr, err)
	}
	h := mysql.NewRowHasher()
	var out []row
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fields, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, in.damaged(t.name, cr, err)
		}
		r, err := in.parseRow(t, checks, cr.Line(), fields)
		if err != nil {
			return nil, err
		}
		h.Add(r)
		out = append(out, r)
	}
	return out, in.checkCounts(bt, h)
}

// parseRow converts one CSV record of t into a row.
func (in *bundleInput) parseRow(t *table, checks []valueFunc, line int64, fields []export.Field) (row, error) {
	if len(fields) != len(t.cols) {
		return nil, weekback.Errorf(weekback.EINVALID, "bundle %s: line %d of the CSV of %s has %d fields, the header %d: the bundle is damaged or was edited, prepare it again",
			in.name, line, t.name, len(fields), len(t.cols))
	}
	r := make(row, len(fields))
	for i, f := range fields {
		c := &t.cols[i]
		problem := ""
		switch {
		case f.Null && !c.Nullable:
			problem = "is NULL, but the column is NOT NULL"
		case !f.Null:
			var v []byte
			v, problem = checks[i](f.Value)
			r[i] = append(make([]byte, 0, len(v)), v...)
		}
		if problem != "" {
			return nil, weekback.Errorf(weekback.EINVALID, "bundle %s: line %d of the CSV of %s: column %s %q %s: the bundle is damaged or was edited, prepare it again",
				in.name, line, t.name, c.Name, shorten(string(f.Value), 40), problem)
		}
	}
	return r, nil
}

// checkCounts compares the rows read with the manifest's count and hash.
func (in *bundleInput) checkCounts(bt *export.BundleTable, h *mysql.RowHasher) error {
	if h.Rows() != bt.Rows {
		return weekback.Errorf(weekback.EINVALID, "bundle %s: the CSV of %s holds %d rows, its manifest says %d: the bundle is damaged or was edited, prepare it again",
			in.name, bt.Name, h.Rows(), bt.Rows)
	}
	if (len(bt.Blanked) == 0 || in.m.Selection != nil) && bt.Hash != "" && h.Hash() != bt.Hash {
		return weekback.Errorf(weekback.EINVALID, "bundle %s: the rows of %s have the content hash %s, its manifest says %s: the bundle is damaged or was edited, prepare it again",
			in.name, bt.Name, h.Hash(), bt.Hash)
	}
	return nil
}

// damaged words a CSV that cannot be read (a zip entry whose checksum
// fails, a malformed record).
func (in *bundleInput) damaged(table string, cr *export.CSVReader, err error) error {
	return weekback.Errorf(weekback.EINVALID, "bundle %s: the CSV of %s cannot be read at line %d (%s): the bundle is damaged, prepare it again",
		in.name, table, cr.Line(), weekback.ErrorMessage(err))
}

// templateRecordTable describes tt as the catalog would once it is
// created: columns with their kinds, and its row key (the primary key,
// else the unique key of fewest NOT NULL columns without prefixes).
func templateRecordTable(schema string, tt *weekback.TemplateTable) *mysql.RecordTable {
	rt := &mysql.RecordTable{Schema: schema, Name: tt.Name}
	for _, c := range tt.Columns {
		rt.Columns = append(rt.Columns, templateColumn(tt, c))
	}
	for _, ix := range tt.Indexes {
		better := rt.Key == nil || ix.Name == "PRIMARY" || rt.KeyIndex != "PRIMARY" && len(ix.Columns) < len(rt.Key)
		if !ix.Unique || !better || !keyUsable(rt, ix) {
			continue
		}
		rt.Key, rt.KeyIndex = nil, ix.Name
		for _, ic := range ix.Columns {
			rt.Key = append(rt.Key, ic.Name)
		}
	}
	for i := range rt.Columns {
		rt.Columns[i].Key = slices.Contains(rt.Key, rt.Columns[i].Name)
	}
	return rt
}

// keyUsable reports whether ix can be a row key: every part a whole NOT
// NULL column that orders exactly.
func keyUsable(rt *mysql.RecordTable, ix weekback.TemplateIndex) bool {
	for _, ic := range ix.Columns {
		c, ok := rt.Column(ic.Name)
		if !ok || ic.Length > 0 || c.Nullable || c.Kind == mysql.KindGeometry || c.Kind == mysql.KindJSON || strings.Contains(c.DataType, "blob") || strings.Contains(c.DataType, "text") {
			return false
		}
	}
	return len(ix.Columns) > 0
}

var (
	typeName  = regexp.MustCompile(`^[a-z]+`)
	typeScale = regexp.MustCompile(`^\w+\((\d+)(?:,(\d+))?\)`)
)

// templateColumn returns c as a RecordColumn.
func templateColumn(tt *weekback.TemplateTable, c weekback.TemplateColumn) mysql.RecordColumn {
	rc := mysql.RecordColumn{Nullable: c.Nullable, Charset: c.Charset, Collation: c.Collation}
	rc.Name, rc.ColumnType, rc.Extra = c.Name, c.ColumnType, c.Extra
	rc.DataType = typeName.FindString(strings.ToLower(c.ColumnType))
	extra := strings.ToUpper(c.Extra)
	rc.Generated = c.Generated != "" || strings.Contains(extra, "GENERATED") || strings.Contains(extra, "VIRTUAL") || strings.Contains(extra, "PERSISTENT")
	rc.Kind = mysql.ColumnKind(rc.Column)
	if rc.Kind == mysql.KindText && strings.Contains(strings.ToLower(tt.DDL), "json_valid("+strings.ToLower(mysql.QuoteIdent(c.Name))+")") {
		rc.Kind = mysql.KindJSON
	}
	if m := typeScale.FindStringSubmatch(strings.ToLower(c.ColumnType)); m != nil && (rc.DataType == "decimal" || rc.DataType == "numeric") {
		rc.Precision, _ = strconv.Atoi(m[1])
		rc.Scale, _ = strconv.Atoi(m[2])
	}
	return rc
}
