package snapshotter

import (
	"context"
	"database/sql"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

var update = flag.Bool("update", false, "rewrite the files in testdata/ from the current output (and, for testdata/ddl/*.sql, from the test server)")

// ddlCase is one table of the splitDDL golden tests. testdata/ddl/<name>.sql
// holds its SHOW CREATE TABLE output (captured from MariaDB with -update),
// testdata/ddl/<name>.golden the split of it.
type ddlCase struct {
	name   string
	table  string
	setup  []string // run before create, in the same schema (referenced tables)
	create string   // the CREATE TABLE as a user wrote it
}

var ddlCases = []ddlCase{
	{
		name: "pk_only", table: "pk_only",
		create: "CREATE TABLE pk_only (id BIGINT UNSIGNED NOT NULL, name VARCHAR(64) NOT NULL DEFAULT '', created DATETIME(6) NULL, PRIMARY KEY (id))",
	},
	{
		name: "no_keys", table: "no_keys",
		create: "CREATE TABLE no_keys (a INT, b VARCHAR(10))",
	},
	{
		name: "secondary_keys", table: "secondary_keys",
		create: `CREATE TABLE secondary_keys (
			id INT NOT NULL AUTO_INCREMENT, email VARCHAR(190) NOT NULL, name VARCHAR(100) NOT NULL,
			body TEXT, pos POINT NOT NULL, a INT, b INT,
			PRIMARY KEY (id), UNIQUE KEY email (email), KEY name_prefix (name(10)), KEY ab (a, b DESC),
			KEY a_comment (a) COMMENT 'index, KEY (a)', FULLTEXT KEY body (body), FULLTEXT KEY name_body (name, body),
			SPATIAL KEY pos (pos), KEY id_a (id, a)
		) AUTO_INCREMENT=100`,
	},
	{
		name: "foreign_keys", table: "foreign_keys",
		setup: []string{
			"CREATE TABLE fk_parent (id INT NOT NULL PRIMARY KEY)",
			"CREATE TABLE fk_pair (a INT NOT NULL, b VARCHAR(10) NOT NULL, PRIMARY KEY (a, b))",
		},
		create: `CREATE TABLE foreign_keys (
			id INT NOT NULL, parent_id INT NULL, pa INT NULL, pb VARCHAR(10) NULL, self_id INT NULL,
			PRIMARY KEY (id), KEY parent_id (parent_id),
			CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES fk_parent (id) ON DELETE CASCADE,
			CONSTRAINT fk_pair FOREIGN KEY (pa, pb) REFERENCES fk_pair (a, b) ON DELETE SET NULL ON UPDATE CASCADE,
			CONSTRAINT fk_self FOREIGN KEY (self_id) REFERENCES foreign_keys (id) ON DELETE RESTRICT
		)`,
	},
	{
		name: "check_constraint", table: "check_constraint",
		create: `CREATE TABLE check_constraint (
			id INT NOT NULL PRIMARY KEY, qty INT NOT NULL CHECK (qty >= 0), lo INT, hi INT, tag VARCHAR(20),
			KEY lo (lo), KEY hi (hi),
			CONSTRAINT lo_le_hi CHECK (lo <= hi),
			CONSTRAINT tag_text CHECK (tag <> 'KEY (x)')
		)`,
	},
	{
		name: "auto_increment_not_first", table: "auto_increment_not_first",
		create: `CREATE TABLE auto_increment_not_first (
			tenant INT NOT NULL, id BIGINT NOT NULL AUTO_INCREMENT, idx INT NOT NULL, note VARCHAR(20),
			PRIMARY KEY (tenant, id), KEY idx (idx), KEY id (id), KEY note_id (note, id)
		) AUTO_INCREMENT=42`,
	},
	{
		// The AUTO_INCREMENT column's key is named with a "(": the key must
		// still stay in the CREATE.
		name: "auto_increment_key_paren", table: "auto inc (paren)",
		create: "CREATE TABLE `auto inc (paren)` (`tenant` INT NOT NULL, `the id` INT NOT NULL AUTO_INCREMENT, " +
			"`other` INT, PRIMARY KEY (`tenant`, `the id`), KEY `other` (`other`), KEY `by id (the id)` (`the id`))",
	},
	{
		name: "no_primary_key", table: "no_primary_key",
		create: "CREATE TABLE no_primary_key (a INT NOT NULL, b VARCHAR(20), c INT, UNIQUE KEY a (a), KEY b (b), KEY cb (c, b))",
	},
	{
		name: "partitioned", table: "partitioned",
		create: `CREATE TABLE partitioned (
			id INT NOT NULL, created DATE NOT NULL, customer INT NOT NULL,
			PRIMARY KEY (id, created), UNIQUE KEY created_id (created, id), KEY customer (customer)
		) PARTITION BY RANGE (YEAR(created)) SUBPARTITION BY HASH (id) SUBPARTITIONS 2 (
			PARTITION p2024 VALUES LESS THAN (2025),
			PARTITION p2025 VALUES LESS THAN (2026),
			PARTITION pmax VALUES LESS THAN MAXVALUE
		)`,
	},
	{
		name: "comment_key_text", table: "comment_key_text",
		create: `CREATE TABLE comment_key_text (
			id INT NOT NULL, a INT COMMENT 'KEY (a)',
			b INT COMMENT 'see UNIQUE KEY ` + "`x`" + ` (b),\nKEY y (b),',
			c VARCHAR(20) DEFAULT 'KEY (c)',
			PRIMARY KEY (id) COMMENT 'KEY (id)',
			KEY a (a) COMMENT 'CONSTRAINT ` + "`f`" + ` FOREIGN KEY (a)'
		) COMMENT='KEY (t)\n)'`,
	},
	{
		name: "quoted_names", table: "we`ird tab",
		create: "CREATE TABLE `we``ird tab` (`my id` INT NOT NULL, `col``tick` VARCHAR(20), `KEY (x)` INT, `parent id` INT, " +
			"PRIMARY KEY (`my id`), KEY `key with space` (`col``tick`), UNIQUE KEY `uni``que` (`KEY (x)`), " +
			"KEY `p(` (`parent id`), " +
			"CONSTRAINT `fk ``self`` ` FOREIGN KEY (`parent id`) REFERENCES `we``ird tab` (`my id`) ON DELETE CASCADE, " +
			"CONSTRAINT `c`` FOREIGN KEY ``x` CHECK (`KEY (x)` > 0))",
	},
	{
		// A foreign key to a UNIQUE KEY of its own table: MariaDB refuses
		// to add the key and the constraint in one ALTER, so foreign keys
		// are a separate, later step.
		name: "fk_to_unique_key", table: "fk_to_unique_key",
		create: `CREATE TABLE fk_to_unique_key (
			id INT NOT NULL PRIMARY KEY, code VARCHAR(10) NOT NULL, parent_code VARCHAR(10),
			UNIQUE KEY code (code),
			CONSTRAINT fk_parent_code FOREIGN KEY (parent_code) REFERENCES fk_to_unique_key (code)
		)`,
	},
}

// TestSplitDDLRoundTrip proves each split on the server: the CREATE, then
// ALTER TABLE … <alter> on the loader connection, must give back the
// source table's SHOW CREATE TABLE (modulo the AUTO_INCREMENT= option). It
// also checks that testdata/ddl/<case>.sql is what this server prints
// (-update rewrites it).
func TestSplitDDLRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.MustOpen(t)
	loader := mustOpenRole(t, mysqltest.DSN(t, ""), mysql.RoleLoader)
	for _, tc := range ddlCases {
		t.Run(tc.name, func(t *testing.T) {
			src := mysqltest.MustCreateSchema(t, db, "wbunit_")
			mustExecIn(t, db, src, append(append([]string(nil), tc.setup...), tc.create)...)
			live := mustShowCreate(t, db, src, tc.table)
			checkTestdataDDL(t, tc.name, live)

			ac := catalogAutoInc(t, loader, src, tc.table)
			if got := autoIncFromDDL(live); got != ac {
				t.Fatalf("autoIncFromDDL = %q, catalog says %q", got, ac)
			}
			split := splitDDL(live, ac)
			dst := mysqltest.MustCreateSchema(t, db, "wbunit_")
			mustExecIn(t, db, dst, tc.setup...)
			create, err := qualifyCreate(split.Create, dst, tc.table)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := loader.ExecContext(ctx, create); err != nil {
				t.Fatalf("create: %v\n%s", err, create)
			}
			for _, alter := range []string{split.Indexes, split.ForeignKeys} {
				if alter == "" {
					continue
				}
				if _, err := loader.ExecContext(ctx, "ALTER TABLE "+mysql.QuoteTable(dst, tc.table)+" "+alter); err != nil {
					t.Fatalf("alter: %v\n%s", err, alter)
				}
			}
			copied := mustShowCreate(t, db, dst, tc.table)
			if got, want := normalizeDDL(copied, dst), normalizeDDL(live, src); got != want {
				t.Errorf("after CREATE + ALTER:\n%s\nwant (source):\n%s", got, want)
			} else if !slices.Equal(keyLines(copied), keyLines(live)) {
				t.Logf("same keys, in another order than the source's:\n%s\nsource:\n%s",
					strings.Join(keyLines(copied), "\n"), strings.Join(keyLines(live), "\n"))
			}
		})
	}
}

