package main

import (
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestCommandHelp: every command's -h exits 0 and says how to call it;
// commands without flags still say what they read, and FILE arguments
// are named.
func TestCommandHelp(t *testing.T) {
	for name, spec := range commands {
		t.Run(name, func(t *testing.T) {
			code, _, stderr := runMain(t, nil, name, "-h")
			if code != 0 {
				t.Fatalf("exit %d, want 0\n%s", code, stderr)
			}
			if want := "usage: weekback [--config FILE] " + name; !strings.HasPrefix(stderr, want) {
				t.Errorf("help does not start with %q:\n%s", want, stderr)
			}
			if !strings.Contains(stderr, spec.summary[1:]) {
				t.Errorf("help does not say what %s does:\n%s", name, stderr)
			}
		})
	}
	for _, tc := range []struct {
		name    string
		want    []string
		notWant string
	}{
		{"export", []string{"-profile string", "--day DAY --table T"}, "-profile weekback"},
		{"import", []string{"FILE", "--to DSN --table T", "reimport CSV"}, ""},
		{"template-apply", []string{"--to DSN [--reason TEXT] [--execute] FILE", "template JSON"}, ""},
		{"restore", []string{"--from DAY --to DSN", "--undo FILE --to DSN", "-with-children", "never overwritten"}, ""},
		{"serve", []string{"takes no flags", "backup.reader_dsn", "configuration"}, ""},
		{"snapshotter", []string{"takes no flags", "schedule.cron", "configuration"}, ""},
		{"demo", []string{"--listen", "DEMO_ARGS"}, ""},
	} {
		t.Run(tc.name+" details", func(t *testing.T) {
			_, _, stderr := runMain(t, nil, tc.name, "-h")
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("help lacks %q:\n%s", w, stderr)
				}
			}
			if tc.notWant != "" && strings.Contains(stderr, tc.notWant) {
				t.Errorf("help says %q:\n%s", tc.notWant, stderr)
			}
		})
	}
}

// TestDemoBusyPort: the demo finds its port busy before it builds
// anything, exits 2 and says how to pick another.
func TestDemoBusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	db := mysqltest.MustOpen(t)
	prefix := newPrefix(t, db)
	started := time.Now()
	code, _, stderr := runMain(t, nil, "demo", "--dsn", mysqltest.DSN(t, ""), "--prefix", prefix,
		"--listen", ln.Addr().String(), "--write-config", filepath.Join(t.TempDir(), "demo.yaml"))
	if code != 2 {
		t.Fatalf("exit %d, want 2\n%s", code, stderr)
	}
	for _, w := range []string{ln.Addr().String(), "--listen", "DEMO_ARGS", "--no-serve"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	var n int
	db.QueryRow("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?", prefix+"%").Scan(&n)
	if n != 0 || time.Since(started) > 5*time.Second {
		t.Errorf("%d schemas of %s created, %s spent: the port must be checked before the week is built", n, prefix, time.Since(started))
	}
}
