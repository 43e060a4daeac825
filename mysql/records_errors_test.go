package mysql_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// TestRecordsErrors: what users get wrong comes back as a *weekback.Error
// with the right code and a sentence naming the problem.
func TestRecordsErrors(t *testing.T) {
	e := newRecordsEnv(t, mysql.RoleBackup)
	e.exec(t,
		"CREATE TABLE $S.users (id INT PRIMARY KEY, login VARCHAR(20), password_hash VARCHAR(60), n INT NULL)",
		"INSERT INTO $S.users SELECT seq, CONCAT('u', seq), 'secret', seq FROM $S.seq_1_to_20",
		"CREATE VIEW $S.v AS SELECT * FROM $S.users",
	)
	filter := func(expr string) []weekback.Filter {
		f, err := weekback.ParseFilter(expr)
		if err != nil {
			t.Fatal(err)
		}
		return []weekback.Filter{f}
	}
	masked := []string{"Password_Hash"}
	for _, tt := range []struct {
		name string
		q    mysql.RecordQuery
		code string
		want string
	}{
		{"unknown table", mysql.RecordQuery{Table: "nope"}, weekback.ENOTFOUND, `no table "nope"`},
		{"table name differs in case", mysql.RecordQuery{Table: "USERS"}, weekback.ENOTFOUND, `no table "USERS"`},
		{"filter on a view's masked column", mysql.RecordQuery{Table: "v", Masked: masked, Filters: filter("password_hash=prefix:$2")}, weekback.EINVALID, "credentials"},
		{"unknown filter column", mysql.RecordQuery{Table: "users", Filters: filter("nope=eq:1")}, weekback.EINVALID, `no column "nope"`},
		{"filter column with SQL", mysql.RecordQuery{Table: "users", Filters: []weekback.Filter{{Column: "id`=1 OR `id", Op: weekback.OpEq, Value: "1"}}}, weekback.EINVALID, "no column \"id`"},
		{"unknown sort column", mysql.RecordQuery{Table: "users", Sort: weekback.Sort{Column: "x"}}, weekback.EINVALID, `no column "x"`},
		{"unknown shown column", mysql.RecordQuery{Table: "users", Columns: []string{"id", "y"}}, weekback.EINVALID, `no column "y"`},
		{"column twice", mysql.RecordQuery{Table: "users", Columns: []string{"id", "ID"}}, weekback.EINVALID, "listed twice"},
		{"page size over the cap", mysql.RecordQuery{Table: "users", PageSize: 501}, weekback.EINVALID, "page_size 501"},
		{"negative page size", mysql.RecordQuery{Table: "users", PageSize: -1}, weekback.EINVALID, "page_size -1"},
		{"after and before", mysql.RecordQuery{Table: "users", After: "x", Before: "y"}, weekback.EINVALID, "not both"},
		{"word for a number", mysql.RecordQuery{Table: "users", Filters: filter("n=eq:abc")}, weekback.EINVALID, `"abc" is not a number`},
		{"in with a word", mysql.RecordQuery{Table: "users", Filters: filter("n=in:1,x")}, weekback.EINVALID, `"x" is not a number`},
		{"in without values", mysql.RecordQuery{Table: "users", Filters: []weekback.Filter{{Column: "n", Op: weekback.OpIn}}}, weekback.EINVALID, "in needs a list"},
		{"unknown operator", mysql.RecordQuery{Table: "users", Filters: []weekback.Filter{{Column: "n", Op: "like", Value: "1"}}}, weekback.EINVALID, "unknown operator"},
		{"invalid UTF-8", mysql.RecordQuery{Table: "users", Filters: filter("login=eq:\xff")}, weekback.EINVALID, "not valid UTF-8"},
		{"filter on a masked column", mysql.RecordQuery{Table: "users", Masked: masked, Filters: filter("password_hash=prefix:$2")}, weekback.EINVALID, "credentials"},
		{"sort by a masked column", mysql.RecordQuery{Table: "users", Masked: masked, Sort: weekback.Sort{Column: "PASSWORD_HASH"}}, weekback.EINVALID, "credentials"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.q.Schema = e.schema
			_, err := e.cat.Records(context.Background(), e.conn, tt.q)
			if weekback.ErrorCode(err) != tt.code || !strings.Contains(weekback.ErrorMessage(err), tt.want) {
				t.Fatalf("error %v (code %q), want code %q and a message with %q", err, weekback.ErrorCode(err), tt.code, tt.want)
			}
		})
	}
	if p := e.page(t, mysql.RecordQuery{Table: "users", PageSize: 500}); len(p.Rows) != 20 {
		t.Fatalf("page_size 500: %d rows, want 20", len(p.Rows))
	}
}

