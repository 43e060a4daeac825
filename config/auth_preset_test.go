package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestPresetFillsAuth(t *testing.T) {
	c, err := Load(mustWriteFile(t, "auth:\n  preset: moodle\n"), nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	a := c.Auth
	if a.Table != "mdl_user" || a.LoginColumn != "username" || a.PasswordColumn != "password" || !a.LowercaseLogin || a.Source != "newest" {
		t.Fatalf("auth = %+v, want Moodle's mdl_user, username, password, lower-cased", a)
	}
	want := &ConfigListRule{Table: "mdl_config", KeyColumn: "name", Key: "siteadmins", ValueColumn: "value", UserKey: "id"}
	if len(a.Admin) != 1 || !reflect.DeepEqual(a.Admin[0].ConfigList, want) {
		t.Fatalf("auth.admin = %+v, want the siteadmins config list", a.Admin)
	}
	if n := len(a.Allow); n != 4 || !reflect.DeepEqual(a.Allow[3], a.Admin[0]) {
		t.Fatalf("auth.allow = %+v, want deleted, suspended, auth and the admin rule", a.Allow)
	}
}

// TestPresetOverrides checks that auth.table_prefix renames the preset's
// tables (and WordPress's meta key) and that explicit keys, from the file or
// the environment, override the preset.
func TestPresetOverrides(t *testing.T) {
	c, err := Load(mustWriteFile(t, "auth:\n  preset: wordpress\n  table_prefix: blog_\n  password_column: pw\n"),
		[]string{"WEEKBACK_AUTH_LOGIN_COLUMNS=user_login"})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	a := c.Auth
	if a.Table != "blog_users" || a.PasswordColumn != "pw" || !reflect.DeepEqual(a.LoginColumns, []string{"user_login"}) {
		t.Fatalf("auth = %+v, want blog_users, pw, [user_login]", a)
	}
	e := a.Admin[0].Exists
	if e == nil || e.Table != "blog_usermeta" || e.Where[0].Equals != "blog_capabilities" {
		t.Fatalf("admin rule = %+v, want blog_usermeta with meta_key blog_capabilities", e)
	}
	c, err = Load(mustWriteFile(t, "auth:\n  preset: redmine\n"), []string{"WEEKBACK_AUTH_PRESET=django"})
	if err != nil || c.Auth.Table != "auth_user" {
		t.Fatalf("env preset: %v, table %q; want auth_user", err, c.Auth.Table)
	}
}

func TestPresetErrors(t *testing.T) {
	for _, tt := range []struct{ name, yaml, key, says string }{
		{"unknown preset", "auth:\n  preset: typo3\n", "auth.preset", "moodle, wordpress"},
		{"joomla without prefix", "auth:\n  preset: joomla\n", "auth.table_prefix", "#__"},
		{"eccube without secret", "auth:\n  preset: eccube\n", "auth.secret", "ECCUBE_AUTH_MAGIC"},
		{"unknown key in a rule", "auth:\n  admin:\n    - exists: {table: t, key: k, user_key: id, wher: []}\n", "auth.admin[0].exists.wher", "unknown key"},
		{"rule without table", "auth:\n  admin:\n    - exists: {key: k, user_key: id}\n", "auth.admin[0].exists.table", "not set"},
		{"bad scheme", "auth:\n  hash_scheme: md5\n", "auth.hash_scheme", "redmine_sha1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(mustWriteFile(t, tt.yaml), nil)
			if err == nil || !strings.Contains(err.Error(), tt.key) || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("err = %v, want one naming %s and saying %q", err, tt.key, tt.says)
			}
		})
	}
	c, err := Load(mustWriteFile(t, "auth:\n  preset: joomla\n  table_prefix: jos_\n"), nil)
	if err != nil || c.Auth.Table != "jos_users" {
		t.Fatalf("joomla with prefix: %v, table %q", err, c.Auth.Table)
	}
}

// TestAuthSecrets checks that the secret and peppers never show in Redacted
// and that auth.secret_file is read.
func TestAuthSecrets(t *testing.T) {
	file := filepath.Join(t.TempDir(), "magic")
	if err := os.WriteFile(file, []byte("  s3cr3t-magic\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(mustWriteFile(t, "auth:\n  preset: eccube\n  secret_file: "+file+"\n  peppers: [pepper-one]\n"), nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if s, err := c.LoadSecret(); s != "s3cr3t-magic" || err != nil {
		t.Fatalf("LoadSecret = %q, %v", s, err)
	}
	c.Auth.Secret = "inline-secret"
	r := c.Redacted()
	if r.Auth.Secret != "***" || r.Auth.Peppers[0] != "***" || c.Auth.Peppers[0] != "pepper-one" {
		t.Fatalf("Redacted auth = %+v (original peppers %v)", r.Auth, c.Auth.Peppers)
	}
	if got, want := c.RedactGlobs(), []string{"dtb_member.salt"}; !reflect.DeepEqual(got, want) {
		t.Errorf("RedactGlobs = %v, want %v", got, want)
	}
	if _, err := c.LoadSecret(); err == nil || !strings.Contains(err.Error(), "keep one") {
		t.Fatalf("secret and secret_file: err=%v", err)
	}
}

// TestPresetsMeetRequireServe checks that every preset fills what serve
// requires (WordPress logs in by name or e-mail: login_columns, no
// login_column).
func TestPresetsMeetRequireServe(t *testing.T) {
	for _, name := range PresetNames {
		text := "backup:\n  reader_dsn: \"r:p@tcp(db:3306)/\"\nauth:\n  preset: " + name + "\n  table_prefix: x_\n  secret: s\n"
		c, err := Load(mustWriteFile(t, text), nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := c.RequireServe(); err != nil {
			t.Errorf("%s: RequireServe = %v", name, err)
		}
	}
}
