package mysql

import (
	"context"
	"database/sql"
	"reflect"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback/mysql/mysqltest"
)

func TestSplitStatements(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		want       []string
	}{
		{"empty", "", nil},
		{"only comments and blanks", "-- a\n\n  -- b\n", nil},
		{"one statement", "CREATE TABLE a (x INT);\n", []string{"CREATE TABLE a (x INT)"}},
		{"no final semicolon", "SELECT 1", []string{"SELECT 1"}},
		{"no final newline", "SELECT 1;", []string{"SELECT 1"}},
		{"two statements", "SELECT 1;\nSELECT 2;\n", []string{"SELECT 1", "SELECT 2"}},
		{"multi-line", "CREATE TABLE a (\n  x INT,\n  y INT\n);\n", []string{"CREATE TABLE a (\n  x INT,\n  y INT\n)"}},
		{"comment lines dropped", "-- header\nCREATE TABLE a (\n  -- the key\n  x INT\n);\n", []string{"CREATE TABLE a (\n  x INT\n)"}},
		{"indented comment", "SELECT 1;\n    -- trailing note\n", []string{"SELECT 1"}},
		{"trailing spaces after ;", "SELECT 1;   \nSELECT 2;\t\n", []string{"SELECT 1", "SELECT 2"}},
		{"semicolon inside a line", "SELECT ';' AS x,\n 1;\n", []string{"SELECT ';' AS x,\n 1"}},
		// The statement keeps the newline before a ";" on its own line (harmless).
		{"semicolon on its own line", "SELECT 1\n;\n", []string{"SELECT 1\n"}},
		{"lone semicolons", ";\n;\nSELECT 1;\n", []string{"SELECT 1"}},
		{"CRLF", "SELECT 1;\r\nSELECT 2;\r\n", []string{"SELECT 1", "SELECT 2"}},
		{"text after the last statement", "SELECT 1;\nSELECT 2\n", []string{"SELECT 1", "SELECT 2"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := splitStatements(tt.body); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("splitStatements(%q) = %q, want %q", tt.body, got, tt.want)
			}
		})
	}
}

// TestMigrationFiles checks the embedded migrations: numbered from 1
// without gaps or duplicates, each splitting into statements.
func TestMigrationFiles(t *testing.T) {
	files, err := migrationFiles()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no embedded migrations")
	}
	for i, f := range files {
		if f.version != i+1 {
			t.Errorf("migration %s has version %d, want %d", f.name, f.version, i+1)
		}
		body, err := migrations.ReadFile("migrations/" + f.name)
		if err != nil {
			t.Fatal(err)
		}
		if len(splitStatements(string(body))) == 0 {
			t.Errorf("migration %s holds no statement", f.name)
		}
	}
}

// TestOpenMetaMigrates opens a fresh prefix twice (the second time must
// apply nothing), then from several goroutines at once on another prefix
// (the migration lock must serialize them).
func TestOpenMetaMigrates(t *testing.T) {
	ctx := context.Background()
	db, backup, _, want := migrationFixture(t)

	t.Run("twice", func(t *testing.T) {
		prefix := mysqltest.UniqueName("wbunit_")
		mysqltest.DropPrefixOnCleanup(t, db, prefix)
		for i := range 2 {
			m, err := OpenMeta(ctx, backup, prefix)
			if err != nil {
				t.Fatalf("OpenMeta #%d: %v", i+1, err)
			}
			if m.Schema() != prefix+"_meta" {
				t.Fatalf("meta schema = %q, want %q", m.Schema(), prefix+"_meta")
			}
			assertMigrated(t, backup, m.Schema(), want)
		}
	})
	t.Run("concurrently", func(t *testing.T) {
		prefix := mysqltest.UniqueName("wbunit_")
		mysqltest.DropPrefixOnCleanup(t, db, prefix)
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() { _, errs[i] = OpenMeta(ctx, backup, prefix) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("OpenMeta #%d: %v", i+1, err)
			}
		}
		assertMigrated(t, backup, MetaSchema(prefix), want)
	})
	t.Run("three processes on a fresh schema", func(t *testing.T) {
		prefix := mysqltest.UniqueName("wbunit_")
		mysqltest.DropPrefixOnCleanup(t, db, prefix)
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i := range errs {
			pool, err := Open(ctx, mysqltest.DSN(t, ""), "backup.dsn", RoleBackup)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { pool.Close() })
			wg.Go(func() { _, errs[i] = OpenMeta(ctx, pool, prefix) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("OpenMeta #%d: %v", i+1, err)
			}
		}
		assertMigrated(t, backup, MetaSchema(prefix), want)
		if held, _, err := leaseHeld(ctx, backup, MetaSchema(prefix), "migrate"); err != nil || held {
			t.Fatalf("migration lease after the migrations: held %v (%v), want released", held, err)
		}
	})
}

