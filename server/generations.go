package server

import (
	"context"
	"sync"
	"time"

	"github.com/weekback/weekback"
)

// Defaults of a GenerationCache: how long it answers from what it read
// last, and how old that may be when another caller is reading anew.
const (
	DefaultGenerationsTTL      = time.Second
	DefaultGenerationsMaxStale = 5 * time.Second
)

// GenerationCache is a weekback.GenerationStore that remembers for TTL
// what Store answered, so that pages neither read the meta schema nor
// decode the manifests on every request. After TTL the next caller reads
// Store again while the others keep getting the previous answer (up to
// MaxStale old; older, they wait for the read): no request stalls behind
// the refresh. A switch to a new slot is seen about TTL later; the slot
// switched away from keeps serving for snapshot.grace_period (much
// longer), so pages read in between still work. A failed read is not
// remembered. The generations it returns are shared: callers must not
// change them. It is safe for concurrent use.
type GenerationCache struct {
	Store    weekback.GenerationStore
	TTL      time.Duration // DefaultGenerationsTTL when 0; every call reads Store when negative
	MaxStale time.Duration // DefaultGenerationsMaxStale when 0
	Now      func() time.Time

	mu      sync.Mutex
	gens    []*weekback.Generation
	at      time.Time     // when gens was read
	reading chan struct{} // closed when the read in progress ends; nil when none
}

var _ weekback.GenerationStore = (*GenerationCache)(nil)

// NewGenerationCache returns a cache of store with the default TTL.
func NewGenerationCache(store weekback.GenerationStore) *GenerationCache {
	return &GenerationCache{Store: store, TTL: DefaultGenerationsTTL, MaxStale: DefaultGenerationsMaxStale, Now: time.Now}
}

// Generations returns the seven days, Monday first, as Store returned them
// at most TTL ago, or up to MaxStale ago while another caller reads them
// anew. Errors are Store's, or ctx's while waiting for another caller's
// read.
func (gc *GenerationCache) Generations(ctx context.Context) ([]*weekback.Generation, error) {
	if gc.TTL < 0 {
		return gc.Store.Generations(ctx)
	}
	for {
		gc.mu.Lock()
		age, gens, wait := gc.now().Sub(gc.at), gc.gens, gc.reading
		switch {
		case gens != nil && age < or(gc.TTL, DefaultGenerationsTTL):
		case gens != nil && wait != nil && age < or(gc.MaxStale, DefaultGenerationsMaxStale):
		case wait == nil:
			gc.reading = make(chan struct{})
			gc.mu.Unlock()
			return gc.read(ctx)
		default:
			gens = nil
		}
		gc.mu.Unlock()
		if gens != nil {
			return gens, nil
		}
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
	gc.gens, gc.at = gens, gc.now()
	return gens, nil
}

// Invalidate forgets what was read, so that the next call reads Store
// (after a discard, the day's pages answer 410 at once).
func (gc *GenerationCache) Invalidate() {
	gc.mu.Lock()
	defer gc.mu.Unlock()
	gc.gens = nil
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

// or returns d, or def when d is 0.
func or(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}
