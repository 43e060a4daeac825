package restore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	drv "github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// writeBatch applies the plan of a batch inside tx: removals, then
// overwrites, then inserts.
func (im *importer) writeBatch(ctx context.Context, tx *sqlx.Tx, batch []importRow, p *batchPlan) error {
	if err := im.deleteRows(ctx, tx, batch, p.remove); err != nil {
		return err
	}
	if im.tbl.rt.KeyIndex == "PRIMARY" {
		// InnoDB meets the primary key first, so ON DUPLICATE KEY UPDATE
		// overwrites the row of that key (a clash with another unique key
		// then fails).
		if err := im.insertRows(ctx, tx, batch, p.update, true); err != nil {
			return err
		}
	} else if err := im.updateRows(ctx, tx, batch, p.update); err != nil {
		return err
	}
	return im.insertRows(ctx, tx, batch, p.insert, false)
}

// insertRows inserts rows of batch with multi-row statements; upsert adds
// ON DUPLICATE KEY UPDATE of every column of the file, key columns
// included: a key may match in the column's collation ("café" finds
// "Café") and then takes the file's spelling, so that the row ends up as
// in the file.
func (im *importer) insertRows(ctx context.Context, tx *sqlx.Tx, batch []importRow, rows []int, upsert bool) error {
	cols := make([]string, len(im.tbl.file))
	sets := make([]string, len(im.tbl.file))
	for i, fc := range im.tbl.file {
		cols[i] = mysql.QuoteIdent(fc.col.Name)
		sets[i] = cols[i] + " = VALUES(" + cols[i] + ")"
	}
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	for len(rows) > 0 {
		n := im.stmtRows(batch, rows)
		var b strings.Builder
		b.WriteString(mysql.Tag + "INSERT INTO " + im.quotedTable() + " (" + strings.Join(cols, ", ") + ") VALUES ")
		args := make([]any, 0, n*len(cols))
		for k, i := range rows[:n] {
			if k > 0 {
				b.WriteString(", ")
			}
			b.WriteString(tuple)
			args = im.appendValues(args, batch[i])
		}
		if upsert {
			b.WriteString(" ON DUPLICATE KEY UPDATE " + strings.Join(sets, ", "))
		}
		if err := im.exec(ctx, tx, b.String(), args, batch, rows[:n]); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

func (im *importer) appendValues(args []any, row importRow) []any {
	for i, fc := range im.tbl.file {
		args = append(args, valueArg(fc.col, row.vals[i]))
	}
	return args
}

// stmtRows returns how many of rows fit in one statement (at least one).
func (im *importer) stmtRows(batch []importRow, rows []int) int {
	params, size := 0, 0
	for n, i := range rows {
		for _, v := range batch[i].vals {
			size += len(v)
		}
		params += len(im.tbl.file)
		if n > 0 && (params > maxStmtParams || size > maxStmtBytes) {
			return n
		}
	}
	return len(rows)
}

// updateRows overwrites rows one statement each, by key, setting every
// column of the file (see insertRows): used when the key is not the
// primary key, where ON DUPLICATE KEY UPDATE might pick the row of
// another unique key.
func (im *importer) updateRows(ctx context.Context, tx *sqlx.Tx, batch []importRow, rows []int) error {
	var sets, conds []string
	for _, fc := range im.tbl.file {
		sets = append(sets, "t."+mysql.QuoteIdent(fc.col.Name)+" = ?")
	}
	for _, k := range im.tbl.key {
		c := im.tbl.file[k].col
		conds = append(conds, "t."+mysql.QuoteIdent(c.Name)+" = "+keyExpr(c))
	}
	query := mysql.Tag + "UPDATE " + im.quotedTable() + " AS t SET " + strings.Join(sets, ", ") + " WHERE " + strings.Join(conds, " AND ")
	for _, i := range rows {
		args := im.appendValues(nil, batch[i])
		for _, k := range im.tbl.key {
			args = append(args, keyArg(im.tbl.file[k].col, batch[i].vals[k]))
		}
		if err := im.exec(ctx, tx, query, args, batch, []int{i}); err != nil {
			return err
		}
	}
	return nil
}

// deleteRows removes the rows with the keys of rows.
func (im *importer) deleteRows(ctx context.Context, tx *sqlx.Tx, batch []importRow, rows []int) error {
	for start := 0; start < len(rows); start += im.keyChunk() {
		chunk := rows[start:min(start+im.keyChunk(), len(rows))]
		keys, args := im.keysTable(batch, chunk)
		query := mysql.Tag + "DELETE t FROM " + keys + im.keyJoin()
		if err := im.exec(ctx, tx, query, args, batch, chunk); err != nil {
			return err
		}
	}
	return nil
}

// exec runs a writing statement for rows of batch and fails when the
// server reports a warning: a value it had to change would otherwise be
// stored changed. (The target's strict sql_mode makes most such values
// errors already; rowsError names them.)
func (im *importer) exec(ctx context.Context, tx *sqlx.Tx, query string, args []any, batch []importRow, rows []int) error {
	if _, err := tx.ExecContext(ctx, query, args...); err != nil {
		return rowsError(batch, rows, err)
	}
	w, err := firstWarning(ctx, tx)
	if err != nil || w == nil {
		return err
	}
	return weekback.Errorf(weekback.EINVALID, "the server would have changed a value of %s (%s %d: %s)",
		rowRange(batch, rows), w.Level, w.Code, w.Message)
}

// serverWarning is one line of SHOW WARNINGS.
type serverWarning struct {
	Level   string `db:"Level"`
	Code    int    `db:"Code"`
	Message string `db:"Message"`
}

// firstWarning returns the first warning of the last statement that is
// not a note (nor 1287, deprecated syntax: VALUES() on MySQL 8), or nil.
func firstWarning(ctx context.Context, tx *sqlx.Tx) (*serverWarning, error) {
	var warnings []serverWarning
	if err := sqlx.SelectContext(ctx, tx, &warnings, mysql.Tag+"SHOW WARNINGS"); err != nil {
		return nil, fmt.Errorf("read warnings: %w", err)
	}
	for _, w := range warnings {
		if w.Level != "Note" && w.Code != 1287 {
			return &w, nil
		}
	}
	return nil, nil
}

// rowsError turns the server's refusal of rows into a sentence naming
// them: foreign keys and duplicate keys are the file's problem, anything
// else is wrapped.
func rowsError(batch []importRow, rows []int, err error) error {
	var me *drv.MySQLError
	if !errors.As(err, &me) {
		return fmt.Errorf("write %s: %w", rowRange(batch, rows), err)
	}
	switch me.Number {
	case 1216, 1452:
		return weekback.Errorf(weekback.EINVALID, "the server refused %s: %s. Load the rows they refer to first, or fix the file",
			rowRange(batch, rows), me.Message)
	case 1217, 1451:
		return weekback.Errorf(weekback.EINVALID, "the server refused %s: %s. Other rows still refer to them: change those first",
			rowRange(batch, rows), me.Message)
	case 1062:
		return weekback.Errorf(weekback.EINVALID, "the server refused %s: %s (the file has the same key twice, or a value clashes with another unique key of the table)",
			rowRange(batch, rows), me.Message)
	case 1048, 1264, 1265, 1292, 1366, 1406:
		// Strict sql_mode: a NULL, number, date or text the column cannot hold as given.
		return weekback.Errorf(weekback.EINVALID, "the server would have changed a value of %s (%d: %s): fix it in the file",
			rowRange(batch, rows), me.Number, me.Message)
	}
	return fmt.Errorf("write %s: %w", rowRange(batch, rows), err)
}

// rowRange names the file rows of rows: "row 7" or "rows 1 to 500".
func rowRange(batch []importRow, rows []int) string {
	if len(rows) == 0 {
		return "no rows"
	}
	lo, hi := batch[rows[0]].row, batch[rows[0]].row
	for _, i := range rows {
		lo, hi = min(lo, batch[i].row), max(hi, batch[i].row)
	}
	if lo == hi {
		return fmt.Sprintf("row %d of the file", lo)
	}
	return fmt.Sprintf("rows %d to %d of the file", lo, hi)
}
