package mysql

import (
	"context"
	"strings"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// deadDSN returns the DSN of a loopback port nothing listens on.
func deadDSN(t *testing.T) string { return "root@tcp(" + mysqltest.DeadAddr(t) + ")/" }

// TestOpenNodes: a DSN list (one per line, as config keeps backup.dsn)
// opens on the first node that answers; PingNode names it; when no node
// answers, the error is EUNAVAILABLE and names every node.
func TestOpenNodes(t *testing.T) {
	ctx := context.Background()
	dead, live := deadDSN(t), mysqltest.DSN(t, "")
	db, err := Open(ctx, dead+"\n"+live, "backup.dsn", RoleMeta)
	if err != nil {
		t.Fatalf("Open(dead node, live node) = %v, want the live one", err)
	}
	defer db.Close()
	node, err := PingNode(ctx, db)
	if want := Addr(live); err != nil || node != want {
		t.Fatalf("PingNode = %q, %v; want %q", node, err, want)
	}
	if got, want := Addr(dead+"\n"+live), Addr(dead)+", "+Addr(live); got != want {
		t.Errorf("Addr(list) = %q, want %q", got, want)
	}
	other := deadDSN(t)
	_, err = Open(ctx, dead+"\n"+other, "backup.dsn", RoleMeta)
	if weekback.ErrorCode(err) != weekback.EUNAVAILABLE || !strings.Contains(err.Error(), Addr(dead)) || !strings.Contains(err.Error(), Addr(other)) {
		t.Fatalf("Open(two dead nodes) = %v, want EUNAVAILABLE naming both", err)
	}
	single, err := Open(ctx, live, "backup.dsn", RoleMeta)
	if err != nil {
		t.Fatal(err)
	}
	defer single.Close()
	if node, err := PingNode(ctx, single); err != nil || node != "" {
		t.Errorf("PingNode(one DSN) = %q, %v; want \"\" (the caller knows its only node)", node, err)
	}
}
