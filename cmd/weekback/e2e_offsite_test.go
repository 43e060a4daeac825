package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
	"github.com/weekback/weekback/offsite"
	"github.com/weekback/weekback/offsite/offsitetest"
)

// offsiteList runs `weekback offsite list --json`.
func offsiteList(t *testing.T, cfg string) []offsite.Copy {
	t.Helper()
	out, _ := mustRunWeekback(t, 0, cfg, "offsite", "list", "--json")
	var copies []offsite.Copy
	if err := json.Unmarshal([]byte(out), &copies); err != nil {
		t.Fatalf("offsite list --json: %v\n%s", err, out)
	}
	return copies
}

// lastRunOffsite returns the off-site status and error of prefix's last run.
func lastRunOffsite(t *testing.T, db *sql.DB, prefix string) (status, msg string) {
	t.Helper()
	err := db.QueryRow("SELECT offsite_status, COALESCE(offsite_error, '') FROM `"+prefix+"_meta`.snapshot_runs ORDER BY id DESC LIMIT 1").Scan(&status, &msg)
	if err != nil {
		t.Fatal(err)
	}
	return status, msg
}

// checksumTable returns CHECKSUM TABLE of schema.table.
func checksumTable(t *testing.T, db *sql.DB, schema, table string) int64 {
	t.Helper()
	var name string
	var sum sql.NullInt64
	if err := db.QueryRow("CHECKSUM TABLE `"+schema+"`.`"+table+"` EXTENDED").Scan(&name, &sum); err != nil || !sum.Valid {
		t.Fatalf("checksum %s.%s: %v", schema, table, err)
	}
	return sum.Int64
}

// TestOffsiteS3 snapshots four days with offsite.keep 2 to a real S3
// server: the two newest copies are kept; one fetched back loads with the
// mariadb client into an empty schema identical to the slot (orders'
// checksum equal, the password column blank). With the server stopped a
// snapshot still switches, and its run is marked failed.
func TestOffsiteS3(t *testing.T) {
	s3 := offsitetest.StartS3(t, "backups")
	t.Setenv("AWS_ACCESS_KEY_ID", offsitetest.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", offsitetest.SecretKey)
	w := newAdminWorld(t, fmt.Sprintf("offsite:\n  target: %q\n  keep: 2\n", s3.URL("weekback")))
	for _, d := range []weekback.Weekday{weekback.Monday, weekback.Tuesday, weekback.Wednesday, weekback.Thursday} {
		mustSnapshot(t, w.cfg, d)
		if status, msg := lastRunOffsite(t, w.db, w.prefix); status != weekback.OffsiteCopied {
			t.Fatalf("off-site copy of %s: %q %s", d, status, msg)
		}
	}
	copies := offsiteList(t, w.cfg)
	if len(copies) != 2 || copies[0].Day != weekback.Thursday || copies[1].Day != weekback.Wednesday {
		t.Fatalf("off-site copies after 4 snapshots with keep 2: %+v, want thu and wed", copies)
	}
	if !strings.HasPrefix(copies[0].Name, w.prefix+"-thu-") || !strings.HasSuffix(copies[0].Name, ".sql.gz") {
		t.Fatalf("copy name %s, want %s-thu-<time>.sql.gz", copies[0].Name, w.prefix)
	}
	sqlFile := filepath.Join(t.TempDir(), "thu.sql")
	mustRunWeekback(t, 0, w.cfg, "offsite", "fetch", copies[0].Name, "-o", sqlFile)
	loaded := mysqltest.MustCreateSchema(t, w.db, "wbe_load_")
	mustLoadWithMariadb(t, loaded, sqlFile)
	thu := generations(t, w.cfg)[weekback.Thursday]
	if got, want := checksumTable(t, w.db, loaded, "orders"), checksumTable(t, w.db, thu.Slot, "orders"); got != want {
		t.Fatalf("orders loaded from the off-site copy: checksum %d, slot's %d", got, want)
	}
	var blank int
	mustScan(t, w.db, &blank, "SELECT COUNT(*) FROM `"+loaded+"`.users WHERE password_hash = ''")
	if blank != 2 {
		t.Fatalf("%d of 2 password hashes blank in the off-site copy", blank)
	}

	s3.Stop()
	slot := mustSnapshot(t, w.cfg, weekback.Friday)
	if g := generations(t, w.cfg)[weekback.Friday]; g.Slot != slot || g.Status != weekback.StatusReady {
		t.Fatalf("friday after a failed off-site copy: %s %s, want ready on %s", g.Status, g.Slot, slot)
	}
	if status, msg := lastRunOffsite(t, w.db, w.prefix); status != weekback.OffsiteFailed || msg == "" {
		t.Fatalf("run with the S3 server stopped: off-site %q (%s), want failed with a reason", status, msg)
	}
}

// mustLoadWithMariadb loads file into schema with the mariadb client.
func mustLoadWithMariadb(t *testing.T, schema, file string) {
	t.Helper()
	host, port, _ := strings.Cut(mysqltest.ServerAddr(t), ":")
	in, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	cmd := exec.Command("mariadb", "-h", host, "-P", port, "-u", "root", schema)
	cmd.Stdin = in
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("mariadb %s < %s: %v\n%s", schema, file, err, out)
	}
}

// TestOffsiteFileChecksumsAndErasure writes copies to a directory:
// `sha256sum -c` accepts them, a damaged copy is refused by fetch (exit
// 3, nothing written), and discard --all-days deletes every copy, on the
// backup server and off-site.
func TestOffsiteFileChecksumsAndErasure(t *testing.T) {
	dir := t.TempDir()
	w := newAdminWorld(t, fmt.Sprintf("offsite:\n  target: %q\n  keep: 5\n", "file://"+dir))
	mustSnapshot(t, w.cfg, weekback.Monday)
	mustSnapshot(t, w.cfg, weekback.Saturday)
	copies := offsiteList(t, w.cfg)
	if len(copies) != 2 {
		t.Fatalf("copies = %+v, want 2", copies)
	}
	for _, c := range copies {
		cmd := exec.Command("sha256sum", "-c", c.Name+".sha256")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("sha256sum -c %s: %v\n%s", c.Name, err, out)
		}
	}
	path := filepath.Join(dir, copies[0].Name)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x01
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "bad.sql")
	_, errOut := mustRunWeekback(t, 3, w.cfg, "offsite", "fetch", copies[0].Name, "-o", out)
	if !strings.Contains(errOut, "does not match its checksum") {
		t.Errorf("fetch of a damaged copy says: %s", errOut)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("a refused fetch wrote %s", out)
	}

	preview, _ := mustRunWeekback(t, 2, w.cfg, "discard", "--all-days")
	if !strings.Contains(preview, "would delete 2 off-site copies") {
		t.Fatalf("discard --all-days preview:\n%s", preview)
	}
	mysqltest.MustExec(t, w.db, "CREATE DATABASE `"+w.prefix+"_wed_r999`") // a crashed run's leftover
	mustRunWeekback(t, 0, w.cfg, "discard", "--all-days", "--reason", "erasure", "--yes")
	if left := offsiteList(t, w.cfg); len(left) != 0 {
		t.Fatalf("off-site copies after discard --all-days: %+v", left)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("the off-site directory still holds %d files", len(entries))
	}
	if s := prefixSchemas(t, w.db, w.prefix); len(s) != 1 {
		t.Fatalf("schemas of the prefix after discard --all-days: %v, want the meta schema only", s)
	}
}
