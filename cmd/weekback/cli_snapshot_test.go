package main

import (
	"strings"
	"testing"

	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestSnapshotDryRunNamesWhatIsNotCopied: --dry-run lists the tables
// (one named with "/"), the sequences, and every object the snapshot
// would not copy or copy only in part, with the reason.
func TestSnapshotDryRunNamesWhatIsNotCopied(t *testing.T) {
	db := mysqltest.MustOpen(t)
	src := mysqltest.MustLoadScript(t, db, "wbe_obj_", "../../snapshotter/testdata/objects/schema.sql")
	env := map[string]string{
		"WEEKBACK_SOURCE_DSN":     mysqltest.DSN(t, src),
		"WEEKBACK_SOURCE_INCLUDE": "*",
		"WEEKBACK_SOURCE_EXCLUDE": "tmp_*",
		"WEEKBACK_BACKUP_DSN":     mysqltest.DSN(t, ""),
		"WEEKBACK_BACKUP_PREFIX":  newPrefix(t, db),
	}
	code, stdout, stderr := runMain(t, env, "--config", "", "snapshot", "--day", "wed", "--dry-run")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"table orders/2024 ", "table audit_v ", "sequence invoice_no",
		`not copied: table tmp_scratch: excluded by the source.exclude glob "tmp_*"`,
		`not copied: view tmp_view: excluded by the source.exclude glob "tmp_*"`,
		"copied in part: table trx_v: system-versioned: only the current rows are copied"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, stdout)
		}
	}
}