// TestRecordsBadCursor: a cursor that was not made for this table and
// order, or was altered, is refused with one sentence, never a 500.
func TestRecordsBadCursor(t *testing.T) {
	e := newRecordsEnv(t, mysql.RoleBackup)
	e.exec(t,
		"CREATE TABLE $S.a (id INT PRIMARY KEY, s VARCHAR(10) NULL, d DATETIME NULL)",
		"INSERT INTO $S.a SELECT seq, CONCAT('s', seq), '2026-01-01' + INTERVAL seq DAY FROM $S.seq_1_to_30",
		"CREATE TABLE $S.b LIKE $S.a",
		"INSERT INTO $S.b SELECT * FROM $S.a",
		"CREATE TABLE $S.heap (x INT)",
		"INSERT INTO $S.heap SELECT seq % 3 FROM $S.seq_1_to_30",
	)
	next := e.page(t, mysql.RecordQuery{Table: "a", PageSize: 10}).Next
	nextS := e.page(t, mysql.RecordQuery{Table: "a", PageSize: 10, Sort: weekback.Sort{Column: "s"}}).Next
	nextHeap := e.page(t, mysql.RecordQuery{Table: "heap", PageSize: 10}).Next
	edit := func(c string, fn func(m map[string]any)) string {
		raw, err := base64.RawURLEncoding.DecodeString(c)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw[1:], &m); err != nil {
			t.Fatal(err)
		}
		fn(m)
		b, _ := json.Marshal(m)
		return base64.RawURLEncoding.EncodeToString(append(raw[:1:1], b...))
	}
	flip := []byte(next)
	flip[len(flip)/2] ^= 1
	for _, tt := range []struct {
		name, table, cursor string
		sort                weekback.Sort
	}{
		{"garbage", "a", "not a cursor!", weekback.Sort{}},
		{"empty JSON", "a", base64.RawURLEncoding.EncodeToString([]byte("\x01{}")), weekback.Sort{}},
		{"a flipped bit", "a", string(flip), weekback.Sort{}},
		{"truncated", "a", next[:len(next)-3], weekback.Sort{}},
		{"other version", "a", base64.RawURLEncoding.EncodeToString(append([]byte{2}, mustDecode(t, next)[1:]...)), weekback.Sort{}},
		{"another table", "b", next, weekback.Sort{}},
		{"another sort", "a", nextS, weekback.Sort{}},
		{"another direction", "a", nextS, weekback.Sort{Column: "s", Desc: true}},
		{"a word for a number", "a", edit(next, func(m map[string]any) { m["v"] = []any{"ten"} }), weekback.Sort{}},
		{"a number too big", "a", edit(next, func(m map[string]any) { m["v"] = []any{"99999999999999999999"} }), weekback.Sort{}},
		{"SQL for a number", "a", edit(next, func(m map[string]any) { m["v"] = []any{"1 OR 1=1"} }), weekback.Sort{}},
		{"too many values", "a", edit(next, func(m map[string]any) { m["v"] = []any{"1", "2"} }), weekback.Sort{}},
		{"a number for a string", "a", edit(nextS, func(m map[string]any) { m["v"] = []any{7, "1"} }), weekback.Sort{Column: "s"}},
		{"not hex", "a", edit(nextS, func(m map[string]any) { m["v"] = []any{"zz", "1"} }), weekback.Sort{Column: "s"}},
		{"unknown field", "a", edit(next, func(m map[string]any) { m["x"] = 1 }), weekback.Sort{}},
		{"negative skip", "heap", edit(nextHeap, func(m map[string]any) { m["k"] = -1 }), weekback.Sort{}},
		{"digest not hex", "heap", edit(nextHeap, func(m map[string]any) { m["v"] = []any{"' OR 1=1 --"} }), weekback.Sort{}},
	} {
		for _, dir := range []string{"after", "before"} {
			t.Run(tt.name+" "+dir, func(t *testing.T) {
				q := mysql.RecordQuery{Schema: e.schema, Table: tt.table, Sort: tt.sort, After: tt.cursor}
				if dir == "before" {
					q.After, q.Before = "", tt.cursor
				}
				_, err := e.cat.Records(context.Background(), e.conn, q)
				if weekback.ErrorCode(err) != weekback.EINVALID || weekback.ErrorMessage(err) != "this link is no longer valid; go back to the first page" {
					t.Fatalf("cursor %q: error %v (code %q), want the invalid-link sentence", tt.cursor, err, weekback.ErrorCode(err))
				}
			})
		}
	}
	// A date cursor altered to another date still reads (it is only a position).
	nextD := e.page(t, mysql.RecordQuery{Table: "a", PageSize: 10, Sort: weekback.Sort{Column: "d"}}).Next
	p := e.page(t, mysql.RecordQuery{Table: "a", PageSize: 10, Sort: weekback.Sort{Column: "d"},
		After: edit(nextD, func(m map[string]any) { m["v"] = []any{"2026-01-25 00:00:00", "0"} })})
	if len(p.Rows) != 7 || p.Rows[0].Key != "24" {
		t.Fatalf("after an edited date: %d rows from %q, want 7 from 24", len(p.Rows), p.Rows[0].Key)
	}
}

func mustDecode(t *testing.T, c string) []byte {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestRecordsTimeout: a query stopped by the statement time limit gives the
// user a sentence, and the connection stays usable.
func TestRecordsTimeout(t *testing.T) {
	e := newRecordsEnv(t, mysql.RoleBackup)
	e.exec(t,
		"CREATE TABLE $S.big (id INT PRIMARY KEY, s VARCHAR(40))",
		"INSERT INTO $S.big SELECT seq, MD5(seq) FROM $S.seq_1_to_300000", // a sort that takes far longer than the timer's granularity
	)
	f, _ := weekback.ParseFilter("s=contains:ab")
	q := mysql.RecordQuery{Schema: e.schema, Table: "big", Filters: []weekback.Filter{f}, Sort: weekback.Sort{Column: "s"}, Timeout: time.Millisecond}
	start := time.Now()
	_, err := e.cat.Records(context.Background(), e.conn, q)
	if weekback.ErrorCode(err) != weekback.EINVALID || weekback.ErrorMessage(err) != "the query took longer than 1ms; narrow the filters or sort by another column" {
		t.Fatalf("error %v (code %q), want the time-limit sentence", err, weekback.ErrorCode(err))
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("stopped after %s", d)
	}
	q.Timeout = 0
	if p, err := e.cat.Records(context.Background(), e.conn, q); err != nil || len(p.Rows) == 0 {
		t.Fatalf("the same query with the default limit on the same connection: %v", err)
	}
}
