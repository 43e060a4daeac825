package mysqltest

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// Proxy is a TCP proxy between a client under test and a MySQL server. It
// can slow the server's answers down to a fixed rate (so a copy takes a
// predictable while) and cut every connection abruptly, as a network
// failure or a server crash would. It is safe for concurrent use.
type Proxy struct {
	tb     testing.TB
	target string
	ln     net.Listener
	lim    *limiter
	wg     sync.WaitGroup

	mu     sync.Mutex
	conns  map[*proxyConn]struct{}
	cut    bool
	closed bool
}

// proxyConn is one client connection and its connection to the target.
type proxyConn struct {
	client, server net.Conn
	done           chan struct{} // closed when the pair is closed
	once           sync.Once
}

// NewProxy starts a proxy on 127.0.0.1 (a free port) to target
// ("host:port") and closes it, with all its connections, when the test
// ends. It fails the test when it cannot listen.
func NewProxy(tb testing.TB, target string) *Proxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("proxy: listen: %v", err)
	}
	p := &Proxy{tb: tb, target: target, ln: ln, lim: newLimiter(), conns: map[*proxyConn]struct{}{}}
	p.wg.Go(p.accept)
	tb.Cleanup(p.Close)
	return p
}

// Addr returns the address clients connect to ("127.0.0.1:port").
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// SetRate limits the bytes the server sends to all clients together to
// bytesPerSecond; 0 removes the limit (and releases waiting data at once).
func (p *Proxy) SetRate(bytesPerSecond int) { p.lim.setRate(bytesPerSecond) }

// Cut closes every current connection with a TCP reset on both sides and
// refuses new ones (accepted, then reset) until Restore.
func (p *Proxy) Cut() {
	p.mu.Lock()
	p.cut = true
	conns := make([]*proxyConn, 0, len(p.conns))
	for c := range p.conns {
		conns = append(conns, c)
	}
	p.mu.Unlock()
	for _, c := range conns {
		c.close(true)
	}
}

// Restore lets new connections through again after Cut.
func (p *Proxy) Restore() {
	p.mu.Lock()
	p.cut = false
	p.mu.Unlock()
}

// Conns returns how many connections the proxy is carrying now.
func (p *Proxy) Conns() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

// Close stops the proxy, resets its connections and waits for its
// goroutines. It is safe to call more than once.
func (p *Proxy) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	p.mu.Unlock()
	p.ln.Close()
	p.Cut()
	p.wg.Wait()
}

func (p *Proxy) accept() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		refuse := p.cut || p.closed
		p.mu.Unlock()
		if refuse {
			reset(client)
			continue
		}
		p.wg.Go(func() { p.serve(client) })
	}
}

// serve dials the target for client and copies both ways until either side
// ends; then both are closed.
func (p *Proxy) serve(client net.Conn) {
	server, err := net.DialTimeout("tcp", p.target, 10*time.Second)
	if err != nil {
		reset(client)
		return
	}
	c := &proxyConn{client: client, server: server, done: make(chan struct{})}
	p.mu.Lock()
	if p.cut || p.closed {
		p.mu.Unlock()
		c.close(true)
		return
	}
	p.conns[c] = struct{}{}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.conns, c)
		p.mu.Unlock()
	}()
	var wg sync.WaitGroup
	wg.Go(func() {
		io.Copy(server, client)
		c.close(false)
	})
	wg.Go(func() {
		p.copyThrottled(c)
		c.close(false)
	})
	wg.Wait()
}

// copyThrottled copies the server's bytes to the client, waiting for the
// limiter before each chunk.
func (p *Proxy) copyThrottled(c *proxyConn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := c.server.Read(buf[:p.lim.chunk(len(buf))])
		if n > 0 {
			if !p.lim.wait(n, c.done) {
				return
			}
			if _, werr := c.client.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// close closes both sides once; abrupt sends a TCP reset instead of a FIN.
func (c *proxyConn) close(abrupt bool) {
	c.once.Do(func() {
		close(c.done)
		if abrupt {
			reset(c.client)
			reset(c.server)
			return
		}
		c.client.Close()
		c.server.Close()
	})
}

// reset closes conn with SO_LINGER 0, so the peer gets a RST.
func reset(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// limiter is a token bucket shared by all connections of a proxy: each
// chunk reserves its share of time at the current rate.
type limiter struct {
	mu      sync.Mutex
	rate    int       // bytes per second; 0 = unlimited
	next    time.Time // when the bytes reserved so far have all been sent
	changed chan struct{}
}

func newLimiter() *limiter { return &limiter{changed: make(chan struct{})} }

func (l *limiter) setRate(bytesPerSecond int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rate = max(bytesPerSecond, 0)
	l.next = time.Time{}
	close(l.changed)
	l.changed = make(chan struct{})
}

// chunk returns how many bytes to read at once: about 1/20 s worth at the
// current rate, so throttled connections interleave finely.
func (l *limiter) chunk(most int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rate == 0 {
		return most
	}
	return min(most, max(l.rate/20, 512))
}

// wait blocks until n more bytes may be sent. It returns false when done
// is closed first; a rate change releases it at once.
func (l *limiter) wait(n int, done <-chan struct{}) bool {
	l.mu.Lock()
	if l.rate == 0 {
		l.mu.Unlock()
		return true
	}
	now := time.Now()
	start := l.next
	if start.Before(now) {
		start = now
	}
	l.next = start.Add(time.Duration(float64(n) / float64(l.rate) * float64(time.Second)))
	until, changed := l.next, l.changed
	l.mu.Unlock()
	t := time.NewTimer(time.Until(until))
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-changed:
		return true
	case <-done:
		return false
	}
}

// DSNVia returns the test server's DSN with database schema, reached
// through proxy.
func DSNVia(tb testing.TB, proxy *Proxy, schema string) string {
	tb.Helper()
	cfg, err := mysql.ParseDSN(DSN(tb, schema))
	if err != nil {
		tb.Fatalf("parse WEEKBACK_TEST_DSN: %v", err)
	}
	cfg.Net, cfg.Addr = "tcp", proxy.Addr()
	return cfg.FormatDSN()
}

// ServerAddr returns the host:port of the test server, the target to give
// NewProxy. It fails the test when the server is not reached over TCP.
func ServerAddr(tb testing.TB) string {
	tb.Helper()
	cfg, err := mysql.ParseDSN(ServerDSN())
	if err != nil {
		tb.Fatalf("parse WEEKBACK_TEST_DSN: %v", err)
	}
	if cfg.Net != "tcp" {
		tb.Fatalf("WEEKBACK_TEST_DSN uses %s: a proxy needs a tcp address", cfg.Net)
	}
	return cfg.Addr
}

// DeadAddr returns a loopback address (host:port) where nothing listens:
// a server that is down, for tests of what a refused connection does.
func DeadAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