// TestSplitDDL checks the split of each testdata/ddl/<case>.sql against
// testdata/ddl/<case>.golden (create, "-- INDEXES --", indexes,
// "-- FOREIGN KEYS --", foreign keys).
func TestSplitDDL(t *testing.T) {
	for _, tc := range ddlCases {
		t.Run(tc.name, func(t *testing.T) {
			ddl := mustReadTestdata(t, ddlPath(tc.name, ".sql"))
			split := splitDDL(ddl, autoIncFromDDL(ddl))
			assertGolden(t, ddlPath(tc.name, ".golden"),
				split.Create+"\n-- INDEXES --\n"+split.Indexes+"\n-- FOREIGN KEYS --\n"+split.ForeignKeys)
		})
	}
}

// TestSplitDDLInvariants checks, on every golden case, what the loader
// relies on: the CREATE keeps every line that is not a deferrable key,
// and nothing of the ALTER is lost or duplicated.
func TestSplitDDLInvariants(t *testing.T) {
	for _, tc := range ddlCases {
		t.Run(tc.name, func(t *testing.T) {
			ddl := mustReadTestdata(t, ddlPath(tc.name, ".sql"))
			split := splitDDL(ddl, autoIncFromDDL(ddl))
			create := split.Create
			for _, want := range []string{"PRIMARY KEY", "CHECK (", ") ENGINE="} {
				if strings.Count(create, want) != strings.Count(ddl, want) {
					t.Errorf("CREATE has %d %q, want %d as in the DDL", strings.Count(create, want), want, strings.Count(ddl, want))
				}
			}
			if strings.Contains(create, ",\n)") {
				t.Errorf("CREATE has a comma before the closing parenthesis:\n%s", create)
			}
			lines := strings.Count(create, "\n") + 1
			for _, alter := range []string{split.Indexes, split.ForeignKeys} {
				if alter != "" {
					lines += strings.Count(alter, ", ADD ") + 1
				}
			}
			if want := strings.Count(ddl, "\n") + 1; lines != want {
				t.Errorf("CREATE and ALTER hold %d definitions/lines, want %d as in the DDL", lines, want)
			}
		})
	}
}

