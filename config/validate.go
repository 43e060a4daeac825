package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/robfig/cron/v3"
)

// prefixPattern is what backup.prefix must match: it starts schema names.
var prefixPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// cronParser accepts exactly the five standard fields, no descriptors.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

// Validate checks the format of every key that is set: DSNs parse, durations
// are longer than zero, numbers are in range, the prefix, cron spec, time
// zone, addresses and globs are well formed. It also loads the time zone
// that Schedule.Location returns. It does not check that what a command
// needs is set (see RequireSnapshot and RequireServe).
//
// It returns nil or every problem found, each a *Error, joined with
// errors.Join. It modifies c (the loaded zone) and so is not safe for
// concurrent use.
func (c *Config) Validate() error {
	var errs []error
	for _, check := range []func() []error{
		c.validateSource, c.validateBackup, c.validateSchedule, c.validateSnapshot,
		c.validateServer, c.validateAuth, c.validateExports, c.validateCompare, c.validateDurations,
	} {
		errs = append(errs, check()...)
	}
	return errors.Join(errs...)
}

func (c *Config) validateSource() []error {
	errs := []error{c.checkDSN("source.dsn", c.Source.DSN)}
	errs = append(errs, c.checkGlobs("source.include", c.Source.Include, false)...)
	return append(errs, c.checkGlobs("source.exclude", c.Source.Exclude, false)...)
}

func (c *Config) validateBackup() []error {
	errs := append(c.checkDSNs("backup.dsn", c.Backup.DSN), c.checkDSNs("backup.reader_dsn", c.Backup.ReaderDSN)...)
	if !prefixPattern.MatchString(c.Backup.Prefix) {
		errs = append(errs, c.bad("backup.prefix", c.Backup.Prefix,
			"must be 1 to 32 lower-case letters, digits or underscores, starting with a letter, such as "+DefaultBackupPrefix))
	}
	return errs
}

func (c *Config) validateSchedule() []error {
	var errs []error
	if c.Schedule.Cron != "" {
		if err := checkCron(c.Schedule.Cron); err != nil {
			errs = append(errs, c.bad("schedule.cron", c.Schedule.Cron, err.Error()))
		}
	}
	loc, err := time.LoadLocation(c.Schedule.Timezone)
	c.Schedule.loc = loc
	if err != nil {
		return append(errs, c.bad("schedule.timezone", c.Schedule.Timezone,
			"is not a known time zone; use an IANA name such as Asia/Tokyo or UTC"))
	}
	return errs
}

// checkCron returns why spec is not a five-field crontab spec, or nil.
func checkCron(spec string) error {
	s := strings.TrimSpace(spec)
	switch {
	case strings.HasPrefix(s, "TZ=") || strings.HasPrefix(s, "CRON_TZ="):
		return errors.New("must not name a zone; set schedule.timezone instead")
	case strings.HasPrefix(s, "@"):
		return fmt.Errorf("must be five fields (minute hour day-of-month month day-of-week), such as %q; descriptors like @daily are not accepted", DefaultCron)
	}
	if n := len(strings.Fields(s)); n != 5 {
		return fmt.Errorf("has %d fields, want 5 (minute hour day-of-month month day-of-week), such as %q", n, DefaultCron)
	}
	if _, err := cronParser.Parse(s); err != nil {
		return fmt.Errorf("does not parse (%v); write five fields such as %q", err, DefaultCron)
	}
	return nil
}

func (c *Config) validateSnapshot() []error {
	if p := c.Snapshot.Parallelism; p < MinParallelism || p > MaxParallelism {
		return []error{c.bad("snapshot.parallelism", p,
			fmt.Sprintf("must be between %d and %d", MinParallelism, MaxParallelism))}
	}
	return nil
}

