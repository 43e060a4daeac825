package restore

import (
	"context"
	"encoding/hex"
	"fmt"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/weekback/weekback/mysql"
)

// These tests hold the importer's own knowledge of the server (latin1's
// characters, ENUM lists, stored geometries) against the server itself.

func TestImportLatin1MatchesServer(t *testing.T) {
	f := newImportFixture(t, "")
	holds := charsetHolds("latin1")
	seen := map[rune]bool{}
	for b := range 256 {
		var s string
		if err := f.db.Get(&s, "SELECT CONVERT(CONVERT(UNHEX(?) USING latin1) USING utf8mb4)", fmt.Sprintf("%02X", b)); err != nil {
			t.Fatal(err)
		}
		r, _ := utf8.DecodeRuneInString(s)
		if utf8.RuneCountInString(s) != 1 || !holds(r) {
			t.Errorf("latin1 byte %02X is %q on the server; the check says holds=%v", b, s, holds(r))
		}
		seen[r] = true
	}
	if len(seen) != 256 || len(latin1High)+128 != 256 {
		t.Errorf("server maps latin1 to %d characters, the check knows %d", len(seen), len(latin1High)+128)
	}
	for _, r := range []rune{'Ā', 'Ω', '😀', '\uFFFD'} {
		var back string
		if err := f.db.Get(&back, "SELECT CONVERT(CONVERT(? USING latin1) USING utf8mb4)", string(r)); err != nil {
			t.Fatal(err)
		}
		if server := back == string(r); server != holds(r) {
			t.Errorf("%q: server holds=%v, check holds=%v", r, server, holds(r))
		}
	}
}

func TestImportEnumMembersMatchServer(t *testing.T) {
	f := newImportFixture(t, `CREATE TABLE e (x ENUM('a\\b', 'it''s', 'c"d', 'x,y', ' sp ', 'ü', '\'q\''), s SET('p''', 'q\\', 'r'));`)
	rt, err := new(mysql.Catalog).Table(context.Background(), f.db, f.schema, "e")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rt.Columns {
		got, err := enumMembers(c.ColumnType)
		if err != nil {
			t.Fatal(err)
		}
		want := serverMembers(t, f, c.Name, len(got)+1)
		if !slices.Equal(got, want) {
			t.Errorf("%s %s: parsed %q, server has %q", c.Name, c.ColumnType, got, want)
		}
	}
}

// serverMembers returns the members of column name of table e as the
// server has them: it stores each index 1 to n (a bit each for a SET) and
// reads the values back; an index past the last member is refused.
func serverMembers(t *testing.T, f *importFixture, name string, n int) []string {
	t.Helper()
	q := mysql.QuoteIdent(name)
	f.exec("DELETE FROM e")
	for i := 1; i <= n; i++ {
		v := i
		if name == "s" {
			v = 1 << (i - 1)
		}
		if _, err := f.db.Exec(fmt.Sprintf("INSERT INTO e (%s) VALUES (%d)", q, v)); err != nil && i == n {
			break // past the last member: refused by the strict sql_mode of import connections
		} else if err != nil {
			t.Fatal(err)
		}
	}
	var members []string
	if err := f.db.Select(&members, "SELECT "+q+" FROM e WHERE "+q+"+0 > 0 ORDER BY "+q+"+0"); err != nil {
		t.Fatal(err)
	}
	return members
}

func TestImportGeometryCheckMatchesServer(t *testing.T) {
	f := newImportFixture(t, "CREATE TABLE g (id INT AUTO_INCREMENT PRIMARY KEY, gg GEOMETRY, p POINT);")
	point := "000000000101000000000000000000f03f0000000000000040"
	cases := []struct{ col, hex string }{
		{"gg", point},
		{"gg", "e6100000" + point[8:]}, // SRID 4326
		{"gg", pointHex[2:]},
		{"gg", polygonHex[2:]},
		{"gg", point + "0000"},                                                 // trailing bytes: the server keeps them
		{"gg", point[:len(point)-2]},                                           // short point
		{"gg", "00000000010800000000"},                                         // unknown type 8
		{"gg", "0000000002010000000000000000"},                                 // byte order 2
		{"gg", "000000000102000000ffffffff"},                                   // a linestring claiming 2^32-1 points
		{"gg", "00000000010700000001000000" + point[8:]},                       // a collection of one point
		{"gg", "00000000010400000001000000" + "010200000000000000"},            // a multipoint holding a linestring
		{"gg", "0000000001030000000100000002000000" + point[18:] + point[18:]}, // a 2-point ring
		{"gg", "00000000"},
		{"p", point},
		{"p", polygonHex[2:]},
	}
	for _, tc := range cases {
		t.Run(tc.col+"_"+tc.hex[:min(len(tc.hex), 30)], func(t *testing.T) {
			b, _ := hex.DecodeString(tc.hex)
			_, err := f.db.Exec("INSERT INTO g ("+tc.col+") VALUES (?)", b)
			server := err == nil
			col := &mysql.RecordColumn{Column: mysql.Column{Name: tc.col, DataType: map[string]string{"gg": "geometry", "p": "point"}[tc.col]}, Kind: mysql.KindGeometry}
			_, problem := geometryCheck(col)([]byte("0x" + tc.hex))
			if check := problem == ""; check != server {
				t.Errorf("server accepts=%v (%v), check accepts=%v (%s)", server, err, check, problem)
			}
		})
	}
}
