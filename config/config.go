package config

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // schedule.timezone must load on hosts without a zone database

	"go.yaml.in/yaml/v3"
)

// Defaults of every key, as in the example configuration of README.md.
const (
	DefaultPath              = "./weekback.yaml" // config file used when neither --config nor WEEKBACK_CONFIG is given
	DefaultInclude           = "*"
	DefaultBackupPrefix      = "weekback"
	DefaultCron              = "30 0 * * *"
	DefaultTimezone          = "Asia/Tokyo"
	DefaultParallelism       = 4
	DefaultGracePeriod       = 60 * time.Second
	DefaultLockWaitTimeout   = 10 * time.Second
	DefaultListen            = "127.0.0.1:8080"
	DefaultBaseURL           = "http://127.0.0.1:8080"
	DefaultSessionSecretFile = "./var/session.key"
	// DefaultAnonymizeSecretFile sits beside the session secret.
	DefaultAnonymizeSecretFile = "./var/anonymize.key"
	DefaultSessionTTL          = 8 * time.Hour
	DefaultAuthSource          = AuthSourceNewest
	DefaultAuthTable           = "users"
	DefaultLoginColumn         = "login_id"
	DefaultPasswordColumn      = "password_hash"
	DefaultAllowColumn         = "can_manage_settings"
	DefaultAllowEquals         = "1"
	DefaultAdminColumn         = "role"
	DefaultAdminEquals         = "superadmin"
	DefaultExportsDir          = "./var/exports"
	DefaultDownloadTTL         = 20 * time.Hour
	DefaultJobRetention        = 336 * time.Hour
	DefaultExportWorkers       = 2
	DefaultMaxActiveJobs       = 3
	DefaultJobLease            = 30 * time.Second
	DefaultUserQuotaBytes      = 2 << 30 // 2 GiB of finished exports per user
	DefaultUserQuotaFiles      = 20      // finished exports (downloads) per user
	DefaultMaxDownloads        = 8
	DefaultStatementTimeout    = 10 * time.Minute
	DefaultRedactDefaults      = true
	DefaultAlertFraction       = 0.05
)

// Limits checked by Validate.
const (
	MinParallelism = 1
	MaxParallelism = 64
	// MinJobLease is the shortest exports.job_lease: a worker renews its
	// lease every second, so a shorter one would be lost to a slow renewal.
	MinJobLease = 2 * time.Second
	// MinStatementTimeout is the shortest exports.statement_timeout: the
	// pages' own limit, which exports are meant to exceed.
	MinStatementTimeout = 10 * time.Second
	// MinMetricsTokenLen is the shortest server.metrics_token.
	MinMetricsTokenLen = 16
)

// Values of auth.source.
const (
	AuthSourceNewest     = "newest"     // the newest ready generation's users table decides who may log in
	AuthSourceProduction = "production" // production's users table decides
)

// Names of environment variables.
const (
	EnvPrefix = "WEEKBACK_"       // put in front of every key's variable name
	EnvConfig = "WEEKBACK_CONFIG" // the config file, when --config is not given
)

// reservedEnv are WEEKBACK_* variables that are not configuration keys.
var reservedEnv = map[string]bool{
	EnvConfig:                  true,
	"WEEKBACK_TEST_DSN":        true,
	"WEEKBACK_REQUIRE_BROWSER": true,
}

// Config is Weekback's whole configuration. Build it with Load (or Default
// and Validate); a Config is not modified after that and is then safe for
// concurrent reads.
type Config struct {
	Source   Source   `yaml:"source"`
	Backup   Backup   `yaml:"backup"`
	Schedule Schedule `yaml:"schedule"`
	Snapshot Snapshot `yaml:"snapshot"`
	Server   Server   `yaml:"server"`
	Auth     Auth     `yaml:"auth"`
	Exports  Exports  `yaml:"exports"`
	// Downloads says who may download a whole day from the server.
	Downloads Downloads `yaml:"downloads"`
	Compare   Compare   `yaml:"compare"`
	Offsite   Offsite   `yaml:"offsite"`

	file string // the YAML file Load read, named in error messages
}

// Source is the production database that snapshots copy.
type Source struct {
	DSN     string   `yaml:"dsn"`     // go-sql-driver/mysql DSN; its database is the production schema
	Include []string `yaml:"include"` // table-name globs to copy
	Exclude []string `yaml:"exclude"` // table-name globs to skip, applied after Include
}

