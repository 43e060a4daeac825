package template

import (
	"regexp"
	"strings"
)

// The target may run another server than the backup server the template
// was read from (MySQL 8 and MariaDB describe the same column in other
// words). Values that differ as text are compared once more in a
// normalized form; on the same server they are equal as text already.

// intWidth matches an integer type's display width, which MySQL 8 no
// longer reports.
var intWidth = regexp.MustCompile(`\b(tinyint|smallint|mediumint|int|bigint)\(\d+\)`)

// sameType compares column types without integer display widths.
func sameType(a, b string) bool {
	norm := func(s string) string { return intWidth.ReplaceAllString(strings.ToLower(s), "$1") }
	return norm(a) == norm(b)
}

// sameDefault compares defaults as shown by showDefault: MariaDB quotes
// literals ('new') and reports a nullable column's missing default as
// NULL; MySQL does neither and writes CURRENT_TIMESTAMP without "()".
func sameDefault(a, b string) bool { return normDefault(a) == normDefault(b) }

func normDefault(s string) string {
	switch {
	case s == "none" || s == "NULL":
		return ""
	case len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'':
		return "=" + strings.ReplaceAll(s[1:len(s)-1], "''", "'")
	}
	return "=" + normTimestamp(s)
}

// sameExtra compares EXTRA without MySQL's DEFAULT_GENERATED marker.
func sameExtra(a, b string) bool {
	norm := func(s string) string {
		s = strings.ReplaceAll(strings.ToLower(s), "default_generated", "")
		return strings.Join(strings.Fields(normTimestamp(s)), " ")
	}
	return norm(a) == norm(b)
}

// normTimestamp lower-cases s and writes current_timestamp(N) and
// current_timestamp() the way MySQL does.
func normTimestamp(s string) string {
	s = strings.ToLower(s)
	return strings.ReplaceAll(s, "current_timestamp()", "current_timestamp")
}

// sameCharset compares character sets or collations, utf8 being utf8mb3.
func sameCharset(a, b string) bool {
	norm := func(s string) string {
		s = strings.ToLower(s)
		if s == "utf8" || strings.HasPrefix(s, "utf8_") {
			return "utf8mb3" + s[len("utf8"):]
		}
		return s
	}
	return norm(a) == norm(b)
}

// sameExpression compares generation expressions without quoting and
// spacing, which servers print differently.
func sameExpression(a, b string) bool {
	norm := func(s string) string {
		s = strings.ToLower(strings.ReplaceAll(s, "`", ""))
		return strings.Join(strings.Fields(s), "")
	}
	return norm(a) == norm(b)
}

// sameRule compares referential actions; InnoDB treats NO ACTION as
// RESTRICT.
func sameRule(a, b string) bool {
	norm := func(s string) string {
		if s = strings.ToUpper(s); s == "NO ACTION" {
			return "RESTRICT"
		}
		return s
	}
	return norm(a) == norm(b)
}
