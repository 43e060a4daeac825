package mysql

import "testing"

func TestLikeMatch(t *testing.T) {
	for _, tt := range []struct {
		pattern, s string
		want       bool
	}{
		{`weekback\_%`, "weekback_meta", true},
		{`weekback\_%`, "weekback_", true},
		{`weekback\_%`, "weekbackXmeta", false},
		{`weekback\_%`, "weekback", false},
		{`weekback\_%`, "xweekback_meta", false},
		{`weekback_%`, "weekbackXmeta", true},
		{`weekback_%`, "weekback_", true},
		{`weekback_%`, "weekback", false},
		{`%`, "", true},
		{`%`, "anything at all", true},
		{`%%`, "", true},
		{`%_`, "", false},
		{`%_`, "a", true},
		{`a%b%c`, "aXXbYYc", true},
		{`a%b%c`, "aXXcYYb", false},
		{`shop`, "shop", true},
		{`shop`, "shop2", false},
		{`shop`, "sho", false},
		{`shop`, "Shop", false},
		{`_`, "", false},
		{`_`, "x", true},
		{`_`, "xy", false},
		{`100\%`, "100%", true},
		{`100\%`, "1000", false},
		{`100\%`, "100", false},
		{`a\\b`, `a\b`, true},
		{`a\\b`, `a\\b`, false},
		{`a\`, `a\`, true}, // a trailing backslash is literal
		{``, "", true},
		{``, "x", false},
		{`x`, "", false},
	} {
		t.Run(tt.pattern+" "+tt.s, func(t *testing.T) {
			if got := likeMatch(tt.pattern, tt.s); got != tt.want {
				t.Fatalf("likeMatch(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
			}
		})
	}
}
