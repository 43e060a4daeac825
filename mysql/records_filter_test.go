package mysql_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// filterRows are the rows of the filter tests: values that carry SQL,
// LIKE wildcards, backslashes, quotes, unicode, NULL next to "".
var filterRows = []string{
	`(1, 'plain', 10, 18446744073709551615, 1.50, '2026-01-31 10:00:00', 0x00FF, 'a')`,
	`(2, ''' OR 1=1 --', -5, 0, 0.00, '2026-02-01 00:00:00', 0x27, 'b')`,
	"(3, '`x`; DROP TABLE t', 0, 9007199254740993, 99999999.99, '0000-00-00 00:00:00', 0x60, 'a,b')",
	`(4, '100%', 1000, 9007199254740992, -0.01, NULL, '', 'a')`,
	`(5, '100 percent', NULL, NULL, NULL, '2026-01-31 10:00:00', NULL, NULL)`,
	`(6, 'under_score', 7, 1, 12.34, '2026-01-31 09:59:59', 0x5C, 'b')`,
	`(7, 'underXscore', 7, 2, 12.35, '2026-01-31 10:00:01', 0x5F, 'c')`,
	`(8, 'back\\slash', 8, 3, 0.10, '2026-03-01 00:00:00', 0x25, 'b')`,
	`(9, '', 9, 4, 0.00, '2026-03-01 00:00:00', 0x00, '')`,
	`(10, NULL, 10, 5, NULL, NULL, NULL, NULL)`,
	`(11, '山田 太郎 ✓ "quoted"', 11, 6, 1.00, '2026-03-01 00:00:00', 0xE5B1B1, 'x')`,
	`(12, 'O''Brien', 12, 7, 1.00, '2026-03-01 00:00:00', 0x4F, 'a,b')`,
	`(13, 'NULL', 13, 8, 1.00, '2026-03-01 00:00:00', 0x4E554C4C, 'NULL')`,
	`(14, 'a,b', 14, 9, 1.00, '2026-03-01 00:00:00', 0x2C, 'a\\,b')`,
}

