package config

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLoadYAML(t *testing.T) {
	for _, tt := range []struct {
		name string
		yaml string
		path string
		want any
	}{
		{"string", "source:\n  dsn: \"u:p@tcp(h:3306)/sales\"\n", "source.dsn", "u:p@tcp(h:3306)/sales"},
		{"prefix", "backup:\n  prefix: wb_test\n", "backup.prefix", "wb_test"},
		{"int", "snapshot:\n  parallelism: 16\n", "snapshot.parallelism", 16},
		{"duration", "snapshot:\n  grace_period: 5m\n", "snapshot.grace_period", Duration(5 * time.Minute)},
		{"quoted duration", "server:\n  session_ttl: \"30m\"\n", "server.session_ttl", Duration(30 * time.Minute)},
		{"list", "source:\n  exclude: [\"log_*\", tmp]\n", "source.exclude", []string{"log_*", "tmp"}},
		{"block list", "server:\n  trusted_proxies:\n    - 10.0.0.0/8\n    - ::1\n", "server.trusted_proxies", []string{"10.0.0.0/8", "::1"}},
		{"conditions", "auth:\n  allow:\n    - column: active\n      equals: \"1\"\n    - {column: staff, equals: yes}\n",
			"auth.allow", []Condition{eq("active", "1"), eq("staff", "yes")}},
		{"empty conditions", "auth:\n  admin: []\n", "auth.admin", []Condition{}},
		{"null list", "exports:\n  redact:\n", "exports.redact", []string(nil)},
		{"null scalar keeps default", "schedule:\n  timezone:\n", "schedule.timezone", DefaultTimezone},
		{"empty section keeps defaults", "exports:\n", "exports.workers", DefaultExportWorkers},
		{"untouched key keeps default", "exports:\n  workers: 8\n", "exports.dir", DefaultExportsDir},
		{"empty file", "", "backup.prefix", DefaultBackupPrefix},
		{"comments only", "# nothing\n", "backup.prefix", DefaultBackupPrefix},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(mustWriteFile(t, tt.yaml), nil)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got := valueAt(t, c, tt.path); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("%s = %#v, want %#v", tt.path, got, tt.want)
			}
		})
	}
}

func TestLoadYAMLMerge(t *testing.T) {
	text := "auth:\n  admin: &a [{column: role, equals: boss}]\n  allow: *a\nexports:\n  dir: /x\n  <<: {workers: 7, dir: /y}\n"
	c, err := Load(mustWriteFile(t, text), nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got, want := c.Auth.Allow, []Condition{eq("role", "boss")}; !reflect.DeepEqual(got, want) {
		t.Fatalf("auth.allow = %v, want %v", got, want)
	}
	if got, want := c.Exports, (Exports{Dir: "/x", Workers: 7}); got.Dir != want.Dir || got.Workers != want.Workers {
		t.Fatalf("exports dir=%q workers=%d, want %q and %d (explicit keys beat merged ones)", got.Dir, got.Workers, want.Dir, want.Workers)
	}
}

func TestLoadEnv(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  []string
		path string
		want any
	}{
		{"string", []string{"WEEKBACK_SOURCE_DSN=u:p=q@tcp(h:3306)/sales?parseTime=true"}, "source.dsn", "u:p=q@tcp(h:3306)/sales?parseTime=true"},
		{"string with underscore key", []string{"WEEKBACK_BACKUP_READER_DSN=r:p@tcp(h)/"}, "backup.reader_dsn", "r:p@tcp(h)/"},
		{"string kept verbatim", []string{"WEEKBACK_SERVER_SESSION_SECRET_FILE= ~ "}, "server.session_secret_file", " ~ "},
		{"empty string clears", []string{"WEEKBACK_SCHEDULE_CRON="}, "schedule.cron", ""},
		{"int", []string{"WEEKBACK_SNAPSHOT_PARALLELISM=12"}, "snapshot.parallelism", 12},
		{"int with spaces", []string{"WEEKBACK_EXPORTS_WORKERS= 3 "}, "exports.workers", 3},
		{"float", []string{"WEEKBACK_COMPARE_ALERT_FRACTION=0.1"}, "compare.alert_fraction", 0.1},
		{"bool", []string{"WEEKBACK_COMPARE_PRODUCTION=true", "WEEKBACK_SOURCE_DSN=u:p@tcp(h:3306)/s"}, "compare.production", true},
		{"duration", []string{"WEEKBACK_SNAPSHOT_LOCK_WAIT_TIMEOUT=2s"}, "snapshot.lock_wait_timeout", Duration(2 * time.Second)},
		{"list", []string{"WEEKBACK_SOURCE_INCLUDE=orders, users ,,items_*"}, "source.include", []string{"orders", "users", "items_*"}},
		{"empty list", []string{"WEEKBACK_EXPORTS_REDACT="}, "exports.redact", []string{}},
		{"bool", []string{"WEEKBACK_EXPORTS_REDACT_DEFAULTS=false"}, "exports.redact_defaults", false},
		{"bool true", []string{"WEEKBACK_SERVER_PUBLIC_COUNTS=true"}, "server.public_counts", true},
		{"statement timeout", []string{"WEEKBACK_EXPORTS_STATEMENT_TIMEOUT=30m"}, "exports.statement_timeout", Duration(30 * time.Minute)},
		{"conditions", []string{`WEEKBACK_AUTH_ALLOW=[{column: x, equals: "1"}, {column: y, equals: z}]`},
			"auth.allow", []Condition{eq("x", "1"), eq("y", "z")}},
		{"conditions as JSON", []string{`WEEKBACK_AUTH_ADMIN=[{"column":"role","equals":"root"}]`},
			"auth.admin", []Condition{eq("role", "root")}},
		{"empty conditions", []string{"WEEKBACK_AUTH_ADMIN="}, "auth.admin", []Condition(nil)},
		{"first duplicate wins", []string{"WEEKBACK_EXPORTS_WORKERS=5", "WEEKBACK_EXPORTS_WORKERS=6"}, "exports.workers", 5},
		{"unknown variables ignored", []string{"WEEKBACK_SOURCE_TABLES=x", "WEEKBACK_NOPE=1", "WEEKBACK_TEST_DSN=::",
			"WEEKBACK_REQUIRE_BROWSER=1", "WEEKBACK_CONFIG=/nope.yaml", "PATH=/bin", "NOEQUALS"}, "source.include", []string{"*"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load("", tt.env)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got := valueAt(t, c, tt.path); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("%s = %#v, want %#v", tt.path, got, tt.want)
			}
		})
	}
}