// Offsite is where copies of each verified generation are sent: its SQL
// script, gzip (and age-encrypted with EncryptKeyFile), keeping the newest
// Keep. An empty Target turns it off.
type Offsite struct {
	Target          string `yaml:"target"`           // file:///path or s3://bucket/prefix?endpoint=host:port&region=R
	Keep            int    `yaml:"keep"`             // newest copies kept
	EncryptKeyFile  string `yaml:"encrypt_key_file"` // an age identity file; copies are encrypted to it
	CredentialsFile string `yaml:"credentials_file"` // S3: AWS credentials file when AWS_* variables are not set
}

// DefaultOffsiteKeep is offsite.keep's default.
const DefaultOffsiteKeep = 14

// Backup is the server that holds the generations and the meta schema.
type Backup struct {
	// DSN and ReaderDSN take one DSN or a YAML list of them, the nodes of a
	// cluster tried in order (kept one per line; in the environment,
	// separated by white space).
	DSN       string `yaml:"dsn"`        // snapshotter's account: slots and meta
	ReaderDSN string `yaml:"reader_dsn"` // server's account: SELECT on slots, writes on meta only
	Prefix    string `yaml:"prefix"`     // schema-name prefix: <prefix>_meta, slots
}

// Schedule is when the snapshotter daemon runs.
type Schedule struct {
	Cron     string `yaml:"cron"`     // five-field crontab spec
	Timezone string `yaml:"timezone"` // IANA zone name; also decides what "today" is

	loc *time.Location // loaded by Validate
}

// Location returns the zone of Timezone: the one Validate loaded, UTC when
// Timezone is empty, and also UTC when Timezone does not load (Validate
// reports that). It is safe for concurrent use.
func (s Schedule) Location() *time.Location {
	if s.loc != nil {
		return s.loc
	}
	if loc, err := time.LoadLocation(s.Timezone); err == nil {
		return loc
	}
	return time.UTC
}

// Snapshot tunes how a snapshot copies.
type Snapshot struct {
	Parallelism     int      `yaml:"parallelism"`       // tables copied at once, 1..64
	GracePeriod     Duration `yaml:"grace_period"`      // how long an old slot keeps serving before it is dropped
	LockWaitTimeout Duration `yaml:"lock_wait_timeout"` // longest wait for the source's global read lock
}

// Server is the web server's listener and sessions.
type Server struct {
	Listen            string   `yaml:"listen"`              // host:port
	BaseURL           string   `yaml:"base_url"`            // absolute http(s) URL users reach the server at
	SessionSecretFile string   `yaml:"session_secret_file"` // created (0600) when missing
	SessionTTL        Duration `yaml:"session_ttl"`
	TrustedProxies    []string `yaml:"trusted_proxies"` // IPs or CIDRs whose X-Forwarded-For is believed
	// MetricsToken, or the content of MetricsTokenFile, is the bearer
	// token /metrics requires (open when both are empty).
	MetricsToken     string `yaml:"metrics_token"`
	MetricsTokenFile string `yaml:"metrics_token_file"`
	// MetricsListen, when set, serves /metrics on that address only (not
	// on Listen).
	MetricsListen string `yaml:"metrics_listen"`
	// PublicCounts shows the tables and rows of each day on the landing
	// page to visitors who are not logged in.
	PublicCounts bool `yaml:"public_counts"`
}

// Condition is one test on a users row: the row's Column must equal Equals
// (compared as text), or be one of In, or match the LIKE pattern Like; or
// the user must have a related row (Exists) or be in a list kept in a
// configuration row (ConfigList). See weekback.Condition.
type Condition struct {
	Column     string          `yaml:"column"`
	Equals     string          `yaml:"equals"`
	In         []string        `yaml:"in"`
	Like       string          `yaml:"like"`
	Exists     *ExistsRule     `yaml:"exists"`
	ConfigList *ConfigListRule `yaml:"config_list"`
}

