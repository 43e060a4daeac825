package auth

import (
	"testing"
	"time"

	"github.com/weekback/weekback"
)

var throttleNow = time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)

// counter is n attempts in a window that began start before throttleNow,
// the latest last before it.
func counter(n int, start, last time.Duration) weekback.LoginCounter {
	return weekback.LoginCounter{Attempts: n, WindowStart: throttleNow.Add(-start), Last: throttleNow.Add(-last)}
}

func TestThrottlePolicyReserve(t *testing.T) {
	tests := []struct {
		name  string
		c     weekback.LoginCounters
		retry time.Duration
	}{
		{"first attempt", weekback.LoginCounters{}, 0},
		{"nine from this client", weekback.LoginCounters{Pair: counter(9, time.Minute, 0)}, 0},
		{"ten from this client", weekback.LoginCounters{Pair: counter(10, 10*time.Minute, 0)}, 5 * time.Minute},
		{"ten, window just ended", weekback.LoginCounters{Pair: counter(10, 15*time.Minute, 0)}, 0},
		{"ten, window ends in 0.2s", weekback.LoginCounters{Pair: counter(10, 15*time.Minute-200*time.Millisecond, 0)}, time.Second},
		{"client at its limit", weekback.LoginCounters{Client: counter(30, 5*time.Minute, 0)}, 10 * time.Minute},
		{"login below soft limit", weekback.LoginCounters{Login: counter(19, time.Minute, 0)}, 0},
		{"login at soft limit, just tried", weekback.LoginCounters{Login: counter(20, time.Minute, 0)}, time.Second},
		{"login at soft limit, tried 1s ago", weekback.LoginCounters{Login: counter(20, time.Minute, time.Second)}, 0},
		{"login 3 past, tried 1s ago", weekback.LoginCounters{Login: counter(23, time.Minute, time.Second)}, 7 * time.Second},
		{"login far past: delay capped", weekback.LoginCounters{Login: counter(90, 50*time.Minute, 10*time.Second)}, 50 * time.Second},
		{"login window over", weekback.LoginCounters{Login: counter(90, time.Hour, 0)}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			retry := ThrottlePolicy{}.Reserve(&c, throttleNow)
			if retry != tt.retry {
				t.Fatalf("retry = %v, want %v", retry, tt.retry)
			}
			if retry > 0 && c != tt.c {
				t.Errorf("refused attempt changed the counters: %+v", c)
			}
			if retry == 0 && (c.Pair.Attempts < 1 || !c.Login.Last.Equal(throttleNow) || !c.Client.Last.Equal(throttleNow)) {
				t.Errorf("allowed attempt not counted: %+v", c)
			}
		})
	}
}

// TestThrottlePolicyCountsUntilLimit: from nothing, exactly MaxFailures
// attempts of one login from one client are allowed.
func TestThrottlePolicyCountsUntilLimit(t *testing.T) {
	var c weekback.LoginCounters
	allowed := 0
	for i := range 40 {
		if (ThrottlePolicy{}).Reserve(&c, throttleNow.Add(time.Duration(i)*time.Millisecond)) == 0 {
			allowed++
		}
	}
	if allowed != DefaultMaxFailures {
		t.Fatalf("allowed %d of 40, want %d", allowed, DefaultMaxFailures)
	}
	if c.Pair.Attempts != DefaultMaxFailures || !c.Pair.WindowStart.Equal(throttleNow) {
		t.Errorf("pair counter = %+v, want %d attempts from %v", c.Pair, DefaultMaxFailures, throttleNow)
	}
}

// TestThrottleHourlyCap: one account attacked from ever new clients, each
// attempt as soon as it is allowed, gets at most about 100 attempts an
// hour (OWASP ASVS 2.2.1) and never waits more than MaxDelay.
func TestThrottleHourlyCap(t *testing.T) {
	var login weekback.LoginCounter
	now, allowed := throttleNow, 0
	for now.Before(throttleNow.Add(time.Hour)) {
		c := weekback.LoginCounters{Login: login}
		retry := ThrottlePolicy{}.Reserve(&c, now)
		if retry > DefaultMaxDelay {
			t.Fatalf("retry %v after %d attempts, over %v", retry, allowed, DefaultMaxDelay)
		}
		if retry == 0 {
			allowed++
			login = c.Login
			continue
		}
		now = now.Add(retry)
	}
	if allowed > 100 || allowed < DefaultLoginSoftFailures {
		t.Fatalf("%d attempts in an hour, want %d..100", allowed, DefaultLoginSoftFailures)
	}
}
