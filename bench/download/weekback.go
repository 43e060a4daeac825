package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
)

// generation describes schema as a served generation would: the schema
// stands in for a slot, its tables' content hashes in the manifest.
func generation(ctx context.Context, dsn, schema string) (*weekback.Generation, error) {
	db, err := mysql.Open(ctx, dsn, "WEEKBACK_TEST_DSN", mysql.RoleSource)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	tables, err := mysql.Tables(ctx, db, schema)
	if err != nil {
		return nil, err
	}
	m := &weekback.Manifest{Version: weekback.ManifestVersion, Day: weekback.Monday, Slot: schema, SourceSchema: schema, SnapshotAt: time.Now()}
	conn, err := db.Connx(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	for _, t := range tables {
		n, h, err := mysql.StreamHash(ctx, conn, schema, t.Name, t.Copied())
		if err != nil {
			return nil, err
		}
		m.Tables = append(m.Tables, weekback.TableInfo{Name: t.Name, Columns: mysql.ColumnNames(t.Copied()), Rows: n, Hash: h})
	}
	return &weekback.Generation{Day: weekback.Monday, Status: weekback.StatusReady, Slot: schema, Manifest: m}, nil
}

// writeDownload writes gen with export.WriteDaySQL to path and returns
// the credential columns it wrote blank ("table.column").
func writeDownload(ctx context.Context, dsn string, gen *weekback.Generation, path string) ([]string, error) {
	db, err := mysql.Open(ctx, dsn, "WEEKBACK_TEST_DSN", mysql.RoleSource)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	conn, err := db.Connx(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	res, err := export.WriteDaySQL(ctx, conn, gen, f, export.DaySQLOptions{})
	if err != nil {
		return nil, err
	}
	return res.Blanked, nil
}

// checkLoaded compares every table of target with src: the content hash of
// its columns, but for the credential columns the download wrote blank
// (blanked, "table.column"; secrets never leave in a download), in which
// no value of the source may appear.
func checkLoaded(ctx context.Context, dsn, src, target string, blanked []string) error {
	db, err := mysql.Open(ctx, dsn, "WEEKBACK_TEST_DSN", mysql.RoleSource)
	if err != nil {
		return err
	}
	defer db.Close()
	tables, err := mysql.Tables(ctx, db, src)
	if err != nil {
		return err
	}
	blank := map[string]bool{}
	for _, b := range blanked {
		blank[b] = true
	}
	for _, t := range tables {
		var cols []mysql.Column
		for _, c := range t.Copied() {
			if blank[t.Name+"."+c.Name] {
				if err := checkBlank(ctx, db, src, target, t.Name, c.Name); err != nil {
					return err
				}
				continue
			}
			cols = append(cols, c)
		}
		if err := sameContent(ctx, db, src, target, t.Name, cols); err != nil {
			return err
		}
	}
	logf("every table loaded from the download has the source's content hash (credential columns written blank: %v)", blanked)
	return nil
}

// sameContent compares the row count and content hash of cols of table in
// the schemas src and target.
func sameContent(ctx context.Context, db *sqlx.DB, src, target, table string, cols []mysql.Column) error {
	conn, err := db.Connx(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	n1, h1, err := mysql.StreamHash(ctx, conn, src, table, cols)
	if err != nil {
		return err
	}
	n2, h2, err := mysql.StreamHash(ctx, conn, target, table, cols)
	if err != nil {
		return err
	}
	if n1 != n2 || h1 != h2 {
		return fmt.Errorf("table %s loaded differs from the source (%d rows against %d)", table, n2, n1)
	}
	return nil
}

// checkBlank fails when a non-empty value of column in src appears in the
// same column in target.
func checkBlank(ctx context.Context, db *sqlx.DB, src, target, table, column string) error {
	col := mysql.QuoteIdent(column)
	var leaked int
	err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+mysql.QuoteTable(target, table)+" WHERE "+col+" IN (SELECT "+col+
		" FROM "+mysql.QuoteTable(src, table)+" WHERE "+col+" <> '')").Scan(&leaked)
	if err != nil {
		return err
	}
	if leaked > 0 {
		return fmt.Errorf("table %s: %d values of the credential column %s are in the download", table, leaked, column)
	}
	return nil
}
