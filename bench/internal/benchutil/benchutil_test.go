package benchutil

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	tests := []struct {
		name string
		in   []time.Duration
		want time.Duration
	}{
		{"one", []time.Duration{5}, 5},
		{"odd, unsorted", []time.Duration{9, 1, 5}, 5},
		{"even takes the mean of the middles", []time.Duration{4, 1, 10, 2}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.in)
			if got := Median(in); got != tt.want {
				t.Fatalf("Median(%v) = %v, want %v", tt.in, got, tt.want)
			}
			if !slices.Equal(in, tt.in) {
				t.Fatalf("Median reordered its argument: %v, want %v", in, tt.in)
			}
		})
	}
}

func TestMedianFloat(t *testing.T) {
	if got, want := Median([]float64{0.5, 2.5, 1, 3}), 1.75; got != want {
		t.Fatalf("Median = %v, want %v", got, want)
	}
}

func TestMedianProcs(t *testing.T) {
	runs := [][]ProcRSS{
		{{"mariadb-dump", 30}, {"mariadb", 7}},
		{{"mariadb-dump", 10}, {"mariadb", 9}},
		{{"mariadb-dump", 20}, {"mariadb", 8}},
	}
	want := []ProcRSS{{"mariadb-dump", 20}, {"mariadb", 8}}
	if got := MedianProcs(runs); !slices.Equal(got, want) {
		t.Fatalf("MedianProcs = %v, want %v", got, want)
	}
	if got := MedianProcs([][]ProcRSS{nil, nil}); got != nil {
		t.Fatalf("MedianProcs of server-side runs = %v, want nil", got)
	}
}

func TestFormatting(t *testing.T) {
	tests := []struct{ name, got, want string }{
		{"seconds", Seconds(2090 * time.Millisecond), "2.090s"},
		{"seconds rounds", Seconds(1234567 * time.Microsecond), "1.235s"},
		{"MB is decimal", MB(62_500), "64.0 MB"},
		{"server-side", RSSText(nil), "n/a (server-side)"},
		{"one process", RSSText([]ProcRSS{{"weekback", 100_000}}), "102.4 MB"},
		{"pipe sums both", RSSText([]ProcRSS{{"mariadb-dump", 10_000}, {"mariadb", 5_000}}),
			"15.4 MB (mariadb-dump 10.2 MB + mariadb 5.1 MB)"},
		{"pass", Verdict(true), "PASS"},
		{"miss", Verdict(false), "MISS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Fatalf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestSplitHostPort(t *testing.T) {
	tests := []struct{ addr, host, port string }{
		{"127.0.0.1:3306", "127.0.0.1", "3306"},
		{"db.example.com", "db.example.com", "3306"},
		{"[::1]:3307", "::1", "3307"},
		{"[::1]", "::1", "3306"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if host, port := SplitHostPort(tt.addr); host != tt.host || port != tt.port {
				t.Fatalf("SplitHostPort(%q) = %q, %q, want %q, %q", tt.addr, host, port, tt.host, tt.port)
			}
		})
	}
}

func TestTailBufferKeepsTheEnd(t *testing.T) {
	tb := TailBuffer{Max: 1000}
	for i := range 5000 {
		tb.Write([]byte(strings.Repeat("x", i%7) + "\n"))
	}
	if n, err := tb.Write([]byte("last line\n")); n != 10 || err != nil {
		t.Fatalf("Write = %d, %v, want 10, nil", n, err)
	}
	if n := len(tb.String()); n > 1000 {
		t.Fatalf("kept %d bytes, want at most 1000", n)
	}
	lines := strings.Split(tb.Tail(3), "\n")
	if len(lines) != 3 || lines[2] != "    last line" {
		t.Fatalf("Tail(3) = %q, want 3 lines ending with the last", lines)
	}
}

func TestTailBufferLongWrite(t *testing.T) {
	var tb TailBuffer
	p := strings.Repeat("y", DefaultTailBytes) + "end"
	if n, _ := tb.Write([]byte(p)); n != len(p) {
		t.Fatalf("Write = %d, want %d", n, len(p))
	}
	if s := tb.String(); len(s) != DefaultTailBytes || !strings.HasSuffix(s, "end") {
		t.Fatalf("kept %d bytes ending %q, want %d ending with \"end\"", len(s), s[len(s)-3:], DefaultTailBytes)
	}
	if got := new(TailBuffer).Tail(5); got != "    (no output on stderr)" {
		t.Fatalf("Tail of nothing = %q", got)
	}
}

func TestWithoutWeekbackEnv(t *testing.T) {
	got := WithoutWeekbackEnv([]string{"PATH=/bin", "WEEKBACK_SOURCE_DSN=x", "HOME=/root", "WEEKBACK_TEST_DSN=y"})
	if want := []string{"PATH=/bin", "HOME=/root"}; !slices.Equal(got, want) {
		t.Fatalf("WithoutWeekbackEnv = %v, want %v", got, want)
	}
}
