package main

import (
	"context"
	"io"
	"testing"

	"github.com/weekback/weekback/bench/dataset"
	"github.com/weekback/weekback/bench/internal/benchutil"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
)

// profileScale is the dataset BenchmarkExportCSV reads (wbexpsrc_0_1,
// 200,000 orders; generated once and kept, as the benchmark's own runs
// do).
const profileScale = 0.1

// BenchmarkExportCSV runs ExportCSV in this process on the dataset's
// orders table, to io.Discard, in the two profiles the benchmark
// measures: the reader and the encoder without process start, files or
// fsync, for CPU profiles:
//
//	go test ./bench/export -run '^$' -bench ExportCSV -benchtime 3x -cpuprofile /tmp/export.cpu
func BenchmarkExportCSV(b *testing.B) {
	ctx := context.Background()
	cfg, db, err := benchutil.Connect(ctx, benchutil.DSN(), 2)
	if err != nil {
		b.Skipf("no server: %v", err)
	}
	defer db.Close()
	schema := sourceSchema(profileScale)
	if err := dataset.Generate(ctx, db, schema, profileScale, b.Logf); err != nil {
		b.Fatal(err)
	}
	cfg.DBName = schema
	pool, err := mysql.Open(ctx, cfg.FormatDSN(), "backup.reader_dsn", mysql.RoleExport)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	profiles := []struct {
		name string
		opts export.CSVOptions
	}{
		{"reimport", export.CSVOptions{}},
		{"spreadsheet-sjis", export.CSVOptions{Profile: export.ProfileSpreadsheet, Encoding: export.EncodingShiftJIS, Lossy: true}},
	}
	for _, p := range profiles {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				conn, err := pool.Connx(ctx)
				if err != nil {
					b.Fatal(err)
				}
				q := mysql.RecordQuery{Schema: schema, Table: exportTable}
				res, err := export.ExportCSV(ctx, conn, mysql.NewCatalog(), q, io.Discard, p.opts, nil)
				conn.Close()
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(res.Rows), "rows/op")
			}
		})
	}
}
