package config

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// PresetNames are the values of auth.preset.
var PresetNames = []string{"moodle", "wordpress", "drupal7", "drupal", "redmine", "eccube", "magento2", "django",
	"laravel", "devise", "spring", "joomla", "phpbb"}

// preset is the login rules of one application's default install.
type preset struct {
	prefix      string              // default table prefix
	needsPrefix bool                // the application has no default prefix (Joomla's #__)
	build       func(p string) Auth // the auth keys, tables prefixed with p
}

// presets holds the rules of each application, taken from the tables its
// installer creates. Allow is the login filters plus the admin rule (only
// the application's administrators get in); Admin is the admin rule.
var presets = map[string]preset{
	"moodle": {prefix: "mdl_", build: func(p string) Auth {
		admin := Condition{ConfigList: &ConfigListRule{Table: p + "config", KeyColumn: "name", Key: "siteadmins", ValueColumn: "value", UserKey: "id"}}
		return Auth{Table: p + "user", LoginColumn: "username", PasswordColumn: "password", LowercaseLogin: true,
			Allow: []Condition{eq("deleted", "0"), eq("suspended", "0"), {Column: "auth", In: []string{"manual", "email"}}, admin},
			Admin: []Condition{admin}}
	}},
	"wordpress": {prefix: "wp_", build: func(p string) Auth {
		admin := Condition{Exists: &ExistsRule{Table: p + "usermeta", Key: "user_id", UserKey: "ID",
			Where: []Condition{eq("meta_key", p+"capabilities"), {Column: "meta_value", Like: `%"administrator"%`}}}}
		return Auth{Table: p + "users", LoginColumns: []string{"user_login", "user_email"}, PasswordColumn: "user_pass",
			Allow: []Condition{admin}, Admin: []Condition{admin}}
	}},
	"drupal7": {build: func(p string) Auth {
		admin := Condition{Exists: &ExistsRule{Table: p + "users_roles", Key: "uid", UserKey: "uid",
			Join: &JoinRule{Table: p + "role", Key: "rid", On: "rid", Where: []Condition{eq("name", "administrator")}}}}
		return Auth{Table: p + "users", LoginColumn: "name", PasswordColumn: "pass",
			Allow: []Condition{eq("status", "1"), admin}, Admin: []Condition{admin}}
	}},
	"drupal": {build: func(p string) Auth {
		admin := Condition{Exists: &ExistsRule{Table: p + "user__roles", Key: "entity_id", UserKey: "uid",
			Where: []Condition{eq("roles_target_id", "administrator"), eq("deleted", "0")}}}
		return Auth{Table: p + "users_field_data", LoginColumn: "name", PasswordColumn: "pass",
			Allow: []Condition{eq("status", "1"), eq("default_langcode", "1"), admin}, Admin: []Condition{admin}}
	}},
	"redmine": {build: func(p string) Auth {
		admin := eq("admin", "1")
		return Auth{Table: p + "users", LoginColumn: "login", PasswordColumn: "hashed_password", SaltColumn: "salt", HashScheme: "redmine_sha1",
			Allow: []Condition{eq("status", "1"), eq("type", "User"), admin}, Admin: []Condition{admin}}
	}},
	"eccube": {build: func(p string) Auth {
		admin := eq("authority_id", "0")
		return Auth{Table: p + "dtb_member", LoginColumn: "login_id", PasswordColumn: "password", SaltColumn: "salt", HashScheme: "eccube_hmac",
			Allow: []Condition{eq("work_id", "1"), admin}, Admin: []Condition{admin}}
	}},
	"magento2": {build: func(p string) Auth {
		admin := Condition{Exists: &ExistsRule{Table: p + "authorization_role", Key: "user_id", UserKey: "user_id",
			Where: []Condition{eq("role_type", "U"), eq("user_type", "2")},
			Join:  &JoinRule{Table: p + "authorization_role", Key: "role_id", On: "parent_id", Where: []Condition{eq("role_name", "Administrators")}}}}
		return Auth{Table: p + "admin_user", LoginColumn: "username", PasswordColumn: "password", HashScheme: "magento2",
			Allow: []Condition{eq("is_active", "1"), admin}, Admin: []Condition{admin}}
	}},
	"django": {build: func(p string) Auth {
		return Auth{Table: p + "auth_user", LoginColumn: "username", PasswordColumn: "password",
			Allow: []Condition{eq("is_active", "1"), eq("is_staff", "1")}, Admin: []Condition{eq("is_superuser", "1")}}
	}},
	"laravel": {build: func(p string) Auth {
		admin := Condition{Exists: &ExistsRule{Table: p + "model_has_roles", Key: "model_id", UserKey: "id",
			Where: []Condition{{Column: "model_type", In: []string{`App\Models\User`, `App\User`}}},
			Join:  &JoinRule{Table: p + "roles", Key: "id", On: "role_id", Where: []Condition{{Column: "name", In: []string{"admin", "super-admin", "Super Admin"}}}}}}
		return Auth{Table: p + "users", LoginColumn: "email", PasswordColumn: "password", Allow: []Condition{admin}, Admin: []Condition{admin}}
	}},
	"devise": {build: func(p string) Auth {
		admin := eq("admin", "1")
		return Auth{Table: p + "users", LoginColumn: "email", PasswordColumn: "encrypted_password", Allow: []Condition{admin}, Admin: []Condition{admin}}
	}},
	"spring": {build: func(p string) Auth {
		admin := Condition{Exists: &ExistsRule{Table: p + "authorities", Key: "username", UserKey: "username", Where: []Condition{eq("authority", "ROLE_ADMIN")}}}
		return Auth{Table: p + "users", LoginColumn: "username", PasswordColumn: "password",
			Allow: []Condition{eq("enabled", "1"), admin}, Admin: []Condition{admin}}
	}},
	"joomla": {needsPrefix: true, build: func(p string) Auth {
		admin := Condition{Exists: &ExistsRule{Table: p + "user_usergroup_map", Key: "user_id", UserKey: "id", Where: []Condition{eq("group_id", "8")}}}
		return Auth{Table: p + "users", LoginColumn: "username", PasswordColumn: "password",
			Allow: []Condition{eq("block", "0"), admin}, Admin: []Condition{admin}}
	}},
	"phpbb": {prefix: "phpbb_", build: func(p string) Auth {
		admin := Condition{Exists: &ExistsRule{Table: p + "user_group", Key: "user_id", UserKey: "user_id", Where: []Condition{eq("user_pending", "0")},
			Join: &JoinRule{Table: p + "groups", Key: "group_id", On: "group_id", Where: []Condition{eq("group_name", "ADMINISTRATORS")}}}}
		return Auth{Table: p + "users", LoginColumn: "username_clean", PasswordColumn: "user_password", LowercaseLogin: true,
			Allow: []Condition{{Column: "user_type", In: []string{"0", "3"}}, admin}, Admin: []Condition{admin}}
	}},
}