// TestRecordsFilters checks every operator against the rows a hand-written
// query selects, with values that carry SQL.
func TestRecordsFilters(t *testing.T) {
	e := newRecordsEnv(t, mysql.RoleSource)
	e.exec(t,
		"CREATE TABLE $S.f (id INT PRIMARY KEY, name VARCHAR(40) NULL, n INT NULL, big BIGINT UNSIGNED NULL, "+
			"price DECIMAL(10,2) NULL, at DATETIME NULL, bin VARBINARY(10) NULL, tag VARCHAR(10) CHARACTER SET latin1 NULL)",
		"SET SESSION sql_mode = ''",
	)
	mysqltestExecNoStrict(t, e, "INSERT INTO $S.f VALUES "+strings.Join(filterRows, ", "))
	for _, tt := range []struct {
		filter string
		where  string // the reference query's condition
	}{
		{"name=eq:plain", "name = 'plain'"},
		{"name=eq:' OR 1=1 --", "name = ''' OR 1=1 --'"},
		{"name=eq:`x`; DROP TABLE t", "name = '`x`; DROP TABLE t'"},
		{"name=eq:", "name = ''"},
		{"name=eq:NULL", "name = 'NULL'"},
		{"name=ne:plain", "name <> 'plain'"},
		{"name=eq:O'Brien", "name = 'O''Brien'"},
		{`name=eq:山田 太郎 ✓ "quoted"`, `name = '山田 太郎 ✓ "quoted"'`},
		{"name=contains:%", `name LIKE '%\%%'`},
		{"name=contains:_", `name LIKE '%\_%'`},
		{`name=contains:\`, `name LIKE '%\\\\%'`},
		{"name=contains:' OR '1'='1", "name LIKE '%'' OR ''1''=''1%'"},
		{"name=contains:!", "name LIKE '%!!%' ESCAPE '!'"},
		{"name=contains:太郎", "name LIKE '%太郎%'"},
		{"name=prefix:100", "name LIKE '100%'"},
		{"name=prefix:100%", `name LIKE '100\%%'`},
		{"name=prefix:under_", `name LIKE 'under\_%'`},
		{"name=lt:b", "name < 'b'"},
		{"name=in:plain,O'Brien,a\\,b", "name IN ('plain', 'O''Brien', 'a,b')"},
		{"name=in:", "name IN ('')"},
		{"name=isnull", "name IS NULL"},
		{"name=notnull", "name IS NOT NULL"},
		{"n=eq:7", "n = 7"},
		{"n=ne:7", "n <> 7"},
		{"n=lt:0", "n < 0"},
		{"n=le:0", "n <= 0"},
		{"n=gt:9", "n > 9"},
		{"n=ge:9", "n >= 9"},
		{"n=gt:7.5", "n > 7.5"},
		{"n=in:7,8,-5", "n IN (7, 8, -5)"},
		{"n=contains:0", "n LIKE '%0%'"},
		{"n=isnull", "n IS NULL"},
		{"big=eq:9007199254740993", "big = 9007199254740993"},
		{"big=gt:9007199254740992", "big > 9007199254740992"},
		{"big=eq:18446744073709551615", "big = 18446744073709551615"},
		{"big=ge:-1", "big >= -1"},
		{"price=eq:12.34", "price = 12.34"},
		{"price=gt:12.345", "price > 12.345"},
		{"price=lt:0", "price < 0"},
		{"price=in:1,0.1,99999999.99", "price IN (1, 0.1, 99999999.99)"},
		{"at=ge:2026-01-31 10:00:00", "at >= '2026-01-31 10:00:00'"},
		{"at=lt:2026-02-01", "at < '2026-02-01'"},
		{"at=eq:0000-00-00 00:00:00", "at = '0000-00-00 00:00:00'"},
		{"at=prefix:2026-01", "at LIKE '2026-01%'"},
		{"at=notnull", "at IS NOT NULL"},
		{"bin=eq:0x00ff", "bin = 0x00FF"},
		{"bin=eq:0x", "bin = ''"},
		{"bin=eq:NULL", "bin = 'NULL'"},
		{"bin=in:0x27,0x60,%", "bin IN (0x27, 0x60, '%')"},
		{"bin=contains:%", `bin LIKE '%\%%'`},
		{"tag=eq:a,b", "tag = 'a,b'"},
		{"tag=in:a\\,b,c", "tag IN ('a,b', 'c')"},
		{"tag=eq:a\\,b", "tag = 'a\\\\,b'"},
		{"tag=eq:山", "tag = '?' AND 0"},
		{"tag=ne:山", "tag IS NOT NULL"},
		{"tag=lt:山", "CONVERT(tag USING utf8mb4) < '山'"},
		{"tag=in:山,a\\,b", "tag IN ('a,b')"},
		{"tag=contains:山", "0"},
		{"tag=contains:,", "tag LIKE '%,%'"},
	} {
		t.Run(tt.filter, func(t *testing.T) {
			f, err := weekback.ParseFilter(tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			p := e.page(t, mysql.RecordQuery{Table: "f", Filters: []weekback.Filter{f}, PageSize: 500})
			want := e.queryStrings(t, "SELECT id FROM $S.f WHERE "+tt.where+" ORDER BY id")
			if got := keysOf(p.Rows); !slices.Equal(got, want) {
				t.Fatalf("rows %v, want %v (WHERE %s)", got, want, tt.where)
			}
		})
	}
}

// mysqltestExecNoStrict inserts with a permissive sql_mode (zero dates).
func mysqltestExecNoStrict(t *testing.T, e *recordsEnv, stmt string) {
	t.Helper()
	ctx := context.Background()
	c, err := e.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "SET SESSION sql_mode = ''"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExecContext(ctx, strings.ReplaceAll(stmt, "$S.", mysql.QuoteIdent(e.schema)+".")); err != nil {
		t.Fatal(err)
	}
}

// TestRecordsFilterCombined: several filters are ANDed, pages follow them.
func TestRecordsFilterCombined(t *testing.T) {
	e := newRecordsEnv(t, mysql.RoleBackup)
	e.exec(t,
		"CREATE TABLE $S.g (id INT PRIMARY KEY, k INT NULL, s VARCHAR(5) NULL)",
		"INSERT INTO $S.g SELECT seq, IF(seq % 4 = 0, NULL, seq % 10), CHAR(97 + seq % 3) FROM $S.seq_1_to_500",
	)
	var fs []weekback.Filter
	for _, expr := range []string{"k=notnull", "k=ge:3", "s=in:a,c"} {
		f, _ := weekback.ParseFilter(expr)
		fs = append(fs, f)
	}
	pages := e.walk(t, mysql.RecordQuery{Table: "g", Filters: fs, Sort: weekback.Sort{Column: "k", Desc: true}, PageSize: 17})
	want := e.queryStrings(t, "SELECT id FROM $S.g WHERE k IS NOT NULL AND k >= 3 AND s IN ('a', 'c') ORDER BY k DESC, id DESC")
	if got := keysOf(concat(pages)); !slices.Equal(got, want) {
		t.Fatalf("%d rows, want %d: %s", len(got), len(want), firstDiff(got, want))
	}
}
