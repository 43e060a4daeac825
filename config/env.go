package config

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// key is one leaf of the configuration: a field that is not itself a section.
type key struct {
	path  string        // YAML key path, such as "snapshot.parallelism"
	value reflect.Value // the settable field
}

// keysOf returns every leaf of c, in the order of the struct fields.
func keysOf(c *Config) []key {
	return appendKeys(nil, reflect.ValueOf(c).Elem(), "")
}

func appendKeys(keys []key, v reflect.Value, prefix string) []key {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name := yamlName(f)
		if name == "" {
			continue
		}
		path := joinPath(prefix, name)
		fv := v.Field(i)
		if isSection(f.Type) {
			keys = appendKeys(keys, fv, path)
			continue
		}
		keys = append(keys, key{path: path, value: fv})
	}
	return keys
}

// yamlName returns the YAML key of f, or "" when f is not a key (unexported
// or tagged "-").
func yamlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	switch name {
	case "-":
		return ""
	case "":
		return strings.ToLower(f.Name)
	}
	return name
}

// isSection reports whether t is a struct whose fields are keys of their own.
func isSection(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && !isUnmarshaler(t)
}

func isUnmarshaler(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return p.Implements(reflect.TypeFor[yaml.Unmarshaler]()) ||
		p.Implements(reflect.TypeFor[encoding.TextUnmarshaler]())
}

func joinPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// EnvName returns the environment variable that overrides the key at path:
// "source.dsn" gives "WEEKBACK_SOURCE_DSN". An element path such as
// "auth.allow[0].column" gives its list's variable, WEEKBACK_AUTH_ALLOW.
func EnvName(path string) string {
	path, _, _ = strings.Cut(path, "[")
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(path, ".", "_"))
}

// applyEnv overrides every key whose variable is set in env (os.Environ
// style; the first of duplicate names wins, as with os.Getenv). A set but
// empty variable empties a string or a list and is an error for a number or
// a duration. Variables that name no key are ignored.
func (c *Config) applyEnv(env []string) error {
	vars := make(map[string]string)
	for _, kv := range env {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, EnvPrefix) || reservedEnv[name] {
			continue
		}
		if _, seen := vars[name]; !seen {
			vars[name] = value
		}
	}
	var errs []error
	for _, k := range keysOf(c) {
		name := EnvName(k.path)
		if value, ok := vars[name]; ok {
			errs = append(errs, setFromEnv(k, name, value))
		}
	}
	return errors.Join(errs...)
}

// setFromEnv sets one key from its variable's value. It returns a *Error
// (or several joined) when the value does not fit the key's type.
func setFromEnv(k key, name, value string) error {
	v := k.value
	if u, ok := v.Addr().Interface().(encoding.TextUnmarshaler); ok {
		if err := u.UnmarshalText([]byte(value)); err != nil {
			return envError(k.path, name, value, err.Error())
		}
		return nil
	}
	switch {
	case listDSNKeys[k.path]:
		v.SetString(envDSNs(value))
	case v.Kind() == reflect.String:
		v.SetString(value)
	case v.CanInt():
		n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
		if err != nil || v.OverflowInt(n) {
			return envError(k.path, name, value, "want a whole number, such as 4")
		}
		v.SetInt(n)
	case v.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(value))
		if err != nil {
			return envError(k.path, name, value, "want true or false")
		}
		v.SetBool(b)
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String:
		v.Set(reflect.ValueOf(splitList(value)).Convert(v.Type()))
	default:
		return setFromEnvYAML(k, name, value)
	}
	return nil
}

// setFromEnvYAML sets a structured key (such as auth.allow) from a YAML
// flow value; an empty value empties it.
func setFromEnvYAML(k key, name, value string) error {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(value), &doc); err != nil {
		return envError(k.path, name, value,
			fmt.Sprintf("not valid YAML (%v); write a flow list such as [{column: role, equals: \"superadmin\"}]", yamlReason(err)))
	}
	if len(doc.Content) == 0 {
		k.value.SetZero()
		return nil
	}
	return errors.Join(decodeNode(doc.Content[0], k.value, k.path, origin{env: name})...)
}

// splitList splits a comma-separated list, trimming spaces and dropping
// empty items; "" gives an empty list.
func splitList(s string) []string {
	out := []string{}
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func envError(path, name, value, problem string) *Error {
	return &Error{Field: path, Message: fmt.Sprintf("%s = %s (from %s): %s",
		path, showString(path, value), name, problem)}
}
