package mysql_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// mustUsersConn returns a schema with a users table and a connection to it.
func mustUsersConn(t *testing.T) (*sqlx.Conn, string) {
	t.Helper()
	db := mysqltest.MustOpen(t)
	schema := mysqltest.MustCreateSchema(t, db, "wbu_")
	mysqltest.MustExec(t, db,
		"CREATE TABLE `"+schema+"`.users (id INT PRIMARY KEY, login_id VARCHAR(64) NOT NULL, password_hash VARBINARY(255), "+
			"can_manage_settings TINYINT NULL, role VARCHAR(32) NOT NULL DEFAULT 'staff')",
		"INSERT INTO `"+schema+"`.users VALUES (1, 'alice', 'hash-a', 1, 'superadmin'), (2, 'bob', 'hash-b', 0, 'staff'), "+
			"(3, 'carol', 'hash-c', NULL, 'staff'), (4, 'dup', 'x', 1, 'staff'), (5, 'dup', 'y', 1, 'staff')")
	pool, err := mysql.Open(context.Background(), mysqltest.DSN(t, ""), "backup.reader_dsn", mysql.RoleBackup)
	conn := mustPoolConn(t, pool, err)
	return conn, schema
}

func usersSpec() mysql.UserSpec {
	return mysql.UserSpec{Table: "users", LoginColumn: "login_id", PasswordColumn: "password_hash",
		Allow: []weekback.Condition{{Column: "can_manage_settings", Equals: "1"}},
		Admin: []weekback.Condition{{Column: "role", Equals: "superadmin"}}}
}

func TestLookupUser(t *testing.T) {
	conn, schema := mustUsersConn(t)
	cat := mysql.NewCatalog()
	for _, tt := range []struct {
		login string
		want  *weekback.User
		code  string
	}{
		{"alice", &weekback.User{Login: "alice", PasswordHash: "hash-a", Allowed: true, Admin: true}, ""},
		{"bob", &weekback.User{Login: "bob", PasswordHash: "hash-b"}, ""},
		{"carol", &weekback.User{Login: "carol", PasswordHash: "hash-c"}, ""}, // NULL never matches
		{"nobody", nil, weekback.ENOTFOUND},
		{"dup", nil, weekback.ENOTFOUND},
		{"' OR '1'='1", nil, weekback.ENOTFOUND},
	} {
		t.Run(tt.login, func(t *testing.T) {
			got, err := mysql.LookupUser(context.Background(), conn, cat, schema, usersSpec(), tt.login)
			if code := weekback.ErrorCode(err); code != tt.code {
				t.Fatalf("error code = %q (%v), want %q", code, err, tt.code)
			}
			if tt.want != nil && *got != *tt.want {
				t.Fatalf("user = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestLookupUserWithoutConditions(t *testing.T) {
	conn, schema := mustUsersConn(t)
	spec := usersSpec()
	spec.Allow, spec.Admin = nil, nil
	got, err := mysql.LookupUser(context.Background(), conn, mysql.NewCatalog(), schema, spec, "bob")
	if err != nil || !got.Allowed || got.Admin {
		t.Fatalf("user = %+v, %v; want allowed, not admin", got, err)
	}
}

func TestLookupUserConfigErrors(t *testing.T) {
	conn, schema := mustUsersConn(t)
	for _, tt := range []struct {
		name, key string
		edit      func(*mysql.UserSpec)
	}{
		{"table", "auth.table", func(s *mysql.UserSpec) { s.Table = "people" }},
		{"login column", "auth.login_column", func(s *mysql.UserSpec) { s.LoginColumn = "email" }},
		{"password column", "auth.password_column", func(s *mysql.UserSpec) { s.PasswordColumn = "pw` OR 1 --" }},
		{"allow column", "auth.allow[0].column", func(s *mysql.UserSpec) { s.Allow[0].Column = "enabled" }},
		{"admin column", "auth.admin[0].column", func(s *mysql.UserSpec) { s.Admin[0].Column = "" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			spec := usersSpec()
			tt.edit(&spec)
			_, err := mysql.LookupUser(context.Background(), conn, mysql.NewCatalog(), schema, spec, "alice")
			if weekback.ErrorCode(err) != weekback.EINVALID || !strings.Contains(err.Error(), tt.key) {
				t.Fatalf("error = %v (%s), want EINVALID naming %s", err, weekback.ErrorCode(err), tt.key)
			}
		})
	}
}

// TestOpenProductionNotAnswering: a production that does not answer gives
// a pool anyway (serve starts) with an EUNAVAILABLE error, and lookups on
// it fail with the translated "cannot be reached" error; a production that
// answers but refuses the account is an error without a pool.
func TestOpenProductionNotAnswering(t *testing.T) {
	ctx := context.Background()
	proxy := mysqltest.NewProxy(t, mysqltest.ServerAddr(t))
	proxy.Cut()
	db, err := mysql.OpenProduction(ctx, mysqltest.DSNVia(t, proxy, "sales"), "source.dsn")
	if db == nil || weekback.ErrorCode(err) != weekback.EUNAVAILABLE {
		t.Fatalf("OpenProduction(dead) = %v, %v; want a pool and EUNAVAILABLE", db, err)
	}
	defer db.Close()
	_, err = mysql.ProductionUsers(db, "sales", mysql.NewCatalog(), usersSpec())(ctx, "alice")
	if key, _ := weekback.ErrorKey(err); weekback.ErrorCode(err) != weekback.EUNAVAILABLE || key != "error.production_unavailable" {
		t.Fatalf("lookup on a dead production: %v (code %s, key %q), want EUNAVAILABLE error.production_unavailable", err, weekback.ErrorCode(err), key)
	}
	dsn := strings.Replace(mysqltest.DSN(t, "mysql"), "@", ":wrong-password@", 1)
	if db, err := mysql.OpenProduction(ctx, dsn, "source.dsn"); db != nil || err == nil {
		t.Fatalf("OpenProduction(wrong password) = %v, %v; want no pool and an error", db, err)
	}
}
