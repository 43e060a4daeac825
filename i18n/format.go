package i18n

import (
	"strconv"
	"strings"
	"time"
	"unicode"
)

// dayKeys names the weekdays in catalog keys, as Weekback names its days.
var dayKeys = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// Weekday returns the full name of d ("Monday", "月曜日", "lundi"), or the
// Go name for an out-of-range d.
func (l *Localizer) Weekday(d time.Weekday) string {
	if d < time.Sunday || d > time.Saturday {
		return d.String()
	}
	return l.T("weekday." + dayKeys[d])
}

// Date returns the date of t, in t's location, in the language's format
// (key format.date): "Mon, Nov 23, 2026", "2026年11月23日(月)",
// "lun. 23 nov. 2026".
func (l *Localizer) Date(t time.Time) string {
	return substitute(l.T("format.date"), l.dateVars(t))
}

// Time returns the time of day of t in loc (t's own location when loc is
// nil) in the language's format (key format.time): "09:30".
func (l *Localizer) Time(t time.Time, loc *time.Location) string {
	if loc != nil {
		t = t.In(loc)
	}
	return substitute(l.T("format.time"), l.dateVars(t))
}

// DateTime returns the date and time of t in loc (t's own location when loc
// is nil) in the language's format (key format.datetime):
// "Mon, Nov 23, 2026 09:30", "2026年11月23日(月) 09:30",
// "lun. 23 nov. 2026 09:30".
func (l *Localizer) DateTime(t time.Time, loc *time.Location) string {
	return l.dateTime(t, loc, "format.time")
}

// DateTimeSeconds is DateTime with the seconds (the time in the format of
// key format.time_seconds), for records of events such as the audit log:
// "Mon, Nov 23, 2026 09:30:05".
func (l *Localizer) DateTimeSeconds(t time.Time, loc *time.Location) string {
	return l.dateTime(t, loc, "format.time_seconds")
}

// dateTime formats t in loc with format.datetime, the time part in the
// format of timeKey.
func (l *Localizer) dateTime(t time.Time, loc *time.Location, timeKey string) string {
	if loc != nil {
		t = t.In(loc)
	}
	vars := l.dateVars(t)
	vars["date"] = substitute(l.T("format.date"), vars)
	vars["time"] = substitute(l.T(timeKey), vars)
	return substitute(l.T("format.datetime"), vars)
}

// dateVars returns the placeholders a date or time format may use.
func (l *Localizer) dateVars(t time.Time) map[string]string {
	m, wd := int(t.Month()), t.Weekday()
	return map[string]string{
		"year":          strconv.Itoa(t.Year()),
		"month":         strconv.Itoa(m),
		"month2":        twoDigits(m),
		"month_name":    l.T("month." + strconv.Itoa(m)),
		"month_short":   l.T("month.short." + strconv.Itoa(m)),
		"day":           strconv.Itoa(t.Day()),
		"day2":          twoDigits(t.Day()),
		"weekday":       l.T("weekday." + dayKeys[wd]),
		"weekday_short": l.T("weekday.short." + dayKeys[wd]),
		"hour":          twoDigits(t.Hour()),
		"minute":        twoDigits(t.Minute()),
		"second":        twoDigits(t.Second()),
	}
}

// dateFormatVars lists the placeholders of dateVars plus the {date} and
// {time} of format.datetime; the catalog test checks formats against it.
var dateFormatVars = []string{"year", "month", "month2", "month_name", "month_short", "day", "day2",
	"weekday", "weekday_short", "hour", "minute", "second", "date", "time"}

// Number returns n with its digits grouped as the language writes them:
// "1,234,567" in English and Japanese, "1 234 567" in French (narrow no-break
// space U+202F). Grouping comes from CLDR (golang.org/x/text); the separator
// from the catalog (key format.number.group), so translators decide it.
func (l *Localizer) Number(n int64) string {
	s := l.printer.Sprintf("%d", n)
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsDigit(r):
			b.WriteRune(r)
		case r == '-' || r == '\u2212':
			b.WriteByte('-')
		default:
			b.WriteString(l.group)
		}
	}
	return b.String()
}

// twoDigits returns n (0–99) with a leading zero below 10.
func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
