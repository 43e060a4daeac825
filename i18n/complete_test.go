package i18n

import (
	"strings"
	"testing"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// TestCatalogsComplete fails when a translation lacks a key of English, has
// a key English lacks, or uses other placeholders or plural forms than it
// should. Run it after editing a catalog: go test ./i18n/
func TestCatalogsComplete(t *testing.T) {
	for _, p := range Default().problems() {
		t.Error(p)
	}
}

// TestCheckerCatchesMistakes proves that TestCatalogsComplete would fail on
// each kind of mistake a translator can make.
func TestCheckerCatchesMistakes(t *testing.T) {
	c := MustLoadTest(t, map[string]string{
		"en.txt": `a = "x {n}"
b = "y"
c[one] = "{count} c"
c[other] = "{count} cs"
format.date = "{day}/{month}"
`,
		"fr.txt": `a = "x {m}"
extra = "z"
c[other] = "{count} c"
format.date = "{jour}"
`,
		"ja.txt": `a = "x {n}"
b[other] = "y"
c[one] = "{count}"
c[other] = "{count}"
format.date = "{year}年"
`,
	})
	want := []string{
		"fr: b is missing",
		`fr: a has placeholders [m], English has [n]`,
		"fr: extra is not in the English catalog",
		"fr: c lacks the plural form one",
		"fr: format.date uses {jour}",
		"ja: b must have plural forms exactly when English has them",
		"ja: c has the plural form one, which ja does not use",
	}
	got := strings.Join(c.problems(), "\n")
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("problems do not mention %q; got:\n%s", w, got)
		}
	}
}

// TestFrenchTypography checks the spaces of French punctuation: a no-break
// space before « : », a narrow no-break space before « ; ? ! » and inside
// guillemets, never an ordinary space.
func TestFrenchTypography(t *testing.T) {
	for key, m := range Default().tables[language.French] {
		for _, text := range m.forms {
			for _, bad := range []string{" :", " ;", " ?", " !", "« ", " »", "\u202f:", "\u00a0;", "\u00a0?", "\u00a0!"} {
				if strings.Contains(text, bad) {
					t.Errorf("fr %s: %q contains %q", key, text, bad)
				}
			}
			if strings.ContainsAny(text, "'") {
				t.Errorf("fr %s: %q: write the apostrophe as ’", key, text)
			}
		}
	}
}

// TestPluralRules pins the CLDR rules the catalogs rely on.
func TestPluralRules(t *testing.T) {
	tests := []struct {
		tag  language.Tag
		n    int
		want plural.Form
	}{
		{language.English, 0, plural.Other},
		{language.English, 1, plural.One},
		{language.English, 2, plural.Other},
		{language.French, 0, plural.One},
		{language.French, 1, plural.One},
		{language.French, 2, plural.Other},
		{language.Japanese, 1, plural.Other},
	}
	for _, tt := range tests {
		if got := pluralForm(tt.tag, tt.n); got != tt.want {
			t.Errorf("pluralForm(%v, %d)=%v, want %v", tt.tag, tt.n, got, tt.want)
		}
	}
}
