package server_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// mustOpenExportServer is the day fixture with a CSV pool opened as serve
// opens it (mysql.RoleExport).
func mustOpenExportServer(t *testing.T) *dayFixture {
	t.Helper()
	f := MustOpenDayServer(t)
	pool, err := mysql.Open(context.Background(), mysqltest.DSN(t, ""), "backup.reader_dsn", mysql.RoleExport)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	f.srv.ExportSlots = pool
	return f
}

// readCSV parses a reimport CSV into rows of fields, NULL as nil.
func readCSV(t *testing.T, body string) [][]*string {
	t.Helper()
	r := export.NewCSVReader(strings.NewReader(body))
	var out [][]*string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("read csv line %d: %v\n%.500s", r.Line(), err, body)
		}
		row := make([]*string, len(rec))
		for i, f := range rec {
			if !f.Null {
				v := string(f.Value)
				row[i] = &v
			}
		}
		out = append(out, row)
	}
}

func TestExportCSV(t *testing.T) {
	f := mustOpenExportServer(t)
	r := f.get(t, "/wed/tables/items/export.csv", false)
	if r.status != 200 {
		t.Fatalf("GET export.csv = %d:\n%s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cd := r.header.Get("Content-Disposition"); !strings.Contains(cd, `filename="items-wed-2026-03-04.csv"`) {
		t.Errorf("Content-Disposition = %q, want the file name items-wed-2026-03-04.csv", cd)
	}
	rows := readCSV(t, r.body)
	if len(rows) != 121 {
		t.Fatalf("rows=%d, want a header and 120 rows", len(rows))
	}
	if got := strings.Join(deref(rows[0]), ","); got != "id,name,note,data,doc,geo,at,long_text" {
		t.Errorf("header = %s", got)
	}
	one, three := rows[1], rows[3]
	if *one[0] != "1" || *one[1] != "item001" || *one[2] != "" || *one[3] != "0x00ff10ab" || *one[6] != "2024-02-29 12:34:56" {
		t.Errorf("row 1 = %v", deref(one))
	}
	if three[2] != nil || three[3] != nil {
		t.Errorf("row 3: note and data should be NULL, got %v", deref(three))
	}
	if !strings.HasSuffix(r.body, "\r\n") || !strings.Contains(r.body, "\"1\",\"item001\",\"\",") {
		t.Errorf("not the reimport profile:\n%.300s", r.body)
	}
}

func deref(row []*string) []string {
	out := make([]string, len(row))
	for i, v := range row {
		if v == nil {
			out[i] = "NULL"
		} else {
			out[i] = *v
		}
	}
	return out
}

func TestExportCSVQuery(t *testing.T) {
	f := mustOpenExportServer(t)
	rows := readCSV(t, f.get(t, "/wed/tables/items/export.csv?f.id=le:3&sort=-id&columns=id,name", false).body)
	if got := len(rows); got != 4 || *rows[1][0] != "3" || *rows[3][0] != "1" || len(rows[0]) != 2 {
		t.Errorf("filtered, sorted export = %v rows: %v", got, rows)
	}
	for _, path := range []string{"/wed/tables/users/export.csv", "/wed/tables/customers/export.csv"} {
		r := f.get(t, path, false) // get fails on any credential in the answer
		if r.status != 200 || strings.Contains(r.body, "password_hash") || strings.Contains(r.body, "secret_token") {
			t.Errorf("GET %s = %d, with a credential column:\n%s", path, r.status, r.body)
		}
	}
	for _, tt := range []struct {
		path   string
		status int
		want   string
	}{
		{"/wed/tables/items/export.csv?columns=id,nope", 400, "nope"},
		{"/wed/tables/items/export.csv?f.id=gt:x", 400, ""},
		{"/wed/tables/items/export.csv?profile=excel", 400, "excel"},
		{"/wed/tables/users/export.csv?f.password_hash=notnull", 400, "credentials"},
		{"/wed/tables/nope/export.csv", 404, ""},
		{"/sat/tables/items/export.csv", 404, ""},
	} {
		if r := f.get(t, tt.path, false); r.status != tt.status || !strings.Contains(r.body, tt.want) {
			t.Errorf("GET %s = %d, want %d saying %q:\n%.500s", tt.path, r.status, tt.status, tt.want, r.body)
		}
	}
	if r := f.request(t, "POST", "/wed/tables/items/export.csv", nil, []*http.Cookie{f.session}, nil); r.status != 405 && r.status != 404 {
		t.Errorf("POST export.csv = %d, want 405", r.status)
	}
	if r := f.request(t, "GET", "/wed/tables/items/export.csv", nil, nil, nil); r.status != 303 || strings.Contains(r.body, "item001") {
		t.Errorf("export.csv without a session = %d, want 303 to the login", r.status)
	}
	entries, err := f.meta.AuditEntries(context.Background(), 0, 20)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		if e.Action == weekback.AuditExport && e.Table == "items" && e.Rows == 3 && strings.Contains(e.Detail, "filter=id=le:3") {
			found = true
		}
	}
	if !found {
		t.Errorf("no audit entry for the filtered export of items in %+v", entries)
	}
}

func TestExportShiftJIS(t *testing.T) {
	f := mustOpenExportServer(t)
	mysqltest.MustExec(t, mysqltest.MustOpen(t), "UPDATE `"+f.slot+"`.items SET note = 'ハート♥と𠮷' WHERE id = 5",
		"UPDATE `"+f.slot+"`.items SET note = '日本語テキスト' WHERE id = 6")
	base := "/wed/tables/items/export.csv?profile=spreadsheet&encoding=shift_jis&columns=id,note"
	r := f.get(t, base, false)
	if r.status != 422 || !strings.Contains(r.body, "U&#43;2665") || !strings.Contains(r.body, "U&#43;20BB7") || !strings.Contains(r.body, "2 characters") {
		t.Fatalf("GET %s = %d, want 422 listing ♥ and 𠮷:\n%.3000s", base, r.status, r.body)
	}
	list := f.get(t, base+"&unencodable=csv", false)
	if list.status != 200 || !strings.Contains(list.body, "5,note,♥,U+2665") || !strings.Contains(list.body, "5,note,𠮷,U+20BB7") {
		t.Errorf("unencodable list = %d:\n%s", list.status, list.body)
	}
	lossy := f.get(t, base+"&lossy=1", false)
	if lossy.status != 200 || lossy.header.Get("Content-Type") != "text/csv; charset=Shift_JIS" {
		t.Fatalf("lossy download = %d %q", lossy.status, lossy.header.Get("Content-Type"))
	}
	if !strings.Contains(lossy.body, "6,\x93\xfa\x96{\x8c\xea\x83e\x83L\x83X\x83g") { // 日本語テキスト in CP932
		t.Errorf("lossy download does not hold row 6 in Shift_JIS:\n%q", lossy.body[:min(len(lossy.body), 400)])
	}
}
