package server

import (
	"context"
	"sync"
	"time"

	"github.com/weekback/weekback"
)

// DefaultGenerationsTTL is how long a GenerationCache answers from what it
// read last.
const DefaultGenerationsTTL = time.Second

// GenerationCache is a weekback.GenerationStore that remembers for TTL
// what Store answered, so that pages neither read the meta schema nor
// decode the manifests on every request. A switch to a new slot is seen
// at most TTL later; the slot switched away from keeps serving for
// snapshot.grace_period (much longer), so pages read in between still
// work. Concurrent callers after the TTL share one read, and a failed
// read is not remembered. The generations it returns are shared: callers
// must not change them. It is safe for concurrent use.
type GenerationCache struct {
	Store weekback.GenerationStore
	TTL   time.Duration // DefaultGenerationsTTL when 0; every call reads Store when negative
	Now   func() time.Time

	mu      sync.Mutex
	gens    []*weekback.Generation
	until   time.Time
	reading chan struct{} // closed when the read in progress ends; nil when none
}

var _ weekback.GenerationStore = (*GenerationCache)(nil)

// NewGenerationCache returns a cache of store with the default TTL.
func NewGenerationCache(store weekback.GenerationStore) *GenerationCache {
	return &GenerationCache{Store: store, TTL: DefaultGenerationsTTL, Now: time.Now}
}

// Generations returns the seven days, Monday first, as Store returned them
// at most TTL ago. Errors are Store's, or ctx's while waiting for another
// caller's read.
func (gc *GenerationCache) Generations(ctx context.Context) ([]*weekback.Generation, error) {
	if gc.TTL < 0 {
		return gc.Store.Generations(ctx)
	}
	for {
		gc.mu.Lock()
		if gc.gens != nil && gc.now().Before(gc.until) {
			gens := gc.gens
			gc.mu.Unlock()
			return gens, nil
		}
		wait := gc.reading
		if wait == nil {
			gc.reading = make(chan struct{})
			gc.mu.Unlock()
			return gc.read(ctx)
		}
		gc.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// read reads Store, remembers a success and wakes the waiting callers.
func (gc *GenerationCache) read(ctx context.Context) ([]*weekback.Generation, error) {
	gens, err := gc.Store.Generations(ctx)
	gc.mu.Lock()
	defer gc.mu.Unlock()
	close(gc.reading)
	gc.reading = nil
	if err != nil {
		return nil, err
	}
	ttl := gc.TTL
	if ttl == 0 {
		ttl = DefaultGenerationsTTL
	}
	gc.gens, gc.until = gens, gc.now().Add(ttl)
	return gens, nil
}

// Generation returns one day, from Generations; an unknown day is an
// ENOTFOUND error.
func (gc *GenerationCache) Generation(ctx context.Context, day weekback.Weekday) (*weekback.Generation, error) {
	gens, err := gc.Generations(ctx)
	if err != nil {
		return nil, err
	}
	for _, g := range gens {
		if g.Day == day {
			return g, nil
		}
	}
	return nil, weekback.Errorf(weekback.ENOTFOUND, "unknown day %q", day)
}

func (gc *GenerationCache) now() time.Time {
	if gc.Now == nil {
		return time.Now()
	}
	return gc.Now()
}
