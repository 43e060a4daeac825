// Package mysqltest helps tests talk to a real MariaDB/MySQL server: the
// server comes from $WEEKBACK_TEST_DSN (set by `make test` through
// scripts/ensure-mariadb), else 127.0.0.1:3306 as root. Every test gets its
// own uniquely named schemas and backup prefix and drops them afterwards,
// so packages tested in parallel never see each other's leftovers.
package mysqltest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
)

// DefaultDSN is used when WEEKBACK_TEST_DSN is not set.
const DefaultDSN = "root@tcp(127.0.0.1:3306)/"

// ServerDSN returns the DSN of the test server, without a database.
func ServerDSN() string {
	if dsn := os.Getenv("WEEKBACK_TEST_DSN"); dsn != "" {
		return dsn
	}
	return DefaultDSN
}

// DSN returns the test server's DSN with database schema.
func DSN(tb testing.TB, schema string) string {
	tb.Helper()
	cfg, err := mysql.ParseDSN(ServerDSN())
	if err != nil {
		tb.Fatalf("parse WEEKBACK_TEST_DSN: %v", err)
	}
	cfg.DBName = schema
	return cfg.FormatDSN()
}

// MustOpen opens a connection pool to the test server (no database) and
// closes it when the test ends. It fails the test when the server does not
// answer.
func MustOpen(tb testing.TB) *sql.DB {
	tb.Helper()
	db, err := sql.Open("mysql", DSN(tb, ""))
	if err != nil {
		tb.Fatalf("open test server: %v", err)
	}
	if err := db.Ping(); err != nil {
		tb.Fatalf("test server %s does not answer: %v (run `make test`, which starts one)", ServerDSN(), err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// UniqueName returns prefix followed by a random suffix, usable as a schema
// name or backup prefix.
func UniqueName(prefix string) string {
	b := make([]byte, 4)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// MustCreateSchema creates a fresh schema named after prefix and drops it
// when the test ends. It returns its name.
func MustCreateSchema(tb testing.TB, db *sql.DB, prefix string) string {
	tb.Helper()
	name := UniqueName(prefix)
	MustExec(tb, db, "CREATE DATABASE `"+name+"` CHARACTER SET utf8mb4")
	tb.Cleanup(func() { db.Exec("DROP DATABASE IF EXISTS `" + name + "`") })
	return name
}

// DropPrefixOnCleanup drops every schema whose name starts with prefix+"_"
// when the test ends (the slots and meta schema of a backup prefix).
func DropPrefixOnCleanup(tb testing.TB, db *sql.DB, prefix string) {
	tb.Cleanup(func() {
		rows, err := db.Query("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?",
			strings.ReplaceAll(prefix, "_", `\_`)+`\_%`)
		if err != nil {
			return
		}
		var names []string
		for rows.Next() {
			var n string
			if rows.Scan(&n) == nil {
				names = append(names, n)
			}
		}
		rows.Close()
		for _, n := range names {
			db.Exec("DROP DATABASE IF EXISTS `" + n + "`")
		}
	})
}

// MustExec runs each statement, failing the test on the first error.
func MustExec(tb testing.TB, db *sql.DB, stmts ...string) {
	tb.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			tb.Fatalf("exec %.200s: %v", s, err)
		}
	}
}