func (c *Config) validateServer() []error {
	var errs []error
	if l := c.Server.Listen; l != "" && !validListen(l) {
		errs = append(errs, c.bad("server.listen", l, "must be host:port or :port, such as "+DefaultListen))
	}
	if u := c.Server.BaseURL; u != "" && !validBaseURL(u) {
		errs = append(errs, c.bad("server.base_url", u,
			"must be an absolute http or https URL, such as https://weekback.example.com"))
	}
	for i, p := range c.Server.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err == nil {
			continue
		}
		if _, err := netip.ParseAddr(p); err != nil {
			errs = append(errs, c.bad(fmt.Sprintf("server.trusted_proxies[%d]", i), p,
				"must be an IP address or a CIDR range, such as 10.0.0.0/8"))
		}
	}
	return append(errs, c.validateMetrics()...)
}

// validateMetrics checks how /metrics is protected.
func (c *Config) validateMetrics() []error {
	var errs []error
	s := c.Server
	if s.MetricsToken != "" && s.MetricsTokenFile != "" {
		errs = append(errs, c.bad("server.metrics_token", "***", "and server.metrics_token_file are both set: keep one"))
	}
	if t := s.MetricsToken; t != "" && len(t) < MinMetricsTokenLen {
		errs = append(errs, c.bad("server.metrics_token", "***", fmt.Sprintf("is %d characters: use at least %d random ones (openssl rand -hex 32)", len(t), MinMetricsTokenLen)))
	}
	if l := s.MetricsListen; l != "" && !validListen(l) {
		errs = append(errs, c.bad("server.metrics_listen", l, "must be host:port or :port, such as 127.0.0.1:9090"))
	}
	if l := s.MetricsListen; l != "" && l == s.Listen {
		errs = append(errs, c.bad("server.metrics_listen", l, "is server.listen: choose another address (or leave it empty to serve /metrics on server.listen)"))
	}
	return errs
}

func validListen(l string) bool {
	_, port, err := net.SplitHostPort(l)
	if err != nil {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 0 && n <= 65535
}

func validBaseURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		u.User == nil && u.RawQuery == "" && u.Fragment == ""
}

func (c *Config) validateAuth() []error {
	var errs []error
	if s := c.Auth.Source; s != AuthSourceNewest && s != AuthSourceProduction {
		errs = append(errs, c.bad("auth.source", s,
			fmt.Sprintf("must be %s or %s", AuthSourceNewest, AuthSourceProduction)))
	}
	errs = append(errs, c.checkConditions("auth.allow", c.Auth.Allow)...)
	errs = append(errs, c.validateAuthRules()...)
	return append(errs, c.checkConditions("auth.admin", c.Auth.Admin)...)
}

func (c *Config) checkConditions(key string, conds []Condition) []error {
	return c.checkRules(key, conds)
}

func (c *Config) validateExports() []error {
	var errs []error
	if c.Offsite.Keep < 1 {
		errs = append(errs, c.bad("offsite.keep", c.Offsite.Keep, "must be at least 1, such as 14"))
	}
	if c.Exports.Workers < 1 {
		errs = append(errs, c.bad("exports.workers", c.Exports.Workers, "must be at least 1"))
	}
	if c.Exports.MaxActiveJobs < 1 {
		errs = append(errs, c.bad("exports.max_active_jobs", c.Exports.MaxActiveJobs, "must be at least 1"))
	}
	if c.Exports.UserQuotaBytes < 0 {
		errs = append(errs, c.bad("exports.user_quota_bytes", c.Exports.UserQuotaBytes, "must not be negative (0 is no limit), such as 2147483648 for 2 GiB"))
	}
	if c.Exports.UserQuotaFiles < 0 {
		errs = append(errs, c.bad("exports.user_quota_files", c.Exports.UserQuotaFiles, "must not be negative (0 is no limit), such as 20"))
	}
	if l := c.Exports.JobLease; l > 0 && time.Duration(l) < MinJobLease {
		errs = append(errs, c.bad("exports.job_lease", l, "must be at least "+MinJobLease.String()+", such as 30s"))
	}
	if c.Exports.MaxDownloads < 1 {
		errs = append(errs, c.bad("exports.max_downloads", c.Exports.MaxDownloads, "must be at least 1, such as 8"))
	}
	if d := c.Exports.StatementTimeout; d > 0 && time.Duration(d) < MinStatementTimeout {
		errs = append(errs, c.bad("exports.statement_timeout", d, "must be at least "+MinStatementTimeout.String()+" (the pages' own limit), such as 10m"))
	}
	if d := c.Exports.AnonymizeDateShiftDays; d < 0 || d > MaxDateShiftDays {
		errs = append(errs, c.bad("exports.anonymize_date_shift_days", d,
			fmt.Sprintf("must be between 0 (dates kept) and %d, such as 30", MaxDateShiftDays)))
	}
	if a := c.Downloads.Allow; a != DownloadsAdmins && a != DownloadsAll {
		errs = append(errs, c.bad("downloads.allow", a, "must be admins (the default) or all"))
	}
	errs = append(errs, c.checkGlobs("exports.anonymize", c.Exports.Anonymize, true)...)
	return append(errs, c.checkGlobs("exports.redact", c.Exports.Redact, true)...)
}

