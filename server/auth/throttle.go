package auth

import (
	"slices"
	"time"
)

// Throttle defaults: at most 10 failed logins per account and per client
// address in 15 minutes.
const (
	DefaultMaxFailures    = 10
	DefaultThrottleWindow = 15 * time.Minute
)

// ThrottlePolicy decides when failed logins block further attempts. The
// failures themselves are counted elsewhere (the meta schema, shared by the
// replicas), separately per account and per client address. A zero or
// negative field takes its Default* value, so the zero ThrottlePolicy is the
// default policy. It is a value with no state: safe for concurrent use.
type ThrottlePolicy struct {
	MaxFailures int           // failures within Window that block
	Window      time.Duration // how long a failure counts
}

// DefaultThrottlePolicy returns the policy of the Default* constants.
func DefaultThrottlePolicy() ThrottlePolicy {
	return ThrottlePolicy{MaxFailures: DefaultMaxFailures, Window: DefaultThrottleWindow}
}

func (p ThrottlePolicy) withDefaults() ThrottlePolicy {
	if p.MaxFailures <= 0 {
		p.MaxFailures = DefaultMaxFailures
	}
	if p.Window <= 0 {
		p.Window = DefaultThrottleWindow
	}
	return p
}

// RetryAfter reports whether an attempt at now is blocked by failures (the
// times of failed logins, in any order): it is when at least MaxFailures of
// them fall inside the Window ending at now, that is after now-Window (a
// failure stamped slightly after now, by a replica whose clock runs ahead,
// counts). retry is then how long until the attempt would be allowed: until
// the oldest of the MaxFailures most recent failures leaves the window. It is
// zero when not blocked.
func (p ThrottlePolicy) RetryAfter(failures []time.Time, now time.Time) (blocked bool, retry time.Duration) {
	p = p.withDefaults()
	start := now.Add(-p.Window)
	var recent []time.Time
	for _, t := range failures {
		if t.After(start) {
			recent = append(recent, t)
		}
	}
	if len(recent) < p.MaxFailures {
		return false, 0
	}
	slices.SortFunc(recent, time.Time.Compare)
	// Allowed once all but MaxFailures-1 of the recent failures have left.
	leaves := recent[len(recent)-p.MaxFailures].Add(p.Window)
	return true, leaves.Sub(now)
}
