package mysql

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
)

// Tag starts every query Weekback sends, so DBAs can see it in the
// processlist.
const Tag = "/* weekback */ "

// Connection timeouts applied when the DSN does not set its own.
const (
	DefaultDialTimeout = 10 * time.Second
	DefaultReadTimeout = 5 * time.Minute
)

// Role says what a connection is for; it decides the session settings.
type Role int

// Connection roles.
const (
	// RoleSource reads production: results as raw bytes in each column's
	// own character set, UTC, read-only.
	RoleSource Role = iota
	// RoleBackup creates and drops slots and reads the backup server:
	// permissive sql_mode, as the production DDL it replays may need (zero
	// date defaults). The meta schema is written through RoleMeta.
	RoleBackup
	// RoleLoader fills slots: as RoleBackup, with foreign key and unique
	// checks off so InnoDB bulk-loads into the empty tables.
	RoleLoader
	// RoleExport reads slots for CSV exports: text converted to UTF-8 by
	// the server (binary, BLOB, BIT and GEOMETRY values stay raw bytes),
	// numbers and dates as the server's text, UTC.
	RoleExport
	// RoleTarget writes production for `import` and `template-apply`: text
	// sent and read as UTF-8, values as text, and TargetSQLMode: a value
	// that does not fit its column is an error, never cut or adjusted,
	// while the zero dates and zero AUTO_INCREMENT values production itself
	// holds load back as they were.
	RoleTarget
	// RoleMeta reads and writes the meta schema (generations, runs, jobs,
	// audit, sessions): MetaSQLMode, so that nothing stored there is ever
	// silently cut or turned into a zero date; times parsed.
	RoleMeta
)

// Session sql_mode of the writing roles.
//
// MetaSQLMode is fully strict: the meta schema is Weekback's own, all
// InnoDB, and every value it stores must come back as it was written (a
// job's parameters cut at a column's size once made every worker loop on
// unreadable JSON). STRICT_ALL_TABLES rather than STRICT_TRANS_TABLES so
// that even a table created non-transactional by hand refuses a bad value
// instead of storing an adjusted one; NO_ZERO_DATE, NO_ZERO_IN_DATE and
// ERROR_FOR_DIVISION_BY_ZERO because the meta schema never needs them.
//
// TargetSQLMode is strict too (STRICT_ALL_TABLES: production may have
// MyISAM or Aria tables, where STRICT_TRANS_TABLES would only warn and
// store an adjusted value after a statement's first row), but leaves out
// NO_ZERO_DATE and NO_ZERO_IN_DATE and keeps NO_AUTO_VALUE_ON_ZERO: rows
// exported from production load back byte for byte, zero dates and zero
// ids included, and templates whose DDL has zero-date defaults apply.
const (
	MetaSQLMode   = "STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"
	TargetSQLMode = "STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION"
)

// Config returns the driver configuration of dsn for role: multiStatements
// off, no interpolation, local files limited to registered readers, UTC,
// and the session variables the role needs. It returns an EINVALID error
// naming field when the DSN does not parse.
func Config(dsn, field string, role Role) (*mysql.Config, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, weekback.Errorf(weekback.EINVALID, "%s does not parse (%v): use user:password@tcp(host:3306)/schema", field, err)
	}
	cfg.MultiStatements = false
	cfg.InterpolateParams = false
	cfg.AllowAllFiles = false
	cfg.ParseTime = false
	cfg.Loc = time.UTC
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultDialTimeout
	}
	if cfg.ReadTimeout == 0 {
		cfg.ReadTimeout = DefaultReadTimeout
	}
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["time_zone"] = "'+00:00'"
	switch role {
	case RoleSource:
		cfg.Params["character_set_results"] = "binary"
		cfg.DialFunc = bufferedDial(cfg.Timeout, streamReadBuffer)
	case RoleBackup:
		cfg.Params["sql_mode"] = "'NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'"
		cfg.ParseTime = true
	case RoleExport:
		cfg.Params["character_set_results"] = "utf8mb4"
		cfg.DialFunc = bufferedDial(cfg.Timeout, streamReadBuffer)
	case RoleTarget:
		cfg.Params["sql_mode"] = "'" + TargetSQLMode + "'"
	case RoleMeta:
		cfg.Params["sql_mode"] = "'" + MetaSQLMode + "'"
		cfg.ParseTime = true
	case RoleLoader:
		cfg.Params["sql_mode"] = "'NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'"
		cfg.Params["foreign_key_checks"] = "0"
		cfg.Params["unique_checks"] = "0"
	}
	return cfg, nil
}

// Open connects to dsn for role and pings it. field names the
// configuration key the DSN came from ("source.dsn"); it appears in errors,
// which are EINVALID for a bad DSN and EUNAVAILABLE (naming the address)
// when the server cannot be reached. The returned pool is safe for
// concurrent use.
func Open(ctx context.Context, dsn, field string, role Role) (*sqlx.DB, error) {
	db, _, err := openPool(ctx, dsn, field, role, nil, true)
	return db, err
}

func unreachable(field string, cfg *mysql.Config, err error) error {
	var me *mysql.MySQLError
	if asMySQLError(err, &me) && me.Number == ErrDBAccessDenied {
		return weekback.Errorf(weekback.EINVALID,
			"the account %q of %s may not use database %q on %s: as an administrator run GRANT SELECT, SHOW VIEW ON %s.* TO %s",
			cfg.User, field, cfg.DBName, cfg.Addr, QuoteIdent(cfg.DBName), quoteAccount(cfg.User))
	}
	if asMySQLError(err, &me) && me.Number == ErrAccessDenied {
		return weekback.Errorf(weekback.EUNAVAILABLE,
			"cannot log in to %s (%s) as %q: %s; check the user and password in %s", cfg.Addr, field, cfg.User, me.Message, field)
	}
	if asMySQLError(err, &me) && me.Number == 1049 {
		return weekback.Errorf(weekback.EINVALID,
			"database %q named in %s does not exist on %s; fix %s", cfg.DBName, field, cfg.Addr, field)
	}
	return weekback.Errorf(weekback.EUNAVAILABLE,
		"cannot reach the MySQL server at %s (%s): %v; check that it runs and that %s is right", cfg.Addr, field, err, field)
}

// ServerVersion returns the server's version string ("10.11.9-MariaDB").
func ServerVersion(ctx context.Context, q sqlx.QueryerContext) (string, error) {
	var v string
	if err := sqlx.GetContext(ctx, q, &v, Tag+"SELECT VERSION()"); err != nil {
		return "", fmt.Errorf("server version: %w", err)
	}
	return v, nil
}

// quoteAccount returns 'user'@'%' for GRANT suggestions.
func quoteAccount(user string) string {
	return "'" + strings.ReplaceAll(user, "'", "''") + "'@'%'"
}

// Addr returns the host:port of dsn (of each node, comma-separated, when
// dsn lists several one per line), or "" when it does not parse. It never
// contains the password.
func Addr(dsn string) string {
	var addrs []string
	for _, d := range SplitDSNs(dsn) {
		cfg, err := mysql.ParseDSN(d)
		if err != nil {
			return ""
		}
		addrs = append(addrs, cfg.Addr)
	}
	return strings.Join(addrs, ", ")
}

// SetDriverLogger sends the MySQL driver's own messages (connection
// errors it retries, mostly) to l at debug level instead of stderr.
func SetDriverLogger(l *slog.Logger) {
	mysql.SetLogger(driverLogger{l})
}

type driverLogger struct{ l *slog.Logger }

func (d driverLogger) Print(v ...any) { d.l.Debug(fmt.Sprint(v...), "component", "mysql-driver") }
