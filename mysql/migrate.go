package mysql

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

//go:embed migrations/*.sql
var migrations embed.FS

// leasesMigration is the migration that creates the leases table. It is
// idempotent and also run before the migration lease is taken, since that
// lease is one of its rows.
const leasesMigration = 8

// migrate applies the embedded migrations that schema has not seen yet,
// under the migration lease so concurrent processes (on any node of a
// cluster) do not race.
func migrate(ctx context.Context, db *sqlx.DB, schema string) error {
	conn, err := db.Connx(ctx)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", schema, err)
	}
	defer conn.Close()
	leases := migration{version: leasesMigration, name: "0008_leases.sql"}
	if err := retry(ctx, func() error { return applyStatements(ctx, conn, schema, leases) }); err != nil {
		return err
	}
	lock, err := waitLease(ctx, db, schema, "migrate", migrateLease, migrateWait)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", schema, err)
	}
	if lock == nil {
		return fmt.Errorf("migrate %s: another process kept the migration lock for %s; try again", schema, migrateWait)
	}
	defer lock.Release()
	if _, err := conn.ExecContext(ctx, Tag+"CREATE TABLE IF NOT EXISTS "+QuoteTable(schema, "schema_migrations")+
		" (version INT NOT NULL PRIMARY KEY, applied_at DATETIME(6) NOT NULL) ENGINE=InnoDB"); err != nil {
		return fmt.Errorf("migrate %s: %w", schema, err)
	}
	var current int
	if err := conn.QueryRowxContext(ctx, Tag+"SELECT COALESCE(MAX(version),0) FROM "+QuoteTable(schema, "schema_migrations")).Scan(&current); err != nil {
		return fmt.Errorf("migrate %s: %w", schema, err)
	}
	files, err := migrationFiles()
	if err != nil {
		return err
	}
	for _, f := range files {
		if f.version <= current {
			continue
		}
		// Every step is idempotent: one that a cluster's DDL or another
		// node's write aborted (1213) runs again whole.
		if err := retry(ctx, func() error { return applyMigration(ctx, conn, schema, f) }); err != nil {
			return err
		}
	}
	return nil
}

type migration struct {
	version int
	name    string
}

func migrationFiles() ([]migration, error) {
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		v, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", e.Name())
		}
		out = append(out, migration{version: v, name: e.Name()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// applyStatements runs the statements of migration m in schema.
func applyStatements(ctx context.Context, conn *sqlx.Conn, schema string, m migration) error {
	body, err := migrations.ReadFile("migrations/" + m.name)
	if err != nil {
		return fmt.Errorf("read migration %s: %w", m.name, err)
	}
	if _, err := conn.ExecContext(ctx, Tag+"USE "+QuoteIdent(schema)); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	for _, stmt := range splitStatements(string(body)) {
		if _, err := conn.ExecContext(ctx, Tag+stmt); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, conn *sqlx.Conn, schema string, m migration) error {
	if err := applyStatements(ctx, conn, schema, m); err != nil {
		return err
	}
	_, err := conn.ExecContext(ctx, Tag+"INSERT INTO "+QuoteTable(schema, "schema_migrations")+" VALUES (?, ?)", m.version, time.Now().UTC())
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	return nil
}

// splitStatements splits a migration file on lines ending in ";", dropping
// "--" comment lines. Migrations keep one statement per such block.
func splitStatements(body string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteString("\n")
		if strings.HasSuffix(strings.TrimSpace(line), ";") {
			s := strings.TrimSuffix(strings.TrimSpace(cur.String()), ";")
			if s != "" {
				out = append(out, s)
			}
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}
