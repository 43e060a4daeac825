package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Load returns the configuration: Default, then the YAML file at path, then
// the WEEKBACK_* variables of env (os.Environ style, so tests can pass their
// own), then Validate.
//
// path "" means no file. A missing file at exactly DefaultPath also means no
// file (the default location is optional); any other missing file is an
// error, and so is a file that exists but cannot be read. Pass the result of
// Path or Locate.
//
// On failure Load returns nil and every problem it found, each a *Error
// (joined with errors.Join when there are several).
func Load(path string, env []string) (*Config, error) {
	c := Default()
	doc, err := parseFile(path)
	if err != nil {
		return nil, err
	}
	errs := c.applyPreset(doc, env)
	if doc != nil {
		c.file = path
		errs = append(errs, decodeNode(doc, reflect.ValueOf(c).Elem(), "", origin{file: path})...)
	}
	errs = append(errs, c.applyEnv(env), c.Validate())
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// Path returns the configuration file to load: flagValue (--config) when
// set, else $WEEKBACK_CONFIG read through getenv (nil means no environment),
// else DefaultPath. It never fails; Load decides whether the file must exist
// (see Locate).
func Path(flagValue string, getenv func(string) string) string {
	path, _ := Locate(flagValue, getenv)
	return path
}

// Locate is Path that also reports whether the user named the file
// explicitly (with --config or $WEEKBACK_CONFIG). Load treats a missing
// DefaultPath as "no file" and a missing explicit file as an error; the one
// case it cannot tell apart is an explicit "./weekback.yaml", which it
// treats as the default. Callers that must require even that file can check
// explicit themselves. It never fails.
func Locate(flagValue string, getenv func(string) string) (path string, explicit bool) {
	if flagValue != "" {
		return flagValue, true
	}
	if getenv != nil {
		if p := getenv(EnvConfig); p != "" {
			return p, true
		}
	}
	return DefaultPath, false
}

// parseFile returns the top node of the YAML file at path, or nil when
// there is nothing to read (path "", a missing DefaultPath, an empty file).
// It returns a *Error for a missing or unreadable file and for bad YAML.
func parseFile(path string) (*yaml.Node, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && path == DefaultPath {
		return nil, nil
	}
	if err != nil {
		return nil, &Error{Message: fmt.Sprintf("cannot read config file %s: %v (pass an existing file with --config or %s)",
			path, fsReason(err), EnvConfig)}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, nil
	} else if err != nil {
		line, reason := yamlProblem(data, err)
		return nil, &Error{Message: fmt.Sprintf("%s is not valid YAML: line %d: %s (fix the syntax)", path, line, reason)}
	}
	for {
		var more yaml.Node
		err := dec.Decode(&more)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || !isEmptyDocument(&more) {
			return nil, &Error{Message: fmt.Sprintf("%s holds more than one YAML document (remove everything after the first ---)", path)}
		}
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// isEmptyDocument reports whether doc holds nothing but comments.
func isEmptyDocument(doc *yaml.Node) bool {
	for _, n := range doc.Content {
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!null" || n.Value != "" {
			return false
		}
	}
	return true
}

// origin is where a YAML node came from: a line of a file or a variable.
type origin struct {
	file string
	env  string
}

func (o origin) where(n *yaml.Node) string {
	if o.env != "" {
		return "from " + o.env
	}
	return fmt.Sprintf("at %s line %d", o.file, n.Line)
}

// decodeNode decodes n into v, the key at path, refusing unknown keys. It
// returns one *Error per problem; keys that fail keep their previous value.
func decodeNode(n *yaml.Node, v reflect.Value, path string, o origin) []error {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	t := v.Type()
	switch {
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null":
		if t.Kind() == reflect.Slice {
			v.SetZero()
		}
		return nil // a section or value left empty keeps its default
	case isSection(t):
		return decodeSection(n, v, path, o)
	case t.Kind() == reflect.Pointer && isSection(t.Elem()): // an optional section, such as exists:
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		return decodeSection(n, v.Elem(), path, o)
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
		return decodeList(n, v, path, o)
	case listDSNKeys[path] && n.Kind == yaml.SequenceNode:
		return decodeDSNList(n, v, path, o)
	}
	if err := n.Decode(v.Addr().Interface()); err != nil {
		return []error{leafError(n, t, path, o, err)}
	}
	return nil
}

// decodeSection decodes a mapping into the struct v, merge keys (<<) first.
func decodeSection(n *yaml.Node, v reflect.Value, path string, o origin) []error {
	if n.Kind != yaml.MappingNode {
		return []error{&Error{Field: path, Message: fmt.Sprintf("%s (%s): want a mapping of keys (%s), got %s",
			orTop(path), o.where(n), knownKeys(v.Type()), kindName(n))}}
	}
	var errs []error
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k, val := n.Content[i], n.Content[i+1]; k.ShortTag() == "!!merge" {
			errs = append(errs, decodeMerge(val, v, path, o)...)
		}
	}
	seen := make(map[string]int) // key -> line
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.ShortTag() == "!!merge" {
			continue
		}
		p := joinPath(path, k.Value)
		if line, dup := seen[k.Value]; dup {
			errs = append(errs, &Error{Field: p, Message: fmt.Sprintf("%s (%s): set twice, also at line %d (keep one)",
				p, o.where(k), line)})
			continue
		}
		seen[k.Value] = k.Line
		idx, ok := fieldIndex(v.Type(), k.Value)
		if !ok {
			errs = append(errs, &Error{Field: p, Message: fmt.Sprintf("%s (%s): unknown key; known keys under %s: %s (check the spelling)",
				p, o.where(k), orTop(path), knownKeys(v.Type()))})
			continue
		}
		errs = append(errs, decodeNode(val, v.Field(idx), p, o)...)
	}
	return errs
}

