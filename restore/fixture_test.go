package restore_test

import (
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/template/templatetest"
)

const sakilaScript = "testdata/sakila.sql"

// fixture is a production schema loaded from a script and snapshotted as
// one day's generation in a fresh backup prefix.
type fixture struct {
	*templatetest.Fixture
}

// mustFixture loads script into a fresh production schema and snapshots
// it as day's generation.
func mustFixture(tb testing.TB, script string, day weekback.Weekday) *fixture {
	tb.Helper()
	return &fixture{templatetest.MustGeneration(tb, script, day)}
}
