package mysqltest

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// GaleraDSNs returns the DSNs (without a database) of the Galera test
// cluster's nodes, from $WEEKBACK_GALERA_DSNS (space separated, set by
// `make test-galera` through scripts/ensure-galera). It skips the test when
// the variable is unset, and fails it when a node does not answer or is not
// a synced member of a primary component.
func GaleraDSNs(tb testing.TB) []string {
	tb.Helper()
	dsns := strings.Fields(os.Getenv("WEEKBACK_GALERA_DSNS"))
	if len(dsns) == 0 {
		tb.Skip("WEEKBACK_GALERA_DSNS is not set (run `make test-galera`, which starts a 3-node cluster with scripts/ensure-galera)")
	}
	for _, dsn := range dsns {
		if err := galeraSynced(dsn); err != nil {
			tb.Fatalf("Galera node %s: %v (restart the cluster: scripts/ensure-galera)", dsn, err)
		}
	}
	return dsns
}

// galeraSynced checks that the node at dsn is a synced member of a
// primary component.
func galeraSynced(dsn string) error {
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var state, status string
	err = db.QueryRowContext(ctx, `SELECT
		MAX(IF(VARIABLE_NAME = 'WSREP_LOCAL_STATE_COMMENT', VARIABLE_VALUE, NULL)),
		MAX(IF(VARIABLE_NAME = 'WSREP_CLUSTER_STATUS', VARIABLE_VALUE, NULL))
		FROM information_schema.GLOBAL_STATUS`).Scan(&state, &status)
	if err != nil {
		return err
	}
	if state != "Synced" || status != "Primary" {
		return &notSynced{state: state, status: status}
	}
	return nil
}

type notSynced struct{ state, status string }

func (e *notSynced) Error() string {
	return "not a synced member of a primary component (state " + e.state + ", cluster " + e.status + ")"
}

// GaleraDSN returns dsn (one of GaleraDSNs) with database schema.
func GaleraDSN(tb testing.TB, dsn, schema string) string {
	tb.Helper()
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		tb.Fatalf("parse Galera DSN %q: %v", dsn, err)
	}
	cfg.DBName = schema
	return cfg.FormatDSN()
}

// OpenNode opens a pool to one Galera node (no database), closed when the
// test ends.
func OpenNode(tb testing.TB, dsn string) *sql.DB {
	tb.Helper()
	db, err := sql.Open("mysql", GaleraDSN(tb, dsn, ""))
	if err != nil {
		tb.Fatalf("open Galera node %s: %v", dsn, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// CertFailures returns the sum over the nodes of their certification
// failures and brute-force aborts: each is an error 1213 some transaction
// got (and, in Weekback, retried).
func CertFailures(tb testing.TB, nodes ...*sql.DB) int64 {
	tb.Helper()
	var sum int64
	for i, db := range nodes {
		var n int64
		err := db.QueryRow("SELECT COALESCE(SUM(VARIABLE_VALUE), 0) FROM information_schema.GLOBAL_STATUS" +
			" WHERE VARIABLE_NAME IN ('WSREP_LOCAL_CERT_FAILURES', 'WSREP_LOCAL_BF_ABORTS')").Scan(&n)
		if err != nil {
			tb.Fatalf("node %d's wsrep status: %v", i+1, err)
		}
		sum += n
	}
	return sum
}

// SchemaShape describes schema's columns and indexes, one line each, in a
// stable order: two schemas with the same shape have the same tables.
func SchemaShape(tb testing.TB, db *sql.DB, schema string) string {
	tb.Helper()
	var lines []string
	for _, q := range []string{
		`SELECT CONCAT_WS(' ', TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COALESCE(COLUMN_DEFAULT, 'none'), EXTRA)
		 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`,
		`SELECT CONCAT_WS(' ', TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME)
		 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
	} {
		rows, err := db.Query(q, schema)
		if err != nil {
			tb.Fatalf("describe %s: %v", schema, err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				tb.Fatalf("describe %s: %v", schema, err)
			}
			lines = append(lines, s)
		}
		rows.Close()
	}
	return strings.Join(lines, "\n")
}