func TestQualifyCreate(t *testing.T) {
	for _, tt := range []struct {
		name, ddl, schema, table string
		want                     string // "" when an error is expected
	}{
		{"plain", "CREATE TABLE `t` (\n  `a` int(11) DEFAULT NULL\n) ENGINE=InnoDB", "slot_1", "t",
			"CREATE TABLE `slot_1`.`t` (\n  `a` int(11) DEFAULT NULL\n) ENGINE=InnoDB"},
		{"backticks and spaces", "CREATE TABLE `we``ird tab` (\n  `a` int(11)\n)", "s`x", "we`ird tab",
			"CREATE TABLE `s``x`.`we``ird tab` (\n  `a` int(11)\n)"},
		{"name inside the body is left alone", "CREATE TABLE `t` (\n  `t` int(11) COMMENT 'CREATE TABLE `t` ('\n)", "s", "t",
			"CREATE TABLE `s`.`t` (\n  `t` int(11) COMMENT 'CREATE TABLE `t` ('\n)"},
		{"other table", "CREATE TABLE `u` (\n  `a` int(11)\n)", "s", "t", ""},
		{"prefix of the name", "CREATE TABLE `tt` (\n  `a` int(11)\n)", "s", "t", ""},
		{"IF NOT EXISTS", "CREATE TABLE IF NOT EXISTS `t` (\n  `a` int(11)\n)", "s", "t", ""},
		{"view", "CREATE VIEW `t` AS select 1", "s", "t", ""},
		{"empty", "", "s", "t", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := qualifyCreate(tt.ddl, tt.schema, tt.table)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("qualifyCreate = %q, want an error", got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("qualifyCreate = %q, %v, want %q", got, err, tt.want)
			}
		})
	}
}

func ddlPath(name, ext string) string { return filepath.Join("testdata", "ddl", name+ext) }

// autoIncFromDDL returns the name of the column whose definition in a
// SHOW CREATE TABLE output carries AUTO_INCREMENT, "" when none.
func autoIncFromDDL(ddl string) string {
	for _, line := range strings.Split(ddl, "\n") {
		def := strings.TrimSpace(line)
		if !strings.HasPrefix(def, "`") {
			continue
		}
		name, rest := cutIdent(def)
		if strings.Contains(rest, " NOT NULL AUTO_INCREMENT") {
			return name
		}
	}
	return ""
}