// Auth is who may log in and who is an administrator.
type Auth struct {
	Source         string      `yaml:"source"` // AuthSourceNewest or AuthSourceProduction
	Table          string      `yaml:"table"`
	LoginColumn    string      `yaml:"login_column"`
	PasswordColumn string      `yaml:"password_column"` // never shown or exported
	Allow          []Condition `yaml:"allow"`           // all must hold to log in
	Admin          []Condition `yaml:"admin"`           // all must hold to be an admin
	// The application's own login rules: see auth_preset.go.
	Preset          string   `yaml:"preset"`            // one of PresetNames: fills the keys below and above
	TablePrefix     string   `yaml:"table_prefix"`      // the preset's table prefix (mdl_, wp_, …)
	LoginColumns    []string `yaml:"login_columns"`     // the login may be in any of them (replaces login_column)
	LowercaseLogin  bool     `yaml:"lowercase_login"`   // the application stores user names in lower case
	SaltColumn      string   `yaml:"salt_column"`       // never shown or exported
	HashScheme      string   `yaml:"hash_scheme"`       // how to read hashes without a prefix: redmine_sha1, eccube_hmac, magento2
	Secret          string   `yaml:"secret"`            // eccube_hmac's ECCUBE_AUTH_MAGIC; never logged
	SecretFile      string   `yaml:"secret_file"`       // a file holding auth.secret
	Peppers         []string `yaml:"peppers"`           // appended to passwords in turn (Moodle); never logged
	AllowWeakHashes bool     `yaml:"allow_weak_hashes"` // accept unsalted md5/sha1 hex digests
}

// Exports is where background jobs write their files and for how long.
type Exports struct {
	Dir          string   `yaml:"dir"`
	DownloadTTL  Duration `yaml:"download_ttl"`
	JobRetention Duration `yaml:"job_retention"`
	Workers      int      `yaml:"workers"`
	Redact       []string `yaml:"redact"` // extra "table.column" globs never shown or exported
	// MaxActiveJobs is how many queued or running jobs one user may have.
	MaxActiveJobs int `yaml:"max_active_jobs"`
	// JobLease is how long a worker holds a job without renewing it; a job
	// whose server died is taken over by another one after it.
	JobLease Duration `yaml:"job_lease"`
	// MaxDownloads is how many CSV downloads one server streams at once;
	// more wait a few seconds, then get 503 with Retry-After.
	MaxDownloads int `yaml:"max_downloads"`
	// StatementTimeout limits each statement of a CSV download or an
	// export job (longer than the pages' 10 s).
	StatementTimeout Duration `yaml:"statement_timeout"`
	// RedactDefaults masks the columns whose names look like credentials
	// (weekback.DefaultRedactGlobs) on top of Redact.
	RedactDefaults bool `yaml:"redact_defaults"`
	// UserQuotaBytes and UserQuotaFiles bound what one user keeps of
	// finished exports (bytes of results and error logs; downloads): a
	// completing export expires the user's oldest ones beyond them, and a
	// user still over them is refused new exports (409). 0 is no limit.
	UserQuotaBytes int64 `yaml:"user_quota_bytes"`
	UserQuotaFiles int   `yaml:"user_quota_files"`
	// Anonymize lists "table.column" globs replaced by stable pseudonyms
	// when an export or a download asks for --anonymize.
	Anonymize []string `yaml:"anonymize"`
	// AnonymizeSecretFile keeps the pseudonyms' key: created (0600) at
	// first use, like the session secret.
	AnonymizeSecretFile string `yaml:"anonymize_secret_file"`
	// AnonymizeDateShiftDays, when positive, shifts the anonymized date
	// columns of each row by a constant within ±N days; 0 keeps dates.
	AnonymizeDateShiftDays int `yaml:"anonymize_date_shift_days"`
}

// Downloads is who may download a whole day: admins (the default) or all
// logged-in users.
type Downloads struct {
	Allow string `yaml:"allow"`
}

// Values of downloads.allow.
const (
	DownloadsAdmins = "admins"
	DownloadsAll    = "all"
)

// Compare tunes the server's comparisons of generations.
type Compare struct {
	// AlertFraction flags a day that deleted or changed more than this
	// share (0 < f ≤ 1) of a table's rows since the copy before it.
	AlertFraction float64 `yaml:"alert_fraction"`
	// Production lets the server compare a day with production, through
	// the read-only pool of source.dsn; otherwise only the CLI can.
	Production bool `yaml:"production"`
}