func decodeMerge(n *yaml.Node, v reflect.Value, path string, o origin) []error {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.SequenceNode {
		return decodeSection(n, v, path, o)
	}
	var errs []error
	for _, item := range n.Content {
		errs = append(errs, decodeMerge(item, v, path, o)...)
	}
	return errs
}

// decodeList decodes a sequence into a slice of sections (such as auth.allow).
func decodeList(n *yaml.Node, v reflect.Value, path string, o origin) []error {
	if n.Kind != yaml.SequenceNode {
		return []error{&Error{Field: path, Message: fmt.Sprintf("%s (%s): want a list such as [{%s}], got %s",
			path, o.where(n), knownKeys(v.Type().Elem()), kindName(n))}}
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	var errs []error
	for i, item := range n.Content {
		errs = append(errs, decodeNode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i), o)...)
	}
	if len(errs) == 0 {
		v.Set(s)
	}
	return errs
}

// fieldIndex returns the index of the field of struct t whose YAML key is name.
func fieldIndex(t reflect.Type, name string) (int, bool) {
	for i := range t.NumField() {
		if n := yamlName(t.Field(i)); n != "" && n == name {
			return i, true
		}
	}
	return 0, false
}

// knownKeys lists the YAML keys of struct t, comma-separated.
func knownKeys(t reflect.Type) string {
	var names []string
	for i := range t.NumField() {
		if n := yamlName(t.Field(i)); n != "" {
			names = append(names, n)
		}
	}
	return strings.Join(names, ", ")
}

func orTop(path string) string {
	if path == "" {
		return "the top level"
	}
	return path
}

// leafError explains why the value n does not fit a key of type t.
func leafError(n *yaml.Node, t reflect.Type, path string, o origin, err error) *Error {
	var problem string
	var te *yaml.TypeError
	switch {
	case !errors.As(err, &te):
		problem = err.Error() // from an UnmarshalYAML, such as Duration's
	case t.Kind() == reflect.String:
		problem = "want a single value, got " + kindName(n)
	case t.Kind() == reflect.Slice:
		problem = `want a list of values such as ["a", "b"], got ` + kindName(n)
	case t.Kind() == reflect.Bool:
		problem = "want true or false"
	case reflect.Zero(t).CanInt():
		problem = "want a whole number, such as 4"
	default:
		problem = "want a " + t.String() + ", got " + kindName(n)
	}
	shown := ""
	if n.Kind == yaml.ScalarNode {
		shown = " = " + showString(path, n.Value)
	}
	return &Error{Field: path, Message: fmt.Sprintf("%s%s (%s): %s", path, shown, o.where(n), problem)}
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a single value" // never the value itself: it may be a DSN
	}
	return "something else"
}

// yamlLine matches the line number a YAML syntax error starts with.
var yamlLine = regexp.MustCompile(`^line (\d+): `)

// maxProbedLines bounds yamlProblem's search: longer files get the
// parser's own line.
const maxProbedLines = 5000

// yamlProblem returns the line of the syntax error err found in data and
// the error without its line. The parser reports the line where the
// enclosing construct starts (often line 1, for a bad indentation on line
// 3), so the line is found again: the first line from which every longer
// prefix of the file fails to parse.
func yamlProblem(data []byte, err error) (int, string) {
	reason := yamlReason(err)
	line := 1
	if m := yamlLine.FindStringSubmatch(reason); m != nil {
		line, _ = strconv.Atoi(m[1])
		reason = reason[len(m[0]):]
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines) > maxProbedLines {
		return line, reason
	}
	n := len(lines)
	for n > 1 && !parses(bytes.Join(lines[:n-1], nil)) {
		n--
	}
	return n, reason
}

// parses reports whether data is valid YAML.
func parses(data []byte) bool {
	var n yaml.Node
	return yaml.Unmarshal(data, &n) == nil
}

// yamlReason returns a YAML parser error without its "yaml: " prefix.
func yamlReason(err error) string {
	return strings.TrimPrefix(err.Error(), "yaml: ")
}

// fsReason returns the reason of a file system error without the path.
func fsReason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