// TestMigrationsResume applies a migration by hand without recording it
// (all its statements, or only the first ones, as a process killed in the
// middle would) and migrates: every step is safe to run again, so the
// migration resumes and the schema ends complete.
func TestMigrationsResume(t *testing.T) {
	ctx := context.Background()
	db, backup, files, want := migrationFixture(t)
	for n, half := range files {
		body, err := migrations.ReadFile("migrations/" + half.name)
		if err != nil {
			t.Fatal(err)
		}
		stmts := splitStatements(string(body))
		for _, k := range []int{(len(stmts) + 1) / 2, len(stmts)} {
			prefix := mysqltest.UniqueName("wbunit_")
			mysqltest.DropPrefixOnCleanup(t, db, prefix)
			schema := MetaSchema(prefix)
			conn := mustConn(t, backup, schema)
			for _, f := range files[:n] {
				if err := applyMigration(ctx, conn, schema, f); err != nil {
					t.Fatal(err)
				}
			}
			for _, stmt := range stmts[:k] {
				if _, err := conn.ExecContext(ctx, stmt); err != nil {
					t.Fatalf("%s by hand: %v", half.name, err)
				}
			}
			if err := migrate(ctx, backup, schema); err != nil {
				t.Fatalf("migrate after %d of %d statements of %s: %v", k, len(stmts), half.name, err)
			}
			assertMigrated(t, backup, schema, want)
		}
	}
}

// mustConn creates schema with the migrations table and returns a
// connection to it.
func mustConn(t *testing.T, db *sqlx.DB, schema string) *sqlx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	for _, stmt := range []string{"CREATE DATABASE " + QuoteIdent(schema), "USE " + QuoteIdent(schema),
		"CREATE TABLE schema_migrations (version INT NOT NULL PRIMARY KEY, applied_at DATETIME(6) NOT NULL) ENGINE=InnoDB"} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	return conn
}

// migrationFixture opens the test server twice (plain, and as the backup
// role) and lists the migrations and their versions.
func migrationFixture(t *testing.T) (*sql.DB, *sqlx.DB, []migration, []int) {
	t.Helper()
	backup, err := Open(context.Background(), mysqltest.DSN(t, ""), "backup.dsn", RoleBackup)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { backup.Close() })
	files, err := migrationFiles()
	if err != nil {
		t.Fatal(err)
	}
	var want []int
	for _, f := range files {
		want = append(want, f.version)
	}
	return mysqltest.MustOpen(t), backup, files, want
}

// assertMigrated checks that schema_migrations holds each version once and
// that the tables of the migrations exist.
func assertMigrated(t *testing.T, db *sqlx.DB, schema string, want []int) {
	t.Helper()
	var got []int
	if err := db.Select(&got, "SELECT version FROM "+QuoteTable(schema, "schema_migrations")+" ORDER BY version"); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("schema_migrations versions = %v, want %v", got, want)
	}
	var tables []string
	if err := db.Select(&tables, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME", schema); err != nil {
		t.Fatal(err)
	}
	if wantTables := []string{"audit_log", "change_sets", "generations", "jobs", "leases", "login_throttle", "retired_slots", "revoked_sessions", "row_digests", "schema_migrations", "snapshot_requests", "snapshot_runs"}; !reflect.DeepEqual(tables, wantTables) {
		t.Fatalf("tables of %s = %v, want %v", schema, tables, wantTables)
	}
}
