package mysql

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
)

// SplitDSNs returns the DSNs dsn lists, one per non-blank line, trimmed:
// backup.dsn and backup.reader_dsn may name every node of a cluster
// (config keeps a YAML list as its DSNs one per line). A DSN without a
// line break gives itself.
func SplitDSNs(dsn string) []string {
	var out []string
	for line := range strings.SplitSeq(dsn, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// nodeConnector opens each connection on the node new connections last
// went to, or the next one that answers and is ready when it does not:
// a pool of several nodes fails over by itself and then stays on the node
// it moved to (its connections all on one node, so what one of them
// commits the others read at once). Safe for concurrent use.
type nodeConnector struct {
	nodes []node
	cur   atomic.Int32 // index of the node new connections try first
}

type node struct {
	addr string
	conn driver.Connector
}

// newNodeConnector returns the connector of the DSNs dsns for role, and
// the driver configuration of the first one (errors name field).
func newNodeConnector(dsns []string, field string, role Role) (*nodeConnector, *mysql.Config, error) {
	c := &nodeConnector{}
	var first *mysql.Config
	for i, dsn := range dsns {
		cfg, err := Config(dsn, fmt.Sprintf("%s[%d]", field, i), role)
		if err != nil {
			return nil, nil, err
		}
		conn, err := mysql.NewConnector(cfg)
		if err != nil {
			return nil, nil, fmt.Errorf("%s[%d]: %w", field, i, err)
		}
		if first == nil {
			first = cfg
		}
		c.nodes = append(c.nodes, node{addr: cfg.Addr, conn: conn})
	}
	return c, first, nil
}

// Connect implements driver.Connector: the first node, from the current
// one on, that accepts the connection and is ready (a Galera node in the
// primary component and synced enough to serve: wsrep_ready). It returns
// every node's error (nodeErrors) when none is.
func (c *nodeConnector) Connect(ctx context.Context) (driver.Conn, error) {
	start := int(c.cur.Load())
	var errs []error
	for i := range c.nodes {
		k := (start + i) % len(c.nodes)
		n := c.nodes[k]
		dc, err := n.conn.Connect(ctx)
		if err == nil {
			if err = nodeReady(ctx, dc); err != nil {
				dc.Close()
			}
		}
		if err == nil {
			c.cur.Store(int32(k))
			return &nodeConn{Conn: dc, addr: n.addr, failed: func() { c.cur.CompareAndSwap(int32(k), int32((k+1)%len(c.nodes))) }}, nil
		}
		errs = append(errs, fmt.Errorf("node %s: %w", n.addr, err))
		if ctx.Err() != nil {
			break
		}
	}
	return nil, nodeErrors(errs)
}

// nodeErrors is every node's error, on one line.
type nodeErrors []error

// Error implements error.
func (e nodeErrors) Error() string {
	msgs := make([]string, len(e))
	for i, err := range e {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}

// Unwrap returns the nodes' errors, for errors.Is and errors.As.
func (e nodeErrors) Unwrap() []error { return e }

// Driver implements driver.Connector.
func (c *nodeConnector) Driver() driver.Driver { return c.nodes[0].conn.Driver() }

// nodeReady returns nil when the server of dc may serve: not a Galera
// node, or one whose wsrep_ready is ON; else an ErrNotPrimary error.
func nodeReady(ctx context.Context, dc driver.Conn) error {
	q, ok := dc.(driver.QueryerContext)
	if !ok {
		return nil
	}
	rows, err := q.QueryContext(ctx, Tag+"SELECT @@wsrep_on, (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_READY')", nil)
	if IsErrorNumber(err, ErrUnknownSystemVariable) {
		return nil // MySQL: no Galera
	}
	if err != nil {
		return err
	}
	defer rows.Close()
	vals := make([]driver.Value, 2)
	if err := rows.Next(vals); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	on, ready := fmt.Sprint(vals[0]), fmt.Sprintf("%s", vals[1])
	if on == "1" && !strings.EqualFold(ready, "ON") {
		return &mysql.MySQLError{Number: ErrNotPrimary, Message: "the Galera node is not ready (wsrep_ready is " + ready + "): it is joining or outside the primary component"}
	}
	return nil
}

// ErrUnknownSystemVariable is "Unknown system variable" (1193): MySQL has
// no @@wsrep_on.
const ErrUnknownSystemVariable = 1193

// nodeConn is a connection of a nodeConnector: the driver's, which it
// remembers the node of, and given up (IsValid false) after the node
// answered it is outside the primary component, when new connections go
// to the next node.
type nodeConn struct {
	driver.Conn
	addr   string
	failed func()
	bad    atomic.Bool
}

// check notes err: a node outside the primary component ends this
// connection's use and moves new connections to the next node.
func (c *nodeConn) check(err error) error {
	if IsErrorNumber(err, ErrNotPrimary) && !c.bad.Swap(true) {
		c.failed()
	}
	return err
}

// BeginTx implements driver.ConnBeginTx.
func (c *nodeConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
	return tx, c.check(err)
}

// PrepareContext implements driver.ConnPrepareContext.
func (c *nodeConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	return st, c.check(err)
}

// ExecContext implements driver.ExecerContext.
func (c *nodeConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	res, err := c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
	return res, c.check(err)
}

// QueryContext implements driver.QueryerContext.
func (c *nodeConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
	return rows, c.check(err)
}

// Ping implements driver.Pinger.
func (c *nodeConn) Ping(ctx context.Context) error { return c.check(c.Conn.(driver.Pinger).Ping(ctx)) }

// ResetSession implements driver.SessionResetter: a connection given up
// is not used again.
func (c *nodeConn) ResetSession(ctx context.Context) error {
	if c.bad.Load() {
		return driver.ErrBadConn
	}
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}

// IsValid implements driver.Validator.
func (c *nodeConn) IsValid() bool { return !c.bad.Load() && c.Conn.(driver.Validator).IsValid() }

// CheckNamedValue implements driver.NamedValueChecker.
func (c *nodeConn) CheckNamedValue(nv *driver.NamedValue) error {
	return c.Conn.(driver.NamedValueChecker).CheckNamedValue(nv)
}

// PingNode pings db's backup server and returns the host:port of the node
// that answered (never credentials): with several nodes (backup.dsn as a
// list) the one the pool's connections go to now, else "". Errors are the
// ping's. Safe for concurrent use.
func PingNode(ctx context.Context, db *sqlx.DB) (string, error) {
	if err := db.PingContext(ctx); err != nil { // gives up broken connections first
		return "", err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	var addr string
	conn.Raw(func(dc any) error {
		if nc, ok := dc.(*nodeConn); ok {
			addr = nc.addr
		}
		return nil
	})
	return addr, conn.PingContext(ctx)
}

// connector returns the driver connector of dsn (one DSN, or several one
// per line: a nodeConnector), the configuration of its first DSN and how
// many nodes it has.
func connector(dsn, field string, role Role) (driver.Connector, *mysql.Config, int, error) {
	dsns := SplitDSNs(dsn)
	if len(dsns) > 1 {
		c, cfg, err := newNodeConnector(dsns, field, role)
		return c, cfg, len(dsns), err
	}
	cfg, err := Config(dsn, field, role)
	if err != nil {
		return nil, nil, 0, err
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("%s: %w", field, err)
	}
	return conn, cfg, 1, nil
}
