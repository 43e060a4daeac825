package mysql

import (
	"context"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
)

// userAlias is the alias of the users table in the login query.
const userAlias = "u"

// ruleCompiler turns a UserSpec into the one SELECT of a login: every
// identifier is looked up in the catalog of schema (a missing one is an
// EINVALID error naming the auth.* key to fix), every value is a
// placeholder, appended to args in the order of the text.
type ruleCompiler struct {
	ctx    context.Context
	conn   *sqlx.Conn
	cat    *Catalog
	schema string
	users  *RecordTable
	args   []any
	n      int // aliases used so far
}

// table returns the table name of schema; key is the auth.* key naming it.
func (rc *ruleCompiler) table(key, name string) (*RecordTable, error) {
	t, err := rc.cat.Table(rc.ctx, rc.conn, rc.schema, name)
	if weekback.ErrorCode(err) == weekback.ENOTFOUND || (err == nil && name == "") {
		return nil, weekback.Errorf(weekback.EINVALID, "%s: there is no table %q in %s: set %s to one of its tables (check auth.preset and auth.table_prefix)",
			key, name, rc.schema, key)
	}
	return t, err
}

// column returns alias.`name` after checking that t has it.
func (rc *ruleCompiler) column(alias string, t *RecordTable, key, name string) (string, error) {
	c, ok := t.Column(name)
	if !ok || name == "" {
		return "", weekback.Errorf(weekback.EINVALID, "%s: table %s has no column %q: set %s to one of its columns", key, t.Name, name, key)
	}
	return alias + "." + QuoteIdent(c.Name), nil
}

// alias returns a new table alias.
func (rc *ruleCompiler) alias() string {
	rc.n++
	return "r" + strconv.Itoa(rc.n)
}

// conds compiles conditions on the table t (as alias), joined with AND;
// "TRUE" when there are none.
func (rc *ruleCompiler) conds(key, alias string, t *RecordTable, cs []weekback.Condition) (string, error) {
	if len(cs) == 0 {
		return "TRUE", nil
	}
	parts := make([]string, len(cs))
	for i, c := range cs {
		var err error
		if parts[i], err = rc.cond(key+"["+strconv.Itoa(i)+"]", alias, t, c); err != nil {
			return "", err
		}
	}
	return "(" + strings.Join(parts, " AND ") + ")", nil
}

// cond compiles one condition on the table t (as alias).
func (rc *ruleCompiler) cond(key, alias string, t *RecordTable, c weekback.Condition) (string, error) {
	switch {
	case c.Exists != nil:
		return rc.exists(key+".exists", alias, t, c.Exists)
	case c.ConfigList != nil:
		return rc.configList(key+".config_list", alias, t, c.ConfigList)
	}
	col, err := rc.column(alias, t, key+".column", c.Column)
	if err != nil {
		return "", err
	}
	text := "CAST(" + col + " AS CHAR)"
	switch {
	case c.In != nil:
		if len(c.In) == 0 {
			return "FALSE", nil
		}
		for _, v := range c.In {
			rc.args = append(rc.args, v)
		}
		return text + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(c.In)), ", ") + ")", nil
	case c.Like != "":
		rc.args = append(rc.args, c.Like)
		return text + " LIKE ?", nil
	}
	rc.args = append(rc.args, c.Equals)
	return text + " = ?", nil
}

// exists compiles an ExistsRule relative to the row of t (as alias).
func (rc *ruleCompiler) exists(key, alias string, t *RecordTable, e *weekback.ExistsRule) (string, error) {
	et, err := rc.table(key+".table", e.Table)
	if err != nil {
		return "", err
	}
	ea := rc.alias()
	ekey, err := rc.column(ea, et, key+".key", e.Key)
	if err != nil {
		return "", err
	}
	ukey, err := rc.column(alias, t, key+".user_key", e.UserKey)
	if err != nil {
		return "", err
	}
	from := QuoteTable(rc.schema, et.Name) + " AS " + ea
	where, err := rc.conds(key+".where", ea, et, e.Where)
	if err != nil {
		return "", err
	}
	if e.Join != nil {
		j, err := rc.join(key+".join", ea, et, e.Join)
		if err != nil {
			return "", err
		}
		where += " AND " + j
	}
	return "EXISTS (SELECT 1 FROM " + from + " WHERE " + ekey + " = " + ukey + " AND " + where + ")", nil
}

// join compiles the JoinRule of an exists rule whose table is t (as alias).
func (rc *ruleCompiler) join(key, alias string, t *RecordTable, j *weekback.JoinRule) (string, error) {
	jt, err := rc.table(key+".table", j.Table)
	if err != nil {
		return "", err
	}
	ja := rc.alias()
	jkey, err := rc.column(ja, jt, key+".key", j.Key)
	if err != nil {
		return "", err
	}
	on, err := rc.column(alias, t, key+".on", j.On)
	if err != nil {
		return "", err
	}
	where, err := rc.conds(key+".where", ja, jt, j.Where)
	if err != nil {
		return "", err
	}
	return "EXISTS (SELECT 1 FROM " + QuoteTable(rc.schema, jt.Name) + " AS " + ja + " WHERE " + jkey + " = " + on + " AND " + where + ")", nil
}

// configList compiles a ConfigListRule relative to the row of t (as alias):
// FIND_IN_SET compares whole items of the list (spaces removed).
func (rc *ruleCompiler) configList(key, alias string, t *RecordTable, l *weekback.ConfigListRule) (string, error) {
	ct, err := rc.table(key+".table", l.Table)
	if err != nil {
		return "", err
	}
	ca := rc.alias()
	kc, err := rc.column(ca, ct, key+".key_column", l.KeyColumn)
	if err != nil {
		return "", err
	}
	vc, err := rc.column(ca, ct, key+".value_column", l.ValueColumn)
	if err != nil {
		return "", err
	}
	ukey, err := rc.column(alias, t, key+".user_key", l.UserKey)
	if err != nil {
		return "", err
	}
	rc.args = append(rc.args, l.Key)
	return "EXISTS (SELECT 1 FROM " + QuoteTable(rc.schema, ct.Name) + " AS " + ca + " WHERE CAST(" + kc + " AS CHAR) = ? AND " +
		"FIND_IN_SET(CAST(" + ukey + " AS CHAR), REPLACE(CAST(" + vc + " AS CHAR), ' ', '')) > 0)", nil
}
