package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/server"
)

// trustXFF makes X-Forwarded-For the client address (the test's requests
// come from 0.0.0.0).
func trustXFF(s *server.Server) {
	s.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/32")}
}

func xffFrom(addr string) map[string]string { return map[string]string{"X-Forwarded-For": addr} }

// TestThrottleConcurrentAttempts: 40 concurrent wrong passwords for one
// login from one client: at most 10 reach the password check (401), the
// others are refused before it (429).
func TestThrottleConcurrentAttempts(t *testing.T) {
	f := MustOpenLoginServer(t)
	statuses := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			r := f.login(t, "argon", "wrong", "/", nil)
			mu.Lock()
			statuses[r.status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if statuses[401] > 10 || statuses[401]+statuses[429] != 40 {
		t.Fatalf("statuses = %v, want at most 10 × 401 and the rest 429", statuses)
	}
}

// TestThrottlePerClient: an attacker's failures lock only the attacker's
// client out of that login; the real user logs in from elsewhere.
func TestThrottlePerClient(t *testing.T) {
	f := MustOpenLoginServer(t, trustXFF)
	for i := range 10 {
		if r := f.login(t, "bcrypt", "wrong", "/", xffFrom("198.51.100.7")); r.status != 401 {
			t.Fatalf("failure %d = %d, want 401", i, r.status)
		}
	}
	assertThrottled(t, f.login(t, "bcrypt", testPassword, "/", xffFrom("198.51.100.7")))
	if r := f.login(t, "bcrypt", testPassword, "/", xffFrom("203.0.113.9")); r.status != 303 {
		t.Fatalf("the real user from another client = %d, want 303", r.status)
	}
	f.clock.Add(15 * time.Minute)
	if r := f.login(t, "bcrypt", testPassword, "/", xffFrom("198.51.100.7")); r.status != 303 {
		t.Fatalf("the attacker's client after the window = %d, want 303", r.status)
	}
}

// TestThrottleClientAcrossLogins: one client trying many logins is
// refused after 30 failures, whichever login it tries next.
func TestThrottleClientAcrossLogins(t *testing.T) {
	f := MustOpenLoginServer(t, trustXFF)
	for i := range 30 {
		if r := f.login(t, knownLogins[i%len(knownLogins)], "wrong", "/", xffFrom("198.51.100.7")); r.status != 401 {
			t.Fatalf("failure %d = %d, want 401", i, r.status)
		}
	}
	assertThrottled(t, f.login(t, "argon", testPassword, "/", xffFrom("198.51.100.7")))
	if r := f.login(t, "argon", testPassword, "/", xffFrom("198.51.100.8")); r.status != 303 {
		t.Fatalf("login from another client = %d, want 303", r.status)
	}
}

// TestThrottleSoftLockout: past 20 failures of one login from many
// clients, every attempt waits a delay after the previous one, doubling
// (1 s, 2 s, 4 s …); once it has passed, the right password logs in: the
// account is slowed down, never locked.
func TestThrottleSoftLockout(t *testing.T) {
	f := MustOpenLoginServer(t, trustXFF)
	for i := range 20 {
		if r := f.login(t, "bcrypt", "wrong", "/", xffFrom(fmt.Sprintf("198.51.100.%d", i+1))); r.status != 401 {
			t.Fatalf("failure %d = %d, want 401", i, r.status)
		}
	}
	for _, wait := range []int{1, 2, 4} {
		r := f.login(t, "bcrypt", testPassword, "/", xffFrom("203.0.113.9"))
		if got := r.header.Get("Retry-After"); r.status != 429 || got != strconv.Itoa(wait) || !strings.Contains(r.body, fmt.Sprintf("Try again in %d second", wait)) {
			t.Fatalf("attempt from a new client = %d, Retry-After %q; want 429, %d, saying so:\n%.1000s", r.status, got, wait, r.body)
		}
		f.clock.Add(time.Duration(wait) * time.Second)
		if r := f.login(t, "bcrypt", "wrong", "/", xffFrom("198.51.100.99")); r.status != 401 {
			t.Fatalf("attempt after %ds = %d, want 401", wait, r.status)
		}
	}
	f.clock.Add(8 * time.Second)
	if r := f.login(t, "bcrypt", testPassword, "/", xffFrom("203.0.113.9")); r.status != 303 {
		t.Fatalf("the real user after the delay = %d, want 303", r.status)
	}
}

// TestThrottledAuditedOnce: refused attempts of a login from a client are
// one audit entry per window, with their count.
func TestThrottledAuditedOnce(t *testing.T) {
	f := MustOpenLoginServer(t)
	for range 10 {
		f.login(t, "argon", "wrong", "/", nil)
	}
	for range 25 {
		assertThrottled(t, f.login(t, "argon", "wrong", "/", nil))
	}
	entries, err := f.meta.AuditEntries(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	throttled := 0
	for _, e := range entries {
		if e.Detail == "throttled" {
			throttled++
			if e.Count != 25 || e.Login != "argon" || e.Action != weekback.AuditLogin {
				t.Errorf("throttled entry = %+v, want argon's login with count 25", e)
			}
		}
	}
	if throttled != 1 || len(entries) != 11 {
		t.Fatalf("%d throttled entries of %d, want 1 of 11", throttled, len(entries))
	}
	r := f.request(t, "GET", "/audit", nil, []*http.Cookie{f.mustLogin(t, "bcrypt")}, nil)
	assertBody(t, "audit page", r.body, []string{"<td>throttled (25 attempts)</td>"}, nil)
}
