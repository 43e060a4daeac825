package config

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/weekback/weekback"
)

// ExistsRule is the exists form of a Condition: a row of Table whose Key
// equals the users table's UserKey and that meets Where; with Join, that row
// must also have a row of Join.Table whose Join.Key equals its Join.On.
type ExistsRule struct {
	Table   string      `yaml:"table"`
	Key     string      `yaml:"key"`
	UserKey string      `yaml:"user_key"`
	Where   []Condition `yaml:"where"`
	Join    *JoinRule   `yaml:"join"`
}

// JoinRule is the one further table of an ExistsRule.
type JoinRule struct {
	Table string      `yaml:"table"`
	Key   string      `yaml:"key"`
	On    string      `yaml:"on"`
	Where []Condition `yaml:"where"`
}

// ConfigListRule is the config_list form of a Condition: the users table's
// UserKey is one of the comma-separated values of ValueColumn in the row of
// Table whose KeyColumn is Key.
type ConfigListRule struct {
	Table       string `yaml:"table"`
	KeyColumn   string `yaml:"key_column"`
	Key         string `yaml:"key"`
	ValueColumn string `yaml:"value_column"`
	UserKey     string `yaml:"user_key"`
}

// Values of auth.hash_scheme (the server/auth package's schemes).
var HashSchemes = []string{"redmine_sha1", "eccube_hmac", "magento2"}

func redactSecret(s string) string {
	if s == "" {
		return ""
	}
	return "***"
}

func redactSecrets(s []string) []string {
	if s == nil {
		return nil
	}
	out := make([]string, len(s))
	for i := range s {
		out[i] = "***"
	}
	return out
}

// RedactGlobs returns exports.redact plus the users table's salt column
// (auth.salt_column) as a "table.column" glob: what every page, export and
// job masks besides the password column. It never fails.
func (c *Config) RedactGlobs() []string {
	globs := slices.Clip(c.Exports.Redact)
	if a := c.Auth; a.SaltColumn != "" {
		globs = append(globs, a.Table+"."+a.SaltColumn)
	}
	return globs
}

// LoadSecret returns auth.secret, or the content of auth.secret_file
// (surrounding white space removed) when it is set. It returns a *Error
// when the file cannot be read or is empty, or when both keys are set.
func (c *Config) LoadSecret() (string, error) {
	a := c.Auth
	switch {
	case a.SecretFile == "":
		return a.Secret, nil
	case a.Secret != "":
		return "", c.bad("auth.secret_file", a.SecretFile, "is set together with auth.secret; keep one")
	}
	data, err := os.ReadFile(a.SecretFile)
	if err != nil {
		return "", c.bad("auth.secret_file", a.SecretFile, fmt.Sprintf("cannot be read (%v); point it at the file holding the secret", fsReason(err)))
	}
	s := strings.TrimSpace(string(data))
	if s == "" {
		return "", c.bad("auth.secret_file", a.SecretFile, "is empty; write the application's secret in it")
	}
	return s, nil
}

// validateAuthRules checks the keys of the application's login rules.
func (c *Config) validateAuthRules() []error {
	var errs []error
	a := c.Auth
	if a.HashScheme != "" && !slices.Contains(HashSchemes, a.HashScheme) {
		errs = append(errs, c.bad("auth.hash_scheme", a.HashScheme, "must be one of "+strings.Join(HashSchemes, ", ")+" (or empty)"))
	}
	if a.HashScheme == "eccube_hmac" && a.Secret == "" && a.SecretFile == "" {
		errs = append(errs, c.missing("auth.secret", "eccube_hmac hashes mix in the application's ECCUBE_AUTH_MAGIC (from its .env); set auth.secret_file or "+EnvName("auth.secret")))
	}
	for i, col := range a.LoginColumns {
		if strings.TrimSpace(col) == "" {
			errs = append(errs, c.bad(fmt.Sprintf("auth.login_columns[%d]", i), col, "must name a column of the users table"))
		}
	}
	return errs
}

// checkRule returns the problems of one condition at key.
func (c *Config) checkRule(key string, cond Condition) []error {
	switch {
	case cond.Exists != nil:
		return c.checkExists(key+".exists", cond.Exists)
	case cond.ConfigList != nil:
		l := cond.ConfigList
		return c.requireNames(key+".config_list", map[string]string{"table": l.Table, "key_column": l.KeyColumn,
			"value_column": l.ValueColumn, "user_key": l.UserKey})
	case strings.TrimSpace(cond.Column) == "":
		return []error{c.bad(key+".column", cond.Column,
			`must name a column of the users table, such as {column: role, equals: "superadmin"} (or use exists: or config_list:)`)}
	}
	return nil
}

func (c *Config) checkExists(key string, e *ExistsRule) []error {
	errs := c.requireNames(key, map[string]string{"table": e.Table, "key": e.Key, "user_key": e.UserKey})
	errs = append(errs, c.checkRules(key+".where", e.Where)...)
	if j := e.Join; j != nil {
		errs = append(errs, c.requireNames(key+".join", map[string]string{"table": j.Table, "key": j.Key, "on": j.On})...)
		errs = append(errs, c.checkRules(key+".join.where", j.Where)...)
	}
	return errs
}

// checkRules returns the problems of a list of conditions at key.
func (c *Config) checkRules(key string, conds []Condition) []error {
	var errs []error
	for i, cond := range conds {
		errs = append(errs, c.checkRule(fmt.Sprintf("%s[%d]", key, i), cond)...)
	}
	return errs
}

// requireNames returns a *Error for each empty name under key.
func (c *Config) requireNames(key string, names map[string]string) []error {
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(names)) {
		if strings.TrimSpace(names[k]) == "" {
			errs = append(errs, c.missing(key+"."+k, "the rule needs a table or column name there"))
		}
	}
	return errs
}

// Rules converts auth.allow / auth.admin conditions to the rules the
// login query compiles (nil for nil). It never fails.
func Rules(cs []Condition) []weekback.Condition {
	if cs == nil {
		return nil
	}
	out := make([]weekback.Condition, len(cs))
	for i, c := range cs {
		out[i] = weekback.Condition{Column: c.Column, Equals: c.Equals, In: c.In, Like: c.Like}
		if e := c.Exists; e != nil {
			out[i].Exists = &weekback.ExistsRule{Table: e.Table, Key: e.Key, UserKey: e.UserKey, Where: Rules(e.Where)}
			if j := e.Join; j != nil {
				out[i].Exists.Join = &weekback.JoinRule{Table: j.Table, Key: j.Key, On: j.On, Where: Rules(j.Where)}
			}
		}
		if l := c.ConfigList; l != nil {
			out[i].ConfigList = &weekback.ConfigListRule{Table: l.Table, KeyColumn: l.KeyColumn, Key: l.Key, ValueColumn: l.ValueColumn, UserKey: l.UserKey}
		}
	}
	return out
}
