package mysql_test

import (
	"context"
	"strings"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// mustRulesSchema returns a schema whose users are related to a meta table,
// a role table through a link table, and a config row listing ids.
func mustRulesSchema(t *testing.T) string {
	t.Helper()
	db := mysqltest.MustOpen(t)
	schema := mysqltest.MustCreateSchema(t, db, "wbr_")
	q := "`" + schema + "`."
	mysqltest.MustExec(t, db,
		"CREATE TABLE "+q+"people (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL, email VARCHAR(128), pw VARCHAR(255), salt VARCHAR(64), status TINYINT)",
		"INSERT INTO "+q+"people VALUES (2, 'two', 'two@example.com', 'h2', 's2', 1), (3, 'three', 'three@example.com', 'h3', NULL, 2), "+
			"(12, 'twelve', 'twelve@example.com', 'h12', 's12', 0)",
		"CREATE TABLE "+q+"meta (umeta_id INT PRIMARY KEY, user_id INT, meta_key VARCHAR(64), meta_value TEXT)",
		"INSERT INTO "+q+"meta VALUES (1, 2, 'caps', 'a:1:{s:13:\"administrator\";b:1;}'), (2, 3, 'caps', 'a:1:{s:6:\"editor\";b:1;}'), "+
			"(3, 12, 'other', 'a:1:{s:13:\"administrator\";b:1;}')",
		"CREATE TABLE "+q+"roles (rid INT PRIMARY KEY, rname VARCHAR(64))",
		"INSERT INTO "+q+"roles VALUES (1, 'editor'), (3, 'administrator')",
		"CREATE TABLE "+q+"people_roles (uid INT, rid INT, PRIMARY KEY (uid, rid))",
		"INSERT INTO "+q+"people_roles VALUES (2, 1), (3, 3)",
		"CREATE TABLE "+q+"settings (id INT PRIMARY KEY, name VARCHAR(64), value TEXT)",
		"INSERT INTO "+q+"settings VALUES (1, 'siteadmins', '12, 3'), (2, 'other', '2')")
	return schema
}

func rulesSpec(admin ...weekback.Condition) mysql.UserSpec {
	return mysql.UserSpec{Table: "people", LoginColumn: "name", PasswordColumn: "pw", SaltColumn: "salt", Admin: admin}
}

// TestLookupUserRules checks each form of condition against the users it
// must and must not match.
func TestLookupUserRules(t *testing.T) {
	schema := mustRulesSchema(t)
	conn, err := mysql.Open(context.Background(), mysqltest.DSN(t, ""), "backup.reader_dsn", mysql.RoleBackup)
	c := mustPoolConn(t, conn, err)
	for _, tt := range []struct {
		name  string
		rule  weekback.Condition
		admin map[string]bool
	}{
		{"in", weekback.Condition{Column: "status", In: []string{"1", "2"}}, map[string]bool{"two": true, "three": true}},
		{"in empty", weekback.Condition{Column: "status", In: []string{}}, map[string]bool{}},
		{"like", weekback.Condition{Column: "email", Like: "t%@example.com"}, map[string]bool{"two": true, "three": true, "twelve": true}},
		{"exists with where", weekback.Condition{Exists: &weekback.ExistsRule{Table: "meta", Key: "user_id", UserKey: "id",
			Where: []weekback.Condition{{Column: "meta_key", Equals: "caps"}, {Column: "meta_value", Like: `%"administrator"%`}}}},
			map[string]bool{"two": true}},
		{"exists with join", weekback.Condition{Exists: &weekback.ExistsRule{Table: "people_roles", Key: "uid", UserKey: "id",
			Join: &weekback.JoinRule{Table: "roles", Key: "rid", On: "rid", Where: []weekback.Condition{{Column: "rname", Equals: "administrator"}}}}},
			map[string]bool{"three": true}},
		{"config list: 2 is not in 12", weekback.Condition{ConfigList: &weekback.ConfigListRule{Table: "settings", KeyColumn: "name",
			Key: "siteadmins", ValueColumn: "value", UserKey: "id"}}, map[string]bool{"three": true, "twelve": true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, login := range []string{"two", "three", "twelve"} {
				u, err := mysql.LookupUser(context.Background(), c, mysql.NewCatalog(), schema, rulesSpec(tt.rule), login)
				if err != nil {
					t.Fatalf("%s: %v", login, err)
				}
				if u.Admin != tt.admin[login] {
					t.Errorf("%s: admin=%v, want %v", login, u.Admin, tt.admin[login])
				}
			}
		})
	}
}

// TestLookupUserLoginColumns checks e-mail logins, lower-casing and the salt
// column.
func TestLookupUserLoginColumns(t *testing.T) {
	schema := mustRulesSchema(t)
	pool, err := mysql.Open(context.Background(), mysqltest.DSN(t, ""), "backup.reader_dsn", mysql.RoleBackup)
	c := mustPoolConn(t, pool, err)
	spec := rulesSpec()
	spec.LoginColumns, spec.LowercaseLogin = []string{"name", "email"}, true
	for _, login := range []string{"two", "TWO", "Two@Example.com"} {
		u, err := mysql.LookupUser(context.Background(), c, mysql.NewCatalog(), schema, spec, login)
		if err != nil || u.Login != "two" || u.PasswordHash != "h2" || u.Salt != "s2" {
			t.Errorf("%s: user=%+v, %v; want two with hash h2, salt s2", login, u, err)
		}
	}
}

// TestLookupUserRuleConfigErrors checks that a table or column of a rule
// missing from the schema is an EINVALID error naming its key.
func TestLookupUserRuleConfigErrors(t *testing.T) {
	schema := mustRulesSchema(t)
	pool, err := mysql.Open(context.Background(), mysqltest.DSN(t, ""), "backup.reader_dsn", mysql.RoleBackup)
	c := mustPoolConn(t, pool, err)
	for _, tt := range []struct {
		name, key string
		rule      weekback.Condition
	}{
		{"exists table", "auth.admin[0].exists.table", weekback.Condition{Exists: &weekback.ExistsRule{Table: "wp_usermeta", Key: "user_id", UserKey: "id"}}},
		{"exists user key", "auth.admin[0].exists.user_key", weekback.Condition{Exists: &weekback.ExistsRule{Table: "meta", Key: "user_id", UserKey: "user_no"}}},
		{"join on", "auth.admin[0].exists.join.on", weekback.Condition{Exists: &weekback.ExistsRule{Table: "people_roles", Key: "uid", UserKey: "id",
			Join: &weekback.JoinRule{Table: "roles", Key: "rid", On: "role_id"}}}},
		{"where column", "auth.admin[0].exists.where[0].column", weekback.Condition{Exists: &weekback.ExistsRule{Table: "meta", Key: "user_id", UserKey: "id",
			Where: []weekback.Condition{{Column: "nope", Equals: "x"}}}}},
		{"config list table", "auth.admin[0].config_list.table", weekback.Condition{ConfigList: &weekback.ConfigListRule{Table: "mdl_config",
			KeyColumn: "name", Key: "siteadmins", ValueColumn: "value", UserKey: "id"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := mysql.CheckUserSpec(context.Background(), c, mysql.NewCatalog(), schema, rulesSpec(tt.rule))
			if weekback.ErrorCode(err) != weekback.EINVALID || !strings.Contains(err.Error(), tt.key) {
				t.Fatalf("error = %v, want EINVALID naming %s", err, tt.key)
			}
		})
	}
}
