package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	for _, tt := range []struct {
		name      string
		change    func(c *Config)
		wantField string // "" means valid
		want      string // substring of the message
	}{
		{"default", func(c *Config) {}, "", ""},
		{"downloads all", func(c *Config) { c.Downloads.Allow = DownloadsAll }, "", ""},
		{"downloads everyone", func(c *Config) { c.Downloads.Allow = "everyone" }, "downloads.allow", "must be admins (the default) or all"},
		{"date shift negative", func(c *Config) { c.Exports.AnonymizeDateShiftDays = -1 }, "exports.anonymize_date_shift_days", "between 0"},
		{"anonymize glob", func(c *Config) { c.Exports.Anonymize = []string{"customers.[a"} }, "exports.anonymize[0]", "is not a valid glob"},
		{"source dsn ok", func(c *Config) { c.Source.DSN = "u:p@tcp(h:3306)/sales?parseTime=true" }, "", ""},
		{"source dsn", func(c *Config) { c.Source.DSN = "u:hunter2@tcp(h:3306" }, "source.dsn",
			`source.dsn = "u:***@tcp(h:3306": is not a valid MySQL DSN (invalid DSN: `},
		{"backup dsn", func(c *Config) { c.Backup.DSN = "u:hunter2@tcp(h)/?timeout=soon" }, "backup.dsn",
			`backup.dsn = "u:***@tcp(h)/?timeout=soon": is not a valid MySQL DSN`},
		{"reader dsn", func(c *Config) { c.Backup.ReaderDSN = "no slash at all" }, "backup.reader_dsn",
			"(set it in weekback.yaml or WEEKBACK_BACKUP_READER_DSN)"},
		{"include glob", func(c *Config) { c.Source.Include = []string{"*", "log_[a"} }, "source.include[1]",
			`source.include[1] = "log_[a": is not a valid glob`},
		{"exclude empty", func(c *Config) { c.Source.Exclude = []string{""} }, "source.exclude[0]", "is not a valid glob"},
		{"prefix empty", func(c *Config) { c.Backup.Prefix = "" }, "backup.prefix", `backup.prefix = "": must be 1 to 32`},
		{"prefix upper", func(c *Config) { c.Backup.Prefix = "Weekback" }, "backup.prefix", "lower-case"},
		{"prefix digit first", func(c *Config) { c.Backup.Prefix = "1wb" }, "backup.prefix", "starting with a letter"},
		{"prefix dash", func(c *Config) { c.Backup.Prefix = "week-back" }, "backup.prefix", "underscores"},
		{"prefix 32", func(c *Config) { c.Backup.Prefix = "a" + strings.Repeat("b", 31) }, "", ""},
		{"prefix 33", func(c *Config) { c.Backup.Prefix = "a" + strings.Repeat("b", 32) }, "backup.prefix", "1 to 32"},
		{"cron empty", func(c *Config) { c.Schedule.Cron = "" }, "", ""},
		{"cron ranges", func(c *Config) { c.Schedule.Cron = "*/15 1-5 1,15 * mon-fri" }, "", ""},
		{"cron 4 fields", func(c *Config) { c.Schedule.Cron = "30 0 * *" }, "schedule.cron", `has 4 fields, want 5`},
		{"cron 6 fields", func(c *Config) { c.Schedule.Cron = "0 30 0 * * *" }, "schedule.cron", `has 6 fields, want 5`},
		{"cron descriptor", func(c *Config) { c.Schedule.Cron = "@daily" }, "schedule.cron", "descriptors like @daily"},
		{"cron zone", func(c *Config) { c.Schedule.Cron = "TZ=UTC" }, "schedule.cron", "set schedule.timezone instead"},
		{"cron range", func(c *Config) { c.Schedule.Cron = "61 0 * * *" }, "schedule.cron", "does not parse"},
		{"timezone", func(c *Config) { c.Schedule.Timezone = "Mars/Olympus" }, "schedule.timezone",
			`schedule.timezone = "Mars/Olympus": is not a known time zone`},
		{"timezone empty", func(c *Config) { c.Schedule.Timezone = "" }, "", ""},
		{"parallelism 0", func(c *Config) { c.Snapshot.Parallelism = 0 }, "snapshot.parallelism",
			"snapshot.parallelism = 0: must be between 1 and 64 (set it in weekback.yaml or WEEKBACK_SNAPSHOT_PARALLELISM)"},
		{"parallelism 64", func(c *Config) { c.Snapshot.Parallelism = 64 }, "", ""},
		{"parallelism 65", func(c *Config) { c.Snapshot.Parallelism = 65 }, "snapshot.parallelism", "= 65: must be between"},
		{"grace period", func(c *Config) { c.Snapshot.GracePeriod = 0 }, "snapshot.grace_period",
			"snapshot.grace_period = 0s: must be longer than zero, such as 1m0s"},
		{"lock wait", func(c *Config) { c.Snapshot.LockWaitTimeout = Duration(-time.Second) }, "snapshot.lock_wait_timeout",
			"= -1s: must be longer than zero"},
		{"listen no port", func(c *Config) { c.Server.Listen = "localhost" }, "server.listen", `"localhost": must be host:port`},
		{"listen big port", func(c *Config) { c.Server.Listen = ":99999" }, "server.listen", "must be host:port"},
		{"listen any port", func(c *Config) { c.Server.Listen = ":0" }, "", ""},
		{"base url no scheme", func(c *Config) { c.Server.BaseURL = "127.0.0.1:8080" }, "server.base_url", "absolute http or https URL"},
		{"base url ftp", func(c *Config) { c.Server.BaseURL = "ftp://h" }, "server.base_url", "absolute http or https URL"},
		{"base url user", func(c *Config) { c.Server.BaseURL = "https://u:hunter2@h/" }, "server.base_url", `"https:***@h/"`},
		{"base url path", func(c *Config) { c.Server.BaseURL = "https://example.com/weekback" }, "", ""},
		{"session ttl", func(c *Config) { c.Server.SessionTTL = 0 }, "server.session_ttl", "such as 8h0m0s"},
		{"proxies ok", func(c *Config) { c.Server.TrustedProxies = []string{"10.0.0.1", "::1", "192.168.0.0/16"} }, "", ""},
		{"metrics token ok", func(c *Config) { c.Server.MetricsToken = strings.Repeat("t", 16) }, "", ""},
		{"metrics token short", func(c *Config) { c.Server.MetricsToken = "hunter2" }, "server.metrics_token",
			`server.metrics_token = "***": is 7 characters: use at least 16 random ones`},
		{"metrics token twice", func(c *Config) {
			c.Server.MetricsToken, c.Server.MetricsTokenFile = strings.Repeat("t", 16), "/run/token"
		},
			"server.metrics_token", "and server.metrics_token_file are both set: keep one"},
		{"metrics listen", func(c *Config) { c.Server.MetricsListen = "9090" }, "server.metrics_listen", "must be host:port or :port"},
		{"metrics listen same", func(c *Config) { c.Server.MetricsListen = c.Server.Listen }, "server.metrics_listen", "is server.listen: choose another address"},
		{"metrics listen ok", func(c *Config) { c.Server.MetricsListen = "127.0.0.1:9090" }, "", ""},
		{"max downloads", func(c *Config) { c.Exports.MaxDownloads = 0 }, "exports.max_downloads",
			"exports.max_downloads = 0: must be at least 1, such as 8 (set it in weekback.yaml or WEEKBACK_EXPORTS_MAX_DOWNLOADS)"},
		{"statement timeout short", func(c *Config) { c.Exports.StatementTimeout = Duration(5 * time.Second) }, "exports.statement_timeout",
			"exports.statement_timeout = 5s: must be at least 10s (the pages' own limit), such as 10m"},
		{"statement timeout zero", func(c *Config) { c.Exports.StatementTimeout = 0 }, "exports.statement_timeout", "must be longer than zero"},
		{"proxy host name", func(c *Config) { c.Server.TrustedProxies = []string{"10.0.0.1", "proxy.local"} }, "server.trusted_proxies[1]",
			`server.trusted_proxies[1] = "proxy.local": must be an IP address or a CIDR range, such as 10.0.0.0/8 (set it in weekback.yaml or WEEKBACK_SERVER_TRUSTED_PROXIES)`},
		{"auth source", func(c *Config) { c.Auth.Source = "replica" }, "auth.source", `"replica": must be newest or production`},
		{"auth production", func(c *Config) { c.Auth.Source = AuthSourceProduction }, "", ""},
		{"allow column", func(c *Config) { c.Auth.Allow = []Condition{{Column: " ", Equals: "1"}} }, "auth.allow[0].column",
			"must name a column"},
		{"admin column", func(c *Config) { c.Auth.Admin = append(c.Auth.Admin, Condition{Equals: "x"}) }, "auth.admin[1].column",
			"(set it in weekback.yaml or WEEKBACK_AUTH_ADMIN)"},
		{"empty equals", func(c *Config) { c.Auth.Allow = []Condition{{Column: "deleted_at", Equals: ""}} }, "", ""},
		{"workers", func(c *Config) { c.Exports.Workers = 0 }, "exports.workers", "exports.workers = 0: must be at least 1"},
		{"download ttl", func(c *Config) { c.Exports.DownloadTTL = 0 }, "exports.download_ttl", "such as 20h0m0s"},
		{"job retention", func(c *Config) { c.Exports.JobRetention = 0 }, "exports.job_retention", "such as 336h0m0s"},
		{"redact ok", func(c *Config) { c.Exports.Redact = []string{"*.api_token", "users.secret_*"} }, "", ""},
		{"redact no table", func(c *Config) { c.Exports.Redact = []string{"api_token"} }, "exports.redact[0]", "table.column glob"},
		{"max active jobs", func(c *Config) { c.Exports.MaxActiveJobs = 0 }, "exports.max_active_jobs",
			"exports.max_active_jobs = 0: must be at least 1"},
		{"job lease short", func(c *Config) { c.Exports.JobLease = Duration(time.Second) }, "exports.job_lease",
			"exports.job_lease = 1s: must be at least 2s, such as 30s"},
		{"job lease zero", func(c *Config) { c.Exports.JobLease = 0 }, "exports.job_lease", "such as 30s"},
		{"alert fraction zero", func(c *Config) { c.Compare.AlertFraction = 0 }, "compare.alert_fraction",
			"compare.alert_fraction = 0: must be a share of the rows above 0 and at most 1, such as 0.05 for 5%"},
		{"alert fraction a percentage", func(c *Config) { c.Compare.AlertFraction = 5 }, "compare.alert_fraction", "at most 1"},
		{"production without source", func(c *Config) { c.Compare.Production, c.Source.DSN = true, "" }, "compare.production", "needs source.dsn"},
		{"job lease min", func(c *Config) { c.Exports.JobLease = Duration(2 * time.Second) }, "", ""},
		{"quota bytes", func(c *Config) { c.Exports.UserQuotaBytes = -1 }, "exports.user_quota_bytes", "0 is no limit"},
		{"quota files", func(c *Config) { c.Exports.UserQuotaFiles = -1 }, "exports.user_quota_files", "0 is no limit"},
		{"quota off", func(c *Config) { c.Exports.UserQuotaBytes, c.Exports.UserQuotaFiles = 0, 0 }, "", ""},
		{"redact bad glob", func(c *Config) { c.Exports.Redact = []string{"a.b", "[.x"} }, "exports.redact[1]", "not a valid glob"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.change(c)
			err := c.Validate()
			ps := problems(t, err)
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if len(ps) != 1 || ps[0].Field != tt.wantField {
				t.Fatalf("Validate = %v, want one problem with %s", err, tt.wantField)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("error shows a password: %v", err)
			}
		})
	}
}

