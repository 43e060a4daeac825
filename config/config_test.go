package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// problems returns the *Errors in err (a single one or an errors.Join).
func problems(t *testing.T, err error) []*Error {
	t.Helper()
	if err == nil {
		return nil
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	var out []*Error
	for _, e := range errs {
		var ce *Error
		if !errors.As(e, &ce) {
			t.Fatalf("error %q is %T, want *config.Error", e, e)
		}
		out = append(out, ce)
	}
	return out
}

// mustWriteFile writes a YAML file in a temporary directory and returns its path.
func mustWriteFile(tb testing.TB, text string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "weekback.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// valueAt returns the key at path of c.
func valueAt(t *testing.T, c *Config, path string) any {
	t.Helper()
	for _, k := range keysOf(c) {
		if k.path == path {
			return k.value.Interface()
		}
	}
	t.Fatalf("no key %s", path)
	return nil
}

func TestDefault(t *testing.T) {
	c := Default()
	for _, tt := range []struct {
		path string
		want any
	}{
		{"source.dsn", ""},
		{"source.include", []string{"*"}},
		{"source.exclude", []string{}},
		{"backup.dsn", ""},
		{"backup.reader_dsn", ""},
		{"backup.prefix", "weekback"},
		{"schedule.cron", "30 0 * * *"},
		{"schedule.timezone", "Asia/Tokyo"},
		{"snapshot.parallelism", 4},
		{"snapshot.grace_period", Duration(60 * time.Second)},
		{"snapshot.lock_wait_timeout", Duration(10 * time.Second)},
		{"server.listen", "127.0.0.1:8080"},
		{"server.base_url", "http://127.0.0.1:8080"},
		{"server.session_secret_file", "./var/session.key"},
		{"server.session_ttl", Duration(8 * time.Hour)},
		{"server.trusted_proxies", []string{}},
		{"server.metrics_token", ""},
		{"server.metrics_token_file", ""},
		{"server.metrics_listen", ""},
		{"server.public_counts", false},
		{"auth.source", "newest"},
		{"auth.table", "users"},
		{"auth.login_column", "login_id"},
		{"auth.password_column", "password_hash"},
		{"auth.allow", []Condition{{Column: "can_manage_settings", Equals: "1"}}},
		{"auth.admin", []Condition{{Column: "role", Equals: "superadmin"}}},
		{"auth.preset", ""},
		{"auth.table_prefix", ""},
		{"auth.login_columns", []string(nil)},
		{"auth.lowercase_login", false},
		{"auth.salt_column", ""},
		{"auth.hash_scheme", ""},
		{"auth.secret", ""},
		{"auth.secret_file", ""},
		{"auth.peppers", []string(nil)},
		{"auth.allow_weak_hashes", false},
		{"exports.dir", "./var/exports"},
		{"exports.download_ttl", Duration(20 * time.Hour)},
		{"exports.job_retention", Duration(336 * time.Hour)},
		{"exports.workers", 2},
		{"exports.redact", []string{}},
		{"exports.max_active_jobs", 3},
		{"exports.job_lease", Duration(30 * time.Second)},
		{"exports.max_downloads", 8},
		{"exports.statement_timeout", Duration(10 * time.Minute)},
		{"exports.redact_defaults", true},
		{"exports.user_quota_bytes", int64(2 << 30)},
		{"exports.user_quota_files", 20},
		{"exports.anonymize", []string{}},
		{"exports.anonymize_secret_file", "./var/anonymize.key"},
		{"exports.anonymize_date_shift_days", 0},
		{"downloads.allow", "admins"},
		{"compare.alert_fraction", 0.05},
		{"compare.production", false},
		{"offsite.target", ""},
		{"offsite.keep", 14},
		{"offsite.encrypt_key_file", ""},
		{"offsite.credentials_file", ""},
	} {
		t.Run(tt.path, func(t *testing.T) {
			if got := valueAt(t, c, tt.path); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("%s = %#v, want %#v", tt.path, got, tt.want)
			}
		})
	}
	t.Run("every key covered", func(t *testing.T) {
		if got, want := len(keysOf(c)), 58; got != want {
			t.Fatalf("keys=%d, want %d: add the new key to this table", got, want)
		}
	})
	t.Run("valid", func(t *testing.T) {
		if err := c.Validate(); err != nil {
			t.Fatalf("Default().Validate() = %v, want nil", err)
		}
		if got := c.Schedule.Location().String(); got != "Asia/Tokyo" {
			t.Fatalf("Location() = %s, want Asia/Tokyo", got)
		}
	})
	t.Run("fresh copies", func(t *testing.T) {
		Default().Auth.Allow[0].Column = "changed"
		if got := Default().Auth.Allow[0].Column; got != DefaultAllowColumn {
			t.Fatalf("Default shares slices: allow[0].column = %q", got)
		}
	})
}

// TestExample loads the README's example configuration: it is Default plus its DSNs.
func TestExample(t *testing.T) {
	got, err := Load("testdata/example.yaml", nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Default()
	want.Source.DSN = "weekback_src:PASS@tcp(prod-replica:3306)/sales"
	want.Backup.DSN = "weekback_admin:PASS@tcp(backup-db:3306)/"
	want.Backup.ReaderDSN = "weekback_reader:PASS@tcp(backup-db:3306)/"
	for i, k := range keysOf(got) {
		if w := keysOf(want)[i].value.Interface(); !reflect.DeepEqual(k.value.Interface(), w) {
			t.Errorf("%s = %#v, want %#v", k.path, k.value.Interface(), w)
		}
	}
	for _, check := range []func() error{got.RequireSnapshot, got.RequireServe} {
		if err := check(); err != nil {
			t.Errorf("example config: %v", err)
		}
	}
}

func TestDuration(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{in: `"20h"`, want: 20 * time.Hour},
		{in: `60s`, want: time.Minute},
		{in: `1h30m`, want: 90 * time.Minute},
		{in: `60`, wantErr: true},
		{in: `soon`, wantErr: true},
		{in: `[1h]`, wantErr: true},
	} {
		t.Run(tt.in, func(t *testing.T) {
			var d Duration
			err := yaml.Unmarshal([]byte(tt.in), &d)
			if gotErr := err != nil; gotErr != tt.wantErr {
				t.Fatalf("Unmarshal(%s) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if err == nil && d.D() != tt.want {
				t.Fatalf("Unmarshal(%s) = %v, want %v", tt.in, d.D(), tt.want)
			}
		})
	}
	t.Run("marshal", func(t *testing.T) {
		out, err := yaml.Marshal(struct{ D Duration }{Duration(20 * time.Hour)})
		if got, want := string(out), "d: 20h0m0s\n"; err != nil || got != want {
			t.Fatalf("Marshal = %q, %v, want %q", got, err, want)
		}
		if got, want := Duration(90*time.Second).String(), "1m30s"; got != want {
			t.Fatalf("String() = %q, want %q", got, want)
		}
	})
}

func TestPath(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	for _, tt := range []struct {
		name         string
		flag         string
		getenv       func(string) string
		want         string
		wantExplicit bool
	}{
		{"flag wins", "/etc/a.yaml", env(map[string]string{EnvConfig: "/etc/b.yaml"}), "/etc/a.yaml", true},
		{"env when no flag", "", env(map[string]string{EnvConfig: "/etc/b.yaml"}), "/etc/b.yaml", true},
		{"default", "", env(nil), "./weekback.yaml", false},
		{"nil getenv", "", nil, "./weekback.yaml", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Path(tt.flag, tt.getenv); got != tt.want {
				t.Fatalf("Path = %q, want %q", got, tt.want)
			}
			got, explicit := Locate(tt.flag, tt.getenv)
			if got != tt.want || explicit != tt.wantExplicit {
				t.Fatalf("Locate = %q, %v, want %q, %v", got, explicit, tt.want, tt.wantExplicit)
			}
		})
	}
}

func TestRedacted(t *testing.T) {
	c := Default()
	c.Source.DSN = "src:s3cret@tcp(prod:3306)/sales"
	c.Backup.DSN = "admin:adm!n@tcp(backup:3306)/"
	c.Backup.ReaderDSN = "reader:r/e@d@tcp(backup:3306)/?tls=true"
	c.Server.MetricsToken = "metrics-t0ken-0123456789"
	r := c.Redacted()
	for _, tt := range []struct{ got, want string }{
		{r.Source.DSN, "src:***@tcp(prod:3306)/sales"},
		{r.Backup.DSN, "admin:***@tcp(backup:3306)/"},
		{r.Backup.ReaderDSN, "reader:***@tcp(backup:3306)/?tls=true"},
	} {
		if tt.got != tt.want {
			t.Errorf("redacted DSN = %q, want %q", tt.got, tt.want)
		}
	}
	if c.Source.DSN != "src:s3cret@tcp(prod:3306)/sales" {
		t.Errorf("Redacted changed the original: %q", c.Source.DSN)
	}
	r.Auth.Allow[0].Column = "x"
	r.Source.Include[0] = "x"
	if c.Auth.Allow[0].Column != DefaultAllowColumn || c.Source.Include[0] != DefaultInclude {
		t.Errorf("Redacted shares slices with the original")
	}
	out, err := yaml.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"s3cret", "adm!n", "r/e@d", "metrics-t0ken"} {
		if strings.Contains(string(out), secret) {
			t.Errorf("marshalled Redacted() contains %q:\n%s", secret, out)
		}
	}
}

