package mysql

import (
	"context"
	"database/sql/driver"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
)

// UserLookupTimeout bounds the statement that reads a user.
const UserLookupTimeout = 5 * time.Second

// UserSpec says where a users table keeps logins and password hashes and
// which conditions decide who may log in (Allow, all must hold) and who is
// an admin (Admin, all must hold; no condition means nobody is).
// LoginColumns, when set, replaces LoginColumn: the login may be in any of
// them (a user name or an e-mail address). SaltColumn is read with the hash
// when set. LowercaseLogin lowers the login before the lookup, for
// applications that store user names in lower case.
type UserSpec struct {
	Table          string
	LoginColumn    string
	LoginColumns   []string
	PasswordColumn string
	SaltColumn     string
	LowercaseLogin bool
	Allow          []weekback.Condition
	Admin          []weekback.Condition
}

// loginColumns returns the columns a login is looked up in.
func (s UserSpec) loginColumns() (key string, cols []string) {
	if len(s.LoginColumns) > 0 {
		return "auth.login_columns", s.LoginColumns
	}
	return "auth.login_column", []string{s.LoginColumn}
}

// LookupUser reads the user whose login column (any of spec's login
// columns) equals login from the users table spec.Table of schema, in a
// READ ONLY transaction of its own on conn (conn must not be inside a
// transaction). Identifiers come from cat: a table or column missing from
// the schema is an EINVALID error naming the auth.* key to fix (a
// configuration problem). No row, or more than one row for login, is an
// ENOTFOUND error; other errors are wrapped. Conditions compare columns as
// text (CAST(col AS CHAR) = value); a NULL never matches. It is safe for
// concurrent use with other connections.
func LookupUser(ctx context.Context, conn *sqlx.Conn, cat *Catalog, schema string, spec UserSpec, login string) (*weekback.User, error) {
	return newUserQueries(spec).lookup(ctx, conn, cat, schema, login)
}

// lookup is LookupUser with the query compiled once per schema.
func (q *userQueries) lookup(ctx context.Context, conn *sqlx.Conn, cat *Catalog, schema, login string) (*weekback.User, error) {
	c, err := q.get(ctx, conn, cat, schema)
	if err != nil {
		return nil, err
	}
	spec := q.spec
	if spec.LowercaseLogin {
		login = strings.ToLower(login)
	}
	args := slices.Clip(c.args) // appending copies: the compiled args are shared
	_, cols := spec.loginColumns()
	for range cols {
		args = append(args, login)
	}
	var users []weekback.User
	err = readOnly(ctx, conn, c.f, func(rc rawConn) error {
		return rc.query(ctx, c.query, args, func(rows driver.Rows) error {
			return eachRow(rows, func(v []driver.Value) error {
				if len(users) < 2 {
					users = append(users, weekback.User{Login: text(v[0]), PasswordHash: text(v[1]), Salt: text(v[2]),
						Allowed: truth(v[3]), Admin: truth(v[4])})
				}
				return nil
			})
		})
	})
	switch {
	case err != nil:
		return nil, fmt.Errorf("look up user in %s.%s: %w", schema, spec.Table, err)
	case len(users) == 0:
		return nil, weekback.Errorf(weekback.ENOTFOUND, "no such user")
	case len(users) > 1:
		return nil, fmt.Errorf("%w (%s.%s has several rows for this login: are the login columns unique?)",
			weekback.Errorf(weekback.ENOTFOUND, "no such user"), schema, spec.Table)
	}
	return &users[0], nil
}

// CheckUserSpec returns the EINVALID error naming the auth.* key of the
// first table or column of spec missing from schema, nil when every one is
// there, or the error of reading the catalog.
func CheckUserSpec(ctx context.Context, conn *sqlx.Conn, cat *Catalog, schema string, spec UserSpec) error {
	_, _, _, err := userQuery(ctx, conn, cat, schema, spec)
	return err
}

