package server_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/config"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
	"github.com/weekback/weekback/server"
	"github.com/weekback/weekback/server/auth"
)

// eccubeMagic is the ECCUBE_AUTH_MAGIC of the EC-CUBE fixture.
const eccubeMagic = "eccube-test-magic"

// try is a login and a password.
type try struct{ login, password string }

// presetCase is an application's tables (testdata/presets/NAME.sql, in the
// shape its installer creates) and who may log in with its preset.
type presetCase struct {
	name, yaml string
	admins     []try // get in as Weekback admins
	users      []try // get in, not as admins
	refused    []try // 401, like a wrong password
}

var presetCases = []presetCase{
	{name: "moodle", yaml: "auth: {preset: moodle}",
		admins:  []try{{"admin", "pw2"}, {"ADMIN", "pw2"}},
		refused: []try{{"teacher", "pw2"}, {"suspended", "pw2"}, {"deleted", "pw2"}, {"nologin", "pw2"}, {"guest", "pw2"}}},
	{name: "wordpress", yaml: "auth: {preset: wordpress}",
		admins:  []try{{"admin", "Na101918!"}, {"admin@example.com", "Na101918!"}, {"oldadmin", "test12345"}},
		refused: []try{{"editor", "test12345"}}},
	{name: "drupal7", yaml: "auth: {preset: drupal7}",
		admins:  []try{{"admin", "valid password"}, {"migrated", "valid password"}},
		refused: []try{{"blocked", "valid password"}, {"editor", "valid password"}}},
	{name: "drupal", yaml: "auth: {preset: drupal}",
		admins:  []try{{"admin", testPassword}},
		refused: []try{{"blocked", testPassword}, {"editor", testPassword}}},
	{name: "redmine", yaml: "auth: {preset: redmine}",
		admins:  []try{{"admin", "admin"}},
		refused: []try{{"jsmith", "jsmith"}, {"lockedadmin", "admin"}, {"ateam", "admin"}}},
	{name: "eccube", yaml: "auth: {preset: eccube, secret: " + eccubeMagic + "}",
		admins:  []try{{"admin", testPassword}, {"admin43", testPassword}},
		refused: []try{{"owner", testPassword}, {"retired", testPassword}}},
	{name: "magento2", yaml: "auth: {preset: magento2}",
		admins:  []try{{"admin", "password"}},
		refused: []try{{"sales", "password"}, {"inactive", "password"}}},
	{name: "django", yaml: "auth: {preset: django}",
		admins:  []try{{"root", testPassword}},
		users:   []try{{"staff", testPassword}},
		refused: []try{{"customer", testPassword}, {"gone", testPassword}}},
	{name: "laravel", yaml: "auth: {preset: laravel}",
		admins:  []try{{"admin@example.com", testPassword}},
		refused: []try{{"writer@example.com", testPassword}}},
	{name: "devise", yaml: "auth: {preset: devise}",
		admins:  []try{{"admin@example.com", testPassword}},
		refused: []try{{"user@example.com", testPassword}}},
	{name: "spring", yaml: "auth: {preset: spring}",
		admins:  []try{{"admin", "password"}},
		refused: []try{{"user", testPassword}, {"disabled", testPassword}, {"plain", "password"}}},
	{name: "joomla", yaml: "auth: {preset: joomla, table_prefix: jos_}",
		admins:  []try{{"admin", testPassword}},
		refused: []try{{"manager", testPassword}, {"blocked", testPassword}}},
	{name: "phpbb", yaml: "auth: {preset: phpbb}",
		admins:  []try{{"Admin", "test1"}},
		refused: []try{{"member", "test1"}, {"inactive", "test1"}, {"pending", "test1"}}},
}

