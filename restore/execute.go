package restore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	drv "github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// Execute writes the plan into target (the pool Build planned against):
// the missing tables first, then each table's rows parents first, in
// transactions of BatchSize rows (a cycle group in one transaction with
// foreign_key_checks=0 for exactly that group, its references checked by
// query before the commit). Each transaction locks the rows of its keys
// and classifies them again, so rows written since the plan are left
// alone and a re-run of an interrupted restore converges. The undo file
// gets every row before the transaction that writes it commits. Columns
// production's BEFORE INSERT triggers set are written back in the same
// transaction. Every written row is then read back and compared with the
// day's (Verify).
//
// It returns an EINVALID *weekback.Error when the plan has rows without a
// parent or a blocked table (nothing is written then), EABORTED when ctx
// ends part way (the transactions before stay committed: run again),
// EMISMATCH when verification finds a difference, and wrapped errors
// otherwise.
func (p *Plan) Execute(ctx context.Context, target *sqlx.DB) error {
	if p.Executed {
		return errors.New("execute restore plan: the plan ran already")
	}
	if err := p.mayExecute(); err != nil {
		return err
	}
	p.Executed = true
	u, err := createUndoFile(p.opts.UndoPath, undoLine{Kind: "restore", Schema: p.Schema, Day: p.Day, At: ptr(p.opts.Now().UTC())})
	if err != nil {
		return err
	}
	p.UndoPath = u.path
	err = p.write(ctx, target, u)
	if cerr := u.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return p.Verify(ctx, target)
}

func ptr[T any](v T) *T { return &v }

// mayExecute refuses a plan the server would refuse part way.
func (p *Plan) mayExecute() error {
	if p.opts.UndoPath == "" {
		return weekback.Errorf(weekback.EINVALID, "a restore that writes needs an undo file: set --undo-file")
	}
	if p.Orphan > 0 {
		o := p.Orphans[0]
		return weekback.Errorf(weekback.EINVALID,
			"%d rows to restore reference a parent row that is neither in the target nor in the restore (the first: %s %s, %s = %s, not in %s): nothing was written. Add --with-related to bring the parents back too, or restore %s first",
			p.Orphan, o.Table, o.Key, o.ForeignKey, o.Values, o.Parent, o.Parent)
	}
	for _, tp := range p.Tables {
		if tp.Blocked != "" {
			return weekback.Errorf(weekback.ECONFLICT, "table %s cannot be restored: %s; nothing was written", tp.Table, tp.Blocked)
		}
	}
	return nil
}

// write creates the missing tables and writes the groups in order.
func (p *Plan) write(ctx context.Context, target *sqlx.DB, u *undoWriter) error {
	if p.Create != nil {
		if err := ApplyTemplate(ctx, target, p.Create); err != nil {
			return err
		}
		for _, tp := range p.Tables {
			tp.t.exists = tp.t.exists || tp.Create
		}
	}
	for i := 0; i < len(p.Tables); {
		j := i + 1
		for g := p.Tables[i].Group; g > 0 && j < len(p.Tables) && p.Tables[j].Group == g; j++ {
		}
		var err error
		if p.Tables[i].Group > 0 {
			err = p.writeGroup(ctx, target, u, p.Tables[i:j])
		} else {
			err = p.writeTable(ctx, target, u, p.Tables[i])
		}
		if err != nil {
			if ctx.Err() != nil {
				return weekback.Errorf(weekback.EABORTED,
					"the restore stopped in table %s (%v): the transactions before were committed and are in the undo file %s; run the same restore again to finish (rows already there are found identical and left alone)",
					p.Tables[i].Table, err, u.path)
			}
			return err
		}
		i = j
	}
	return nil
}

// writeTable writes one table in transactions of BatchSize rows.
func (p *Plan) writeTable(ctx context.Context, target *sqlx.DB, u *undoWriter, tp *TablePlan) error {
	total := len(tp.insert) + len(tp.updates)
	for start := 0; start < total; start += p.opts.BatchSize {
		end := min(start+p.opts.BatchSize, total)
		err := p.inTx(ctx, target, u, func(tx *sqlx.Tx) error { return p.writeRange(ctx, tx, u, tp, start, end) })
		if err != nil {
			return err
		}
		p.progress(tp, end, total)
	}
	return nil
}

