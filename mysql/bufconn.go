package mysql

import (
	"bufio"
	"context"
	"errors"
	"net"
	"syscall"
	"time"
)

// streamReadBuffer is the read buffer of connections that stream whole
// tables (RoleSource, RoleExport). The driver reads the network 4 KiB at
// a time; a table of 140 MB then costs 34,000 read system calls, a
// measurable share of an export's CPU. Through this buffer it costs 1,100.
const streamReadBuffer = 128 << 10

// bufferedDial returns a DialFunc whose connections read through a
// buffer of size bytes. TCP connections keep alive, as the driver's own.
func bufferedDial(timeout time.Duration, size int) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		d := net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		bc := &bufferedConn{Conn: c, r: bufio.NewReaderSize(c, size)}
		noteDialed(ctx, bc)
		return bc, nil
	}
}

// bufferedConn is a net.Conn whose reads go through a bufio.Reader.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

// Read reads through the buffer.
func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// errBuffered tells the driver's liveness check that unread bytes wait in
// the buffer of an idle connection: the protocol is out of step and the
// connection must not be reused.
var errBuffered = errors.New("unread data in the buffer of an idle connection")

// SyscallConn gives the driver's liveness check (run before an idle
// connection is reused) the socket underneath, so a connection the server
// closed is still noticed.
func (c *bufferedConn) SyscallConn() (syscall.RawConn, error) {
	if c.r.Buffered() > 0 {
		return nil, errBuffered
	}
	sc, ok := c.Conn.(syscall.Conn)
	if !ok {
		return nil, errors.New("connection has no file descriptor")
	}
	return sc.SyscallConn()
}