// MaxDateShiftDays bounds exports.anonymize_date_shift_days (ten years).
const MaxDateShiftDays = 3650

func (c *Config) validateCompare() []error {
	if f := c.Compare.AlertFraction; !(f > 0 && f <= 1) {
		return []error{c.bad("compare.alert_fraction", f, "must be a share of the rows above 0 and at most 1, such as 0.05 for 5%")}
	}
	if c.Compare.Production && c.Source.DSN == "" {
		return []error{c.bad("compare.production", true, "needs source.dsn (the production schema to compare with): set it, or set compare.production: false")}
	}
	return nil
}

// validateDurations checks that every Duration key is longer than zero.
func (c *Config) validateDurations() []error {
	var errs []error
	defaults := keysOf(Default())
	for i, k := range keysOf(c) {
		d, ok := k.value.Interface().(Duration)
		if ok && d <= 0 {
			errs = append(errs, c.bad(k.path, d,
				"must be longer than zero, such as "+defaults[i].value.Interface().(Duration).String()))
		}
	}
	return errs
}

// checkGlobs checks table-name globs, or "table.column" globs when
// qualified is set.
func (c *Config) checkGlobs(key string, globs []string, qualified bool) []error {
	var errs []error
	for i, g := range globs {
		_, err := path.Match(g, "")
		switch {
		case strings.TrimSpace(g) == "" || err != nil:
			errs = append(errs, c.bad(fmt.Sprintf("%s[%d]", key, i), g,
				"is not a valid glob; use *, ? and [a-z], such as \"log_*\""))
		case qualified && !strings.Contains(g, "."):
			errs = append(errs, c.bad(fmt.Sprintf("%s[%d]", key, i), g,
				"must be a table.column glob, such as \"*.api_token\""))
		}
	}
	return errs
}

// checkDSN returns a *Error when dsn is set and does not parse, else nil.
func (c *Config) checkDSN(key, dsn string) error {
	if dsn == "" {
		return nil
	}
	if _, err := mysql.ParseDSN(dsn); err != nil {
		return c.bad(key, dsn, fmt.Sprintf("is not a valid MySQL DSN (%s); write it as user:password@tcp(host:3306)/database",
			scrubDSNError(dsn, err)))
	}
	return nil
}

// RequireSnapshot returns nil when c has what a snapshot needs: source.dsn
// and backup.dsn set, and source.dsn naming a database (the production
// schema). Otherwise it returns every missing piece, each a *Error, joined.
func (c *Config) RequireSnapshot() error {
	errs := []error{c.requireSourceDSN("a snapshot reads production through it")}
	if c.Backup.DSN == "" {
		errs = append(errs, c.missing("backup.dsn", "a snapshot writes slots and the meta schema through it"))
	}
	if len(c.Source.Include) == 0 {
		errs = append(errs, c.missing("source.include", `with no globs a snapshot copies no table; use ["*"] for all`))
	}
	return errors.Join(errs...)
}

