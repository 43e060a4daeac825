package i18n

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/feature/plural"
)

// entry is one message of a catalog: a plain text, or a text per plural form.
type entry struct {
	plural bool
	forms  map[plural.Form]string // a plain text is stored under plural.Other
	line   int                    // where it was first defined, for error messages
}

// table is one language's catalog: key → message.
type table map[string]*entry

var (
	keyPattern         = regexp.MustCompile(`^[a-z0-9_]+(\.[a-z0-9_]+)*$`)
	placeholderPattern = regexp.MustCompile(`\{([a-z_][a-z0-9_]*)\}`)
)

// formNames are the CLDR plural categories a catalog may use in key[form].
var formNames = map[string]plural.Form{
	"zero": plural.Zero, "one": plural.One, "two": plural.Two,
	"few": plural.Few, "many": plural.Many, "other": plural.Other,
}

// parseCatalog reads one catalog file. name is used in error messages, which
// give the line and say what to fix.
func parseCatalog(name string, r io.Reader) (table, error) {
	t := table{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := t.addLine(line, n); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return t, t.check(name)
}

// addLine adds one `key = "text"` or `key[form] = "text"` line.
func (t table) addLine(line string, n int) error {
	k, v, ok := strings.Cut(line, "=")
	if !ok {
		return fmt.Errorf(`expected key = "text"`)
	}
	key, form, err := parseKey(strings.TrimSpace(k))
	if err != nil {
		return err
	}
	text, err := parseValue(strings.TrimSpace(v))
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	m := t[key]
	if m == nil {
		m = &entry{plural: form != "", forms: map[plural.Form]string{}, line: n}
		t[key] = m
	}
	if m.plural != (form != "") {
		return fmt.Errorf("%s: defined both with and without a plural form (line %d)", key, m.line)
	}
	f := formNames[form] // "" → plural.Other
	if _, dup := m.forms[f]; dup {
		return fmt.Errorf("%s: defined twice (first on line %d)", strings.TrimSpace(k), m.line)
	}
	m.forms[f] = text
	return nil
}

// parseKey splits "records.count[one]" into its key and plural form.
func parseKey(s string) (key, form string, err error) {
	key = s
	if i := strings.IndexByte(s, '['); i >= 0 {
		if !strings.HasSuffix(s, "]") {
			return "", "", fmt.Errorf("key %q: a plural form is written key[one]", s)
		}
		key, form = s[:i], s[i+1:len(s)-1]
		if _, ok := formNames[form]; !ok {
			return "", "", fmt.Errorf("key %q: unknown plural form %q: use zero, one, two, few, many or other", s, form)
		}
	}
	if !keyPattern.MatchString(key) {
		return "", "", fmt.Errorf("key %q: use lowercase letters, digits, _ and dots", key)
	}
	return key, form, nil
}

// parseValue reads a double-quoted text with Go/JSON-style escapes (\" \\ \n \u00A0).
func parseValue(s string) (string, error) {
	if !strings.HasPrefix(s, `"`) || !strings.HasSuffix(s, `"`) || len(s) < 2 {
		return "", fmt.Errorf(`the text must be in double quotes: key = "text"`)
	}
	text, err := strconv.Unquote(s)
	if err != nil {
		return "", fmt.Errorf(`the text is not quoted correctly (write \" for a quote inside it, \\ for a backslash)`)
	}
	return text, nil
}

// check verifies that every plural message has an "other" form.
func (t table) check(name string) error {
	for _, key := range t.keys() {
		m := t[key]
		if _, ok := m.forms[plural.Other]; m.plural && !ok {
			return fmt.Errorf("%s:%d: %s: a plural text needs a %s[other] line", name, m.line, key, key)
		}
	}
	return nil
}

// keys returns the keys of t, sorted.
func (t table) keys() []string {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// placeholders returns the sorted, distinct placeholder names of every form of m.
func (m *entry) placeholders() []string {
	seen := map[string]bool{}
	for _, text := range m.forms {
		for _, sub := range placeholderPattern.FindAllStringSubmatch(text, -1) {
			seen[sub[1]] = true
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// substitute replaces each {name} in text with vars[name]; a placeholder
// without a value stays as it is, so a missing argument shows. Names are
// as placeholderPattern says; any other brace is text.
func substitute(text string, vars map[string]string) string {
	i := strings.IndexByte(text, '{')
	if i < 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + 32)
	for ; i >= 0; i = strings.IndexByte(text, '{') {
		b.WriteString(text[:i])
		text = text[i:]
		n := placeholderLen(text)
		if v, ok := vars[text[1:max(n-1, 1)]]; ok && n > 0 {
			b.WriteString(v)
		} else {
			n = max(n, 1)
			b.WriteString(text[:n])
		}
		text = text[n:]
	}
	b.WriteString(text)
	return b.String()
}

// placeholderLen returns the length of the placeholder {name} text starts
// with, 0 when it starts with none.
func placeholderLen(text string) int {
	for i := 1; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '}' && i > 1:
			return i + 1
		case c == '_' || 'a' <= c && c <= 'z' || i > 1 && '0' <= c && c <= '9':
		default:
			return 0
		}
	}
	return 0
}
