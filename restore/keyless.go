package restore

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
)

// A table without a key is matched row by row on every stored column,
// byte for byte (text compared in binary collation), one statement a row:
// such tables are rare and small. A DELETE removes one copy (LIMIT 1), so
// a row stored twice is undone copy by copy.

// rowCond returns the condition that matches r exactly; alias qualifies
// the columns ("t." or "" for a single-table DELETE).
func rowCond(t *table, r row, alias string) (string, []any) {
	conds := make([]string, len(t.cols))
	var args []any
	for i := range t.cols {
		c := &t.cols[i]
		expr := readExprOf(alias+mysql.QuoteIdent(c.Name), c)
		switch {
		case r[i] == nil:
			conds[i] = expr + " IS NULL"
			continue
		case export.WritesHex(c.Kind):
			conds[i] = expr + " = ?"
		default:
			conds[i] = "CONVERT(" + expr + " USING utf8mb4) COLLATE utf8mb4_bin = ?"
		}
		args = append(args, valueArg(c, r[i]))
	}
	return strings.Join(conds, " AND "), args
}

// lookupKeyless returns the rows of schema.t equal to one of rows, by
// keyText (the whole row).
func lookupKeyless(ctx context.Context, q sqlx.QueryerContext, schema string, t *table, rows []row, suffix string) (map[string]row, error) {
	found := map[string]row{}
	for _, r := range rows {
		cond, args := rowCond(t, r, "t.")
		got, err := scanRows(ctx, q, mysql.Tag+"SELECT "+t.readExprs()+" FROM "+mysql.QuoteTable(schema, t.name)+" AS t WHERE "+cond+" LIMIT 1"+suffix, args, len(t.cols))
		if err != nil {
			return nil, err
		}
		if len(got) > 0 {
			found[t.keyText(got[0])] = got[0]
		}
	}
	return found, nil
}

// deleteKeyless deletes one copy of each of rows.
func deleteKeyless(ctx context.Context, tx *sqlx.Tx, schema string, t *table, rows []row) error {
	for _, r := range rows {
		cond, args := rowCond(t, r, "")
		if err := execChecked(ctx, tx, t, mysql.Tag+"DELETE FROM "+mysql.QuoteTable(schema, t.name)+" WHERE "+cond+" LIMIT 1", args); err != nil {
			return err
		}
	}
	return nil
}