// requireSourceDSN returns an *Error when source.dsn is missing (why says
// what needs it) or names no database (the production schema), else nil.
func (c *Config) requireSourceDSN(why string) error {
	if c.Source.DSN == "" {
		return c.missing("source.dsn", why)
	}
	if cfg, err := mysql.ParseDSN(c.Source.DSN); err == nil && cfg.DBName == "" {
		return c.bad("source.dsn", c.Source.DSN,
			"names no database; put the production schema after the slash, such as user:password@tcp(host:3306)/sales")
	}
	return nil
}

// RequireServe returns nil when c has what the web server needs: its own
// read-only account backup.reader_dsn (backup.dsn is deliberately not a
// fallback), session_secret_file, listen, base_url, the auth table and
// columns, exports.dir, and with auth.source production a source.dsn naming
// the production schema. Otherwise it returns every missing piece, each a
// *Error, joined.
func (c *Config) RequireServe() error {
	var errs []error
	for _, r := range []struct{ key, value, why string }{
		{"backup.reader_dsn", c.Backup.ReaderDSN,
			"the server reads the backup server only through its read-only account (backup.dsn is not used in its place)"},
		{"server.session_secret_file", c.Server.SessionSecretFile, "sessions are signed with the key in this file"},
		{"server.listen", c.Server.Listen, "the server needs an address to listen on"},
		{"server.base_url", c.Server.BaseURL, "links and cookies are built from it"},
		{"auth.table", c.Auth.Table, "logins are checked against this table"},
		{"auth.login_column", c.Auth.LoginColumn + strings.Join(c.Auth.LoginColumns, ""),
			"logins are looked up in this column (or in those of auth.login_columns)"},
		{"auth.password_column", c.Auth.PasswordColumn, "password hashes are read from this column"},
		{"exports.dir", c.Exports.Dir, "export jobs write their files there"},
	} {
		if strings.TrimSpace(r.value) == "" {
			errs = append(errs, c.missing(r.key, r.why))
		}
	}
	if c.Auth.Source == AuthSourceProduction {
		errs = append(errs, c.requireSourceDSN("with auth.source: production, logins are checked in production's users table"))
	}
	return errors.Join(errs...)
}

// bad returns a *Error for key holding value, with the problem and the fix.
func (c *Config) bad(key string, value any, problem string) *Error {
	shown := fmt.Sprint(value)
	if s, ok := value.(string); ok {
		shown = showString(key, s)
	}
	return &Error{Field: key, Message: fmt.Sprintf("%s = %s: %s (set it in %s or %s)",
		key, shown, problem, c.fileName(), EnvName(key))}
}

// missing returns a *Error for a required key that is empty.
func (c *Config) missing(key, why string) *Error {
	return &Error{Field: key, Message: fmt.Sprintf("%s is not set: %s (set it in %s or %s)",
		key, why, c.fileName(), EnvName(key))}
}

func (c *Config) fileName() string {
	if c.file != "" {
		return c.file
	}
	return "weekback.yaml"
}

// showString quotes value for an error message, masking DSN passwords.
func showString(key, value string) string {
	if isDSNKey(key) || looksLikeDSN(value) {
		value = RedactDSN(value)
	}
	return strconv.Quote(value)
}

// isDSNKey reports whether the key at path holds a DSN: it is named dsn or
// ends in _dsn.
func isDSNKey(path string) bool {
	last := path[strings.LastIndexByte(path, '.')+1:]
	return last == "dsn" || strings.HasSuffix(last, "_dsn")
}

// looksLikeDSN reports whether s may carry a password (user:pass@...).
func looksLikeDSN(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[:at], ":")
}
