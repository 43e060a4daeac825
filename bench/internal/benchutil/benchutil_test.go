package benchutil

import (
	"os"
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

func TestTarget(t *testing.T) {
	tests := []struct {
		name                   string
		t                      Target
		measured, goal, result string
	}{
		{"ratio at most, met", Target{Name: "a / b", Value: 0.35, Op: AtMost, Want: 0.35}, "0.35×", "≤ 0.35×", "PASS"},
		{"ratio at most, missed", Target{Name: "a / b", Value: 0.351, Op: AtMost, Want: 0.35}, "0.35×", "≤ 0.35×", "MISS"},
		{"below is strict", Target{Name: "rss", Value: 200, Op: Below, Want: 200, Unit: "MB"}, "200.0 MB", "< 200.0 MB", "MISS"},
		{"at least, met", Target{Name: "tp", Value: 1.2, Op: AtLeast, Want: 1}, "1.20×", "≥ 1.00×", "PASS"},
		{"at least, missed", Target{Name: "tp", Value: 0.9, Op: AtLeast, Want: 1}, "0.90×", "≥ 1.00×", "MISS"},
		{"fail overrides the value", Target{Name: "p99", Value: 3, Op: Below, Want: 50, Unit: "ms", Fail: "errors"}, "3.0 ms", "< 50.0 ms", "MISS (errors)"},
		{"skipped", Target{Name: "x", Op: AtMost, Want: 1, Skip: "no mariadb-dump"}, "—", "≤ 1.00×", "SKIP (no mariadb-dump)"},
		{"unknown op never passes", Target{Name: "x", Value: 0, Op: "=", Want: 1}, "0.00×", "= 1.00×", "MISS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := []string{tt.t.Measured(), tt.t.Goal(), tt.t.Result()}
			if want := []string{tt.measured, tt.goal, tt.result}; !slices.Equal(got, want) {
				t.Fatalf("measured, goal, result = %q, want %q", got, want)
			}
		})
	}
}

func TestPrintTargetsAppendsTheSummary(t *testing.T) {
	path := t.TempDir() + "/targets.txt"
	t.Setenv(TargetsEnv, path)
	t.Setenv(NeighbourEnv, "")
	ts := []Target{{Name: "a / b", Value: 0.3, Op: AtMost, Want: 0.35}, {Name: "rss", Value: 250, Op: Below, Want: 200, Unit: "MB"}}
	var out strings.Builder
	for _, bench := range []string{"one", "two"} {
		if err := PrintTargets(&out, bench, ts); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(out.String(), "a / b   0.30×     ≤ 0.35×     PASS") {
		t.Fatalf("table:\n%s", out.String())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "one ") || !strings.HasSuffix(lines[1], "MISS") ||
		!strings.HasPrefix(lines[3], "two ") {
		t.Fatalf("summary file:\n%s", data)
	}
	t.Setenv(NeighbourEnv, "1")
	if got := SummaryLine("one", ts[0]); !strings.HasSuffix(got, "PASS  (with neighbour)\n") {
		t.Fatalf("SummaryLine with the neighbour = %q", got)
	}
}

func TestNeighbourWorkers(t *testing.T) {
	for _, tt := range []struct {
		env  string
		want int
		err  bool
	}{{"", 0, false}, {"0", 0, false}, {"1", 1, false}, {"2", 2, false}, {"yes", 0, true}, {"-1", 0, true}} {
		t.Setenv(NeighbourEnv, tt.env)
		if got, err := NeighbourWorkers(); got != tt.want || (err != nil) != tt.err {
			t.Fatalf("%s=%q: %d, %v, want %d, error %v", NeighbourEnv, tt.env, got, err, tt.want, tt.err)
		}
	}
}
