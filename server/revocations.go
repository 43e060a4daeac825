package server

import (
	"context"
	"sync"
	"time"

	"github.com/weekback/weekback"
)

// DefaultRevocationTTL is how long a RevocationCache trusts that a session
// is not revoked before asking its store again: a session logged out on
// one replica is refused by every other one at most this much later (at
// once by the replica that logged it out).
const DefaultRevocationTTL = 2 * time.Second

// revokedKeep is how long a revocation is remembered: longer than any
// session lives (server.session_ttl), after which the token is refused as
// expired anyway.
const revokedKeep = 7 * 24 * time.Hour

// maxCachedRevocations bounds a RevocationCache: past it, expired entries
// are dropped, and everything if none has expired.
const maxCachedRevocations = 100_000

// RevocationCache is a weekback.SessionStore that remembers Revoked's
// answers, so that a logged-in request does not read the meta schema each
// time: "not revoked" for TTL, "revoked" for good. Past half the TTL one
// caller asks the store again while the others keep the cached answer, so
// a busy session is never stalled behind the check. Revoke passes through
// and is remembered at once. Everything else is the wrapped store's. It is
// safe for concurrent use.
type RevocationCache struct {
	weekback.SessionStore
	TTL time.Duration // DefaultRevocationTTL when 0; no caching of "not revoked" when negative
	Now func() time.Time

	mu sync.Mutex
	m  map[string]revocation
}

type revocation struct {
	revoked    bool
	soft       time.Time // from then on, one caller asks the store again
	until      time.Time // from then on, every caller does
	refreshing bool      // a caller is asking
}

var _ weekback.SessionStore = (*RevocationCache)(nil)

// NewRevocationCache returns a cache of store with the default TTL.
func NewRevocationCache(store weekback.SessionStore) *RevocationCache {
	return &RevocationCache{SessionStore: store, TTL: DefaultRevocationTTL, Now: time.Now}
}

// Revoke revokes jti in the store and remembers it. Errors are the store's
// (and then nothing is remembered).
func (rc *RevocationCache) Revoke(ctx context.Context, jti string, expires time.Time) error {
	if err := rc.SessionStore.Revoke(ctx, jti, expires); err != nil {
		return err
	}
	rc.put(jti, revocation{revoked: true, until: rc.now().Add(revokedKeep)})
	return nil
}

// Revoked reports whether jti was revoked, asking the store when the
// cache does not know (or no longer trusts) the answer. Errors are the
// store's; while the cached answer is still valid, a failed refresh
// returns it.
func (rc *RevocationCache) Revoked(ctx context.Context, jti string) (bool, error) {
	now := rc.now()
	rc.mu.Lock()
	e, ok := rc.m[jti]
	valid := ok && now.Before(e.until)
	refresh := valid && !e.revoked && !now.Before(e.soft) && !e.refreshing
	if refresh {
		e.refreshing = true
		rc.m[jti] = e
	}
	rc.mu.Unlock()
	if valid && !refresh {
		return e.revoked, nil
	}
	revoked, err := rc.SessionStore.Revoked(ctx, jti)
	switch ttl := rc.ttl(); {
	case err != nil && refresh:
		e.refreshing = false
		rc.put(jti, e)
		return e.revoked, nil
	case err != nil:
		return false, err
	case revoked:
		rc.put(jti, revocation{revoked: true, until: now.Add(revokedKeep)})
	case ttl > 0:
		rc.put(jti, revocation{soft: now.Add(ttl / 2), until: now.Add(ttl)})
	}
	return revoked, nil
}

// put remembers e for jti, unless jti is known revoked (revocations stick:
// an answer read before a concurrent Revoke must not undo it).
func (rc *RevocationCache) put(jti string, e revocation) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if old, ok := rc.m[jti]; ok && old.revoked && !e.revoked {
		return
	}
	if rc.m == nil {
		rc.m = map[string]revocation{}
	}
	if len(rc.m) >= maxCachedRevocations {
		now := rc.now()
		for k, old := range rc.m {
			if !now.Before(old.until) {
				delete(rc.m, k)
			}
		}
		if len(rc.m) >= maxCachedRevocations {
			clear(rc.m)
		}
	}
	rc.m[jti] = e
}

func (rc *RevocationCache) ttl() time.Duration {
	if rc.TTL == 0 {
		return DefaultRevocationTTL
	}
	return rc.TTL
}

func (rc *RevocationCache) now() time.Time {
	if rc.Now == nil {
		return time.Now()
	}
	return rc.Now()
}
