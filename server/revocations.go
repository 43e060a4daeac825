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
// time: "not revoked" for TTL, "revoked" for good. Revoke passes through
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
	revoked bool
	until   time.Time
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
// store's.
func (rc *RevocationCache) Revoked(ctx context.Context, jti string) (bool, error) {
	now := rc.now()
	rc.mu.Lock()
	e, ok := rc.m[jti]
	rc.mu.Unlock()
	if ok && now.Before(e.until) {
		return e.revoked, nil
	}
	revoked, err := rc.SessionStore.Revoked(ctx, jti)
	if err != nil {
		return false, err
	}
	switch ttl := rc.ttl(); {
	case revoked:
		rc.put(jti, revocation{revoked: true, until: now.Add(revokedKeep)})
	case ttl > 0:
		rc.put(jti, revocation{until: now.Add(ttl)})
	}
	return revoked, nil
}

func (rc *RevocationCache) put(jti string, e revocation) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
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
