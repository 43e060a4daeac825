package auth

import (
	"time"

	"github.com/weekback/weekback"
)

// Throttle defaults. A login from one client: 10 failures in 15 minutes,
// then refused until the window ends. A client for any login: 30 in 15
// minutes. A login from every client together: past 20 failures in an
// hour, each attempt waits for a delay after the previous one that starts
// at 1 s and doubles with each further failure, up to 1 minute: at most
// about 100 failures an hour reach an account, and its real user is never
// made to wait more than a minute.
const (
	DefaultMaxFailures       = 10
	DefaultThrottleWindow    = 15 * time.Minute
	DefaultClientMaxFailures = 30
	DefaultLoginSoftFailures = 20
	DefaultLoginWindow       = time.Hour
	DefaultBaseDelay         = time.Second
	DefaultMaxDelay          = time.Minute
)

// ThrottlePolicy decides whether a login attempt may go on, from counters
// of recent attempts (weekback.LoginCounters, kept in the meta schema and
// shared by the replicas). A zero or negative field takes its Default*
// value, so the zero ThrottlePolicy is the default policy. It is a value
// with no state: safe for concurrent use.
type ThrottlePolicy struct {
	MaxFailures       int           // a login from one client: attempts within Window, then refused until it ends
	Window            time.Duration // window of the per-client counters
	ClientMaxFailures int           // a client for any login: attempts within Window
	LoginSoftFailures int           // a login from any client: attempts within LoginWindow before delays begin
	LoginWindow       time.Duration // window of the per-login counter
	BaseDelay         time.Duration // the first delay past LoginSoftFailures, doubled by each further attempt
	MaxDelay          time.Duration // the longest delay
}

// DefaultThrottlePolicy returns the policy of the Default* constants.
func DefaultThrottlePolicy() ThrottlePolicy {
	return ThrottlePolicy{}.withDefaults()
}

func (p ThrottlePolicy) withDefaults() ThrottlePolicy {
	orInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	orDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	orInt(&p.MaxFailures, DefaultMaxFailures)
	orInt(&p.ClientMaxFailures, DefaultClientMaxFailures)
	orInt(&p.LoginSoftFailures, DefaultLoginSoftFailures)
	orDur(&p.Window, DefaultThrottleWindow)
	orDur(&p.LoginWindow, DefaultLoginWindow)
	orDur(&p.BaseDelay, DefaultBaseDelay)
	orDur(&p.MaxDelay, DefaultMaxDelay)
	return p
}

// Reserve decides whether an attempt at now may go on. When it may, it
// counts the attempt in c (a counter whose window has ended starts a new
// one) and returns 0; else it leaves c alone and returns how long until
// the attempt would be allowed (at least a second). Callers reserve before
// checking the password and release (weekback.SessionStore.ReleaseLogin)
// what succeeded, so c counts failures and attempts in progress.
func (p ThrottlePolicy) Reserve(c *weekback.LoginCounters, now time.Time) time.Duration {
	p = p.withDefaults()
	next := *c
	roll(&next.Pair, p.Window, now)
	roll(&next.Client, p.Window, now)
	roll(&next.Login, p.LoginWindow, now)
	var retry time.Duration
	if next.Pair.Attempts >= p.MaxFailures {
		retry = max(retry, next.Pair.WindowStart.Add(p.Window).Sub(now))
	}
	if next.Client.Attempts >= p.ClientMaxFailures {
		retry = max(retry, next.Client.WindowStart.Add(p.Window).Sub(now))
	}
	if over := next.Login.Attempts - p.LoginSoftFailures; over >= 0 {
		retry = max(retry, next.Login.Last.Add(p.delay(over)).Sub(now))
	}
	if retry > 0 {
		return max(retry, time.Second)
	}
	for _, n := range []*weekback.LoginCounter{&next.Pair, &next.Client, &next.Login} {
		n.Attempts++
		n.Last = now
	}
	*c = next
	return 0
}

// delay is the wait after the latest attempt once a login has over
// attempts past LoginSoftFailures: BaseDelay doubled over times, at most
// MaxDelay.
func (p ThrottlePolicy) delay(over int) time.Duration {
	d := p.BaseDelay
	for range over {
		if d >= p.MaxDelay {
			break
		}
		d *= 2
	}
	return min(d, p.MaxDelay)
}

// roll starts a new window in n when its window has ended by now (or it
// has none yet).
func roll(n *weekback.LoginCounter, window time.Duration, now time.Time) {
	if n.WindowStart.IsZero() || !now.Before(n.WindowStart.Add(window)) {
		*n = weekback.LoginCounter{WindowStart: now, Last: n.Last}
	}
}

// WindowOf returns the start of the fixed Window that now falls in (the
// unit in which refused attempts are audited together).
func (p ThrottlePolicy) WindowOf(now time.Time) time.Time {
	return now.Truncate(p.withDefaults().Window)
}