// writeGroup writes a cycle group in one transaction with foreign key
// checks off for it, and checks its references before the commit.
func (p *Plan) writeGroup(ctx context.Context, target *sqlx.DB, u *undoWriter, group []*TablePlan) error {
	conn, err := target.Connx(ctx)
	if err != nil {
		return fmt.Errorf("connect to the target: %w", err)
	}
	defer conn.Close()
	defer conn.ExecContext(context.WithoutCancel(ctx), mysql.Tag+"SET foreign_key_checks = 1") //nolint:errcheck // best effort on a connection that is closed next
	if _, err := conn.ExecContext(ctx, mysql.Tag+"SET foreign_key_checks = 0"); err != nil {
		return fmt.Errorf("turn foreign key checks off: %w", err)
	}
	err = p.inTx(ctx, conn, u, func(tx *sqlx.Tx) error {
		for _, tp := range group {
			total := len(tp.insert) + len(tp.updates)
			for start := 0; start < total; start += p.opts.BatchSize {
				if err := p.writeRange(ctx, tx, u, tp, start, min(start+p.opts.BatchSize, total)); err != nil {
					return err
				}
			}
		}
		return p.checkGroup(ctx, tx, group)
	})
	if err == nil {
		for _, tp := range group {
			n := len(tp.insert) + len(tp.updates)
			p.progress(tp, n, n)
		}
	}
	return err
}

// beginner is a pool or a connection.
type beginner interface {
	BeginTxx(ctx context.Context, opts *sql.TxOptions) (*sqlx.Tx, error)
}

