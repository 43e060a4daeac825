package config

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/go-sql-driver/mysql"
	"go.yaml.in/yaml/v3"

	wmysql "github.com/weekback/weekback/mysql"
)

// listDSNKeys are the keys that take one DSN or a list of them, one per
// node of a cluster (tried in order: the server and the snapshotter move
// to the next node when one fails). The value keeps a list as its DSNs one
// per line, which mysql.Open understands.
var listDSNKeys = map[string]bool{"backup.dsn": true, "backup.reader_dsn": true}

// decodeDSNList decodes a YAML list of DSNs into the string v, one DSN per
// line.
func decodeDSNList(n *yaml.Node, v reflect.Value, path string, o origin) []error {
	var dsns []string
	var errs []error
	for i, item := range n.Content {
		if item.Kind != yaml.ScalarNode || strings.TrimSpace(item.Value) == "" || strings.Contains(item.Value, "\n") {
			errs = append(errs, &Error{Field: path, Message: fmt.Sprintf("%s[%d] (%s): want one DSN such as user:password@tcp(node1:3306)/, got %s",
				path, i, o.where(item), kindName(item))})
			continue
		}
		dsns = append(dsns, strings.TrimSpace(item.Value))
	}
	if len(errs) == 0 {
		v.SetString(strings.Join(dsns, "\n"))
	}
	return errs
}

// envDSNs reads a list key's environment variable: several DSNs separated
// by white space (spaces, tabs or newlines) when every part is a DSN, else
// the whole value as one DSN (so a password holding a space still works
// alone; list such DSNs in the YAML file).
func envDSNs(value string) string {
	parts := strings.Fields(value)
	if len(parts) < 2 {
		return strings.TrimSpace(value)
	}
	for _, p := range parts {
		if _, err := mysql.ParseDSN(p); err != nil {
			return strings.TrimSpace(value)
		}
	}
	return strings.Join(parts, "\n")
}

// checkDSNs is checkDSN for every DSN of a list key's value; errors name
// the element (backup.dsn[1]) when there are several.
func (c *Config) checkDSNs(key, value string) []error {
	dsns := wmysql.SplitDSNs(value)
	if len(dsns) < 2 {
		return []error{c.checkDSN(key, value)}
	}
	var errs []error
	for i, d := range dsns {
		errs = append(errs, c.checkDSN(fmt.Sprintf("%s[%d]", key, i), d))
	}
	return errs
}
