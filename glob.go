package weekback

import (
	"path"
	"strings"
)

// MatchGlob reports whether name matches the glob pattern: * matches any
// run of characters, ? any one character, [a-z] a class ([^a-z] its complement), \ escapes; unlike
// path.Match, / is an ordinary character, so "*" matches every table name
// (MySQL allows / in names). A malformed pattern matches nothing. It is
// safe for concurrent use.
func MatchGlob(pattern, name string) bool {
	if strings.ContainsRune(pattern, '/') || strings.ContainsRune(name, '/') {
		// path.Match is exact apart from /: stand a character found in
		// neither string in for it.
		sep := freeRune(pattern + name)
		pattern = strings.ReplaceAll(pattern, "/", string(sep))
		name = strings.ReplaceAll(name, "/", string(sep))
	}
	ok, err := path.Match(pattern, name)
	return ok && err == nil
}

// freeRune returns a character of the private use area absent from s.
func freeRune(s string) rune {
	r := '\uE000'
	for strings.ContainsRune(s, r) {
		r++
	}
	return r
}