// inTx runs fn in a transaction; the undo rows fn writes are synced before
// the commit and cut off again when it fails.
func (p *Plan) inTx(ctx context.Context, db beginner, u *undoWriter, fn func(tx *sqlx.Tx) error) error {
	mark, err := u.mark()
	if err != nil {
		return err
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin a transaction: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	if err = fn(tx); err == nil {
		err = u.sync()
	}
	if err != nil {
		return errors.Join(err, u.cut(mark))
	}
	// A failed commit may still have committed: the undo rows stay.
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// writeRange writes the inserts and set-backs start..end of tp (inserts
// first) inside tx.
func (p *Plan) writeRange(ctx context.Context, tx *sqlx.Tx, u *undoWriter, tp *TablePlan, start, end int) error {
	var rows []row
	for k := start; k < min(end, len(tp.insert)); k++ {
		rows = append(rows, tp.rows.rows[tp.insert[k]])
	}
	if len(rows) > 0 {
		if err := p.insertRows(ctx, tx, u, tp, rows); err != nil {
			return err
		}
	}
	if end > len(tp.insert) {
		return p.setBack(ctx, tx, u, tp, tp.updates[max(0, start-len(tp.insert)):end-len(tp.insert)])
	}
	return nil
}

// insertRows inserts the rows whose key is still free (locking the keys),
// saving each to the undo file first, then writes back the columns
// triggers stamped.
func (p *Plan) insertRows(ctx context.Context, tx *sqlx.Tx, u *undoWriter, tp *TablePlan, rows []row) error {
	t := tp.t
	cur, err := lookup(ctx, tx, p.Schema, t, rows, " FOR UPDATE")
	if err != nil {
		return err
	}
	var ins []row
	for _, r := range rows {
		c, ok := cur[t.keyText(r)]
		if ok {
			t.keepBlanked(r, c)
		}
		switch {
		case !ok:
			ins = append(ins, r)
		case sameRow(r, c): // written since the plan (a re-run, or a trigger of another table)
			tp.Insert--
			tp.Same++
		default:
			tp.Insert--
			tp.addConflict(Conflict{Key: t.keyShow(r), Fields: t.differing(r, nil, c)})
		}
	}
	for _, r := range ins {
		if err := u.add(t, opDelete, tp.Group, r); err != nil {
			return err
		}
	}
	if err := u.sync(); err != nil {
		return err
	}
	if err := insertStatements(ctx, tx, p.Schema, t, ins); err != nil {
		return err
	}
	if err := writeStamped(ctx, tx, p.Schema, t, ins); err != nil {
		return err
	}
	tp.Inserted += int64(len(ins))
	tp.written = append(tp.written, ins...)
	return nil
}

// insertStatements inserts rows with multi-row statements.
func insertStatements(ctx context.Context, tx *sqlx.Tx, schema string, t *table, rows []row) error {
	cols := make([]string, len(t.cols))
	for i, c := range t.cols {
		cols[i] = mysql.QuoteIdent(c.Name)
	}
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	for len(rows) > 0 {
		n := stmtRows(rows, len(cols))
		var b strings.Builder
		b.WriteString(mysql.Tag + "INSERT INTO " + mysql.QuoteTable(schema, t.name) + " (" + strings.Join(cols, ", ") + ") VALUES ")
		args := make([]any, 0, n*len(cols))
		for k, r := range rows[:n] {
			if k > 0 {
				b.WriteString(", ")
			}
			b.WriteString(tuple)
			for i := range t.cols {
				args = append(args, valueArg(&t.cols[i], r[i]))
			}
		}
		if err := execChecked(ctx, tx, t, b.String(), args); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// stmtRows returns how many of rows fit in one statement (at least one).
func stmtRows(rows []row, cols int) int {
	params, size := 0, 0
	for n, r := range rows {
		for _, v := range r {
			size += len(v)
		}
		params += cols
		if n > 0 && (params > maxStmtParams || size > maxStmtBytes) {
			return n
		}
	}
	return len(rows)
}

// writeStamped writes the day's values of the columns BEFORE INSERT
// triggers set back over what they stored (an UPDATE fires no INSERT
// trigger).
func writeStamped(ctx context.Context, tx *sqlx.Tx, schema string, t *table, rows []row) error {
	cols := t.stampedColumns()
	if len(cols) == 0 || len(rows) == 0 {
		return nil
	}
	return updateColumns(ctx, tx, schema, t, cols, rows)
}

// updateColumns sets cols of each of rows (found by key) to the row's
// values, one statement a row.
func updateColumns(ctx context.Context, tx *sqlx.Tx, schema string, t *table, cols []int, rows []row) error {
	sets := make([]string, len(cols))
	for i, c := range cols {
		sets[i] = "t." + mysql.QuoteIdent(t.cols[c].Name) + " = ?"
	}
	conds := make([]string, len(t.key))
	for i, k := range t.key {
		conds[i] = "t." + mysql.QuoteIdent(t.cols[k].Name) + " = " + keyExpr(&t.cols[k])
	}
	query := mysql.Tag + "UPDATE " + mysql.QuoteTable(schema, t.name) + " AS t SET " + strings.Join(sets, ", ") + " WHERE " + strings.Join(conds, " AND ")
	for _, r := range rows {
		args := make([]any, 0, len(cols)+len(t.key))
		for _, c := range cols {
			args = append(args, valueArg(&t.cols[c], r[c]))
		}
		for _, k := range t.key {
			args = append(args, keyArg(&t.cols[k], r[k]))
		}
		if err := execChecked(ctx, tx, t, query, args); err != nil {
			return err
		}
	}
	return nil
}

// execChecked runs a writing statement and fails on any warning the
// server reports (SHOW WARNINGS): a value it changed would otherwise be
// stored changed.
func execChecked(ctx context.Context, tx *sqlx.Tx, t *table, query string, args []any) error {
	if _, err := tx.ExecContext(ctx, query, args...); err != nil {
		return writeError(t, err)
	}
	w, err := firstWarning(ctx, tx)
	if err != nil || w == nil {
		return err
	}
	return weekback.Errorf(weekback.EINVALID, "the server would have changed a value of %s (%s %d: %s): the transaction was rolled back", t.name, w.Level, w.Code, w.Message)
}

// writeError words the server's refusal of rows of t.
func writeError(t *table, err error) error {
	var me *drv.MySQLError
	if !errors.As(err, &me) {
		return fmt.Errorf("write %s: %w", t.name, err)
	}
	return weekback.Errorf(weekback.EINVALID, "the server refused rows of %s (%d: %s): the transaction was rolled back; fix the cause and run the same restore again", t.name, me.Number, me.Message)
}

// progress reports a committed batch on the Progress writer.
func (p *Plan) progress(tp *TablePlan, done, total int) {
	if p.opts.Progress != nil {
		fmt.Fprintf(p.opts.Progress, "restore: %s: %d of %d rows\n", tp.Table, done, total)
	}
}
