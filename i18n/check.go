package i18n

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// problems lists what is wrong between the English catalog and the others:
// a key missing from a translation or unknown to English, placeholders that
// differ, plural forms the language needs but lacks or does not use, and
// date formats with unknown placeholders. TestCatalogsComplete fails on any.
func (c *Catalog) problems() []string {
	en := c.tables[language.English]
	var out []string
	for _, tag := range c.tags {
		t := c.tables[tag]
		out = append(out, checkFormats(tag, t)...)
		out = append(out, checkForms(tag, t)...)
		if tag == language.English {
			continue
		}
		for _, key := range en.keys() {
			if t[key] == nil {
				out = append(out, fmt.Sprintf("%s: %s is missing (English: %q)", tag, key, en[key].forms[plural.Other]))
			}
		}
		for _, key := range t.keys() {
			out = append(out, compareEntry(tag, key, en[key], t[key])...)
		}
	}
	return out
}

// compareEntry compares one translated entry with its English source.
func compareEntry(tag language.Tag, key string, src, m *entry) []string {
	switch {
	case src == nil:
		return []string{fmt.Sprintf("%s: %s is not in the English catalog (a typo, or a key removed from the program?)", tag, key)}
	case src.plural != m.plural:
		return []string{fmt.Sprintf("%s: %s must have plural forms exactly when English has them", tag, key)}
	case strings.HasPrefix(key, "format."):
		return nil // formats use the placeholders their language needs
	}
	if got, want := m.placeholders(), src.placeholders(); !slices.Equal(got, want) {
		return []string{fmt.Sprintf("%s: %s has placeholders %v, English has %v", tag, key, got, want)}
	}
	return nil
}

// checkForms checks that each plural entry has the forms its language uses
// for whole numbers, and no other.
func checkForms(tag language.Tag, t table) []string {
	used := usedForms(tag)
	var out []string
	for _, key := range t.keys() {
		m := t[key]
		if !m.plural {
			continue
		}
		for _, f := range used {
			if _, ok := m.forms[f]; !ok {
				out = append(out, fmt.Sprintf("%s: %s lacks the plural form %s", tag, key, formName(f)))
			}
		}
		for f := range m.forms {
			if !slices.Contains(used, f) && f != plural.Other {
				out = append(out, fmt.Sprintf("%s: %s has the plural form %s, which %s does not use", tag, key, formName(f), tag))
			}
		}
	}
	return out
}

// usedForms returns the plural forms tag's CLDR rules give whole numbers.
func usedForms(tag language.Tag) []plural.Form {
	var forms []plural.Form
	for n := 0; n <= 1_000_000; n = next(n) {
		if f := pluralForm(tag, n); !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	return forms
}

// next steps through 0…1000 one by one, then by thousands.
func next(n int) int {
	if n < 1000 {
		return n + 1
	}
	return n + 1000
}

func formName(f plural.Form) string {
	for name, g := range formNames {
		if g == f {
			return name
		}
	}
	return fmt.Sprint(f)
}

// checkFormats checks the date formats' placeholders.
func checkFormats(tag language.Tag, t table) []string {
	var out []string
	for _, key := range []string{"format.date", "format.time", "format.time_seconds", "format.datetime"} {
		m := t[key]
		if m == nil {
			continue
		}
		for _, p := range m.placeholders() {
			if !slices.Contains(dateFormatVars, p) {
				out = append(out, fmt.Sprintf("%s: %s uses {%s}, which dates do not have", tag, key, p))
			}
		}
	}
	return out
}
