package mysql

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestGaleraCausal: on a single server the meta reads that decide access
// run as they are; on a Galera node they wait for the cluster's writes
// (SyncWaitHead), and the server accepts the statement.
func TestGaleraCausal(t *testing.T) {
	ctx := context.Background()
	const q = Tag + "SELECT 1"
	single := &Meta{db: sqlx.NewDb(mysqltest.MustOpen(t), "mysql")}
	if got := single.causal(ctx, q); got != q {
		t.Errorf("causal on a single server = %q, want %q", got, q)
	}
	dsns := mysqltest.GaleraDSNs(t)
	node := &Meta{db: sqlx.NewDb(mysqltest.OpenNode(t, dsns[1]), "mysql")}
	got := node.causal(ctx, q)
	if got != SyncWaitHead+"SELECT 1" {
		t.Fatalf("causal on a Galera node = %q, want %q", got, SyncWaitHead+"SELECT 1")
	}
	var one int
	if err := node.db.QueryRowxContext(ctx, got).Scan(&one); err != nil || one != 1 {
		t.Fatalf("%s = %d, %v", got, one, err)
	}
}
