package main

import (
	"strings"
	"testing"

	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestServeRefusesProductionAuthSource: auth.source production is not
// supported yet, and serve says so instead of starting.
func TestServeRefusesProductionAuthSource(t *testing.T) {
	cfg := writeConfig(t, testConfig{SourceDSN: mysqltest.DSN(t, "nosuch"), BackupDSN: mysqltest.DSN(t, ""), Prefix: mysqltest.UniqueName("wbp_"),
		Extra: "auth:\n  source: production\n"})
	cfg = appendReaderDSN(t, cfg, mysqltest.DSN(t, ""))
	_, stderr := mustRunWeekback(t, 2, cfg, "serve")
	if !strings.Contains(stderr, "auth.source: production is not supported yet") {
		t.Fatalf("stderr lacks the reason:\n%s", stderr)
	}
}
