package main

import (
	"context"
	"fmt"
	"os"
	"time"

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

// writeDownload writes gen with export.WriteDaySQL to path.
func writeDownload(ctx context.Context, dsn string, gen *weekback.Generation, path string) error {
	db, err := mysql.Open(ctx, dsn, "WEEKBACK_TEST_DSN", mysql.RoleSource)
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Connx(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = export.WriteDaySQL(ctx, conn, gen, f, export.DaySQLOptions{})
	return err
}

// checkLoaded compares every table of target with src's content hash.
func checkLoaded(ctx context.Context, dsn, src, target string) error {
	want, err := generation(ctx, dsn, src)
	if err != nil {
		return err
	}
	got, err := generation(ctx, dsn, target)
	if err != nil {
		return err
	}
	for _, t := range want.Manifest.Tables {
		g := got.Manifest.Table(t.Name)
		if g == nil || g.Rows != t.Rows || g.Hash != t.Hash {
			return fmt.Errorf("table %s loaded differs from the source", t.Name)
		}
	}
	logf("every table loaded from the download has the source's content hash")
	return nil
}
