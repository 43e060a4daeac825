package mysql_test

import (
	"slices"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// TestRecordsAnyOf: AnyOf keeps the rows matching at least one of its
// filters, ANDed with Filters, and a masked column cannot be searched.
func TestRecordsAnyOf(t *testing.T) {
	e := newRecordsEnv(t, mysql.RoleSource)
	e.exec(t,
		"CREATE TABLE $S.c (id INT PRIMARY KEY, email VARCHAR(40) NULL, name VARCHAR(40) NULL, n INT NULL, secret VARCHAR(20) NULL)",
		"INSERT INTO $S.c VALUES (1, 'yamada@example.jp', 'Yamada', 7, 'yamada'), (2, 'sato@example.jp', 'Sato yamada', 1, NULL), "+
			"(3, 'x@example.jp', 'X', 42, 'yamada'), (4, NULL, NULL, 42, NULL), (5, 'o''brien@x', 'O''Brien', 5, NULL)",
	)
	parse := func(exprs ...string) []weekback.Filter {
		var fs []weekback.Filter
		for _, x := range exprs {
			f, err := weekback.ParseFilter(x)
			if err != nil {
				t.Fatal(err)
			}
			fs = append(fs, f)
		}
		return fs
	}
	for _, tt := range []struct {
		name       string
		and, anyOf []string
		want       []string
	}{
		{"contains in two columns", nil, []string{"email=contains:yamada", "name=contains:yamada"}, []string{"1", "2"}},
		{"number or text", nil, []string{"name=contains:42", "n=eq:42"}, []string{"3", "4"}},
		{"with an AND filter", []string{"n=lt:5"}, []string{"email=contains:yamada", "name=contains:yamada"}, []string{"2"}},
		{"quote", nil, []string{"email=contains:' OR 1=1 --", "name=contains:'"}, []string{"5"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := e.page(t, mysql.RecordQuery{Table: "c", Filters: parse(tt.and...), AnyOf: parse(tt.anyOf...), PageSize: 50})
			if got := keysOf(p.Rows); !slices.Equal(got, tt.want) {
				t.Fatalf("rows %v, want %v", got, tt.want)
			}
		})
	}
	_, err := e.cat.Records(t.Context(), e.conn, mysql.RecordQuery{Schema: e.schema, Table: "c", Masked: []string{"secret"},
		AnyOf: parse("name=contains:yamada", "secret=contains:yamada")})
	if weekback.ErrorCode(err) != weekback.EINVALID {
		t.Fatalf("searching a masked column: err %v, want EINVALID", err)
	}
}