func TestValidateCollects(t *testing.T) {
	c := Default()
	c.Snapshot.Parallelism = 0
	c.Exports.Workers = 0
	c.Auth.Source = "x"
	var got []string
	for _, p := range problems(t, c.Validate()) {
		got = append(got, p.Field)
	}
	if want := []string{"snapshot.parallelism", "auth.source", "exports.workers"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("fields = %v, want %v", got, want)
	}
}

func TestLocation(t *testing.T) {
	for _, tt := range []struct {
		name, zone string
		validate   bool
		want       string
	}{
		{"validated", "Europe/Paris", true, "Europe/Paris"},
		{"not validated", "Europe/Paris", false, "Europe/Paris"},
		{"unset", "", true, "UTC"},
		{"bad zone", "Mars/Olympus", false, "UTC"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			c.Schedule.Timezone = tt.zone
			if tt.validate {
				if err := c.Validate(); err != nil {
					t.Fatal(err)
				}
			}
			if got := c.Schedule.Location().String(); got != tt.want {
				t.Fatalf("Location() = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestRequireSnapshot(t *testing.T) {
	for _, tt := range []struct {
		name       string
		change     func(c *Config)
		wantFields []string
		want       string
	}{
		{"ok", func(c *Config) {}, nil, ""},
		{"nothing set", func(c *Config) { c.Source.DSN, c.Backup.DSN = "", "" }, []string{"source.dsn", "backup.dsn"},
			"source.dsn is not set: a snapshot reads production through it (set it in weekback.yaml or WEEKBACK_SOURCE_DSN)"},
		{"no database", func(c *Config) { c.Source.DSN = "u:hunter2@tcp(h:3306)/" }, []string{"source.dsn"},
			`source.dsn = "u:***@tcp(h:3306)/": names no database`},
		{"no backup", func(c *Config) { c.Backup.DSN = "" }, []string{"backup.dsn"}, "backup.dsn is not set"},
		{"no include", func(c *Config) { c.Source.Include = nil }, []string{"source.include"}, "copies no table"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			c.Source.DSN = "u:p@tcp(h:3306)/sales"
			c.Backup.DSN = "a:p@tcp(b:3306)/"
			tt.change(c)
			err := c.RequireSnapshot()
			checkFields(t, err, tt.wantFields, tt.want)
		})
	}
}

func TestRequireServe(t *testing.T) {
	for _, tt := range []struct {
		name       string
		change     func(c *Config)
		wantFields []string
		want       string
	}{
		{"ok", func(c *Config) {}, nil, ""},
		{"no reader, admin set", func(c *Config) { c.Backup.ReaderDSN = "" }, []string{"backup.reader_dsn"},
			"backup.dsn is not used in its place"},
		{"no secret file", func(c *Config) { c.Server.SessionSecretFile = "" }, []string{"server.session_secret_file"},
			"(set it in weekback.yaml or WEEKBACK_SERVER_SESSION_SECRET_FILE)"},
		{"cleared keys", func(c *Config) { c.Auth.Table, c.Auth.PasswordColumn, c.Exports.Dir = "", "", "" },
			[]string{"auth.table", "auth.password_column", "exports.dir"}, "auth.table is not set"},
		{"production without source", func(c *Config) { c.Auth.Source, c.Source.DSN = AuthSourceProduction, "" },
			[]string{"source.dsn"}, "logins are checked in production's users table"},
		{"production without schema", func(c *Config) { c.Auth.Source, c.Source.DSN = AuthSourceProduction, "u:p@tcp(prod:3306)/" },
			[]string{"source.dsn"}, "names no database"},
		{"production", func(c *Config) { c.Auth.Source, c.Source.DSN = AuthSourceProduction, "u:p@tcp(prod:3306)/sales" }, nil, ""},
		{"newest needs no source", func(c *Config) { c.Source.DSN = "" }, nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			c.Backup.DSN = "a:p@tcp(b:3306)/"
			c.Backup.ReaderDSN = "r:p@tcp(b:3306)/"
			tt.change(c)
			checkFields(t, c.RequireServe(), tt.wantFields, tt.want)
		})
	}
}

// checkFields checks that err holds exactly the problems of wantFields and
// that its text contains want.
func checkFields(t *testing.T, err error, wantFields []string, want string) {
	t.Helper()
	var got []string
	for _, p := range problems(t, err) {
		got = append(got, p.Field)
	}
	if !reflect.DeepEqual(got, wantFields) {
		t.Fatalf("fields = %v, want %v (%v)", got, wantFields, err)
	}
	if err != nil && !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not contain %q", err, want)
	}
	if err != nil && strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error shows a password: %v", err)
	}
}
