package benchutil

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/go-sql-driver/mysql"
	"go.yaml.in/yaml/v3"
)

// DefaultDSN is the test server when WEEKBACK_TEST_DSN is not set.
const DefaultDSN = "root@tcp(127.0.0.1:3306)/"

// DSN returns WEEKBACK_TEST_DSN, or DefaultDSN when it is empty.
func DSN() string {
	if v := os.Getenv("WEEKBACK_TEST_DSN"); v != "" {
		return v
	}
	return DefaultDSN
}

// Base is what every benchmark holds: the server, a pool of connections to
// it and a private temporary directory (for config and option files).
type Base struct {
	Cfg *mysql.Config // the server, without a database
	DB  *sql.DB       // safe for concurrent use
	Dir string
}

// Open connects to dsn with at most maxConns connections and makes a
// temporary directory named after pattern (as os.MkdirTemp). It fails on a
// bad DSN, an unreachable server or no temporary directory.
func Open(ctx context.Context, dsn string, maxConns int, pattern string) (*Base, error) {
	cfg, db, err := Connect(ctx, dsn, maxConns)
	if err != nil {
		return nil, err
	}
	b := &Base{Cfg: cfg, DB: db}
	if b.Dir, err = os.MkdirTemp("", pattern); err != nil {
		b.Close()
		return nil, fmt.Errorf("make temp dir: %w", err)
	}
	return b, nil
}

// Close closes the pool and removes the temporary directory.
func (b *Base) Close() {
	_ = b.DB.Close()
	if b.Dir != "" {
		_ = os.RemoveAll(b.Dir)
	}
}

// Connect parses dsn, drops its database and returns the parsed config and
// a pool of at most maxConns connections, pinged. It fails on a bad DSN or
// an unreachable server; the pool is safe for concurrent use.
func Connect(ctx context.Context, dsn string, maxConns int) (*mysql.Config, *sql.DB, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("parse WEEKBACK_TEST_DSN: %w", err)
	}
	cfg.DBName = ""
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("connect: %w", err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, nil, fmt.Errorf("connect to %s: %w", cfg.Addr, err)
	}
	return cfg, db, nil
}

// Quote quotes an identifier, doubling backticks.
func Quote(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// Qualify returns `schema`.`name`.
func Qualify(schema, name string) string {
	return Quote(schema) + "." + Quote(name)
}

// PrefixSchemas lists, sorted, the schemas whose names start with prefix
// and an underscore (a weekback backup prefix's slots and meta schema, and
// a benchmark's scratch copies), except those named in keep.
func PrefixSchemas(ctx context.Context, db *sql.DB, prefix string, keep ...string) ([]string, error) {
	like := strings.NewReplacer(`\`, `\\`, "_", `\_`, "%", `\%`).Replace(prefix) + `\_%`
	rows, err := db.QueryContext(ctx, `SELECT SCHEMA_NAME FROM information_schema.SCHEMATA
		WHERE SCHEMA_NAME LIKE ? ORDER BY SCHEMA_NAME`, like)
	if err != nil {
		return nil, fmt.Errorf("list schemas: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("list schemas: %w", err)
		}
		if !slices.Contains(keep, name) {
			names = append(names, name)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list schemas: %w", err)
	}
	return names, nil
}

// DropSchemas drops every schema in names, logging each; it stops at the
// first failure.
func DropSchemas(ctx context.Context, db *sql.DB, names []string) error {
	for _, name := range names {
		Logf("dropping schema %s", name)
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+Quote(name)); err != nil {
			return fmt.Errorf("drop schema %s: %w", name, err)
		}
	}
	return nil
}

// WriteClientOptions writes dir/client.cnf, a [client] option file for the
// mariadb command line tools with cfg's address and credentials (so that
// the password stays off the command line) and utf8mb4. It returns the
// file's path.
func WriteClientOptions(cfg *mysql.Config, dir string) (string, error) {
	q := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	var s strings.Builder
	fmt.Fprintf(&s, "[client]\nuser=\"%s\"\npassword=\"%s\"\ndefault-character-set=utf8mb4\n",
		q.Replace(cfg.User), q.Replace(cfg.Passwd))
	if cfg.Net == "unix" {
		fmt.Fprintf(&s, "protocol=SOCKET\nsocket=\"%s\"\n", q.Replace(cfg.Addr))
	} else {
		host, port := SplitHostPort(cfg.Addr)
		fmt.Fprintf(&s, "protocol=TCP\nhost=\"%s\"\nport=%s\n", q.Replace(host), port)
	}
	path := filepath.Join(dir, "client.cnf")
	if err := os.WriteFile(path, []byte(s.String()), 0o600); err != nil {
		return "", fmt.Errorf("write client options: %w", err)
	}
	return path, nil
}

// SplitHostPort splits a DSN's address, defaulting the port to 3306.
func SplitHostPort(addr string) (host, port string) {
	i := strings.LastIndex(addr, ":")
	if i < 0 || strings.HasSuffix(addr, "]") {
		return strings.Trim(addr, "[]"), "3306"
	}
	return strings.Trim(addr[:i], "[]"), addr[i+1:]
}

// WriteYAML writes doc (a weekback config, keys as in README.md's configuration) to path,
// readable by its owner only: it holds DSNs with passwords.
func WriteYAML(path string, doc any) error {
	data, err := yaml.Marshal(doc)
	if err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return nil
}
