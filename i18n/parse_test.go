package i18n

import (
	"strings"
	"testing"

	"golang.org/x/text/feature/plural"
)

func TestParseCatalog(t *testing.T) {
	src := "\uFEFF# comment\n\n  a.b = \"x \\\"y\\\" {n}\"  \nc[one] = \"1\"\nc[other]=\"{count}\"\nnb = \"a\\u00A0b\"\neq = \"a = b\"\n"
	tb, err := parseCatalog("t.txt", strings.NewReader(src))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if got, want := tb["a.b"].forms[plural.Other], `x "y" {n}`; got != want {
		t.Fatalf("a.b=%q, want %q", got, want)
	}
	if c := tb["c"]; !c.plural || c.forms[plural.One] != "1" || c.forms[plural.Other] != "{count}" {
		t.Fatalf("c=%+v, want plural one=1 other={count}", c)
	}
	if got := tb["nb"].forms[plural.Other]; got != "a\u00A0b" {
		t.Fatalf("nb=%q, want a NBSP b", got)
	}
	if got := tb["eq"].forms[plural.Other]; got != "a = b" {
		t.Fatalf("eq=%q, want %q", got, "a = b")
	}
}

func TestParseCatalogErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"no equals", `a "b"`, `t.txt:1: expected key = "text"`},
		{"unquoted", `a = b`, "a: the text must be in double quotes"},
		{"bad escape", `a = "b \q"`, "not quoted correctly"},
		{"stray quote", `a = "b "c" d"`, "not quoted correctly"},
		{"bad key", `A-b = "x"`, `key "A-b": use lowercase`},
		{"empty key", `= "x"`, `key "": use lowercase`},
		{"bad form", `a[some] = "x"`, "unknown plural form"},
		{"unclosed form", `a[one = "x"`, "plural form is written"},
		{"duplicate", "a = \"x\"\na = \"y\"", "t.txt:2: a: defined twice (first on line 1)"},
		{"duplicate form", "a[one] = \"x\"\na[one] = \"y\"", "a[one]: defined twice"},
		{"mixed", "a = \"x\"\na[one] = \"y\"", "defined both with and without a plural form"},
		{"no other", `a[one] = "x"`, "t.txt:1: a: a plural text needs a a[other] line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseCatalog("t.txt", strings.NewReader(tt.src))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err=%v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestSubstitute(t *testing.T) {
	vars := map[string]string{"a": "1", "b_2": "{a}"}
	tests := []struct{ in, want string }{
		{"x{a}y", "x1y"},
		{"{a}{a}", "11"},
		{"{b_2}", "{a}"}, // values are not expanded again
		{"{missing}", "{missing}"},
		{"{ a } {A} {} {", "{ a } {A} {} {"},
		{"no placeholder", "no placeholder"},
	}
	for _, tt := range tests {
		if got := substitute(tt.in, vars); got != tt.want {
			t.Errorf("substitute(%q)=%q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestSubstituteAsPattern: the scanner agrees with placeholderPattern.
func TestSubstituteAsPattern(t *testing.T) {
	vars := map[string]string{"a": "A", "b_2": "B", "empty": ""}
	for _, tt := range []struct{ in, want string }{
		{"plain", "plain"},
		{"{a}", "A"},
		{"x{a}y{b_2}z", "xAyBz"},
		{"{a}{a}", "AA"},
		{"{missing} stays", "{missing} stays"},
		{"{empty}!", "!"},
		{"{", "{"},
		{"{}", "{}"},
		{"{A}", "{A}"},
		{"{2a}", "{2a}"},
		{"{a", "{a"},
		{"{{a}}", "{A}"},
		{"{a b}", "{a b}"},
		{"日本{a}語", "日本A語"},
	} {
		if got := substitute(tt.in, vars); got != tt.want {
			t.Errorf("substitute(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if re := placeholderPattern.ReplaceAllStringFunc(tt.in, func(p string) string {
			if v, ok := vars[p[1:len(p)-1]]; ok {
				return v
			}
			return p
		}); re != tt.want {
			t.Errorf("the pattern gives %q for %q, want %q", re, tt.in, tt.want)
		}
	}
}
