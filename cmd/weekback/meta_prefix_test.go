package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// runMain runs Main in this process with env overriding the environment
// (WEEKBACK_* keys only) and returns its exit code and output.
func runMain(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string { return env[k] }
	environ := func() []string {
		var list []string
		for k, v := range env {
			list = append(list, k+"="+v)
		}
		return list
	}
	code = Main(context.Background(), args, Env{Stdout: &out, Stderr: &errOut, Getenv: getenv, Environ: environ})
	return code, out.String(), errOut.String()
}

// TestReadCommandsNeverCreateTheMetaSchema: a read command with a
// mistyped prefix exits 2 naming the prefix and the key to fix, and
// creates nothing on the backup server.
func TestReadCommandsNeverCreateTheMetaSchema(t *testing.T) {
	db := mysqltest.MustOpen(t)
	prefix := newPrefix(t, db) // dropped at the end, should the command create it
	dir := t.TempDir()
	env := map[string]string{
		"WEEKBACK_BACKUP_DSN":                 mysqltest.DSN(t, ""),
		"WEEKBACK_BACKUP_READER_DSN":          mysqltest.DSN(t, ""),
		"WEEKBACK_BACKUP_PREFIX":              prefix,
		"WEEKBACK_SOURCE_DSN":                 mysqltest.DSN(t, "nosuchschema"),
		"WEEKBACK_SERVER_LISTEN":              "127.0.0.1:0",
		"WEEKBACK_SERVER_SESSION_SECRET_FILE": filepath.Join(dir, "session.key"),
		"WEEKBACK_EXPORTS_DIR":                filepath.Join(dir, "exports"),
	}
	for _, args := range [][]string{
		{"generations"},
		{"generations", "--json"},
		{"verify"},
		{"verify", "--day", "mon"},
		{"export", "--day", "mon", "--table", "t"},
		{"template", "--day", "mon", "--table", "t"},
		{"serve"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, _, stderr := runMain(t, env, append([]string{"--config", ""}, args...)...)
			if code != 2 {
				t.Errorf("exit %d, want 2\n%s", code, stderr)
			}
			for _, want := range []string{`"` + prefix + `"`, "backup.prefix", "WEEKBACK_BACKUP_PREFIX", "no meta schema"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr does not name %q:\n%s", want, stderr)
				}
			}
			var n int
			if err := db.QueryRow("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", mysql.MetaSchema(prefix)).Scan(&n); err != nil || n != 0 {
				t.Fatalf("%s exists after `weekback %s` (%v): read commands must not create it", mysql.MetaSchema(prefix), strings.Join(args, " "), err)
			}
		})
	}
}
