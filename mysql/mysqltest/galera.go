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
