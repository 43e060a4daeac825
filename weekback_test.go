package weekback_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the host has installed

	"github.com/weekback/weekback"
)

func TestParseWeekday(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want weekback.Weekday
	}{
		{"mon", weekback.Monday},
		{"tue", weekback.Tuesday},
		{"wed", weekback.Wednesday},
		{"thu", weekback.Thursday},
		{"fri", weekback.Friday},
		{"sat", weekback.Saturday},
		{"sun", weekback.Sunday},
		{"Monday", weekback.Monday},
		{"tuesday", weekback.Tuesday},
		{"WEDNESDAY", weekback.Wednesday},
		{"Thursday", weekback.Thursday},
		{"friday", weekback.Friday},
		{"Saturday", weekback.Saturday},
		{"sunday", weekback.Sunday},
		{"MON", weekback.Monday},
		{"Sun", weekback.Sunday},
		{"  fri\n", weekback.Friday},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got, err := weekback.ParseWeekday(tt.in)
			if err != nil || got != tt.want {
				t.Fatalf("ParseWeekday(%q) = %q, %v, want %q, nil", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseWeekdayInvalid(t *testing.T) {
	for _, in := range []string{"", " ", "mo", "tues", "thur", "monday2", "lun", "montag", "0", "1", "7", "mon,tue", "Weekday(\"mon\")"} {
		t.Run(in, func(t *testing.T) {
			got, err := weekback.ParseWeekday(in)
			var e *weekback.Error
			if !errors.As(err, &e) || e.Code != weekback.EINVALID {
				t.Fatalf("ParseWeekday(%q) = %q, %v (%T), want an EINVALID *Error", in, got, err, err)
			}
			if got != "" {
				t.Errorf("ParseWeekday(%q) day = %q, want \"\"", in, got)
			}
			if !strings.Contains(e.Message, fmt.Sprintf("%q", in)) || !strings.Contains(e.Message, "mon, tue, wed, thu, fri, sat, sun") {
				t.Errorf("message %q, want it to quote the input and list the days", e.Message)
			}
		})
	}
}

func TestDayOf(t *testing.T) {
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	mondayNight := time.Date(2026, 11, 23, 23, 30, 0, 0, time.UTC) // a Monday in UTC
	for _, tt := range []struct {
		name string
		t    time.Time
		loc  *time.Location
		want weekback.Weekday
	}{
		{"UTC", mondayNight, time.UTC, weekback.Monday},
		{"Tokyo is already Tuesday", mondayNight, zone("Asia/Tokyo"), weekback.Tuesday},
		{"Kiritimati (+14)", mondayNight, zone("Pacific/Kiritimati"), weekback.Tuesday},
		{"Los Angeles", mondayNight, zone("America/Los_Angeles"), weekback.Monday},
		{"Pago Pago (-11)", mondayNight, zone("Pacific/Pago_Pago"), weekback.Monday},
		{"fixed +05:45", mondayNight, time.FixedZone("+0545", 5*3600+45*60), weekback.Tuesday},
		{"Monday morning UTC is Sunday in Los Angeles", time.Date(2026, 11, 23, 5, 0, 0, 0, time.UTC), zone("America/Los_Angeles"), weekback.Sunday},
		{"Sunday", time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC), time.UTC, weekback.Sunday},
		{"Sunday night UTC is Monday in Tokyo", time.Date(2026, 11, 29, 20, 0, 0, 0, time.UTC), zone("Asia/Tokyo"), weekback.Monday},
		{"the time's own zone is ignored", time.Date(2026, 11, 24, 8, 30, 0, 0, zone("Asia/Tokyo")), time.UTC, weekback.Monday},
		{"DST change day in New York", time.Date(2026, 3, 8, 6, 30, 0, 0, time.UTC), zone("America/New_York"), weekback.Sunday},
		{"Saturday", time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), time.UTC, weekback.Saturday},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := weekback.DayOf(tt.t, tt.loc); got != tt.want {
				t.Fatalf("DayOf(%s, %s) = %q, want %q", tt.t.Format(time.RFC3339), tt.loc, got, tt.want)
			}
		})
	}
}

func TestWeekdayMethods(t *testing.T) {
	for _, tt := range []struct {
		d     weekback.Weekday
		time  time.Weekday
		valid bool
		title string
	}{
		{weekback.Monday, time.Monday, true, "Monday"},
		{weekback.Tuesday, time.Tuesday, true, "Tuesday"},
		{weekback.Wednesday, time.Wednesday, true, "Wednesday"},
		{weekback.Thursday, time.Thursday, true, "Thursday"},
		{weekback.Friday, time.Friday, true, "Friday"},
		{weekback.Saturday, time.Saturday, true, "Saturday"},
		{weekback.Sunday, time.Sunday, true, "Sunday"},
		{"", -1, false, `Weekday("")`},
		{"Mon", -1, false, `Weekday("Mon")`},
		{"monday", -1, false, `Weekday("monday")`},
		{"xyz", -1, false, `Weekday("xyz")`},
	} {
		t.Run(string(tt.d), func(t *testing.T) {
			if got := tt.d.Time(); got != tt.time {
				t.Errorf("Time() = %d, want %d", got, tt.time)
			}
			if got := tt.d.Valid(); got != tt.valid {
				t.Errorf("Valid() = %v, want %v", got, tt.valid)
			}
			if got := tt.d.Title(); got != tt.title {
				t.Errorf("Title() = %q, want %q", got, tt.title)
			}
			if got := tt.d.String(); got != string(tt.d) {
				t.Errorf("String() = %q, want %q", got, string(tt.d))
			}
		})
	}
}

