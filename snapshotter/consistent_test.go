package snapshotter

import (
	"testing"
	"time"
)

func TestBinlogStatusStatement(t *testing.T) {
	for _, tc := range []struct{ version, want string }{
		{"10.11.19-MariaDB-0+deb12u1", "SHOW MASTER STATUS"},
		{"11.8.2-MariaDB", "SHOW MASTER STATUS"},
		{"5.7.44-log", "SHOW MASTER STATUS"},
		{"8.0.36", "SHOW MASTER STATUS"},
		{"8.1.0", "SHOW MASTER STATUS"},
		{"8.2.0", "SHOW BINARY LOG STATUS"},
		{"8.4.3", "SHOW BINARY LOG STATUS"},
		{"9.1.0-commercial", "SHOW BINARY LOG STATUS"},
		{"", "SHOW MASTER STATUS"},
	} {
		t.Run(tc.version, func(t *testing.T) {
			if got := binlogStatusStatement(tc.version); got != tc.want {
				t.Fatalf("binlogStatusStatement(%q) = %q, want %q", tc.version, got, tc.want)
			}
		})
	}
}

func TestParseUTC(t *testing.T) {
	got, err := parseUTC("2026-12-06 21:30:01.123456")
	if want := time.Date(2026, 12, 6, 21, 30, 1, 123456000, time.UTC); err != nil || !got.Equal(want) {
		t.Fatalf("parseUTC = %v, %v; want %v", got, err, want)
	}
	if _, err := parseUTC("not a time"); err == nil {
		t.Fatal("parseUTC of garbage: no error, want one (a zero snapshot time must not be recorded)")
	}
}