func TestLoadEnvOverridesFile(t *testing.T) {
	path := mustWriteFile(t, "snapshot:\n  parallelism: 8\nexports:\n  workers: 3\n")
	c, err := Load(path, []string{"WEEKBACK_SNAPSHOT_PARALLELISM=2"})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Snapshot.Parallelism != 2 || c.Exports.Workers != 3 {
		t.Fatalf("parallelism=%d workers=%d, want 2 (env) and 3 (file)", c.Snapshot.Parallelism, c.Exports.Workers)
	}
}

// TestLoadErrors checks that each problem in the file or the environment
// is reported as a *Error naming the key, the value and the place.
func TestLoadErrors(t *testing.T) {
	for _, tt := range []struct {
		name      string
		yaml      string
		env       []string
		wantField string
		want      []string // substrings of the message
	}{
		{name: "unknown section", yaml: "sorce:\n  dsn: x\n", wantField: "sorce",
			want: []string{"sorce", "unknown key", "line 1", "known keys under the top level: source, backup"}},
		{name: "unknown key", yaml: "source:\n  dsn: \"\"\n  tables: [a]\n", wantField: "source.tables",
			want: []string{"source.tables", "unknown key", "line 3", "dsn, include, exclude"}},
		{name: "unknown condition key", yaml: "auth:\n  allow: [{colum: a}]\n", wantField: "auth.allow[0].colum",
			want: []string{"auth.allow[0].colum", "unknown key", "column, equals"}},
		{name: "int as text", yaml: "snapshot:\n  parallelism: many\n", wantField: "snapshot.parallelism",
			want: []string{`snapshot.parallelism = "many"`, "line 2", "want a whole number"}},
		{name: "bad duration", yaml: "exports:\n  download_ttl: 20\n", wantField: "exports.download_ttl",
			want: []string{`exports.download_ttl = "20"`, "line 2", "want a duration such as 60s"}},
		{name: "list as scalar", yaml: "source:\n  include: \"*\"\n", wantField: "source.include",
			want: []string{"source.include", "want a list"}},
		{name: "section as scalar", yaml: "source: \"u:pw@tcp(h)/db\"\n", wantField: "source",
			want: []string{"source", "want a mapping of keys (dsn, include, exclude)"}},
		{name: "conditions as mapping", yaml: "auth:\n  admin: {column: role}\n", wantField: "auth.admin",
			want: []string{"auth.admin", "want a list"}},
		{name: "string as mapping", yaml: "backup:\n  dsn: {user: x}\n", wantField: "backup.dsn",
			want: []string{"backup.dsn", "want a single value, got a mapping"}},
		{name: "bad syntax", yaml: "source:\n  dsn: [\n", wantField: "",
			want: []string{"is not valid YAML", "fix the syntax"}},
		{name: "two documents", yaml: "source: {}\n---\nbackup: {}\n", wantField: "",
			want: []string{"more than one YAML document"}},
		{name: "env int", env: []string{"WEEKBACK_EXPORTS_WORKERS=two"}, wantField: "exports.workers",
			want: []string{`exports.workers = "two" (from WEEKBACK_EXPORTS_WORKERS): want a whole number`}},
		{name: "env empty int", env: []string{"WEEKBACK_EXPORTS_WORKERS="}, wantField: "exports.workers",
			want: []string{"from WEEKBACK_EXPORTS_WORKERS", "want a whole number"}},
		{name: "env int overflow", env: []string{"WEEKBACK_EXPORTS_WORKERS=99999999999999999999"}, wantField: "exports.workers",
			want: []string{"want a whole number"}},
		{name: "env duration", env: []string{"WEEKBACK_SERVER_SESSION_TTL=8"}, wantField: "server.session_ttl",
			want: []string{`server.session_ttl = "8" (from WEEKBACK_SERVER_SESSION_TTL): want a duration`}},
		{name: "env conditions syntax", env: []string{"WEEKBACK_AUTH_ALLOW=[{column: x"}, wantField: "auth.allow",
			want: []string{"from WEEKBACK_AUTH_ALLOW", "not valid YAML", "flow list"}},
		{name: "env conditions shape", env: []string{"WEEKBACK_AUTH_ALLOW=role=admin"}, wantField: "auth.allow",
			want: []string{"auth.allow (from WEEKBACK_AUTH_ALLOW): want a list"}},
		{name: "env conditions unknown key", env: []string{"WEEKBACK_AUTH_ADMIN=[{col: x}]"}, wantField: "auth.admin[0].col",
			want: []string{"auth.admin[0].col (from WEEKBACK_AUTH_ADMIN): unknown key"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.yaml != "" {
				path = mustWriteFile(t, tt.yaml)
			}
			c, err := Load(path, tt.env)
			if c != nil {
				t.Fatalf("Load returned a config with error %v", err)
			}
			ps := problems(t, err)
			if len(ps) != 1 {
				t.Fatalf("got %d problems, want 1: %v", len(ps), err)
			}
			if ps[0].Field != tt.wantField {
				t.Fatalf("Field = %q, want %q (%v)", ps[0].Field, tt.wantField, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "pw@") {
				t.Fatalf("error shows a password: %v", err)
			}
		})
	}
}

// TestLoadCollects checks that Load reports problems from the file, the
// environment and Validate together.
func TestLoadCollects(t *testing.T) {
	path := mustWriteFile(t, "source:\n  tabels: []\nsnapshot:\n  parallelism: 0\n")
	_, err := Load(path, []string{"WEEKBACK_EXPORTS_WORKERS=x"})
	var got []string
	for _, p := range problems(t, err) {
		got = append(got, p.Field)
	}
	want := []string{"source.tabels", "exports.workers", "snapshot.parallelism"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("fields = %v, want %v", got, want)
	}
}

func TestLoadMissingFile(t *testing.T) {
	t.Run("explicit file", func(t *testing.T) {
		_, err := Load("/nonexistent/weekback.yaml", nil)
		ps := problems(t, err)
		if len(ps) != 1 || !strings.Contains(err.Error(), "cannot read config file /nonexistent/weekback.yaml") {
			t.Fatalf("err = %v, want one cannot-read error", err)
		}
	})
	t.Run("no file", func(t *testing.T) {
		if _, err := Load("", nil); err != nil {
			t.Fatalf("Load(\"\") = %v, want nil", err)
		}
	})
	t.Run("default location", func(t *testing.T) {
		t.Chdir(t.TempDir())
		c, err := Load(Path("", func(string) string { return "" }), []string{"WEEKBACK_EXPORTS_WORKERS=9"})
		if err != nil {
			t.Fatalf("Load(default path) = %v, want nil", err)
		}
		if c.Exports.Workers != 9 {
			t.Fatalf("workers = %d, want 9", c.Exports.Workers)
		}
	})
	t.Run("default location exists", func(t *testing.T) {
		dir := t.TempDir()
		t.Chdir(dir)
		if err := os.WriteFile(filepath.Join(dir, "weekback.yaml"), []byte("exports:\n  workers: 4\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Load(DefaultPath, nil)
		if err != nil || c.Exports.Workers != 4 {
			t.Fatalf("Load(default path) = %v, %v, want workers 4", c, err)
		}
	})
}

// TestLoadSyntaxErrorLine: a YAML syntax error is reported at the line
// that holds it, not where the parser's enclosing mapping starts.
func TestLoadSyntaxErrorLine(t *testing.T) {
	for _, tt := range []struct {
		name, yaml string
		line       int
	}{
		{"indented too far", "source:\n  dsn: \"x\"\n    bad: indent\n", 3},
		{"indented too little", "source:\n  dsn: x\n include: []\n", 3},
		{"unclosed list", "source:\n  dsn: \"x\"\n  include: [a, b\nbackup:\n  dsn: y\n", 3},
		{"text after a quote", "backup:\n  prefix: p\n  dsn: x\n  reader_dsn: \"u:pw@tcp(h)/\" x\n", 4},
		{"after a valid multi-line list", "source:\n  include: [a,\n    b]\nbackup:\n  dsn: y\n  prefix: p: q\n", 6},
		{"tab", "source:\n  dsn: x\n\tinclude: []\n", 3},
		{"unterminated quote", "source:\n  dsn: x\n  include: \"a\n", 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(mustWriteFile(t, tt.yaml), nil)
			if want := fmt.Sprintf("is not valid YAML: line %d: ", tt.line); err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("error %v, want it to say %q", err, want)
			}
			if strings.Contains(err.Error(), "pw@") {
				t.Fatalf("error shows a password: %v", err)
			}
		})
	}
}
