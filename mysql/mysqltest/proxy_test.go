package mysqltest

import (
	"context"
	"database/sql"
	"testing"
	"time"
)

// mustOpenVia opens a pool to the test server through proxy.
func mustOpenVia(tb testing.TB, proxy *Proxy) *sql.DB {
	tb.Helper()
	db, err := sql.Open("mysql", DSNVia(tb, proxy, ""))
	if err != nil {
		tb.Fatalf("open via proxy: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// timedQuery returns how long fetching n bytes from the server took.
func timedQuery(tb testing.TB, ctx context.Context, db *sql.DB, n int) time.Duration {
	tb.Helper()
	start := time.Now()
	var s string
	if err := db.QueryRowContext(ctx, "SELECT REPEAT('x', ?)", n).Scan(&s); err != nil {
		tb.Fatalf("query via proxy: %v", err)
	}
	if len(s) != n {
		tb.Fatalf("got %d bytes, want %d", len(s), n)
	}
	return time.Since(start)
}

func TestProxyPassesThrough(t *testing.T) {
	MustOpen(t)
	p := NewProxy(t, ServerAddr(t))
	db := mustOpenVia(t, p)
	var one int
	if err := db.QueryRow("SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 via proxy = %d, %v; want 1, nil", one, err)
	}
	if got := p.Conns(); got != 1 {
		t.Errorf("proxy carries %d connections, want 1", got)
	}
}

func TestProxyRate(t *testing.T) {
	MustOpen(t)
	p := NewProxy(t, ServerAddr(t))
	db := mustOpenVia(t, p)
	db.SetMaxOpenConns(1)
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}
	const size, rate = 300_000, 600_000
	p.SetRate(rate)
	took := timedQuery(t, context.Background(), db, size)
	if min := 400 * time.Millisecond; took < min {
		t.Errorf("%d bytes at %d B/s took %s, want at least %s", size, rate, took, min)
	}
	p.SetRate(0)
	if took := timedQuery(t, context.Background(), db, size); took > 400*time.Millisecond {
		t.Errorf("%d bytes unthrottled took %s, want well under 400ms", size, took)
	}
}

func TestProxySetRateZeroReleases(t *testing.T) {
	MustOpen(t)
	p := NewProxy(t, ServerAddr(t))
	db := mustOpenVia(t, p)
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}
	p.SetRate(10_000) // 1 MB would take 100 s
	done := make(chan time.Duration, 1)
	go func() { done <- timedQuery(t, context.Background(), db, 1_000_000) }()
	waitThrottling(t, p)
	released := time.Now()
	p.SetRate(0)
	select {
	case <-done:
		if since := time.Since(released); since > 2*time.Second {
			t.Errorf("query ended %s after SetRate(0), want promptly", since)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("query still throttled 10s after SetRate(0)")
	}
}

func TestProxyCutAndRestore(t *testing.T) {
	MustOpen(t)
	p := NewProxy(t, ServerAddr(t))
	db := mustOpenVia(t, p)
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.PingContext(ctx); err != nil {
		t.Fatal(err)
	}
	p.Cut()
	var one int
	if err := conn.QueryRowContext(ctx, "SELECT 1").Scan(&one); err == nil {
		t.Fatal("query on a cut connection succeeded, want an error")
	}
	fresh := mustOpenVia(t, p)
	if err := fresh.Ping(); err == nil {
		t.Fatal("new connection while cut succeeded, want refused")
	}
	p.Restore()
	if err := fresh.Ping(); err != nil {
		t.Fatalf("new connection after Restore: %v", err)
	}
}

// waitThrottling waits until the proxy holds back data: the limiter has
// reserved time beyond now.
func waitThrottling(t *testing.T, p *Proxy) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		p.lim.mu.Lock()
		ahead := time.Until(p.lim.next)
		p.lim.mu.Unlock()
		if ahead > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the proxy never throttled the query")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
