// Package weekback holds the domain of Weekback: the seven weekday
// generations of a production MySQL/MariaDB schema, their manifests, the
// snapshot runs that build them and the error type every command maps to
// an exit code or an HTTP status.
//
// Feature packages (mysql, snapshotter, server, export, template,
// restore) implement or consume the types and interfaces declared here;
// this package imports none of them.
package weekback

import (
	"fmt"
	"strings"
	"time"
)

// Weekday names one of the seven generations, "mon" … "sun".
type Weekday string

// The seven generations, Monday first.
const (
	Monday    Weekday = "mon"
	Tuesday   Weekday = "tue"
	Wednesday Weekday = "wed"
	Thursday  Weekday = "thu"
	Friday    Weekday = "fri"
	Saturday  Weekday = "sat"
	Sunday    Weekday = "sun"
)

// Weekdays lists the seven generations, Monday first.
var Weekdays = []Weekday{Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday}

// ParseWeekday reads "mon" … "sun" (case-insensitive, full English names
// accepted too). It returns an EINVALID *Error naming the accepted values on
// anything else.
func ParseWeekday(s string) (Weekday, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	for _, d := range Weekdays {
		if v == string(d) || v == strings.ToLower(d.Time().String()) {
			return d, nil
		}
	}
	return "", Errorf(EINVALID, "unknown day %q: use one of mon, tue, wed, thu, fri, sat, sun", s)
}

// DayOf returns the generation that t falls on in loc.
func DayOf(t time.Time, loc *time.Location) Weekday {
	wd := t.In(loc).Weekday()
	return Weekdays[(int(wd)+6)%7]
}

// Time returns the time.Weekday of d.
func (d Weekday) Time() time.Weekday {
	for i, w := range Weekdays {
		if w == d {
			return time.Weekday((i + 1) % 7)
		}
	}
	return -1
}

// Valid reports whether d is one of the seven generations.
func (d Weekday) Valid() bool { return d.Time() >= 0 }

// String returns the short name ("mon").
func (d Weekday) String() string { return string(d) }

// Title returns the English name ("Monday"), or the raw value when invalid.
func (d Weekday) Title() string {
	if !d.Valid() {
		return fmt.Sprintf("Weekday(%q)", string(d))
	}
	return d.Time().String()
}
