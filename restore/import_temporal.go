package restore

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/weekback/weekback/mysql"
)

// Dates and times are accepted in the form MySQL prints them, zero dates
// included ("0000-00-00 00:00:00"), as exports carry them: the target
// connection's sql_mode stores them as they are.
var (
	dateSyntax     = regexp.MustCompile(`^([0-9]{4})-([0-9]{2})-([0-9]{2})$`)
	datetimeSyntax = regexp.MustCompile(`^([0-9]{4}-[0-9]{2}-[0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?$`)
	timeSyntax     = regexp.MustCompile(`^-?([0-9]{1,3}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?$`)
	yearSyntax     = regexp.MustCompile(`^[0-9]{4}$`)
)

// The TIMESTAMP range, in UTC (the target connection's time zone).
const (
	timestampMin = "1970-01-01 00:00:01"
	timestampMax = "2038-01-19 03:14:07"
	zeroDatetime = "0000-00-00 00:00:00"
)

func temporalCheck(c *mysql.RecordColumn) valueFunc {
	fsp, _, ok := typeArgs(c.ColumnType)
	if !ok {
		fsp = 0
	}
	switch c.DataType {
	case "date":
		return func(v []byte) ([]byte, string) { return v, dateProblem(string(v)) }
	case "time":
		return func(v []byte) ([]byte, string) { return v, timeProblem(string(v), fsp, c.ColumnType) }
	case "year":
		return func(v []byte) ([]byte, string) { return v, yearProblem(string(v)) }
	}
	ts := c.DataType == "timestamp"
	return func(v []byte) ([]byte, string) { return v, datetimeProblem(string(v), fsp, c.ColumnType, ts) }
}

// dateProblem returns what is wrong with a DATE, or "".
func dateProblem(v string) string {
	m := dateSyntax.FindStringSubmatch(v)
	if m == nil {
		return "is not a date (YYYY-MM-DD)"
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	if mo > 12 || d > 31 || y > 0 && mo > 0 && d > daysIn(y, mo) {
		return "is not a valid date"
	}
	return ""
}

// daysIn returns the days of month mo of year y as MySQL counts them (the
// year 0 is no leap year).
func daysIn(y, mo int) int {
	switch mo {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) && y != 0 {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func datetimeProblem(v string, fsp int, typ string, timestamp bool) string {
	m := datetimeSyntax.FindStringSubmatch(v)
	if m == nil {
		return "is not a date and time (YYYY-MM-DD hh:mm:ss[.ffffff])"
	}
	if p := dateProblem(m[1]); p != "" {
		return p
	}
	if p := clockProblem(m[2:], 23, fsp, typ); p != "" {
		return p
	}
	if timestamp && v[:19] != zeroDatetime && (v[:19] < timestampMin || v[:19] > timestampMax || zeroInDate(m[1])) {
		return "is outside the TIMESTAMP range " + timestampMin + " to " + timestampMax + ".999999 UTC"
	}
	return ""
}

func zeroInDate(date string) bool {
	return date[5:7] == "00" || date[8:10] == "00"
}

// timeProblem accepts [-]h:mm:ss[.ffffff] up to ±838:59:59.999999.
func timeProblem(v string, fsp int, typ string) string {
	m := timeSyntax.FindStringSubmatch(v)
	if m == nil {
		return "is not a time ([-]hh:mm:ss[.ffffff])"
	}
	return clockProblem(m[1:], 838, fsp, typ)
}

// clockProblem checks hours (up to maxHour), minutes, seconds and the
// digits of the fraction (up to fsp) of a time.
func clockProblem(hmsf []string, maxHour, fsp int, typ string) string {
	h, _ := strconv.Atoi(hmsf[0])
	mi, _ := strconv.Atoi(hmsf[1])
	s, _ := strconv.Atoi(hmsf[2])
	if h > maxHour || mi > 59 || s > 59 {
		if maxHour == 23 {
			return "is not a valid time of day"
		}
		return "is not a time between -838:59:59 and 838:59:59"
	}
	if len(hmsf[3]) > fsp {
		return fmt.Sprintf("has %d digits of fractional seconds; %s keeps %d (it would be rounded)", len(hmsf[3]), typ, fsp)
	}
	return ""
}

// yearProblem accepts four digits, 1901 to 2155 or 0000 (a shorter "0"
// would be stored as 2000).
func yearProblem(v string) string {
	if !yearSyntax.MatchString(v) {
		return "is not a year (four digits: 1901 to 2155, or 0000)"
	}
	if y, _ := strconv.Atoi(v); y != 0 && (y < 1901 || y > 2155) {
		return "is not a year between 1901 and 2155 (or 0000)"
	}
	return ""
}
