package i18n

import (
	"fmt"
	"math"
	"time"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Localizer renders messages, dates and numbers in one language. Get one
// from Catalog.Localizer. It is immutable and safe for concurrent use.
//
// Arguments of T and N are name/value pairs, T("login.lead.day", "weekday",
// "Monday"), or a single map[string]any or map[string]string. Values are
// formatted for the language: integers with Number, time.Time with DateTime
// in the time's own location, time.Weekday with Weekday, anything else with
// fmt.Sprint. A placeholder without a value is left in the text as {name},
// so a forgotten argument shows on the page rather than vanishing.
type Localizer struct {
	tag     language.Tag
	own, en table
	printer *message.Printer
	group   string // digit group separator, from format.number.group
}

func newLocalizer(tag language.Tag, own, en table) *Localizer {
	l := &Localizer{tag: tag, own: own, en: en, printer: message.NewPrinter(tag)}
	l.group = l.T("format.number.group")
	return l
}

// Tag returns the language of l.
func (l *Localizer) Tag() language.Tag { return l.tag }

// Lang returns the language as a BCP 47 string ("ja"), for <html lang> and
// for the CookieName cookie.
func (l *Localizer) Lang() string { return l.tag.String() }

// T returns the text of key with its placeholders filled from args. A key
// missing from l's catalog comes from English; a key missing from English
// (a programming error, caught by TestCatalogsComplete) returns the key
// itself. For a plural message T uses its "other" form; use N instead.
func (l *Localizer) T(key string, args ...any) string {
	m, _ := l.lookup(key)
	if m == nil {
		return key
	}
	return substitute(m.forms[plural.Other], l.vars(args))
}

// N returns the plural form of key that suits count in l's language (English
// and French "one" or "other", French counting 0 as one; Japanese "other"
// only), with {count} set to the formatted count unless args set it. A
// message without plural forms is used as it is; a missing key returns the
// key itself, as with T.
func (l *Localizer) N(key string, count int, args ...any) string {
	m, tag := l.lookup(key)
	if m == nil {
		return key
	}
	text, ok := m.forms[pluralForm(tag, count)]
	if !ok {
		text = m.forms[plural.Other]
	}
	vars := l.vars(args)
	if _, set := vars["count"]; !set {
		vars["count"] = l.Number(int64(count))
	}
	return substitute(text, vars)
}

// Has reports whether key exists in l's catalog or in English.
func (l *Localizer) Has(key string) bool {
	m, _ := l.lookup(key)
	return m != nil
}

// lookup finds key in l's catalog, else in English, and returns the language
// the message was found in (its plural rules apply).
func (l *Localizer) lookup(key string) (*entry, language.Tag) {
	if m := l.own[key]; m != nil {
		return m, l.tag
	}
	if m := l.en[key]; m != nil {
		return m, language.English
	}
	return nil, language.Und
}

// pluralForm returns the CLDR cardinal plural category of the integer n.
func pluralForm(tag language.Tag, n int) plural.Form {
	if n < 0 {
		n = -n
	}
	return plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0)
}

// vars turns T's and N's arguments into placeholder values.
func (l *Localizer) vars(args []any) map[string]string {
	vars := make(map[string]string, len(args)/2+1)
	if len(args) == 1 {
		switch m := args[0].(type) {
		case map[string]any:
			for k, v := range m {
				vars[k] = l.format(v)
			}
			return vars
		case map[string]string:
			for k, v := range m {
				vars[k] = v
			}
			return vars
		}
	}
	for i := 0; i+1 < len(args); i += 2 {
		if name, ok := args[i].(string); ok {
			vars[name] = l.format(args[i+1])
		}
	}
	return vars
}

// format renders one placeholder value for l's language.
func (l *Localizer) format(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int:
		return l.Number(int64(v))
	case int32:
		return l.Number(int64(v))
	case int64:
		return l.Number(v)
	case uint32:
		return l.Number(int64(v))
	case uint64:
		if v <= math.MaxInt64 {
			return l.Number(int64(v))
		}
	case time.Time:
		return l.DateTime(v, v.Location())
	case time.Weekday:
		return l.Weekday(v)
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprint(v)
}
