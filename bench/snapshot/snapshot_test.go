package main

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
			if got := median(tt.in); got != tt.want {
				t.Fatalf("median(%v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestRSSText(t *testing.T) {
	tests := []struct {
		name  string
		procs []procRSS
		want  string
	}{
		{"server-side", nil, "n/a (server-side)"},
		{"one process", []procRSS{{"weekback", 100_000}}, "102.4 MB"},
		{"pipe sums both", []procRSS{{"mariadb-dump", 10_000}, {"mariadb", 5_000}},
			"15.4 MB (mariadb-dump 10.2 MB + mariadb 5.1 MB)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rssText(tt.procs); got != tt.want {
				t.Fatalf("rssText = %q, want %q", got, tt.want)
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
			if host, port := splitHostPort(tt.addr); host != tt.host || port != tt.port {
				t.Fatalf("splitHostPort(%q) = %q, %q, want %q, %q", tt.addr, host, port, tt.host, tt.port)
			}
		})
	}
}

func TestTailBufferKeepsTheEnd(t *testing.T) {
	var tb tailBuffer
	for i := range 5000 {
		tb.Write([]byte(strings.Repeat("x", i%7) + "\n"))
	}
	tb.Write([]byte("last line\n"))
	if n := len(tb.String()); n > tailBytes {
		t.Fatalf("kept %d bytes, want at most %d", n, tailBytes)
	}
	lines := strings.Split(tb.Tail(3), "\n")
	if len(lines) != 3 || lines[2] != "    last line" {
		t.Fatalf("Tail(3) = %q, want 3 lines ending with the last", lines)
	}
}

func TestWithoutWeekbackEnv(t *testing.T) {
	got := withoutWeekbackEnv([]string{"PATH=/bin", "WEEKBACK_SOURCE_DSN=x", "HOME=/root", "WEEKBACK_TEST_DSN=y"})
	if want := []string{"PATH=/bin", "HOME=/root"}; !slices.Equal(got, want) {
		t.Fatalf("withoutWeekbackEnv = %v, want %v", got, want)
	}
}
