package restore

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// importBenchRows is the size of the benchmark's file.
const importBenchRows = 100_000

// BenchmarkImport loads a file of importBenchRows typical rows: into an
// empty table (inserts), again (every row the same), and as an upsert that
// overwrites every row (undo file included). Run it with
// go test ./restore -run '^$' -bench Import -benchtime 1x.
func BenchmarkImport(b *testing.B) {
	admin := mysqltest.MustOpen(b)
	schema := mysqltest.MustCreateSchema(b, admin, "wbimpb_")
	mysqltest.MustExec(b, admin, "CREATE TABLE `"+schema+"`.orders (id BIGINT PRIMARY KEY, customer VARCHAR(40) NOT NULL, "+
		"total DECIMAL(12,2), placed DATETIME(3), status ENUM('new','paid','sent'), note TEXT, ref VARBINARY(16))")
	db, err := mysql.Open(context.Background(), mysqltest.DSN(b, schema), "--to", mysql.RoleTarget)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	dir := b.TempDir()
	first, second := filepath.Join(dir, "orders.csv"), filepath.Join(dir, "orders2.csv")
	writeBenchCSV(b, first, "")
	writeBenchCSV(b, second, " (changed)")
	for b.Loop() {
		mysqltest.MustExec(b, admin, "TRUNCATE `"+schema+"`.orders")
		for _, step := range []struct {
			name, path string
			mode       ImportMode
		}{{"insert", first, ImportInsert}, {"same", first, ImportInsert}, {"upsert", second, ImportUpsert}} {
			start := time.Now()
			rep := benchImport(b, db, step.path, step.mode)
			rate := float64(rep.Rows) / time.Since(start).Seconds()
			b.ReportMetric(rate, step.name+"-rows/s")
			b.Logf("%s: %s in %v: %.0f rows/s", step.name, counts(rep), time.Since(start).Round(time.Millisecond), rate)
		}
	}
}

func benchImport(b *testing.B, db *sqlx.DB, path string, mode ImportMode) *ImportReport {
	b.Helper()
	in, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	undo := fmt.Sprintf("%s.undo-%d.csv", path, time.Now().UnixNano())
	rep, err := Import(context.Background(), db, in, ImportOptions{Table: "orders", Mode: mode, Execute: true,
		UndoPath: undo, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	return rep
}

func writeBenchCSV(b *testing.B, path, suffix string) {
	b.Helper()
	var sb strings.Builder
	sb.WriteString("\"id\",\"customer\",\"total\",\"placed\",\"status\",\"note\",\"ref\"\r\n")
	for i := 1; i <= importBenchRows; i++ {
		fmt.Fprintf(&sb, "\"%d\",\"Customer %d%s\",\"%d.%02d\",\"2026-01-%02d 10:%02d:%02d.%03d\",\"%s\",%s,\"0x%032x\"\r\n",
			i, i%5000, suffix, i%100000, i%100, 1+i%28, i%60, (i/60)%60, i%1000, []string{"new", "paid", "sent"}[i%3],
			map[bool]string{true: "NULL", false: `"note ` + fmt.Sprint(i) + `, with ""quotes"""`}[i%4 == 0], i)
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
}
