package mysql

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// Grants are the privileges of the connected account, read from
// information_schema (global, schema and table level; an active role's
// grants included).
type Grants struct {
	Account string // 'user'@'host'
	global  map[string]bool
	schemas []schemaGrant
	tables  map[string]map[string]bool // "schema.table" -> privileges
}

type schemaGrant struct {
	pattern string // as granted: may hold LIKE wildcards
	priv    string
}

// LoadGrants reads the privileges of the account db is connected as.
func LoadGrants(ctx context.Context, db sqlx.QueryerContext) (*Grants, error) {
	var user, role string
	if err := db.QueryRowxContext(ctx, Tag+"SELECT CURRENT_USER(), COALESCE(CURRENT_ROLE(), '')").Scan(&user, &role); err != nil {
		// MySQL without CURRENT_ROLE() support in this form
		if err := db.QueryRowxContext(ctx, Tag+"SELECT CURRENT_USER()").Scan(&user); err != nil {
			return nil, fmt.Errorf("read current user: %w", err)
		}
	}
	i := strings.LastIndex(user, "@")
	g := &Grants{Account: fmt.Sprintf("'%s'@'%s'", user[:max(i, 0)], user[i+1:]), global: map[string]bool{}, tables: map[string]map[string]bool{}}
	grantees := []any{g.Account, g.Account}
	if role != "" {
		grantees = []any{g.Account, "'" + role + "'"}
	}
	if err := g.load(ctx, db, grantees); err != nil {
		return nil, err
	}
	return g, nil
}

func (g *Grants) load(ctx context.Context, db sqlx.QueryerContext, grantees []any) error {
	rows, err := db.QueryxContext(ctx, Tag+`SELECT '', '', PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE IN (?, ?)
		UNION ALL SELECT TABLE_SCHEMA, '', PRIVILEGE_TYPE FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE IN (?, ?)
		UNION ALL SELECT TABLE_SCHEMA, TABLE_NAME, PRIVILEGE_TYPE FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE IN (?, ?)`,
		append(append(grantees, grantees...), grantees...)...)
	if err != nil {
		return fmt.Errorf("read privileges: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var schema, table, priv string
		if err := rows.Scan(&schema, &table, &priv); err != nil {
			return fmt.Errorf("read privileges: %w", err)
		}
		switch {
		case schema == "":
			g.global[priv] = true
		case table == "":
			g.schemas = append(g.schemas, schemaGrant{pattern: schema, priv: priv})
		default:
			k := schema + "." + table
			if g.tables[k] == nil {
				g.tables[k] = map[string]bool{}
			}
			g.tables[k][priv] = true
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read privileges: %w", err)
	}
	return nil
}

// Global reports whether the account holds priv globally (ON *.*).
func (g *Grants) Global(priv string) bool { return g.global[priv] }

// OnSchema reports whether priv applies to every table of schema: granted
// globally or on a database pattern that matches schema.
func (g *Grants) OnSchema(priv, schema string) bool {
	if g.global[priv] {
		return true
	}
	for _, s := range g.schemas {
		if s.priv == priv && likeMatch(s.pattern, schema) {
			return true
		}
	}
	return false
}

// OnTable reports whether priv applies to schema.table.
func (g *Grants) OnTable(priv, schema, table string) bool {
	return g.OnSchema(priv, schema) || g.tables[schema+"."+table][priv]
}

// likeMatch matches s against a GRANT database pattern (% and _ wildcards,
// backslash escapes).
func likeMatch(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch c := pattern[0]; {
	case c == '%':
		for i := 0; i <= len(s); i++ {
			if likeMatch(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case c == '\\' && len(pattern) > 1:
		return s != "" && s[0] == pattern[1] && likeMatch(pattern[2:], s[1:])
	case s == "":
		return false
	case c == '_':
		return likeMatch(pattern[1:], s[1:])
	default:
		return c == s[0] && likeMatch(pattern[1:], s[1:])
	}
}
