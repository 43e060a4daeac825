package server_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/server"
)

// memSessions is a SessionStore in memory, shared by "replicas"; it
// counts Revoked calls.
type memSessions struct {
	weekback.SessionStore // login failures: not used
	mu                    sync.Mutex
	revoked               map[string]bool
	reads                 int
}

func (m *memSessions) Revoke(_ context.Context, jti string, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.revoked[jti] = true
	return nil
}

func (m *memSessions) Revoked(_ context.Context, jti string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reads++
	return m.revoked[jti], nil
}

// TestRevocationCacheAcrossReplicas: a logout on replica A is refused by A
// at once and by B once B's TTL has passed; meanwhile B reads the store
// once per TTL.
func TestRevocationCacheAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	store := &memSessions{revoked: map[string]bool{}}
	now := time.Unix(1000, 0)
	clock := func() time.Time { return now }
	a := &server.RevocationCache{SessionStore: store, TTL: 2 * time.Second, Now: clock}
	b := &server.RevocationCache{SessionStore: store, TTL: 2 * time.Second, Now: clock}
	check := func(rc *server.RevocationCache, name string, want bool) {
		t.Helper()
		got, err := rc.Revoked(ctx, "j1")
		if err != nil || got != want {
			t.Fatalf("%s: Revoked = %v, %v, want %v", name, got, err, want)
		}
	}
	check(a, "A before logout", false)
	check(b, "B before logout", false)
	check(b, "B again", false)
	if store.reads != 2 {
		t.Fatalf("store reads = %d, want 2 (one per replica within the TTL)", store.reads)
	}
	if err := a.Revoke(ctx, "j1", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	check(a, "A right after its logout", true)
	check(b, "B within its TTL", false)
	now = now.Add(2 * time.Second)
	check(b, "B after its TTL", true)
	now = now.Add(time.Hour)
	reads := store.reads
	check(b, "B later", true)
	if store.reads != reads {
		t.Fatal("a revocation was read again: it should be remembered")
	}
}

// TestRevocationCacheRefreshesEarly: past half the TTL a caller asks the
// store again, and a revocation read then is seen; a revocation by this
// replica is refused at once.
func TestRevocationCacheRefreshesEarly(t *testing.T) {
	ctx := context.Background()
	store := &memSessions{revoked: map[string]bool{}}
	now := time.Unix(1000, 0)
	rc := &server.RevocationCache{SessionStore: store, TTL: 2 * time.Second, Now: func() time.Time { return now }}
	if revoked, _ := rc.Revoked(ctx, "j1"); revoked || store.reads != 1 {
		t.Fatalf("first check: revoked=%v reads=%d, want false 1", revoked, store.reads)
	}
	now = now.Add(1500 * time.Millisecond)
	store.revoked["j1"] = true
	if revoked, _ := rc.Revoked(ctx, "j1"); !revoked || store.reads != 2 {
		t.Fatalf("past half the TTL: revoked=%v reads=%d, want true 2 (asked again)", revoked, store.reads)
	}
	if err := rc.Revoke(ctx, "j2", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if revoked, _ := rc.Revoked(ctx, "j2"); !revoked {
		t.Fatal("a session this replica revoked is not refused")
	}
}