// TestWeekdaysRoundTrip ties the pieces together: Weekdays is Monday
// first, and each day parses back from its name and title and is the
// DayOf a date on that weekday.
func TestWeekdaysRoundTrip(t *testing.T) {
	if len(weekback.Weekdays) != 7 || weekback.Weekdays[0] != weekback.Monday || weekback.Weekdays[6] != weekback.Sunday {
		t.Fatalf("Weekdays = %v, want mon … sun", weekback.Weekdays)
	}
	monday := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for i, d := range weekback.Weekdays {
		t.Run(string(d), func(t *testing.T) {
			for _, s := range []string{d.String(), d.Title()} {
				if got, err := weekback.ParseWeekday(s); got != d || err != nil {
					t.Errorf("ParseWeekday(%q) = %q, %v, want %q", s, got, err, d)
				}
			}
			if got := weekback.DayOf(monday.AddDate(0, 0, i), time.UTC); got != d {
				t.Errorf("DayOf(Monday + %d days) = %q, want %q", i, got, d)
			}
		})
	}
}

func TestExitCode(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		code string
		exit int
	}{
		{"nil", nil, "", weekback.ExitOK},
		{"EINVALID", weekback.Errorf(weekback.EINVALID, "bad"), weekback.EINVALID, weekback.ExitUsage},
		{"EUNAVAILABLE", weekback.Errorf(weekback.EUNAVAILABLE, "down"), weekback.EUNAVAILABLE, weekback.ExitUsage},
		{"EMISMATCH", weekback.Errorf(weekback.EMISMATCH, "differs"), weekback.EMISMATCH, weekback.ExitMismatch},
		{"ENOTFOUND", weekback.Errorf(weekback.ENOTFOUND, "no such day"), weekback.ENOTFOUND, weekback.ExitFailure},
		{"ECONFLICT", weekback.Errorf(weekback.ECONFLICT, "locked"), weekback.ECONFLICT, weekback.ExitFailure},
		{"EABORTED", weekback.Errorf(weekback.EABORTED, "lost"), weekback.EABORTED, weekback.ExitFailure},
		{"EINTERNAL", weekback.Errorf(weekback.EINTERNAL, "oops"), weekback.EINTERNAL, weekback.ExitFailure},
		{"unknown code", &weekback.Error{Code: "weird"}, "weird", weekback.ExitFailure},
		{"plain error", errors.New("boom"), weekback.EINTERNAL, weekback.ExitFailure},
		{"context canceled", context.Canceled, weekback.EINTERNAL, weekback.ExitFailure},
		{"wrapped EMISMATCH", fmt.Errorf("verify: %w", weekback.Errorf(weekback.EMISMATCH, "differs")), weekback.EMISMATCH, weekback.ExitMismatch},
		{"twice wrapped EINVALID", fmt.Errorf("a: %w", fmt.Errorf("b: %w", weekback.Errorf(weekback.EINVALID, "bad"))), weekback.EINVALID, weekback.ExitUsage},
		{"joined", errors.Join(errors.New("x"), weekback.Errorf(weekback.EUNAVAILABLE, "down")), weekback.EUNAVAILABLE, weekback.ExitUsage},
		{"first *Error wins", fmt.Errorf("%w: %w", weekback.Errorf(weekback.EMISMATCH, "m"), weekback.Errorf(weekback.EINVALID, "i")), weekback.EMISMATCH, weekback.ExitMismatch},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := weekback.ErrorCode(tt.err); got != tt.code {
				t.Errorf("ErrorCode = %q, want %q", got, tt.code)
			}
			if got := weekback.ExitCode(tt.err); got != tt.exit {
				t.Errorf("ExitCode = %d, want %d", got, tt.exit)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	const internal = "internal error: see the log for details"
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"*Error", weekback.Errorf(weekback.ENOTFOUND, "no day %q", "xyz"), `no day "xyz"`},
		{"wrapped *Error shows only its own message", fmt.Errorf("load config /etc/secret: %w", weekback.Errorf(weekback.EINVALID, "fix the port")), "fix the port"},
		{"joined", errors.Join(errors.New("dial tcp 10.0.0.1"), weekback.Errorf(weekback.EUNAVAILABLE, "server down")), "server down"},
		{"plain error is not shown", errors.New("dial tcp 10.0.0.1:3306: password=hunter2"), internal},
		{"wrapped plain error", fmt.Errorf("copy table t: %w", errors.New("driver: bad connection")), internal},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := weekback.ErrorMessage(tt.err); got != tt.want {
				t.Fatalf("ErrorMessage = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestErrorf(t *testing.T) {
	e := weekback.Errorf(weekback.ECONFLICT, "day %s is locked by pid %d", weekback.Tuesday, 42)
	if e.Code != weekback.ECONFLICT || e.Message != "day tue is locked by pid 42" || e.Error() != e.Message {
		t.Fatalf("Errorf = %+v (Error() %q), want code %q and message %q", e, e.Error(), weekback.ECONFLICT, "day tue is locked by pid 42")
	}
}
