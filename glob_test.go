package weekback_test

import (
	"testing"

	"github.com/weekback/weekback"
)

func TestMatchGlob(t *testing.T) {
	for _, tc := range []struct {
		pattern, name string
		want          bool
	}{
		{"*", "orders", true},
		{"*", "a/b", true},
		{"*", "/", true},
		{"*", "", true},
		{"a*", "a/b/c", true},
		{"*/b", "a/b", true},
		{"a?b", "a/b", true},
		{"a[/]b", "a/b", true},
		{"a[^/]b", "a/b", false},
		{"a\\/b", "a/b", true},
		{"log_*", "log_2024/01", true},
		{"log_*", "orders/log_1", false},
		{"*.password", "a/b.password", true},
		{"x\uE000*", "x/y", false}, // the stand-in never collides with the text
		{"[", "a", false},          // malformed: matches nothing
		{"orders", "orders", true},
		{"orders", "Orders", false},
	} {
		if got := weekback.MatchGlob(tc.pattern, tc.name); got != tc.want {
			t.Errorf("MatchGlob(%q, %q) = %v, want %v", tc.pattern, tc.name, got, tc.want)
		}
	}
}
