package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/weekback/weekback/bench/dataset"
	"github.com/weekback/weekback/bench/internal/benchutil"
)

func (b *bench) table(name string) string { return benchutil.Qualify(srcSchema, name) }

// change applies Tuesday's changes to the source and records the counts
// every diff must find.
func (b *bench) change(ctx context.Context) error {
	b.want = map[string]counts{}
	for _, t := range append(dataset.Tables(), dataset.MarkerTable) {
		var n int64
		if err := b.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+b.table(t)).Scan(&n); err != nil {
			return fmt.Errorf("count %s: %w", t, err)
		}
		b.want[t] = counts{Table: t, RowsFrom: n, RowsTo: n}
	}
	res, err := b.DB.ExecContext(ctx, fmt.Sprintf("UPDATE %s SET total = total + %d WHERE id %% 100 = 37", b.table("orders"), markTotal))
	if err != nil {
		return fmt.Errorf("change orders: %w", err)
	}
	changed, _ := res.RowsAffected()
	o := b.want["orders"]
	o.Changed = changed
	b.want["orders"] = o
	first := b.want["customers"].RowsFrom + 1
	_, err = b.DB.ExecContext(ctx, fmt.Sprintf(`INSERT INTO %s (id, name, email, phone, created_at, notes)
		SELECT seq, CONCAT('Bench customer ', seq), CONCAT('bench.', seq, '@example.jp'), NULL, '2026-12-01 09:00:00', NULL
		FROM %s`, b.table("customers"), b.table(fmt.Sprintf("seq_%d_to_%d", first, first+addedCustomers-1))))
	if err != nil {
		return fmt.Errorf("add customers: %w", err)
	}
	c := b.want["customers"]
	c.RowsTo, c.Added = c.RowsTo+addedCustomers, addedCustomers
	b.want["customers"] = c
	benchutil.Logf("changed %d orders (1 %%, scattered) and added %d customers", changed, addedCustomers)
	return nil
}

// restoreSource undoes change (also what an interrupted run left): the
// marked totals and the customers after the generated ones.
func (b *bench) restoreSource(ctx context.Context) error {
	stmts := []string{
		fmt.Sprintf("UPDATE %s SET total = total - %d WHERE total >= %d", b.table("orders"), markTotal, markTotal),
		fmt.Sprintf("DELETE FROM %s WHERE id > %d", b.table("customers"), dataset.RowCounts(b.o.scale)["customers"]),
	}
	for _, s := range stmts {
		if _, err := b.DB.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("restore the source: %w", err)
		}
	}
	return nil
}

// inServer is the alternative measured against the merge: the backup
// server compares the two slots itself, per table an anti-join each way
// and a join by key comparing every column in binary, counts only.
func (b *bench) inServer(ctx context.Context) error {
	mon, tue, err := b.slots(ctx)
	if err != nil {
		return err
	}
	for _, t := range dataset.Tables() {
		cols, err := b.columns(ctx, mon, t)
		if err != nil {
			return err
		}
		var same []string
		for _, c := range cols {
			q := benchutil.Quote(c)
			same = append(same, fmt.Sprintf("BINARY a.%s <=> BINARY b.%s", q, q))
		}
		a, bb := benchutil.Qualify(mon, t), benchutil.Qualify(tue, t)
		var deleted, added, changed int64
		for _, q := range []struct {
			sql string
			n   *int64
		}{
			{"SELECT COUNT(*) FROM " + a + " a LEFT JOIN " + bb + " b ON b.id = a.id WHERE b.id IS NULL", &deleted},
			{"SELECT COUNT(*) FROM " + bb + " b LEFT JOIN " + a + " a ON a.id = b.id WHERE a.id IS NULL", &added},
			{"SELECT COUNT(*) FROM " + a + " a JOIN " + bb + " b ON b.id = a.id WHERE NOT (" + strings.Join(same, " AND ") + ")", &changed},
		} {
			if err := b.DB.QueryRowContext(ctx, q.sql).Scan(q.n); err != nil {
				return fmt.Errorf("in-server compare of %s: %w", t, err)
			}
		}
		if w := b.want[t]; added != w.Added || deleted != w.Deleted || changed != w.Changed {
			return fmt.Errorf("in-server compare of %s: +%d -%d ~%d, want +%d -%d ~%d", t, added, deleted, changed, w.Added, w.Deleted, w.Changed)
		}
	}
	return nil
}

// slots returns the slots of Monday and Tuesday.
func (b *bench) slots(ctx context.Context) (mon, tue string, err error) {
	q := "SELECT slot FROM " + benchutil.Qualify(backupPrefix+"_meta", "generations") + " WHERE day = ?"
	if err = b.DB.QueryRowContext(ctx, q, "mon").Scan(&mon); err == nil {
		err = b.DB.QueryRowContext(ctx, q, "tue").Scan(&tue)
	}
	if err != nil {
		return "", "", fmt.Errorf("read the slots: %w", err)
	}
	return mon, tue, nil
}

func (b *bench) columns(ctx context.Context, schema, table string) ([]string, error) {
	rows, err := b.DB.QueryContext(ctx, `SELECT COLUMN_NAME FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`, schema, table)
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