func eq(column, value string) Condition { return Condition{Column: column, Equals: value} }

// applyPreset fills the auth keys of the preset named by auth.preset (in doc
// or env, env winning) before the file and the environment are decoded, so
// that every key they set overrides the preset. It returns a *Error for an
// unknown preset, or for Joomla without auth.table_prefix.
func (c *Config) applyPreset(doc *yaml.Node, env []string) []error {
	name, _ := presetKey(doc, env, "preset")
	if name == "" {
		return nil
	}
	p, ok := presets[name]
	if !ok {
		return []error{c.bad("auth.preset", name, "is not a known application; use one of "+strings.Join(PresetNames, ", "))}
	}
	prefix, set := presetKey(doc, env, "table_prefix")
	if !set {
		prefix = p.prefix
	}
	if p.needsPrefix && !set {
		return []error{c.missing("auth.table_prefix", fmt.Sprintf("%s tables are named with the site's own prefix in place of #__ "+
			"($dbprefix in configuration.php, such as jos_)", name))}
	}
	a := p.build(prefix)
	a.Source, a.Preset, a.TablePrefix = c.Auth.Source, name, prefix
	c.Auth = a
	return nil
}

// presetKey returns auth.<key> as the environment or the file sets it, and
// whether either does.
func presetKey(doc *yaml.Node, env []string, key string) (string, bool) {
	want := EnvName("auth."+key) + "="
	for _, kv := range env { // the first one wins, as for every variable
		if v, ok := strings.CutPrefix(kv, want); ok {
			return strings.TrimSpace(v), true
		}
	}
	if n := mappingValue(mappingValue(doc, "auth"), key); n != nil && n.Kind == yaml.ScalarNode {
		return strings.TrimSpace(n.Value), true
	}
	return "", false
}

// mappingValue returns the value of key in the mapping n, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