// userQuery compiles the SELECT of LookupUser from the catalog of schema:
// login, hash, salt, allowed, admin of the rows whose login columns equal
// the login (one placeholder per login column, after args).
func userQuery(ctx context.Context, conn *sqlx.Conn, cat *Catalog, schema string, spec UserSpec) (string, []any, flavor, error) {
	rc := &ruleCompiler{ctx: ctx, conn: conn, cat: cat, schema: schema}
	t, err := rc.table("auth.table", spec.Table)
	if err != nil {
		return "", nil, 0, err
	}
	rc.users = t
	key, cols := spec.loginColumns()
	logins := make([]string, len(cols))
	for i, name := range cols {
		if logins[i], err = rc.column(userAlias, t, key, name); err != nil {
			return "", nil, 0, err
		}
	}
	pass, salt, err := rc.hashColumns(t, spec)
	if err != nil {
		return "", nil, 0, err
	}
	allow, err := rc.conds("auth.allow", userAlias, t, spec.Allow)
	if err != nil {
		return "", nil, 0, err
	}
	admin := "FALSE"
	if len(spec.Admin) > 0 {
		if admin, err = rc.conds("auth.admin", userAlias, t, spec.Admin); err != nil {
			return "", nil, 0, err
		}
	}
	f, err := cat.serverFlavor(ctx, conn)
	if err != nil {
		return "", nil, 0, err
	}
	where := strings.Join(logins, " = ? OR ") + " = ?"
	return selectHead(f, UserLookupTimeout) + "CAST(" + logins[0] + " AS CHAR), CAST(" + pass + " AS CHAR), CAST(" + salt +
		" AS CHAR), COALESCE(" + allow + ", FALSE), COALESCE(" + admin + ", FALSE) FROM " + QuoteTable(schema, t.Name) +
		" AS " + userAlias + " WHERE " + where + " LIMIT 2", rc.args, f, nil
}

// text returns a driver value as a string ("" for NULL).
func text(v driver.Value) string {
	switch x := v.(type) {
	case nil:
		return ""
	case []byte:
		return string(x)
	case string:
		return x
	default:
		return fmt.Sprint(x)
	}
}

// truth reads the 0/1 of a boolean expression.
func truth(v driver.Value) bool {
	switch x := v.(type) {
	case int64:
		return x != 0
	case []byte:
		return string(x) != "0" && len(x) > 0
	case string:
		return x != "0" && x != ""
	}
	return false
}

// NewestUsers returns a function that looks a login up (LookupUser) in the
// users table of the newest ready generation of gens, on a connection of
// db. It returns an EUNAVAILABLE error while no generation is ready. The
// function is safe for concurrent use.
func NewestUsers(db *sqlx.DB, gens weekback.GenerationStore, cat *Catalog, spec UserSpec) func(ctx context.Context, login string) (*weekback.User, error) {
	q := newUserQueries(spec)
	return func(ctx context.Context, login string) (*weekback.User, error) {
		all, err := gens.Generations(ctx)
		if err != nil {
			return nil, err
		}
		g := weekback.NewestReady(all)
		if g == nil {
			return nil, weekback.Errorf(weekback.EUNAVAILABLE, "no backup is ready yet, so nobody can log in: try again after the first snapshot").
				WithKey("error.no_backup_for_login")
		}
		conn, err := db.Connx(ctx)
		if err != nil {
			return nil, fmt.Errorf("look up user: %w", err)
		}
		defer conn.Close()
		return q.lookup(ctx, conn, cat, g.Slot, login)
	}
}