// TestPresetsLogin logs in through the real login form against each
// application's own tables, with nothing configured but its preset:
// administrators get in; everyone else, and wrong passwords, get the same
// 401 as a wrong password.
func TestPresetsLogin(t *testing.T) {
	for _, tt := range presetCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := mustLoadConfig(t, tt.yaml)
			f := mustOpenPresetServer(t, cfg, tt.name)
			for _, u := range slices.Concat(tt.admins, tt.users) {
				c := f.mustLoginAs(t, u)
				me := f.me(t, c)
				admin := slices.Contains(tt.admins, u)
				if !strings.Contains(me.body, `"admin":`+map[bool]string{true: "true", false: "false"}[admin]) {
					t.Errorf("%s: /me = %s, want admin %v", u.login, me.body, admin)
				}
			}
			wrong := f.login(t, tt.admins[0].login, tt.admins[0].password+"x", "/", map[string]string{"Accept": "application/json"})
			if wrong.status != 401 {
				t.Fatalf("wrong password: status %d, want 401", wrong.status)
			}
			for _, u := range append(tt.refused, try{"nobody-" + tt.name, testPassword}) {
				r := f.login(t, u.login, u.password, "/", map[string]string{"Accept": "application/json"})
				if r.status != 401 || r.body != wrong.body || r.cookies[server.SessionCookie] != nil {
					t.Errorf("%s: %d %s, want the 401 of a wrong password (%s)", u.login, r.status, r.body, wrong.body)
				}
			}
		})
	}
}

