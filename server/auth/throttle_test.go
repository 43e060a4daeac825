package auth

import (
	"slices"
	"testing"
	"time"
)

func TestThrottlePolicyRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	// ago returns n failures, the first d before now, then one a second later each.
	ago := func(d time.Duration, n int) []time.Time {
		var ts []time.Time
		for i := range n {
			ts = append(ts, now.Add(-d+time.Duration(i)*time.Second))
		}
		return ts
	}
	tests := []struct {
		name     string
		policy   ThrottlePolicy
		failures []time.Time
		blocked  bool
		retry    time.Duration
	}{
		{"none", ThrottlePolicy{}, nil, false, 0},
		{"nine", ThrottlePolicy{}, ago(time.Minute, 9), false, 0},
		{"ten", ThrottlePolicy{}, ago(10*time.Minute, 10), true, 5 * time.Minute},
		{"ten, the oldest just inside", ThrottlePolicy{}, ago(15*time.Minute-time.Second, 10), true, time.Second},
		{"ten, the oldest on the edge", ThrottlePolicy{}, ago(15*time.Minute, 10), false, 0},
		{"ten, old ones do not count", ThrottlePolicy{}, append(ago(time.Hour, 5), ago(time.Minute, 5)...), false, 0},
		{"twelve: wait for the third oldest", ThrottlePolicy{}, ago(10*time.Minute, 12), true, 5*time.Minute + 2*time.Second},
		{"unsorted", ThrottlePolicy{}, reversed(ago(10*time.Minute, 12)), true, 5*time.Minute + 2*time.Second},
		{"a failure from a clock ahead counts", ThrottlePolicy{}, append(ago(10*time.Minute, 9), now.Add(5*time.Second)), true, 5 * time.Minute},
		{"defaults", DefaultThrottlePolicy(), ago(10*time.Minute, 10), true, 5 * time.Minute},
		{"negative takes defaults", ThrottlePolicy{MaxFailures: -1, Window: -time.Second}, ago(10*time.Minute, 10), true, 5 * time.Minute},
		{"custom, under", ThrottlePolicy{MaxFailures: 3, Window: time.Minute}, ago(30*time.Second, 2), false, 0},
		{"custom, blocked", ThrottlePolicy{MaxFailures: 3, Window: time.Minute}, ago(30*time.Second, 3), true, 30 * time.Second},
		{"custom, expired", ThrottlePolicy{MaxFailures: 3, Window: time.Minute}, ago(2*time.Minute, 3), false, 0},
		{"one is enough", ThrottlePolicy{MaxFailures: 1, Window: time.Hour}, []time.Time{now.Add(-10 * time.Minute)}, true, 50 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.failures)
			blocked, retry := tt.policy.RetryAfter(tt.failures, now)
			if blocked != tt.blocked || retry != tt.retry {
				t.Errorf("RetryAfter=(%v, %v), want (%v, %v)", blocked, retry, tt.blocked, tt.retry)
			}
			if !slices.Equal(in, tt.failures) {
				t.Error("RetryAfter changed its argument")
			}
		})
	}
}

func TestDefaultThrottlePolicy(t *testing.T) {
	if p := DefaultThrottlePolicy(); p.MaxFailures != 10 || p.Window != 15*time.Minute {
		t.Errorf("DefaultThrottlePolicy()=%+v, want 10 failures in 15m", p)
	}
}

func reversed(ts []time.Time) []time.Time {
	ts = slices.Clone(ts)
	slices.Reverse(ts)
	return ts
}
