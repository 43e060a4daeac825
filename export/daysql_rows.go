package export

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback/mysql"
)

// table writes one table: its DDL, then its rows as bounded multi-row
// INSERTs between DISABLE KEYS and ENABLE KEYS, under a write lock and in
// one transaction, as mariadb-dump's --opt does.
func (d *dayWriter) table(ctx context.Context, conn *sqlx.Conn, t *dayTable) error {
	name := mysql.QuoteIdent(t.info.Name)
	fmt.Fprintf(d.w, "--\n-- Table %s", t.info.Name)
	if len(t.blanked) > 0 {
		fmt.Fprintf(d.w, " (credential columns written blank: %s)", strings.Join(t.blanked, ", "))
	}
	fmt.Fprintf(d.w, "\n--\n\nDROP TABLE IF EXISTS %s;\n%s;\n\n", name, t.ddl.Create)
	res := DaySQLTable{Name: t.info.Name, ManifestHash: t.info.Hash, Columns: t.info.Columns, History: t.info.History}
	fmt.Fprintf(d.w, "LOCK TABLES %s WRITE;\n/*!40000 ALTER TABLE %s DISABLE KEYS */;\nSET autocommit=0;\n", name, name)
	rw := &rowsWriter{d: d, t: t, hasher: mysql.NewRowHasher(),
		insert: "INSERT INTO " + name + " (" + mysql.QuoteIdents(mysql.ColumnNames(t.cols)) + ") VALUES "}
	err := pipeRows(ctx, len(t.cols), func(ctx context.Context, emit func([][]byte) error) error {
		if len(t.cols) == 0 {
			return nil
		}
		return mysql.ScanSource(ctx, conn, t.src, t.cols, emit)
	}, func(b *batch) error {
		if err := b.each(rw.add); err != nil {
			return err
		}
		if d.opts.Progress != nil {
			d.opts.Progress(t.info.Name, d.res.Rows+rw.hasher.Rows())
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("download table %s: %w", t.info.Name, err)
	}
	rw.end()
	fmt.Fprintf(d.w, "/*!40000 ALTER TABLE %s ENABLE KEYS */;\nUNLOCK TABLES;\nCOMMIT;\nSET autocommit=1;\n", name)
	if t.ddl.Indexes != "" { // built once, sorted, rather than row by row
		fmt.Fprintf(d.w, "ALTER TABLE %s %s;\n", name, t.ddl.Indexes)
	}
	d.w.WriteString("\n")
	res.Rows, res.Hash = rw.hasher.Rows(), rw.hasher.Hash()
	d.res.Rows += res.Rows
	d.res.Tables = append(d.res.Tables, res)
	return nil
}

// rowsWriter writes the rows of one table as INSERT statements of at most
// InsertBytes (a single bigger row gets one of its own).
type rowsWriter struct {
	d      *dayWriter
	t      *dayTable
	insert string
	hasher *mysql.RowHasher
	stmt   int // bytes of the open statement; 0 when none is open
	vals   [][]byte
}

// add writes one row.
func (rw *rowsWriter) add(values [][]byte) error {
	row := rw.d.row[:0]
	rw.vals = append(rw.vals[:0], values...)
	row = append(row, '(')
	for i, v := range rw.vals {
		if r := rw.t.replace[i]; r != nil {
			v = r(values, v)
			rw.vals[i] = v
		}
		if i > 0 {
			row = append(row, ',')
		}
		row = rw.t.values[i](row, v)
	}
	row = append(row, ')')
	rw.d.row = row
	rw.hasher.Add(rw.vals)
	if rw.stmt > 0 && rw.stmt+len(row) > rw.d.opts.InsertBytes {
		rw.end()
	}
	if rw.stmt == 0 {
		rw.d.w.WriteString(rw.insert)
		rw.stmt = len(rw.insert)
	} else {
		rw.d.w.WriteByte(',')
	}
	_, err := rw.d.w.Write(row)
	rw.stmt += len(row) + 1
	if err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// end closes the open statement, if any.
func (rw *rowsWriter) end() {
	if rw.stmt > 0 {
		rw.d.w.WriteString(";\n")
		rw.stmt = 0
	}
}