// Default returns a new Config with every default set and all DSNs empty.
// It never fails.
func Default() *Config {
	return &Config{
		Source: Source{Include: []string{DefaultInclude}, Exclude: []string{}},
		Backup: Backup{Prefix: DefaultBackupPrefix},
		Schedule: Schedule{
			Cron:     DefaultCron,
			Timezone: DefaultTimezone,
		},
		Snapshot: Snapshot{
			Parallelism:     DefaultParallelism,
			GracePeriod:     Duration(DefaultGracePeriod),
			LockWaitTimeout: Duration(DefaultLockWaitTimeout),
		},
		Server: Server{
			Listen:            DefaultListen,
			BaseURL:           DefaultBaseURL,
			SessionSecretFile: DefaultSessionSecretFile,
			SessionTTL:        Duration(DefaultSessionTTL),
			TrustedProxies:    []string{},
		},
		Auth: Auth{
			Source:         DefaultAuthSource,
			Table:          DefaultAuthTable,
			LoginColumn:    DefaultLoginColumn,
			PasswordColumn: DefaultPasswordColumn,
			Allow:          []Condition{{Column: DefaultAllowColumn, Equals: DefaultAllowEquals}},
			Admin:          []Condition{{Column: DefaultAdminColumn, Equals: DefaultAdminEquals}},
		},
		Exports: Exports{
			Dir:              DefaultExportsDir,
			DownloadTTL:      Duration(DefaultDownloadTTL),
			JobRetention:     Duration(DefaultJobRetention),
			Workers:          DefaultExportWorkers,
			Redact:           []string{},
			MaxActiveJobs:    DefaultMaxActiveJobs,
			JobLease:         Duration(DefaultJobLease),
			UserQuotaBytes:   DefaultUserQuotaBytes,
			UserQuotaFiles:   DefaultUserQuotaFiles,
			Anonymize:        []string{},
			MaxDownloads:     DefaultMaxDownloads,
			StatementTimeout: Duration(DefaultStatementTimeout),
			RedactDefaults:   DefaultRedactDefaults,

			AnonymizeSecretFile: DefaultAnonymizeSecretFile,
		},
		Downloads: Downloads{Allow: DownloadsAdmins},
		Compare:   Compare{AlertFraction: DefaultAlertFraction},
		Offsite:   Offsite{Keep: DefaultOffsiteKeep},
	}
}

// Redacted returns a deep copy of c in which the password of every DSN (every
// key named dsn or *_dsn) is replaced by "***", safe to log or print. It
// never fails; a DSN that does not parse is masked as much as can be told.
func (c *Config) Redacted() *Config {
	r := *c
	r.Source.Include = cloneStrings(c.Source.Include)
	r.Source.Exclude = cloneStrings(c.Source.Exclude)
	r.Server.TrustedProxies = cloneStrings(c.Server.TrustedProxies)
	r.Auth.Allow = cloneConditions(c.Auth.Allow)
	r.Auth.Admin = cloneConditions(c.Auth.Admin)
	r.Auth.LoginColumns = cloneStrings(c.Auth.LoginColumns)
	r.Auth.Secret, r.Auth.Peppers = redactSecret(c.Auth.Secret), redactSecrets(c.Auth.Peppers)
	r.Exports.Redact = cloneStrings(c.Exports.Redact)
	r.Exports.Anonymize = cloneStrings(c.Exports.Anonymize)
	for _, k := range keysOf(&r) {
		if isDSNKey(k.path) {
			k.value.SetString(RedactDSN(k.value.String()))
		}
	}
	if r.Server.MetricsToken != "" {
		r.Server.MetricsToken = "***"
	}
	return &r
}

func cloneStrings(s []string) []string {
	if s == nil {
		return nil
	}
	return append([]string{}, s...)
}

func cloneConditions(s []Condition) []Condition {
	if s == nil {
		return nil
	}
	return append([]Condition{}, s...)
}

// Duration is a time.Duration written as text ("60s", "20h", "1h30m") in
// YAML and in environment variables.
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String returns d in time.Duration's format, such as "20h0m0s".
func (d Duration) String() string { return time.Duration(d).String() }

// UnmarshalYAML reads a duration from a YAML scalar such as "60s". It returns
// an error, saying what a valid value looks like, for anything that
// time.ParseDuration does not accept, including a number without a unit.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("want a duration such as 60s or 20h, got %s", kindName(n))
	}
	return d.UnmarshalText([]byte(n.Value))
}

// MarshalYAML writes d as text, such as "20h0m0s". It never fails.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// UnmarshalText reads a duration such as "60s" (used for environment
// variables and encoding/json). It returns an error for anything
// time.ParseDuration does not accept.
func (d *Duration) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("want a duration such as 60s or 20h (a number and a unit: ms, s, m, h)")
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes d as text, such as "20h0m0s". It never fails.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Error is a configuration problem a user must fix. Field is the YAML key
// path (such as "snapshot.parallelism" or "auth.allow[0].column"; empty when
// the problem is the file itself); Message is the whole sentence for people:
// the key, the bad value (DSN passwords shown as ***) and the fix.
type Error struct {
	Field   string
	Message string
}

// Error returns the message prefixed with "config: ".
func (e *Error) Error() string { return "config: " + e.Message }