// ProductionUsers returns a function that looks a login up (LookupUser) in
// the users table of production's own schema on db (auth.source:
// production; db from OpenProduction). Each lookup, waiting for a
// connection included, is bounded by UserLookupTimeout and a short grace.
// When production cannot be reached (or answers with an error) it returns
// an EUNAVAILABLE error saying so, the cause wrapped for the log; a
// missing table or column is EINVALID, a missing login ENOTFOUND, as
// LookupUser. After such an error the catalog forgets production's tables
// (their definition may have changed). The function is safe for concurrent
// use.
func ProductionUsers(db *sqlx.DB, schema string, cat *Catalog, spec UserSpec) func(ctx context.Context, login string) (*weekback.User, error) {
	q := newUserQueries(spec)
	return func(ctx context.Context, login string) (*weekback.User, error) {
		ctx, cancel := context.WithTimeout(ctx, UserLookupTimeout+timeoutGrace)
		defer cancel()
		conn, err := db.Connx(ctx)
		if err == nil {
			defer conn.Close()
			var u *weekback.User
			u, err = q.lookup(ctx, conn, cat, schema, login)
			switch weekback.ErrorCode(err) {
			case weekback.EINTERNAL:
				cat.ForgetSchema(schema) // production's tables change: read them again next time
				q.forget(schema)
			default:
				return u, err
			}
		}
		return nil, fmt.Errorf("%w (%v)", ErrProductionUnavailable(), err)
	}
}

// ErrProductionUnavailable returns the EUNAVAILABLE error of a login that
// cannot be checked because production does not answer.
func ErrProductionUnavailable() *weekback.Error {
	return weekback.Errorf(weekback.EUNAVAILABLE,
		"the production database cannot be reached to check logins: try again in a few minutes").WithKey("error.production_unavailable")
}

// SampleHash returns one password hash of spec's users table in schema,
// with its salt (an allowed user's when there is one), for the dummy
// verification of unknown logins to cost what a real one costs. It returns
// an ENOTFOUND error when no row has a hash, EINVALID errors as LookupUser.
// The hash is never logged.
func SampleHash(ctx context.Context, conn *sqlx.Conn, cat *Catalog, schema string, spec UserSpec) (hash, salt string, err error) {
	query, args, f, err := sampleQuery(ctx, conn, cat, schema, spec)
	if err != nil {
		return "", "", err
	}
	found := false
	err = readOnly(ctx, conn, f, func(rc rawConn) error {
		return rc.query(ctx, query, args, func(rows driver.Rows) error {
			return eachRow(rows, func(v []driver.Value) error {
				hash, salt, found = text(v[0]), text(v[1]), true
				return nil
			})
		})
	})
	switch {
	case err != nil:
		return "", "", fmt.Errorf("sample a password hash of %s.%s: %w", schema, spec.Table, err)
	case !found:
		return "", "", weekback.Errorf(weekback.ENOTFOUND, "%s.%s has no password hash", schema, spec.Table)
	}
	return hash, salt, nil
}

// sampleQuery compiles the SELECT of SampleHash.
func sampleQuery(ctx context.Context, conn *sqlx.Conn, cat *Catalog, schema string, spec UserSpec) (string, []any, flavor, error) {
	rc := &ruleCompiler{ctx: ctx, conn: conn, cat: cat, schema: schema}
	t, err := rc.table("auth.table", spec.Table)
	if err != nil {
		return "", nil, 0, err
	}
	pass, salt, err := rc.hashColumns(t, spec)
	if err != nil {
		return "", nil, 0, err
	}
	allow, err := rc.conds("auth.allow", userAlias, t, spec.Allow)
	if err != nil {
		return "", nil, 0, err
	}
	f, err := cat.serverFlavor(ctx, conn)
	if err != nil {
		return "", nil, 0, err
	}
	return selectHead(f, UserLookupTimeout) + "CAST(" + pass + " AS CHAR), CAST(" + salt + " AS CHAR) FROM " + QuoteTable(schema, t.Name) +
			" AS " + userAlias + " WHERE " + pass + " IS NOT NULL AND " + pass + " <> '' ORDER BY COALESCE(" + allow + ", FALSE) DESC LIMIT 1",
		rc.args, f, nil
}

// hashColumns returns the password column and the salt column (” when
// spec has none) of the users table t.
func (rc *ruleCompiler) hashColumns(t *RecordTable, spec UserSpec) (pass, salt string, err error) {
	if pass, err = rc.column(userAlias, t, "auth.password_column", spec.PasswordColumn); err != nil {
		return "", "", err
	}
	if spec.SaltColumn == "" {
		return pass, "''", nil
	}
	salt, err = rc.column(userAlias, t, "auth.salt_column", spec.SaltColumn)
	return pass, salt, err
}
