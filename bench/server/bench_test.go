package main

import (
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

func TestVerdict(t *testing.T) {
	fast := []time.Duration{time.Millisecond, 2 * time.Millisecond}
	slow := []time.Duration{time.Millisecond, targetP99}
	for _, tt := range []struct {
		name string
		r    result
		want string
	}{
		{"pass", result{lat: fast}, "PASS"},
		{"slow", result{lat: slow}, "MISS (p99)"},
		{"errors", result{lat: fast, errors: 1}, "MISS (errors)"},
		{"both", result{lat: slow, errors: 2}, "MISS (p99, errors)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := verdict(tt.r); got != tt.want {
				t.Errorf("verdict = %q, want %q", got, tt.want)
			}
		})
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
