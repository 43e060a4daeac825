package server

import (
	"net/netip"
	"testing"
)

func TestClientAddress(t *testing.T) {
	trusted, err := ParseTrustedProxies([]string{"10.0.0.0/8", "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"no header", "203.0.113.5", nil, "203.0.113.5"},
		{"untrusted peer ignores header", "203.0.113.5", []string{"198.51.100.1"}, "203.0.113.5"},
		{"trusted peer", "10.1.2.3", []string{"198.51.100.1"}, "198.51.100.1"},
		{"forged left entries skipped", "10.1.2.3", []string{"1.1.1.1, 198.51.100.1, 10.9.9.9"}, "198.51.100.1"},
		{"several headers", "192.0.2.1", []string{"1.1.1.1", "198.51.100.2"}, "198.51.100.2"},
		{"all trusted", "10.1.2.3", []string{"10.0.0.1, 10.0.0.2"}, "10.0.0.1"},
		{"with port", "10.1.2.3", []string{"198.51.100.3:4711"}, "198.51.100.3"},
		{"malformed stops at the proxy", "10.1.2.3", []string{"198.51.100.1, bogus"}, "10.1.2.3"},
		{"mapped peer", "::ffff:10.1.2.3", []string{"198.51.100.4"}, "198.51.100.4"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := clientAddress(netip.MustParseAddr(tt.peer), tt.xff, trusted).String()
			if got != tt.want {
				t.Fatalf("client = %s, want %s", got, tt.want)
			}
		})
	}
	if _, err := ParseTrustedProxies([]string{"not-an-ip"}); err == nil {
		t.Fatal("ParseTrustedProxies accepted not-an-ip")
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/mon/":                      "/mon/",
		"/mon/tables/t?f.a=eq:1#x":   "/mon/tables/t?f.a=eq:1#x",
		"//evil.example":             "/",
		"https://evil.example":       "/",
		`/\evil`:                     "/",
		"/%2F/evil.example":          "/",
		"javascript:alert(1)":        "/",
		"/\r\nSet-Cookie:x=1":        "/",
		"":                           "/",
		"mon/":                       "/",
		"/login?next=//evil.example": "/login?next=//evil.example",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
