package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// presetServeConfig writes a serve config for f with auth set to auth.
func presetServeConfig(t *testing.T, f *fixture, auth string) string {
	t.Helper()
	cfg := writeConfig(t, testConfig{SourceDSN: mysqltest.DSN(t, f.src), BackupDSN: mysqltest.DSN(t, ""), Prefix: f.prefix,
		Extra: fmt.Sprintf("server:\n  listen: \"127.0.0.1:0\"\n  base_url: %q\n  session_secret_file: %q\nauth: %s\n",
			sideEffectsBaseURL, filepath.Join(t.TempDir(), "session.key"), auth)})
	return appendReaderDSN(t, cfg, mysqltest.DSN(t, ""))
}

// TestServePresetMissingTables: serve refuses to start, with a config
// error (exit 2) naming the key and the table, when the newest generation
// lacks the preset's users table.
func TestServePresetMissingTables(t *testing.T) {
	f := newFixture(t, false)
	mustSnapshot(t, f.cfg, weekback.Monday)
	_, stderr := mustRunWeekback(t, weekback.ExitUsage, presetServeConfig(t, f, "{preset: moodle}"), "serve")
	if !strings.Contains(stderr, "auth.table") || !strings.Contains(stderr, `"mdl_user"`) {
		t.Fatalf("stderr does not name auth.table and mdl_user:\n%s", stderr)
	}
}

// TestServePresetLogsIn: `auth: {preset: moodle}` is all a Moodle site
// needs: its tables, snapshotted from production, let its site admin in
// (SHA-512 crypt, lower-cased user name) and no one else. With
// auth.peppers, a peppered hash verifies too (and, thanks to the empty
// pepper, the unpeppered ones still do); allow_weak_hashes is logged.
func TestServePresetLogsIn(t *testing.T) {
	const pepper = "#GV]NLie|x$H9[$rW%94bXZvJHa%z" // moodle's password_test.php
	f := newFixture(t, false)
	sql, err := os.ReadFile(filepath.Join("..", "..", "server", "testdata", "presets", "moodle.sql"))
	if err != nil {
		t.Fatal(err)
	}
	mysqltest.MustExecScript(t, mysqltest.DSN(t, f.src), string(sql))
	peppered, err := bcrypt.GenerateFromPassword([]byte("pw3"+pepper), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	mysqltest.MustExec(t, f.db, "INSERT INTO `"+f.src+"`.mdl_user (id, auth, confirmed, mnethostid, username, password) VALUES (13, 'manual', 1, 1, 'peppered', '"+string(peppered)+"')",
		"UPDATE `"+f.src+"`.mdl_config SET value = '12,5,6,7,13' WHERE name = 'siteadmins'")
	mustSnapshot(t, f.cfg, weekback.Monday)
	p := startWeekback(t, presetServeConfig(t, f, fmt.Sprintf("{preset: moodle, peppers: [%q, \"\"], allow_weak_hashes: true}", pepper)), "serve")
	addr := waitListening(t, p)
	for _, tt := range []struct {
		login, password string
		want            int
	}{{"Admin", "pw2", http.StatusSeeOther}, {"peppered", "pw3", http.StatusSeeOther}, {"teacher", "pw2", http.StatusUnauthorized},
		{"suspended", "pw2", http.StatusUnauthorized}, {"peppered", "pw2", http.StatusUnauthorized}} {
		if status, page := loginAndGet(t, addr, tt.login, tt.password, "/mon/"); status != tt.want || (status == http.StatusSeeOther && page != http.StatusOK) {
			t.Errorf("%s: login %d, page %d; want %d", tt.login, status, page, tt.want)
		}
	}
	if log := p.stderr.String(); !strings.Contains(log, "allow_weak_hashes is on") || strings.Contains(log, pepper) {
		t.Errorf("the log should say weak hashes are on and never show the pepper:\n%s", log)
	}
}
