package mysql_test

import (
	"testing"

	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

func TestQuoteIdent(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"t", "`t`"},
		{"", "``"},
		{"a`b", "`a``b`"},
		{"`", "````"},
		{"``", "``````"},
		{"with space", "`with space`"},
		{"a.b", "`a.b`"},
		{`it's "x"`, "`it's \"x\"`"},
		{"ü名", "`ü名`"},
		{"x`; DROP TABLE t; --", "`x``; DROP TABLE t; --`"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := mysql.QuoteIdent(tt.name); got != tt.want {
				t.Fatalf("QuoteIdent(%q) = %s, want %s", tt.name, got, tt.want)
			}
		})
	}
}

func TestQuoteTable(t *testing.T) {
	for _, tt := range []struct{ schema, table, want string }{
		{"s", "t", "`s`.`t`"},
		{"a.b", "c", "`a.b`.`c`"},
		{"s`", "`t", "`s```.```t`"},
		{"", "t", "``.`t`"},
	} {
		t.Run(tt.schema+"."+tt.table, func(t *testing.T) {
			if got := mysql.QuoteTable(tt.schema, tt.table); got != tt.want {
				t.Fatalf("QuoteTable(%q, %q) = %s, want %s", tt.schema, tt.table, got, tt.want)
			}
		})
	}
}

func TestQuoteIdents(t *testing.T) {
	for _, tt := range []struct {
		name  string
		names []string
		want  string
	}{
		{"none", nil, ""},
		{"one", []string{"a"}, "`a`"},
		{"several", []string{"a", "b`c", "d e"}, "`a`, `b``c`, `d e`"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := mysql.QuoteIdents(tt.names); got != tt.want {
				t.Fatalf("QuoteIdents(%q) = %s, want %s", tt.names, got, tt.want)
			}
		})
	}
}

func TestLikeEscape(t *testing.T) {
	for _, tt := range []struct{ s, want string }{
		{"plain", "plain"},
		{"", ""},
		{"a_b", `a\_b`},
		{"50%", `50\%`},
		{`back\slash`, `back\\slash`},
		{`\%_`, `\\\%\_`},
		{`weekback_`, `weekback\_`},
	} {
		t.Run(tt.s, func(t *testing.T) {
			if got := mysql.LikeEscape(tt.s); got != tt.want {
				t.Fatalf("LikeEscape(%q) = %q, want %q", tt.s, got, tt.want)
			}
		})
	}
}

// TestQuoteOnServer checks the helpers against MariaDB: an identifier
// quoted by QuoteIdent names exactly that table, and a LikeEscape'd
// pattern matches only its own text.
func TestQuoteOnServer(t *testing.T) {
	db := mysqltest.MustOpen(t)
	schema := mysqltest.MustCreateSchema(t, db, "wbunit_")
	for _, name := range []string{"a`b", "``", "with space", "x`; DROP TABLE t; --"} {
		t.Run("ident "+name, func(t *testing.T) {
			mysqltest.MustExec(t, db, "CREATE TABLE "+mysql.QuoteTable(schema, name)+" (id INT)")
			var got string
			err := db.QueryRow("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?", schema, name).Scan(&got)
			if err != nil || got != name {
				t.Fatalf("table created as %q (%v), want %q", got, err, name)
			}
		})
	}
	for _, tt := range []struct {
		literal, s string
		want       bool
	}{
		{"a_b", "a_b", true},
		{"a_b", "axb", false},
		{"50%", "50%", true},
		{"50%", "500", false},
		{`c:\x`, `c:\x`, true},
		{`c:\x`, `c:x`, false},
	} {
		t.Run("like "+tt.literal+" "+tt.s, func(t *testing.T) {
			var got bool
			if err := db.QueryRow("SELECT ? LIKE ?", tt.s, mysql.LikeEscape(tt.literal)).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("%q LIKE LikeEscape(%q) = %v, want %v", tt.s, tt.literal, got, tt.want)
			}
		})
	}
}
