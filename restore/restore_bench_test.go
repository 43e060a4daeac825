package restore_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/restore"
)

// restoreBenchRows is how many rows BenchmarkRestoreVsImport brings back.
const restoreBenchRows = 100_000

// BenchmarkRestoreVsImport measures what restoring restoreBenchRows
// deleted rows costs: `restore --missing-in production` (plan, write,
// read back and verify) against a plain `import --execute` of the same
// rows exported from the same day, in the same run. Run it with
// go test ./restore -run '^$' -bench RestoreVsImport -benchtime 1x.
func BenchmarkRestoreVsImport(b *testing.B) {
	script := filepath.Join(b.TempDir(), "orders.sql")
	body := fmt.Sprintf(`CREATE TABLE orders (id BIGINT PRIMARY KEY, customer VARCHAR(40) NOT NULL, total DECIMAL(12,2),
  placed DATETIME(3), status ENUM('new','paid','sent'), note TEXT, ref VARBINARY(16)) ENGINE=InnoDB;
INSERT INTO orders SELECT seq, CONCAT('Customer ', seq %% 5000), seq / 100, '2026-01-01' + INTERVAL seq SECOND,
  ELT(1 + seq %% 3, 'new', 'paid', 'sent'), IF(seq %% 7 = 0, NULL, CONCAT('note ', MD5(seq))), UNHEX(MD5(seq)) FROM seq_1_to_%d;
`, restoreBenchRows)
	if err := os.WriteFile(script, []byte(body), 0o600); err != nil {
		b.Fatal(err)
	}
	f := mustFixture(b, script, weekback.Thursday)
	src, target := f.restoreSource(b), f.target(b)
	csv := exportBenchCSV(b, f)
	for b.Loop() {
		f.exec(b, "TRUNCATE "+mysql.QuoteTable(f.Source, "orders"))
		start := time.Now()
		p := mustPlan(b, src, target, restore.Options{Table: "orders", MissingIn: restore.Production, Execute: true,
			UndoPath: filepath.Join(b.TempDir(), "restore.undo.jsonl")})
		var mem runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&mem)
		b.ReportMetric(float64(mem.HeapAlloc)/(1<<20), "plan-heap-MiB")
		if err := p.Execute(context.Background(), target); err != nil {
			b.Fatal(err)
		}
		restoreTime := time.Since(start)
		f.exec(b, "TRUNCATE "+mysql.QuoteTable(f.Source, "orders"))
		start = time.Now()
		in, err := os.Open(csv)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := restore.Import(context.Background(), mustOpenTarget(b, f.Source), in, restore.ImportOptions{Table: "orders", Execute: true,
			UndoPath: filepath.Join(b.TempDir(), "import.undo.csv"), Logger: slog.New(slog.DiscardHandler)})
		in.Close()
		if err != nil || rep.Insert != restoreBenchRows {
			b.Fatalf("import: %v (%+v)", err, rep)
		}
		importTime := time.Since(start)
		b.ReportMetric(restoreTime.Seconds(), "restore-s")
		b.ReportMetric(importTime.Seconds(), "import-s")
		b.ReportMetric(restoreTime.Seconds()/importTime.Seconds(), "restore/import")
		b.Logf("%d rows: restore (plan, write, verify) %v, import of the same rows %v: ratio %.2f",
			restoreBenchRows, restoreTime.Round(time.Millisecond), importTime.Round(time.Millisecond), restoreTime.Seconds()/importTime.Seconds())
	}
}

// exportBenchCSV exports the day's orders as a reimport CSV.
func exportBenchCSV(b *testing.B, f *fixture) string {
	b.Helper()
	ctx := context.Background()
	db := mustOpenRoleExport(b)
	conn, err := db.Connx(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	path := filepath.Join(b.TempDir(), "orders.csv")
	out, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	q := mysql.RecordQuery{Schema: f.Gen.Slot, Table: "orders"}
	if _, err := export.ExportCSV(ctx, conn, new(mysql.Catalog), q, out, export.CSVOptions{}, nil); err != nil {
		b.Fatal(err)
	}
	return path
}
