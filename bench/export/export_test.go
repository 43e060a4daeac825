package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/weekback/weekback/bench/internal/benchutil"
)

func TestSourceSchema(t *testing.T) {
	tests := []struct {
		scale float64
		want  string
	}{
		{1, "wbbench_src"},
		{0.01, "wbexpsrc_0_01"},
		{2, "wbexpsrc_2"},
	}
	for _, tt := range tests {
		if got := sourceSchema(tt.scale); got != tt.want {
			t.Fatalf("sourceSchema(%g) = %q, want %q", tt.scale, got, tt.want)
		}
	}
}

func TestParseOptions(t *testing.T) {
	o, err := parseOptions([]string{"-scale", "0.01", "-runs", "5"})
	if err != nil {
		t.Fatalf("parseOptions: %v", err)
	}
	if o.src != "wbexpsrc_0_01" || o.runs != 5 || o.bin != DefaultBin {
		t.Fatalf("options = %+v, want src wbexpsrc_0_01, runs 5, the default binary", o)
	}
	for _, args := range [][]string{{"-scale", "0"}, {"-runs", "0"}, {"-src", "wbexp_mon_r1"}, {"extra"}} {
		if _, err := parseOptions(args); err == nil {
			t.Fatalf("parseOptions(%q) succeeded, want an error", args)
		}
	}
}

func TestReport(t *testing.T) {
	sec := func(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
	rss := func(mb int64) []benchutil.ProcRSS { return []benchutil.ProcRSS{{Name: "weekback", KiB: mb * 1000}} }
	a := &method{key: "A", name: "weekback", samples: []sample{
		{1, sec(2.6), 300e6, rss(30)}, {2, sec(2.5), 300e6, rss(40)}, {3, sec(9), 300e6, rss(35)}}}
	a2 := &method{key: "A2", name: "weekback sjis", samples: []sample{{1, sec(4), 250e6, rss(70)}}}
	b := &method{key: "B", name: "outfile", samples: []sample{
		{1, sec(2), 280e6, nil}, {2, sec(2.1), 280e6, nil}, {3, sec(1.8), 280e6, nil}}}
	c := &method{key: "C", name: "client", skipped: "no client"}
	methods := []*method{a, a2, b, c}

	ratios := []struct {
		name      string
		got, want float64
	}{
		{"of the medians", throughputRatio(a, b), 2.0 / 2.6},
		{"median of the rounds'", pairedRatio(a, b), 2.0 / 2.6},
		{"of the fastest", fastestRatio(a, b), 1.8 / 2.5},
		{"with nothing to compare", pairedRatio(a, &method{}), 0},
	}
	for _, r := range ratios {
		if r.got != r.want {
			t.Fatalf("ratio %s = %v, want %v", r.name, r.got, r.want)
		}
	}
	row := methodRow(a, 2_000_000, b)
	for _, want := range []string{"2.600s", "2.500s … 9.000s", "769231", "115.4", "300.0 MB", "0.77", "35.8 MB"} {
		if !strings.Contains(row, want) {
			t.Fatalf("methodRow = %q, want it to contain %q", row, want)
		}
	}
	var out strings.Builder
	if err := printTargets(&out, methods); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"0.72×     ≥ 1.00×    MISS", "0.45×     ≥ 0.70×    MISS", "35.8 MB   < 64.0 MB  PASS", "71.7 MB   < 64.0 MB  MISS"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("targets:\n%s\nwant a line with %q", out.String(), want)
		}
	}
	if row := methodRow(c, 2_000_000, b); !strings.Contains(row, "skipped") {
		t.Fatalf("methodRow of a skipped method = %q, want skipped", row)
	}
}

func TestCheckLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.csv")
	if err := os.WriteFile(path, []byte("id,note\r\n1,a\r\n2,b\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	size, err := checkLines(path, 3)
	if err != nil || size != 19 {
		t.Fatalf("checkLines = %d, %v, want 19, nil", size, err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("file still there after checkLines (stat: %v)", err)
	}
	if err := os.WriteFile(path, []byte("1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := checkLines(path, 2); err == nil {
		t.Fatal("checkLines of a short file succeeded, want an error")
	}
}

func TestQuoteString(t *testing.T) {
	if got, want := quoteString(`/tmp/a'b\c.csv`), `'/tmp/a''b\\c.csv'`; got != want {
		t.Fatalf("quoteString = %s, want %s", got, want)
	}
}
