package compare

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

func TestProfileSlots(t *testing.T) {
	from, to := os.Getenv("PROF_FROM"), os.Getenv("PROF_TO")
	if from == "" {
		t.Skip()
	}
	pool, err := mysql.Open(context.Background(), mysqltest.DSN(t, ""), "test", mysql.RoleSource)
	if err != nil {
		t.Fatal(err)
	}
	c := &Comparer{From: SchemaSide(pool, "from", from), To: SchemaSide(pool, "to", to)}
	for _, table := range []string{"orders", "customers"} {
		start := time.Now()
		tc, err := c.Table(context.Background(), table)
		t.Logf("%s: %+v %v in %s", table, tc, err, time.Since(start))
	}
}
