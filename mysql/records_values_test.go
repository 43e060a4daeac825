package mysql_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

const zooColumns = `id INT PRIMARY KEY, v VARCHAR(20) NULL, lat VARCHAR(10) CHARACTER SET latin1 NULL, b VARBINARY(10) NULL,
	bl BLOB NULL, bt BIT(10) NULL, g POINT NULL, j JSON NULL, f FLOAT NULL, d DOUBLE NULL, de DECIMAL(20,6) NULL,
	dt DATETIME(6) NULL, zd DATE NULL, tm TIME NULL, y YEAR NULL, e ENUM('a','b') NULL, s SET('a','b','c') NULL,
	lt LONGTEXT NULL, u BIGINT UNSIGNED NULL`

var zooRows = []string{
	`(1, 'héllo ✓', 'café', 0x00FF, 'blob', b'101', POINT(1, 2), '{"a": [1, 2]}', 0.1, 1e308, -12.5,
	  '2026-11-23 23:30:00.123456', '0000-00-00', '-838:59:59', 0, 'b', 'a,c', REPEAT('é', 3000), 18446744073709551615)`,
	`(2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
	`(3, '', '', '', '', b'0', POINT(0, 0), '""', 0, 0, 0, '1000-01-01 00:00:00', '2026-02-28', '00:00:00', 2155, 'a', '', '', 0)`,
}

// TestRecordsValues checks what a page holds for each type: NULL apart
// from "", text as UTF-8, bytes raw, WKT, the server's text for numbers
// and dates, long values cut; on connections of either role.
func TestRecordsValues(t *testing.T) {
	for _, role := range []mysql.Role{mysql.RoleSource, mysql.RoleBackup} {
		t.Run(fmt.Sprint("role ", role), func(t *testing.T) {
			e := newRecordsEnv(t, role)
			e.exec(t, "CREATE TABLE $S.zoo ("+zooColumns+")")
			mysqltestExecNoStrict(t, e, "INSERT INTO $S.zoo VALUES "+strings.Join(zooRows, ", "))
			p := e.page(t, mysql.RecordQuery{Table: "zoo"})
			kinds := map[string]mysql.Kind{}
			for _, c := range p.Columns {
				kinds[c.Name] = c.Kind
			}
			wantKinds := map[string]mysql.Kind{"id": "number", "v": "text", "lat": "text", "b": "binary", "bl": "binary", "bt": "bit",
				"g": "geometry", "j": "json", "f": "number", "d": "number", "de": "number", "dt": "datetime", "zd": "datetime",
				"tm": "datetime", "y": "datetime", "e": "text", "s": "text", "lt": "text", "u": "number"}
			if fmt.Sprint(kinds) != fmt.Sprint(wantKinds) {
				t.Fatalf("kinds %v, want %v", kinds, wantKinds)
			}
			want := [][]string{
				{"1", "héllo ✓", "café", "\x00\xff", "blob", "\x00\x05", "POINT(1 2)", `{"a": [1, 2]}`, "0.1", "1e308", "-12.500000",
					"2026-11-23 23:30:00.123456", "0000-00-00", "-838:59:59", "0000", "b", "a,c", strings.Repeat("é", 1024), "18446744073709551615"},
				{"2", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL"},
				{"3", "", "", "", "", "\x00\x00", "POINT(0 0)", `""`, "0", "0", "0.000000", "1000-01-01 00:00:00.000000", "2026-02-28", "00:00:00", "2155", "a", "", "", "0"},
			}
			if len(p.Rows) != len(want) {
				t.Fatalf("%d rows, want %d", len(p.Rows), len(want))
			}
			for i, r := range p.Rows {
				for j, v := range r.Values {
					got := v.String()
					if v.Null {
						got = "NULL"
					}
					if got != want[i][j] {
						t.Errorf("row %d %s: %q, want %q", i+1, p.Columns[j].Name, got, want[i][j])
					}
				}
			}
			lt := p.Rows[0].Values[17]
			if !lt.Truncated || lt.Size != 6000 {
				t.Errorf("long text: Truncated %v, Size %d; want true, 6000", lt.Truncated, lt.Size)
			}
			if v := p.Rows[0].Values[1]; v.Truncated || v.Size != int64(len("héllo ✓")) {
				t.Errorf("short text: Truncated %v, Size %d", v.Truncated, v.Size)
			}
			whole := e.page(t, mysql.RecordQuery{Table: "zoo", Columns: []string{"lt", "id"}, MaxValueLen: -1, PageSize: 1})
			if v := whole.Rows[0].Values[0]; v.Truncated || v.String() != strings.Repeat("é", 3000) || whole.Columns[1].Name != "id" {
				t.Errorf("MaxValueLen -1: Truncated %v, %d bytes", v.Truncated, len(v.Bytes))
			}
		})
	}
}

// TestRecordsMasked: masked columns are listed but never read, and cannot
// be used; the row keys stay.
func TestRecordsMasked(t *testing.T) {
	e := newRecordsEnv(t, mysql.RoleSource)
	e.exec(t,
		"CREATE TABLE $S.users (id INT PRIMARY KEY, login VARCHAR(20), password_hash VARCHAR(60))",
		"INSERT INTO $S.users VALUES (1, 'alice', '$2b$10$secret'), (2, 'bob', '$2b$10$other')",
	)
	q := mysql.RecordQuery{Schema: e.schema, Table: "users", Masked: []string{"PASSWORD_HASH"}}
	p := e.page(t, q)
	if c := p.Columns[2]; c.Name != "password_hash" || !c.Masked {
		t.Fatalf("column %s masked=%v", c.Name, c.Masked)
	}
	for _, r := range p.Rows {
		if v := r.Values[2]; v.Null || v.Bytes != nil || r.Key == "" {
			t.Fatalf("masked value %+v, key %q", v, r.Key)
		}
	}
	rec, err := e.cat.Record(context.Background(), e.conn, q, []string{"2"})
	if err != nil || rec.Rows[0].Values[1].String() != "bob" || rec.Rows[0].Values[2].Bytes != nil {
		t.Fatalf("Record: %v, %+v", err, rec)
	}
	cols, err := e.cat.RecordColumns(context.Background(), e.conn, q)
	if err != nil || fmt.Sprint(mysql.ColumnNames(columnsOf(cols))) != "[id login]" {
		t.Fatalf("RecordColumns: %v, %v", err, cols)
	}
	var seen []string
	err = e.cat.ScanRecords(context.Background(), e.conn, q, func(values [][]byte) error {
		if len(values) != 2 {
			t.Fatalf("ScanRecords gave %d values, want 2", len(values))
		}
		seen = append(seen, string(values[1]))
		return nil
	})
	if err != nil || fmt.Sprint(seen) != "[alice bob]" {
		t.Fatalf("ScanRecords: %v, %v", err, seen)
	}
}

func columnsOf(cols []mysql.RecordColumn) []mysql.Column {
	out := make([]mysql.Column, len(cols))
	for i, c := range cols {
		out[i] = c.Column
	}
	return out
}

// TestRecordLookup opens single records by key, composite keys with
// commas and escapes included.
func TestRecordLookup(t *testing.T) {
	e := newRecordsEnv(t, mysql.RoleSource)
	e.exec(t,
		"CREATE TABLE $S.ck (a VARCHAR(20) NOT NULL, b INT NOT NULL, bin VARBINARY(4) NOT NULL, v VARCHAR(10), PRIMARY KEY (a, b, bin))",
		`INSERT INTO $S.ck VALUES ('x,y', 1, 0x00FF, 'comma'), ('x', 1, 0x00FF, 'plain'), ('x%2Cy', 1, 0x00FF, 'escaped'),
			('a/b ✓', -2, '', 'slash'), ('', 0, 0x2C, 'empty')`,
		"CREATE TABLE $S.heap (x INT)",
		"INSERT INTO $S.heap VALUES (1)",
	)
	p := e.page(t, mysql.RecordQuery{Table: "ck"})
	if fmt.Sprint(p.Key) != "[a b bin]" {
		t.Fatalf("Key %v", p.Key)
	}
	for _, r := range p.Rows {
		key, err := mysql.ParseRowKey(r.Key)
		if err != nil {
			t.Fatalf("ParseRowKey(%q): %v", r.Key, err)
		}
		rec, err := e.cat.Record(context.Background(), e.conn, mysql.RecordQuery{Schema: e.schema, Table: "ck"}, key)
		if err != nil {
			t.Fatalf("Record(%q): %v", key, err)
		}
		if got, want := rowsText(rec.Rows), rowsText([]mysql.Row{r}); got != want {
			t.Fatalf("Record(%q) = %s, want %s", key, got, want)
		}
	}
	if got := keysOf(p.Rows); !slices.Contains(got, "x%2Cy,1,0x00ff") || !slices.Contains(got, "x%252Cy,1,0x00ff") || !slices.Contains(got, ",0,0x2c") {
		t.Fatalf("row keys %q", got)
	}
	for _, tt := range []struct {
		table string
		key   []string
	}{
		{"ck", []string{"x,y", "2", "0x00ff"}},
		{"ck", []string{"x,y", "1"}},
		{"ck", []string{"x,y", "1", "00ff"}},
		{"ck", []string{"x,y", "one", "0x00ff"}},
		{"ck", []string{"' OR 1=1 --", "1", "0x00ff"}},
		{"heap", []string{"1"}},
	} {
		_, err := e.cat.Record(context.Background(), e.conn, mysql.RecordQuery{Schema: e.schema, Table: tt.table}, tt.key)
		if weekback.ErrorCode(err) != weekback.ENOTFOUND {
			t.Fatalf("Record(%s, %q): error %v, want code %q", tt.table, tt.key, err, weekback.ENOTFOUND)
		}
	}
}

func TestRowKey(t *testing.T) {
	for _, key := range [][]string{{"1"}, {"x,y", "1"}, {"a/b c", "%2C", "✓"}, {"", ""}, {"?#&=+;"}} {
		s := mysql.FormatRowKey(key)
		if strings.ContainsAny(s, "/?# ") || strings.Count(s, ",") != len(key)-1 {
			t.Fatalf("FormatRowKey(%q) = %q", key, s)
		}
		back, err := mysql.ParseRowKey(s)
		if err != nil || !slices.Equal(back, key) {
			t.Fatalf("ParseRowKey(%q) = %q, %v; want %q", s, back, err, key)
		}
	}
	if _, err := mysql.ParseRowKey("%zz"); weekback.ErrorCode(err) != weekback.ENOTFOUND {
		t.Fatalf("ParseRowKey(%%zz): %v", err)
	}
}

// TestScanRecords streams a filtered, sorted table losslessly: the same
// bytes as ScanRows, in the page order.
func TestScanRecords(t *testing.T) {
	e := newRecordsEnv(t, mysql.RoleSource)
	e.exec(t, "CREATE TABLE $S.zoo ("+zooColumns+")")
	mysqltestExecNoStrict(t, e, "INSERT INTO $S.zoo VALUES "+strings.Join(zooRows, ", "))
	e.exec(t, "INSERT INTO $S.zoo (id, v, d) SELECT seq + 10, CONCAT('r', seq % 7), seq / 3 FROM $S.seq_1_to_200")
	ctx := context.Background()
	q := mysql.RecordQuery{Schema: e.schema, Table: "zoo"}
	cols, err := e.cat.RecordColumns(ctx, e.conn, q)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	err = mysql.ScanRows(ctx, e.conn, e.schema, "zoo", columnsOf(cols), func(values [][]byte) error {
		want = append(want, fmt.Sprintf("%q", values))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := e.cat.ScanRecords(ctx, e.conn, q, func(values [][]byte) error {
		got = append(got, fmt.Sprintf("%q", values))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("ScanRecords differs from ScanRows: %s", firstDiff(got, want))
	}
	// With a filter: a prepared statement, values in the binary protocol.
	le, _ := weekback.ParseFilter("id=le:3")
	q.Filters, got = []weekback.Filter{le}, nil
	if err := e.cat.ScanRecords(ctx, e.conn, q, func(values [][]byte) error {
		got = append(got, fmt.Sprintf("%q", values))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want[:3]) {
		t.Fatalf("ScanRecords with a filter differs from ScanRows: %s", firstDiff(got, want[:3]))
	}
	// With a filter and a sort.
	f, _ := weekback.ParseFilter("v=prefix:r")
	q.Filters, q.Sort, q.Columns = []weekback.Filter{f}, weekback.Sort{Column: "v", Desc: true}, []string{"id", "v", "d", "dt"}
	var ids []string
	if err := e.cat.ScanRecords(ctx, e.conn, q, func(values [][]byte) error {
		ids = append(ids, string(values[0]))
		if values[3] != nil || !bytes.HasPrefix(values[1], []byte("r")) {
			t.Fatalf("row %q", values)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if wantIDs := e.queryStrings(t, "SELECT id FROM $S.zoo WHERE v LIKE 'r%' ORDER BY v DESC, id DESC"); !slices.Equal(ids, wantIDs) {
		t.Fatalf("filtered: %s", firstDiff(ids, wantIDs))
	}
}