// TestPresetMissingTables checks that a preset whose tables the schema lacks
// is a configuration error naming the key and the table.
func TestPresetMissingTables(t *testing.T) {
	f := MustOpenServer(t, false)
	slot := f.meta.Prefix() + "_mon_r1"
	mysqltest.MustExec(t, mysqltest.MustOpen(t), "CREATE DATABASE `"+slot+"`",
		"CREATE TABLE `"+slot+"`.wp_users (ID BIGINT PRIMARY KEY, user_login VARCHAR(60), user_pass VARCHAR(255), user_email VARCHAR(100))")
	conn, err := f.db.Connx(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, tt := range []struct{ yaml, key, table string }{
		{"auth: {preset: moodle}", "auth.table", "mdl_user"},
		{"auth: {preset: wordpress}", "auth.allow[0].exists.table", "wp_usermeta"},
		{"auth: {preset: wordpress, table_prefix: blog_}", "auth.table", "blog_users"},
	} {
		spec := presetSpec(mustLoadConfig(t, tt.yaml))
		err := mysql.CheckUserSpec(context.Background(), conn, mysql.NewCatalog(), slot, spec)
		if weekback.ErrorCode(err) != weekback.EINVALID || !strings.Contains(err.Error(), tt.key) || !strings.Contains(err.Error(), tt.table) {
			t.Errorf("%s: err = %v, want EINVALID naming %s and %s", tt.yaml, err, tt.key, tt.table)
		}
	}
}

// TestLoginTimingUnknownLikeKnown checks that an unknown login costs as
// much as a known one whose hash is costlier than the built-in dummy
// (bcrypt cost 11 against cost 10): within 20 % (CPU time of the whole
// request, the database's aside).
func TestLoginTimingUnknownLikeKnown(t *testing.T) {
	hash := string(must(bcrypt.GenerateFromPassword([]byte(testPassword), 11)))
	f := MustOpenLoginServer(t, func(s *server.Server) { s.Verifier = new(auth.Verifier) })
	mysqltest.MustExec(t, mysqltest.MustOpen(t), "INSERT INTO `"+f.slot+"`.users VALUES (99, 'costly', '"+hash+"', 1, 'staff')")
	f.mustLoginAs(t, try{"costly", testPassword}) // the first known hash becomes the dummy's
	known, unknown := make([]time.Duration, 5), make([]time.Duration, 5)
	for i := range known {
		known[i] = cpuTimed(func() { f.mustLoginAs(t, try{"costly", testPassword}) })
		unknown[i] = cpuTimed(func() {
			if r := f.login(t, "nobody"+string(rune('a'+i)), testPassword, "/", nil); r.status != 401 {
				t.Fatalf("unknown login: %d", r.status)
			}
		})
	}
	// The baseline: what unknown logins cost before, the fixed bcrypt cost-10 dummy, against this hash.
	auth.DummyVerify("") // its first call also computes its hash
	fixed := cpuTimed(func() { auth.DummyVerify(testPassword) })
	costly := cpuTimed(func() { _ = auth.VerifyPassword(hash, testPassword) })
	ratio := float64(median(unknown)) / float64(median(known))
	t.Logf("CPU time of an unknown/known login = %.2f (%v / %v); baseline, the fixed dummy against this hash: %.2f (%v / %v)", ratio,
		median(unknown), median(known), float64(fixed)/float64(costly), fixed, costly)
	if ratio < 0.8 || ratio > 1.2 {
		t.Errorf("unknown/known login = %.2f, want within 0.8..1.2", ratio)
	}
}

// cpuTimed returns the CPU time the process spent in f: the work done,
// whatever the load of the machine's other processes (the test using it is
// not parallel, so it runs alone in the process).
func cpuTimed(f func()) time.Duration {
	var before, after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	f()
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	return time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
}

// median returns the median of d (sorting it).
func median(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}

// mustLoginAs logs in with u and returns the session cookie.
func (f *loginFixture) mustLoginAs(t *testing.T, u try) *http.Cookie {
	t.Helper()
	r := f.login(t, u.login, u.password, "/mon/", nil)
	c := r.cookies[server.SessionCookie]
	if r.status != 303 || c == nil {
		t.Fatalf("login %s = %d, want 303 with a session\n%.500s", u.login, r.status, r.body)
	}
	return c
}

// mustLoadConfig loads a configuration file holding text.
func mustLoadConfig(t *testing.T, text string) *config.Config {
	t.Helper()
	path := filepath.Join(t.TempDir(), "weekback.yaml")
	if err := os.WriteFile(path, []byte(text+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, nil)
	if err != nil {
		t.Fatalf("config %q: %v", text, err)
	}
	return cfg
}

// presetSpec is the users spec serve builds from cfg.
func presetSpec(cfg *config.Config) mysql.UserSpec {
	a := cfg.Auth
	return mysql.UserSpec{Table: a.Table, LoginColumn: a.LoginColumn, LoginColumns: a.LoginColumns, PasswordColumn: a.PasswordColumn,
		SaltColumn: a.SaltColumn, LowercaseLogin: a.LowercaseLogin, Allow: config.Rules(a.Allow), Admin: config.Rules(a.Admin)}
}

// mustOpenPresetServer returns a server whose Monday slot holds the tables
// of testdata/presets/NAME.sql and which checks logins as cfg says.
func mustOpenPresetServer(t *testing.T, cfg *config.Config, name string) *loginFixture {
	t.Helper()
	f := MustOpenServer(t, false)
	slot := f.meta.Prefix() + "_mon_r1"
	root := mysqltest.MustOpen(t)
	mysqltest.MustExec(t, root, "CREATE DATABASE `"+slot+"`")
	mustLoadPreset(t, name, slot)
	f.mustSwitchMonday(t, slot)
	secret, err := cfg.LoadSecret()
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Auth
	f.srv.Users = mysql.NewestUsers(f.db, f.meta, mysql.NewCatalog(), presetSpec(cfg))
	f.srv.Verifier = &auth.Verifier{Scheme: a.HashScheme, Secret: secret, Peppers: a.Peppers, AllowWeak: a.AllowWeakHashes}
	f.srv.Build()
	return &loginFixture{fixture: f, slot: slot, clock: newClock()}
}

// mustSwitchMonday makes slot Monday's ready generation.
func (f *fixture) mustSwitchMonday(t *testing.T, slot string) {
	t.Helper()
	admin, err := mysql.OpenMeta(context.Background(), f.db, f.meta.Prefix())
	if err != nil {
		t.Fatal(err)
	}
	m := &weekback.Manifest{Day: weekback.Monday, Slot: slot, SnapshotAt: time.Now().Add(-time.Hour)}
	if _, err := admin.Switch(context.Background(), weekback.Monday, slot, m, time.Minute); err != nil {
		t.Fatal(err)
	}
}

// mustLoadPreset runs testdata/presets/NAME.sql in schema, the hash
// placeholders replaced by hashes of testPassword.
func mustLoadPreset(t *testing.T, name, schema string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "presets", name+".sql"))
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, []byte("salt1"))
	mac.Write([]byte(testPassword + ":" + eccubeMagic))
	text := strings.NewReplacer("{BCRYPT}", bcryptHash(t), "{DJANGO}", djangoHash(),
		"{ECCUBE}", hex.EncodeToString(mac.Sum(nil))).Replace(string(data))
	mysqltest.MustExecScript(t, mysqltest.DSN(t, schema), text)
}
