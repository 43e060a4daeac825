package snapshotter_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
	"github.com/weekback/weekback/snapshotter"
)

// MustCreateUser creates an account with password and grants, dropped when
// the test ends. It returns a DSN for it with database schema.
func MustCreateUser(tb testing.TB, db *sql.DB, schema string, grants ...string) string {
	tb.Helper()
	user := mysqltest.UniqueName("wbu_")
	const password = "Secret-123"
	mysqltest.MustExec(tb, db, fmt.Sprintf("CREATE USER '%s'@'%%' IDENTIFIED BY '%s'", user, password))
	tb.Cleanup(func() { db.Exec(fmt.Sprintf("DROP USER IF EXISTS '%s'@'%%'", user)) })
	for _, g := range grants {
		mysqltest.MustExec(tb, db, strings.ReplaceAll(g, "USER", fmt.Sprintf("'%s'@'%%'", user)))
	}
	cfg, err := mysql.ParseDSN(mysqltest.DSN(tb, schema))
	if err != nil {
		tb.Fatal(err)
	}
	cfg.User, cfg.Passwd = user, password
	return cfg.FormatDSN()
}

// TestReadmeGrantsSuffice runs a snapshot with accounts that hold exactly
// the privileges README.md lists: it must pass the pre-flight check and
// copy in parallel.
func TestReadmeGrantsSuffice(t *testing.T) {
	db := mysqltest.MustOpen(t)
	src := MustLoadScenario(t, db, "typezoo")
	prefix := mysqltest.UniqueName("wbt_")
	mysqltest.DropPrefixOnCleanup(t, db, prefix)
	s := snapshotter.New()
	s.Prefix = prefix
	s.Logger = testLogger(t)
	s.SourceDSN = MustCreateUser(t, db, src,
		"GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON `"+src+"`.* TO USER",
		"GRANT RELOAD, BINLOG MONITOR ON *.* TO USER",
		"GRANT SELECT ON mysql.proc TO USER")
	s.BackupDSN = MustCreateUser(t, db, "",
		"GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, REFERENCES, CREATE VIEW, SHOW VIEW ON `"+
			strings.ReplaceAll(prefix, "_", `\_`)+`\_%`+"`.* TO USER")
	if err := s.Open(context.Background()); err != nil {
		t.Fatalf("open: %v", err)
	}
	defer s.Close()
	res, err := s.Snapshot(context.Background(), weekback.Friday)
	if err != nil {
		t.Fatalf("snapshot with README's grants: %v", err)
	}
	if res.Manifest.Mode != weekback.ModeParallel {
		t.Errorf("mode = %s, want parallel", res.Manifest.Mode)
	}
	if len(res.Manifest.Routines) != 1 || res.Manifest.Routines[0].DDL == "" {
		t.Errorf("routine DDL not kept with README's grants: %+v", res.Manifest.Routines)
	}
}

// TestMissingBackupGrants lists the GRANT statement the backup account
// needs, before anything is written.
func TestMissingBackupGrants(t *testing.T) {
	db := mysqltest.MustOpen(t)
	src := MustLoadScenario(t, db, "typezoo")
	s := MustOpenSnapshotter(t, db, src)
	s.Close()
	s.BackupDSN = MustCreateUser(t, db, "", "GRANT SELECT ON `"+s.Prefix+"\\_%`.* TO USER")
	if err := s.Open(context.Background()); err != nil {
		t.Fatalf("open: %v", err)
	}
	_, err := s.Snapshot(context.Background(), weekback.Friday)
	if weekback.ErrorCode(err) != weekback.EINVALID {
		t.Fatalf("err = %v (code %q), want EINVALID", err, weekback.ErrorCode(err))
	}
	for _, want := range []string{"GRANT INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX", "backup.dsn"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	var schemas int
	db.QueryRow("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?", s.Prefix+`\_%`).Scan(&schemas)
	if schemas != 0 {
		t.Errorf("%d schemas created despite missing privileges, want 0", schemas)
	}
}