func TestRedactDSN(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"plain", "u:pw@tcp(h:3306)/db", "u:***@tcp(h:3306)/db"},
		{"no password", "u@tcp(h:3306)/db", "u@tcp(h:3306)/db"},
		{"empty password", "u:@tcp(h)/db", "u:@tcp(h)/db"},
		{"no user", "tcp(h:3306)/db", "tcp(h:3306)/db"},
		{"password with : @ /", "u:a:b@c/d@tcp(h)/db?x=1", "u:***@tcp(h)/db?x=1"},
		{"unix socket", "u:pw@unix(/tmp/my.sock)/db", "u:***@unix(/tmp/my.sock)/db"},
		{"empty", "", ""},
		{"no slash", "u:pw@tcp(h:3306)", "u:***@tcp(h:3306)"},
		{"no slash no at", "root:secret", "root:***"},
		{"password with slash, no database", "u:pass/word@tcp(h)", "u:***@tcp(h)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := RedactDSN(tt.in); got != tt.want {
				t.Fatalf("RedactDSN(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestEnvNames(t *testing.T) {
	seen := map[string]string{}
	for _, k := range keysOf(Default()) {
		name := EnvName(k.path)
		if other, ok := seen[name]; ok {
			t.Errorf("%s and %s share %s", other, k.path, name)
		}
		if reservedEnv[name] {
			t.Errorf("%s maps to the reserved %s", k.path, name)
		}
		seen[name] = k.path
	}
	for _, tt := range []struct{ path, want string }{
		{"source.dsn", "WEEKBACK_SOURCE_DSN"},
		{"backup.reader_dsn", "WEEKBACK_BACKUP_READER_DSN"},
		{"snapshot.parallelism", "WEEKBACK_SNAPSHOT_PARALLELISM"},
		{"auth.allow[1].column", "WEEKBACK_AUTH_ALLOW"},
	} {
		if got := EnvName(tt.path); got != tt.want {
			t.Errorf("EnvName(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestErrorString(t *testing.T) {
	e := &Error{Field: "snapshot.parallelism", Message: "snapshot.parallelism = 0: must be between 1 and 64"}
	if got, want := e.Error(), "config: snapshot.parallelism = 0: must be between 1 and 64"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
}
