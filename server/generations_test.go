package server_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/server"
)

// countingStore answers Generations with one ready Monday after a short
// delay, or with err, and counts the calls.
type countingStore struct {
	calls atomic.Int64
	err   error
}

func (s *countingStore) Generations(context.Context) ([]*weekback.Generation, error) {
	s.calls.Add(1)
	time.Sleep(5 * time.Millisecond)
	if s.err != nil {
		return nil, s.err
	}
	return []*weekback.Generation{{Day: weekback.Monday, Status: weekback.StatusReady, Slot: "s1"}}, nil
}

func (s *countingStore) Generation(context.Context, weekback.Weekday) (*weekback.Generation, error) {
	return nil, errors.New("not used")
}

func TestGenerationCacheReusesUntilTTL(t *testing.T) {
	store := &countingStore{}
	now := time.Unix(1000, 0)
	gc := &server.GenerationCache{Store: store, TTL: time.Second, Now: func() time.Time { return now }}
	ctx := context.Background()
	for range 3 {
		if _, err := gc.Generations(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := store.calls.Load(); got != 1 {
		t.Fatalf("reads within the TTL = %d, want 1", got)
	}
	now = now.Add(time.Second)
	g, err := gc.Generation(ctx, weekback.Monday)
	if err != nil || g.Slot != "s1" {
		t.Fatalf("Generation(mon) = %v, %v, want slot s1", g, err)
	}
	if got := store.calls.Load(); got != 2 {
		t.Fatalf("reads after the TTL = %d, want 2", got)
	}
}

func TestGenerationCacheSharesOneRead(t *testing.T) {
	store := &countingStore{}
	gc := server.NewGenerationCache(store)
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			if _, err := gc.Generations(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := store.calls.Load(); got != 1 {
		t.Fatalf("reads by 32 concurrent callers = %d, want 1", got)
	}
}

func TestGenerationCacheForgetsFailures(t *testing.T) {
	store := &countingStore{err: errors.New("backup server down")}
	gc := server.NewGenerationCache(store)
	for range 2 {
		if _, err := gc.Generations(context.Background()); err == nil {
			t.Fatal("err = nil, want the store's error")
		}
	}
	if got := store.calls.Load(); got != 2 {
		t.Fatalf("reads after failures = %d, want 2 (a failure is not remembered)", got)
	}
}

// gatedStore answers Generations when release is closed (after the first
// call, which answers at once), with a slot named after the call.
type gatedStore struct {
	countingStore
	release chan struct{}
}

func (s *gatedStore) Generations(ctx context.Context) ([]*weekback.Generation, error) {
	if s.calls.Add(1) > 1 {
		<-s.release
	}
	return []*weekback.Generation{{Day: weekback.Monday, Slot: fmt.Sprint("s", s.calls.Load())}}, nil
}

// TestGenerationCacheServesStaleWhileReading: past the TTL one caller
// reads anew; meanwhile the others get the previous answer at once, until
// it is MaxStale old.
func TestGenerationCacheServesStaleWhileReading(t *testing.T) {
	store := &gatedStore{release: make(chan struct{})}
	var mu sync.Mutex
	now := time.Unix(1000, 0)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	gc := &server.GenerationCache{Store: store, TTL: time.Second, MaxStale: 5 * time.Second, Now: clock}
	ctx := context.Background()
	if _, err := gc.Generations(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(2 * time.Second)
	mu.Unlock()
	done := make(chan string)
	go func() {
		g, _ := gc.Generations(ctx) // the reader: blocked in the store
		done <- g[0].Slot
	}()
	for store.calls.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	if g, err := gc.Generations(ctx); err != nil || g[0].Slot != "s1" {
		t.Fatalf("while another caller reads: %v, %v; want the previous answer s1 at once", g, err)
	}
	close(store.release)
	if slot := <-done; slot != "s2" {
		t.Fatalf("the reader got %s, want s2", slot)
	}
	if g, _ := gc.Generations(ctx); g[0].Slot != "s2" {
		t.Fatalf("after the read: %s, want s2", g[0].Slot)
	}
}
