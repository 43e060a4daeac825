package mysql_test

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// readerConn returns a connection of an OpenReader pool on e's schema.
func (e *recordsEnv) readerConn(t *testing.T) *sqlx.Conn {
	t.Helper()
	pool, err := mysql.OpenReader(context.Background(), mysqltest.DSN(t, e.schema), "backup.reader_dsn")
	return mustPoolConn(t, pool, err)
}

// stmtStatus returns the session's Com_stmt_prepare and Com_stmt_close.
func stmtStatus(t *testing.T, conn *sqlx.Conn) (prepared, closed int) {
	t.Helper()
	rows, err := conn.QueryxContext(context.Background(), "SHOW SESSION STATUS WHERE Variable_name IN ('Com_stmt_prepare', 'Com_stmt_close')")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.Atoi(value)
		if name == "Com_stmt_prepare" {
			prepared = n
		} else {
			closed = n
		}
	}
	return prepared, closed
}

// TestOpenReaderCachesStatements: the pages of an OpenReader connection
// are those of a plain one; the same page asked again prepares nothing;
// past DefaultStmtCacheSize statements the oldest are closed.
func TestOpenReaderCachesStatements(t *testing.T) {
	e := newRecordsEnv(t, mysql.RoleSource)
	e.exec(t, "CREATE TABLE $S.items (id INT PRIMARY KEY, grp INT NULL, KEY (grp))",
		"INSERT INTO $S.items SELECT seq, seq % 7 FROM $S.seq_1_to_300")
	conn := e.readerConn(t)
	ctx := context.Background()
	sort, _ := weekback.ParseSort("-grp")
	q := mysql.RecordQuery{Schema: e.schema, Table: "items", Sort: sort, PageSize: 40}
	want := e.walk(t, q)
	for i, after := 0, ""; i < len(want); i++ {
		q.After = after
		p, err := e.cat.Records(ctx, conn, q)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(keysOf(p.Rows), keysOf(want[i])) {
			t.Fatalf("page %d differs from a plain connection's", i)
		}
		after = p.Next
	}
	p0, _ := stmtStatus(t, conn)
	for range 3 {
		q.After = ""
		if _, err := e.cat.Records(ctx, conn, q); err != nil {
			t.Fatal(err)
		}
	}
	if p1, _ := stmtStatus(t, conn); p1 != p0 {
		t.Errorf("asking a page again prepared %d statements, want 0", p1-p0)
	}
	_, c0 := stmtStatus(t, conn)
	q.After = ""
	for n := 1; n <= mysql.DefaultStmtCacheSize+5; n++ {
		// n filters: n distinct statements
		q.Filters = slices.Repeat([]weekback.Filter{{Column: "id", Op: weekback.OpGe, Value: "1"}}, n)
		if _, err := e.cat.Records(ctx, conn, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, c1 := stmtStatus(t, conn); c1-c0 < 5 {
		t.Errorf("statements closed past the cache size = %d, want at least 5", c1-c0)
	}
}
