package mysqltest

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"
)

// MustLoadScript creates a fresh schema (dropped when the test ends) named
// after prefix and runs the SQL script at path in it (see MustExecScript).
// It returns the schema's name.
func MustLoadScript(tb testing.TB, db *sql.DB, prefix, path string) string {
	tb.Helper()
	schema := MustCreateSchema(tb, db, prefix)
	body, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	MustExecScript(tb, DSN(tb, schema), string(body))
	return schema
}

// MustExecScript runs a script of statements, each ended by ";" at the
// end of a line, on one connection of dsn; lines starting with "--" are
// skipped. The test fails on the first statement that fails.
func MustExecScript(tb testing.TB, dsn, script string) {
	tb.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	var cur strings.Builder
	for line := range strings.SplitSeq(script, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		cur.WriteString(line + "\n")
		if strings.HasSuffix(strings.TrimSpace(line), ";") {
			stmt := strings.TrimSuffix(strings.TrimSpace(cur.String()), ";")
			if _, err := conn.ExecContext(context.Background(), stmt); err != nil {
				tb.Fatalf("exec %.300s: %v", stmt, err)
			}
			cur.Reset()
		}
	}
}