// cutIdent splits a definition that starts with a quoted identifier into
// the unquoted name and the rest.
func cutIdent(def string) (name, rest string) {
	var b strings.Builder
	for i := 1; i < len(def); i++ {
		if def[i] == '`' {
			if i+1 < len(def) && def[i+1] == '`' {
				b.WriteByte('`')
				i++
				continue
			}
			return b.String(), def[i+1:]
		}
		b.WriteByte(def[i])
	}
	return b.String(), ""
}

var autoIncOption = regexp.MustCompile(` AUTO_INCREMENT=\d+`)

// normalizeDDL removes what legitimately differs between the source and a
// copy: the table's AUTO_INCREMENT= option, schema qualifiers and the order
// of the secondary keys (MariaDB lists them in creation order, and the
// split creates the AUTO_INCREMENT column's key before the deferred ones).
func normalizeDDL(ddl, schema string) string {
	ddl = strings.ReplaceAll(ddl, mysql.QuoteIdent(schema)+".", "")
	var out, keys []string
	at := -1
	for _, l := range strings.Split(ddl, "\n") {
		l = strings.TrimSuffix(l, ",")
		if strings.HasPrefix(l, ")") {
			l = autoIncOption.ReplaceAllString(l, "")
		}
		if isKeyLine(l) {
			if at < 0 {
				at = len(out)
			}
			keys = append(keys, l)
			continue
		}
		out = append(out, l)
	}
	if at >= 0 {
		sort.Strings(keys)
		out = slices.Insert(out, at, keys...)
	}
	return strings.Join(out, "\n")
}

func isKeyLine(l string) bool {
	def := strings.TrimSpace(l)
	for _, p := range []string{"KEY ", "UNIQUE KEY ", "FULLTEXT KEY ", "SPATIAL KEY "} {
		if strings.HasPrefix(def, p) {
			return true
		}
	}
	return false
}

// keyLines returns the secondary key lines of ddl in order.
func keyLines(ddl string) []string {
	var keys []string
	for _, l := range strings.Split(ddl, "\n") {
		if isKeyLine(l) {
			keys = append(keys, strings.TrimSuffix(strings.TrimSpace(l), ","))
		}
	}
	return keys
}

// checkTestdataDDL compares the server's DDL with testdata/ddl/<name>.sql,
// or writes it there with -update.
func checkTestdataDDL(t *testing.T, name, live string) {
	t.Helper()
	path := ddlPath(name, ".sql")
	if *update {
		mustWriteTestdata(t, path, live)
		return
	}
	if got := mustReadTestdata(t, path); got != live {
		t.Errorf("%s differs from the server's SHOW CREATE TABLE (run go test -update on MariaDB 10.11 to refresh):\n%s\nserver:\n%s", path, got, live)
	}
}

func catalogAutoInc(t *testing.T, db *sqlx.DB, schema, table string) string {
	t.Helper()
	tables, err := mysql.Tables(context.Background(), db, schema)
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		if tb.Name == table {
			return autoIncColumn(tb)
		}
	}
	t.Fatalf("table %s not in the catalog of %s", table, schema)
	return ""
}

// assertGolden compares got with the golden file at path, or rewrites the
// file with -update.
func assertGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		mustWriteTestdata(t, path, got)
		return
	}
	if want := mustReadTestdata(t, path); got != want {
		t.Errorf("output differs from %s (run go test -update to accept):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// mustReadTestdata returns the file's content without its final newline.
func mustReadTestdata(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	return strings.TrimSuffix(string(b), "\n")
}

func mustWriteTestdata(t *testing.T, path, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(s+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// mustOpenRole opens dsn with the session settings of role and closes the
// pool when the test ends.
func mustOpenRole(t testing.TB, dsn string, role mysql.Role) *sqlx.DB {
	t.Helper()
	db, err := mysql.Open(context.Background(), dsn, "test", role)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// mustExecIn runs stmts on one connection whose default database is schema.
func mustExecIn(t testing.TB, db *sql.DB, schema string, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "USE "+mysql.QuoteIdent(schema)); err != nil {
		t.Fatal(err)
	}
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			t.Fatalf("exec %.200s: %v", s, err)
		}
	}
}

func mustShowCreate(t testing.TB, db *sql.DB, schema, table string) string {
	t.Helper()
	var name, ddl string
	if err := db.QueryRow("SHOW CREATE TABLE "+mysql.QuoteTable(schema, table)).Scan(&name, &ddl); err != nil {
		t.Fatalf("show create table %s.%s: %v", schema, table, err)
	}
	return ddl
}
