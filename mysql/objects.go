package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
)

// Objects returns the DDL of the triggers, routines and events of schema,
// as text for the manifest (they are never created in a slot). An object
// whose DDL the account may not read is kept with an empty DDL.
func Objects(ctx context.Context, q sqlx.QueryerContext, schema string) (triggers, routines, events []weekback.ObjectDDL, err error) {
	if triggers, err = listObjects(ctx, q, schema, `SELECT TRIGGER_NAME, 'TRIGGER', EVENT_OBJECT_TABLE
		FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY EVENT_OBJECT_TABLE, ACTION_ORDER, TRIGGER_NAME`); err != nil {
		return nil, nil, nil, err
	}
	if routines, err = listObjects(ctx, q, schema, `SELECT ROUTINE_NAME, ROUTINE_TYPE, ''
		FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? ORDER BY ROUTINE_TYPE, ROUTINE_NAME`); err != nil {
		return nil, nil, nil, err
	}
	if events, err = listObjects(ctx, q, schema, `SELECT EVENT_NAME, 'EVENT', ''
		FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? ORDER BY EVENT_NAME`); err != nil {
		return nil, nil, nil, err
	}
	for _, list := range [][]weekback.ObjectDDL{triggers, routines, events} {
		for i := range list {
			o := &list[i]
			o.DDL, err = showCreate(ctx, q, "SHOW CREATE "+o.Type+" "+QuoteTable(schema, o.Name))
			if err != nil {
				return nil, nil, nil, err
			}
		}
	}
	return triggers, routines, events, nil
}

func listObjects(ctx context.Context, q sqlx.QueryerContext, schema, query string) ([]weekback.ObjectDDL, error) {
	rows, err := q.QueryxContext(ctx, Tag+query, schema)
	if err != nil {
		return nil, fmt.Errorf("list objects of %s: %w", schema, err)
	}
	defer rows.Close()
	var out []weekback.ObjectDDL
	for rows.Next() {
		var o weekback.ObjectDDL
		if err := rows.Scan(&o.Name, &o.Type, &o.Table); err != nil {
			return nil, fmt.Errorf("list objects of %s: %w", schema, err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list objects of %s: %w", schema, err)
	}
	return out, nil
}

// showCreate runs a SHOW CREATE statement and returns its DDL column
// ("Create …" or "SQL Original Statement"); "" when the server hides it.
func showCreate(ctx context.Context, q sqlx.QueryerContext, stmt string) (string, error) {
	rows, err := q.QueryxContext(ctx, Tag+stmt)
	if err != nil {
		if IsErrorNumber(err, ErrSpecificAccess) || IsErrorNumber(err, ErrTableAccess) || IsErrorNumber(err, 1305) {
			return "", nil
		}
		return "", fmt.Errorf("%s: %w", strings.ToLower(stmt), err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", fmt.Errorf("%s: %w", strings.ToLower(stmt), err)
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return "", fmt.Errorf("%s: %w", strings.ToLower(stmt), err)
		}
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("%s: %w", strings.ToLower(stmt), err)
	}
	for i, c := range cols {
		if strings.HasPrefix(c, "Create ") || c == "SQL Original Statement" {
			return vals[i].String, nil
		}
	}
	return "", nil
}

// ShowCreateSequence returns the CREATE SEQUENCE statement of
// schema.name, or "" when the account may not read it.
func ShowCreateSequence(ctx context.Context, q sqlx.QueryerContext, schema, name string) (string, error) {
	return showCreate(ctx, q, "SHOW CREATE SEQUENCE "+QuoteTable(schema, name))
}

// SequenceNext returns the next value the sequence schema.name hands out
// once its cache is spent (next_not_cached_value): what a copy restarts
// at, as mariadb-dump does.
func SequenceNext(ctx context.Context, q sqlx.QueryerContext, schema, name string) (int64, error) {
	var next int64
	if err := sqlx.GetContext(ctx, q, &next, Tag+"SELECT next_not_cached_value FROM "+QuoteTable(schema, name)); err != nil {
		return 0, fmt.Errorf("read sequence %s: %w", name, err)
	}
	return next, nil
}
