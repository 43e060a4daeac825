package snapshotter

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strconv"
	"testing"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

func TestAppendRow(t *testing.T) {
	for _, tt := range []struct {
		name   string
		prefix string
		values [][]byte
		want   string
	}{
		{"no columns", "", [][]byte{}, "\n"},
		{"one value", "", [][]byte{[]byte("abc")}, "abc\n"},
		{"NULL", "", [][]byte{nil}, `\N` + "\n"},
		{"empty string", "", [][]byte{{}}, "\n"},
		{"NULL, empty, NULL", "", [][]byte{nil, {}, nil}, `\N` + "\t\t" + `\N` + "\n"},
		{"string \\N", "", [][]byte{[]byte(`\N`)}, `\\N` + "\n"},
		{"string NULL", "", [][]byte{[]byte("NULL")}, "NULL\n"},
		{"tab", "", [][]byte{[]byte("a\tb")}, `a\tb` + "\n"},
		{"newline", "", [][]byte{[]byte("a\nb")}, `a\nb` + "\n"},
		{"carriage return", "", [][]byte{[]byte("a\r\nb")}, `a\r\nb` + "\n"},
		{"backslash", "", [][]byte{[]byte(`a\b\`)}, `a\\b\\` + "\n"},
		{"NUL", "", [][]byte{{0, 'x', 0}}, `\0x\0` + "\n"},
		{"ctrl-Z and high bytes pass through", "", [][]byte{{0x1a, 0x80, 0xff}}, "\x1a\x80\xff\n"},
		{"quotes pass through", "", [][]byte{[]byte(`'"` + "`")}, `'"` + "`\n"},
		{"only escapes", "", [][]byte{[]byte("\\\t\n\r\x00")}, `\\\t\n\r\0` + "\n"},
		{"several columns", "", [][]byte{[]byte("1"), []byte("x y"), nil, []byte("")}, "1\tx y\t" + `\N` + "\t\n"},
		{"appends to b", "1\t2\n", [][]byte{[]byte("3")}, "1\t2\n3\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := appendRow([]byte(tt.prefix), tt.values)
			if string(got) != tt.want {
				t.Fatalf("appendRow = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestAppendRowLoadData loads rows with every byte value, NULLs, empty
// strings and the strings \N and NULL into MariaDB with the loader's exact
// LOAD DATA clause and reads them back byte for byte. It also checks that
// decodeLoadData, the reference decoder of the fuzz test, reads the same
// stream as the server.
func TestAppendRowLoadData(t *testing.T) {
	rows := tsvTestRows()
	var buf []byte
	for i, r := range rows {
		buf = appendRow(buf, append([][]byte{[]byte(strconv.Itoa(i))}, r...))
	}
	got := mustLoadAndRead(t, buf, len(rows))
	for i, want := range rows {
		if !equalRows(got[i], want) {
			t.Errorf("row %d read back as %q, want %q", i, got[i], want)
		}
	}
	decoded, err := decodeLoadData(buf)
	if err != nil {
		t.Fatalf("decodeLoadData: %v", err)
	}
	for i, want := range rows {
		if !equalRows(decoded[i][1:], want) {
			t.Errorf("row %d decoded in Go as %q, the server read %q", i, decoded[i][1:], want)
		}
	}
}

// TestDecodeLoadDataMatchesServer feeds the server input appendRow never
// writes (unknown escapes, \N inside a value, the word NULL) and checks
// that the reference decoder reads it as the server does.
func TestDecodeLoadDataMatchesServer(t *testing.T) {
	lines := []string{
		`\x` + "\t" + `\Z` + "\t" + `\b`,
		`\Nx` + "\t" + `x\N` + "\t" + `\N`,
		"NULL\tnull\t",
		`\0\0` + "\t" + `\\N` + "\t" + `\'\"`,
		`\` + "\t" + "x" + "\t" + `\` + "\n" + "y" + "\t" + "z", // escaped TAB and LF
	}
	var input []byte
	for i, l := range lines {
		input = append(input, strconv.Itoa(i)+"\t"+l+"\n"...)
	}
	decoded, err := decodeLoadData(input)
	if err != nil {
		t.Fatalf("decodeLoadData: %v", err)
	}
	got := mustLoadAndRead(t, input, len(lines))
	for i := range lines {
		if len(decoded[i]) != 4 {
			t.Fatalf("line %d decoded into %d fields, want 4", i, len(decoded[i]))
		}
		if !equalRows(decoded[i][1:], got[i]) {
			t.Errorf("line %q: Go decodes %q, the server reads %q", lines[i], decoded[i][1:], got[i])
		}
	}
}

// FuzzAppendRowRoundTrip checks that decodeLoadData inverts appendRow on
// two rows of three values (nulls picks the NULL ones), and that the
// encoding holds no raw NUL or CR.
func FuzzAppendRowRoundTrip(f *testing.F) {
	f.Add([]byte("a"), []byte(""), []byte(`\N`), uint8(0))
	f.Add([]byte("NULL"), []byte("\t\n\r\\"), []byte{0, 0x1a, 0xff}, uint8(0))
	f.Add([]byte("NULL"), []byte("x"), []byte("\r\n"), uint8(2))
	f.Add([]byte(`\`), []byte(`\\N`), []byte("N"), uint8(5))
	f.Add([]byte{}, []byte{}, []byte{}, uint8(7))
	f.Fuzz(func(t *testing.T, a, b, c []byte, nulls uint8) {
		row := [][]byte{a, b, c}
		for i := range row {
			if nulls&(1<<i) != 0 {
				row[i] = nil
			} else {
				row[i] = append([]byte{}, row[i]...)
			}
		}
		rotated := [][]byte{row[2], row[0], row[1]}
		buf := appendRow(appendRow(nil, row), rotated)
		if i := bytes.IndexAny(buf, "\x00\r"); i >= 0 {
			t.Fatalf("encoding %q holds a raw %q at %d", buf, buf[i], i)
		}
		got, err := decodeLoadData(buf)
		if err != nil {
			t.Fatalf("decode %q: %v", buf, err)
		}
		if len(got) != 2 || !equalRows(got[0], row) || !equalRows(got[1], rotated) {
			t.Fatalf("decode(appendRow(%q, %q)) = %q", row, rotated, got)
		}
	})
}

// decodeLoadData is a reference decoder of loadFormat, written from the
// server's rules: LF ends a row and TAB a field unless escaped; a
// backslash takes the next byte, mapping 0 b n r t Z to NUL, BS, LF, CR,
// TAB and ctrl-Z and any other byte to itself; a field written exactly \N
// is NULL (the word NULL is a string, as FIELDS ENCLOSED BY is empty). It
// fails on a dangling backslash or a last row without LF.
func decodeLoadData(b []byte) ([][][]byte, error) {
	var rows [][][]byte
	var row [][]byte
	field, start := []byte{}, 0
	endField := func(end int) {
		if string(b[start:end]) == `\N` {
			row = append(row, nil)
		} else {
			row = append(row, field)
		}
		field, start = []byte{}, end+1
	}
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '\\':
			if i++; i == len(b) {
				return nil, errors.New("dangling backslash at the end")
			}
			field = append(field, unescapeLoadData(b[i]))
		case '\t':
			endField(i)
		case '\n':
			endField(i)
			rows, row = append(rows, row), nil
		default:
			field = append(field, c)
		}
	}
	if start != len(b) {
		return nil, fmt.Errorf("last row %q has no LF", b[start:])
	}
	return rows, nil
}

func unescapeLoadData(c byte) byte {
	switch c {
	case '0':
		return 0
	case 'b':
		return '\b'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'Z':
		return 0x1a
	}
	return c
}

// tsvTestRows returns rows of three values: every byte value alone and
// between letters, all 256 bytes in a row, NULL against empty strings and
// the strings \N and NULL, and every escaped byte in odd places.
func tsvTestRows() [][][]byte {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	reversed := bytes.Clone(all)
	for i, j := 0, len(reversed)-1; i < j; i, j = i+1, j-1 {
		reversed[i], reversed[j] = reversed[j], reversed[i]
	}
	var rows [][][]byte
	for i := range 256 {
		c := byte(i)
		rows = append(rows, [][]byte{{c}, {'x', c, 'y'}, {c, c, c}})
	}
	return append(rows,
		[][]byte{all, reversed, bytes.Repeat(all, 64)},
		[][]byte{nil, {}, []byte(`\N`)},
		[][]byte{{}, nil, []byte("NULL")},
		[][]byte{[]byte(`\`), []byte(`\\`), []byte(`a\`)},
		[][]byte{[]byte("\t"), []byte("\n"), []byte("\r\n")},
		[][]byte{[]byte("N"), []byte(`\n`), []byte("\\\t\\")},
		[][]byte{[]byte("null"), []byte(`\\N`), []byte(`N\`)},
		[][]byte{{}, {}, {}},
		[][]byte{nil, nil, nil},
		[][]byte{{0}, {0x1a}, []byte("\b\x00\n\\N\t")},
	)
}

// mustLoadAndRead loads input (rows "id\ta\tb\tc") into a fresh table of
// binary columns with the loader's LOAD DATA clause and returns the
// values of a, b and c by id, nil for NULL.
func mustLoadAndRead(t *testing.T, input []byte, n int) [][][]byte {
	t.Helper()
	ctx := context.Background()
	db := mysqltest.MustOpen(t)
	schema := mysqltest.MustCreateSchema(t, db, "wbunit_")
	table := mysql.QuoteTable(schema, "t")
	mysqltest.MustExec(t, db, "CREATE TABLE "+table+" (id INT NOT NULL PRIMARY KEY, a VARBINARY(1024) NULL, b BLOB NULL, c LONGBLOB NULL)")

	name := mysqltest.UniqueName("wbunit-tsv-")
	gomysql.RegisterReaderHandler(name, func() io.Reader { return bytes.NewReader(input) })
	defer gomysql.DeregisterReaderHandler(name)
	loader := mustOpenRole(t, mysqltest.DSN(t, ""), mysql.RoleLoader)
	conn, err := loader.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	res, err := conn.ExecContext(ctx, "LOAD DATA LOCAL INFILE 'Reader::"+name+"' INTO TABLE "+table+" "+loadFormat+" (id, a, b, c)")
	if err != nil {
		t.Fatalf("load data: %v", err)
	}
	var warnings int
	if err := conn.QueryRowxContext(ctx, "SELECT @@warning_count").Scan(&warnings); err != nil {
		t.Fatal(err)
	}
	if loaded, _ := res.RowsAffected(); loaded != int64(n) || warnings != 0 {
		t.Fatalf("load data: %d rows, %d warnings, want %d rows, no warning", loaded, warnings, n)
	}

	rows, err := db.Query("SELECT id, a, b, c FROM " + table + " ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := make([][][]byte, n)
	for rows.Next() {
		var id int
		var a, b, c sql.Null[[]byte]
		if err := rows.Scan(&id, &a, &b, &c); err != nil {
			t.Fatal(err)
		}
		if id < 0 || id >= n {
			t.Fatalf("id %d read back, want 0..%d", id, n-1)
		}
		out[id] = [][]byte{nullBytes(a), nullBytes(b), nullBytes(c)}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func nullBytes(v sql.Null[[]byte]) []byte {
	if !v.Valid {
		return nil
	}
	return append([]byte{}, v.V...)
}

// equalRows compares two rows value by value, telling NULL (nil) from the
// empty string.
func equalRows(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if (a[i] == nil) != (b[i] == nil) || !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}
