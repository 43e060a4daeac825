package mysql

import (
	"context"
	"database/sql/driver"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
)

// The lean row reader (lean.go) streams result sets of the text protocol
// on go-sql-driver's own connections, reading the socket the driver
// dialled (bufferedDial) without a driver.Value per column. A connection
// is the driver's between statements: authentication, TLS negotiation,
// session variables, transactions and every other statement stay the
// driver's. Pools of the streaming roles (RoleSource, RoleExport) opened
// by Open get leanConns, except over TLS or compression, where the bytes
// on the socket are not the protocol's packets: those keep the driver's
// rows.

// driverConn is what go-sql-driver's connections implement and
// database/sql uses; leanConn forwards all of it.
type driverConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
	driver.NamedValueChecker
}

// dialedKey is the context key under which leanConnector.Connect asks
// bufferedDial to leave the connection it dials.
type dialedKey struct{}

// dialed receives the connection bufferedDial made.
type dialed struct{ conn *bufferedConn }

// noteDialed leaves c where a leanConnector waits for it, if one does.
func noteDialed(ctx context.Context, c *bufferedConn) {
	if d, ok := ctx.Value(dialedKey{}).(*dialed); ok {
		d.conn = c
	}
}

// leanConnector makes the driver's connections and wraps each in a
// leanConn that knows its socket.
type leanConnector struct {
	driver.Connector
	readTimeout, writeTimeout time.Duration
}

// newLeanConnector wraps c, a connector of cfg, when the lean reader can
// read cfg's connections (plain TCP or socket through bufferedDial, no
// TLS, no compression); otherwise it returns c.
func newLeanConnector(c driver.Connector, cfg *mysql.Config, role Role) driver.Connector {
	if role != RoleSource && role != RoleExport || cfg.TLS != nil || cfg.TLSConfig != "" && cfg.TLSConfig != "false" || compressed(cfg) {
		return c
	}
	return leanConnector{Connector: c, readTimeout: cfg.ReadTimeout, writeTimeout: cfg.WriteTimeout}
}

// compressed reports whether cfg asks for the compressed protocol (the
// driver keeps the flag unexported; its DSN shows it).
func compressed(cfg *mysql.Config) bool {
	dsn := cfg.FormatDSN()
	i := strings.LastIndexByte(dsn, '?')
	return i >= 0 && strings.Contains("&"+dsn[i+1:]+"&", "&compress=true&")
}

// Connect opens a driver connection and wraps it with the socket it was
// dialled on; a connection whose socket it did not see is returned as
// the driver made it.
func (c leanConnector) Connect(ctx context.Context) (driver.Conn, error) {
	d := &dialed{}
	dc, err := c.Connector.Connect(context.WithValue(ctx, dialedKey{}, d))
	if err != nil {
		return nil, err
	}
	full, ok := dc.(driverConn)
	if !ok || d.conn == nil {
		return dc, nil
	}
	return &leanConn{driverConn: full, nc: d.conn, readTimeout: c.readTimeout, writeTimeout: c.writeTimeout}, nil
}

// leanConn is a driver connection whose result sets the lean reader can
// stream (leanConn.scan). Like any driver connection it is used by one
// goroutine at a time.
type leanConn struct {
	driverConn
	nc                        *bufferedConn
	readTimeout, writeTimeout time.Duration
	broken                    atomic.Bool // the socket was closed under the driver: discard
	seq                       uint8
	big                       []byte // packets larger than the read buffer
	vals                      [][]byte
}

// IsValid reports false once the lean reader has given up the socket,
// so database/sql discards the connection.
func (c *leanConn) IsValid() bool { return !c.broken.Load() && c.driverConn.IsValid() }

// ResetSession refuses a connection whose socket the lean reader closed.
func (c *leanConn) ResetSession(ctx context.Context) error {
	if c.broken.Load() {
		return driver.ErrBadConn
	}
	return c.driverConn.ResetSession(ctx)
}

// breakConn closes the socket under the driver: a statement was cut off
// in the middle (cancelled, timed out, out of step), and the connection
// cannot be used again.
func (c *leanConn) breakConn() {
	if !c.broken.Swap(true) {
		c.nc.Close()
	}
}

// leanConnOf reports whether conn's statements without arguments are
// read by the lean reader.
func leanConnOf(conn *sqlx.Conn) bool {
	lean := false
	_ = conn.Raw(func(dc any) error {
		_, lean = dc.(*leanConn)
		return nil
	})
	return lean
}
