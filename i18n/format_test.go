package i18n

import (
	"testing"
	"time"
)

func TestDates(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*60*60)
	at := time.Date(2026, 11, 23, 0, 30, 0, 0, time.UTC) // Monday 09:30 in Tokyo
	may := time.Date(2026, 5, 3, 21, 5, 9, 0, tokyo)     // Sunday
	tests := []struct {
		name, got, want string
	}{
		{"en date", en.Date(at.In(tokyo)), "Mon, Nov 23, 2026"},
		{"ja date", ja.Date(at.In(tokyo)), "2026年11月23日(月)"},
		{"fr date", fr.Date(at.In(tokyo)), "lun. 23 nov. 2026"},
		{"en datetime", en.DateTime(at, tokyo), "Mon, Nov 23, 2026 09:30"},
		{"ja datetime", ja.DateTime(at, tokyo), "2026年11月23日(月) 09:30"},
		{"fr datetime", fr.DateTime(at, tokyo), "lun. 23 nov. 2026 09:30"},
		{"en datetime UTC", en.DateTime(at, time.UTC), "Mon, Nov 23, 2026 00:30"},
		{"nil location keeps t's", ja.DateTime(may, nil), "2026年5月3日(日) 21:05"},
		{"fr may", fr.DateTime(may, nil), "dim. 3 mai 2026 21:05"},
		{"en may", en.Date(may), "Sun, May 3, 2026"},
		{"en seconds", en.DateTimeSeconds(may, nil), "Sun, May 3, 2026 21:05:09"},
		{"ja seconds", ja.DateTimeSeconds(at, tokyo), "2026年11月23日(月) 09:30:00"},
		{"fr seconds", fr.DateTimeSeconds(may, time.UTC), "dim. 3 mai 2026 12:05:09"},
		{"time", fr.Time(at, tokyo), "09:30"},
		{"time nil location", en.Time(may, nil), "21:05"},
		{"time arg", en.T("login.throttled", "time", at), "Too many failed logins. Try again in {count} minutes, after Mon, Nov 23, 2026 00:30."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Fatalf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestWeekday(t *testing.T) {
	want := map[*Localizer][7]string{
		en: {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
		ja: {"日曜日", "月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日"},
		fr: {"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"},
	}
	for l, names := range want {
		for d, name := range names {
			if got := l.Weekday(time.Weekday(d)); got != name {
				t.Errorf("%s Weekday(%v)=%q, want %q", l.Lang(), time.Weekday(d), got, name)
			}
		}
		if got := l.Weekday(9); got != time.Weekday(9).String() {
			t.Errorf("%s Weekday(9)=%q, want the Go name", l.Lang(), got)
		}
	}
}

func TestMonthsAllYear(t *testing.T) {
	for _, l := range []*Localizer{en, ja, fr} {
		for m := time.January; m <= time.December; m++ {
			got := l.Date(time.Date(2026, m, 1, 0, 0, 0, 0, time.UTC))
			if got == "" || containsPlaceholder(got) {
				t.Errorf("%s Date(%v)=%q", l.Lang(), m, got)
			}
		}
	}
}

func containsPlaceholder(s string) bool { return placeholderPattern.MatchString(s) }

func TestNumber(t *testing.T) {
	tests := []struct {
		n          int64
		en, ja, fr string
	}{
		{0, "0", "0", "0"},
		{999, "999", "999", "999"},
		{1000, "1,000", "1,000", "1\u202f000"},
		{1234567, "1,234,567", "1,234,567", "1\u202f234\u202f567"},
		{-1234567, "-1,234,567", "-1,234,567", "-1\u202f234\u202f567"},
		{9223372036854775807, "9,223,372,036,854,775,807", "9,223,372,036,854,775,807", "9\u202f223\u202f372\u202f036\u202f854\u202f775\u202f807"},
	}
	for _, tt := range tests {
		for l, want := range map[*Localizer]string{en: tt.en, ja: tt.ja, fr: tt.fr} {
			if got := l.Number(tt.n); got != want {
				t.Errorf("%s Number(%d)=%q, want %q", l.Lang(), tt.n, got, want)
			}
		}
	}
}
