package main

import (
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	r := result{}
	for i := 1; i <= 100; i++ {
		r.lat = append(r.lat, time.Duration(i)*time.Millisecond)
	}
	for _, tt := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 50 * time.Millisecond}, {0.9, 90 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}} {
		if got := r.percentile(tt.q); got != tt.want {
			t.Errorf("percentile(%v) = %s, want %s", tt.q, got, tt.want)
		}
	}
	if got := (result{}).percentile(0.99); got != 0 {
		t.Errorf("percentile of nothing = %s, want 0", got)
	}
}

func TestTargets(t *testing.T) {
	fast := []time.Duration{time.Millisecond, 2 * time.Millisecond}
	slow := []time.Duration{time.Millisecond, targetP99}
	scenarios := []*scenario{
		{name: "pass", json: true, http: result{lat: fast}},
		{name: "slow", http: result{lat: slow}},
		{name: "errors", json: true, http: result{lat: fast, errors: 1}},
		{name: "both", http: result{lat: slow, errors: 2}},
	}
	want := []struct{ name, measured, result string }{
		{"p99 ×32 pass (JSON)", "2.0 ms", "PASS"},
		{"p99 ×32 slow (HTML)", "50.0 ms", "MISS"},
		{"p99 ×32 errors (JSON)", "2.0 ms", "MISS (1 errors)"},
		{"p99 ×32 both (HTML)", "50.0 ms", "MISS (2 errors)"},
	}
	for i, tg := range targets(options{clients: 32}, scenarios) {
		if got := (struct{ name, measured, result string }{tg.Name, tg.Measured(), tg.Result()}); got != want[i] {
			t.Errorf("target %d = %+v, want %+v", i, got, want[i])
		}
	}
}

func TestListenAddr(t *testing.T) {
	for _, tt := range []struct{ log, want string }{
		{"time=x level=INFO msg=listening addr=127.0.0.1:41234\n", "127.0.0.1:41234"},
		{"time=x level=INFO msg=\"opening\"\ntime=y level=INFO msg=listening addr=\"[::1]:80\" x=1\n", "[::1]:80"},
		{"time=x level=INFO msg=starting\n", ""},
	} {
		if got := listenAddr(tt.log); got != tt.want {
			t.Errorf("listenAddr(%q) = %q, want %q", tt.log, got, tt.want)
		}
	}
}

func TestTimeLines(t *testing.T) {
	var tl timeLines
	out := "id\tnote\n1\t" + strings.Repeat("x", 10_000) + "\n51 rows in set (0.003 sec)\n\nid\n2 rows in s"
	for i := 0; i < len(out); i += 7 {
		tl.Write([]byte(out[i:min(i+7, len(out))]))
	}
	tl.Write([]byte("et (1.250 sec)\n"))
	want := []time.Duration{3 * time.Millisecond, 1250 * time.Millisecond}
	if len(tl.times) != 2 || tl.times[0] != want[0] || tl.times[1] != want[1] || tl.err != nil {
		t.Fatalf("times = %v (err %v), want %v", tl.times, tl.err, want)
	}
	if len(tl.line) > lineTail {
		t.Fatalf("kept %d bytes of a line, want at most %d", len(tl.line), lineTail)
	}
}
