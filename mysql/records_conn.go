package mysql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
)

// DefaultStmtCacheSize is how many prepared statements a connection of
// OpenReader keeps.
const DefaultStmtCacheSize = 64

// OpenReader is Open(ctx, dsn, field, RoleSource) for pools that read
// pages: each connection keeps the statements Records, Record and
// LookupUser prepare (the last DefaultStmtCacheSize of them), so the same
// page asked again costs one round trip instead of a prepare, an execute
// and a close. The server frees them when the connection closes; evicted
// ones are closed at once. Count pool connections × DefaultStmtCacheSize
// against the server's max_prepared_stmt_count (16382 by default). Errors
// as Open. The pool is safe for concurrent use.
func OpenReader(ctx context.Context, dsn, field string) (*sqlx.DB, error) {
	db, _, err := openPool(ctx, dsn, field, RoleSource, func(c driver.Connector) driver.Connector { return stmtCacheConnector{c} }, true)
	return db, err
}

// OpenProduction opens dsn (source.dsn) with RoleSource for reading
// production's users table (auth.source: production), without requiring
// production to answer now: when the server answers but refuses the
// account or the schema, or the DSN does not parse, it returns the error
// of Open; when nothing answers, it returns the pool together with that
// EUNAVAILABLE error (logins then fail until production answers). The
// pool is safe for concurrent use.
func OpenProduction(ctx context.Context, dsn, field string) (*sqlx.DB, error) {
	db, answered, err := openPool(ctx, dsn, field, RoleSource, nil, true)
	if err == nil || answered {
		return db, err
	}
	db, _, _ = openPool(ctx, dsn, field, RoleSource, nil, false)
	return db, err
}

// openPool is Open with the driver's connector wrapped by wrap (when not
// nil), pinging the server only when ping is set; answered reports whether
// the server answered the ping, even with an error.
func openPool(ctx context.Context, dsn, field string, role Role, wrap func(driver.Connector) driver.Connector,
	ping bool) (db *sqlx.DB, answered bool, err error) {
	conn, cfg, nodes, err := connector(dsn, field, role)
	if err != nil {
		return nil, false, weekback.Errorf(weekback.EINVALID, "%v", err)
	}
	if wrap != nil {
		conn = wrap(conn)
	} else {
		conn = newLeanConnector(conn, cfg, role)
	}
	db = sqlx.NewDb(sql.OpenDB(conn), "mysql")
	if !ping {
		return db, false, nil
	}
	pctx, cancel := context.WithTimeout(ctx, time.Duration(nodes)*cfg.Timeout+5*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		var me *mysql.MySQLError
		return nil, asMySQLError(err, &me), unreachable(field, cfg, err)
	}
	return db, true, nil
}

// stmtCacheConnector makes connections that cache prepared statements.
type stmtCacheConnector struct{ driver.Connector }

// Connect opens a driver connection and wraps it.
func (c stmtCacheConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &stmtCacheConn{dc: dc, stmts: map[string]*cachedStmt{}}, nil
}

// stmtCacheConn is a driver connection with a cache of prepared
// statements, used by rawConn.query. Like any driver connection it is
// used by one goroutine at a time (database/sql sees to it).
type stmtCacheConn struct {
	dc    driver.Conn
	stmts map[string]*cachedStmt
	clock uint64 // counts uses: the least recently used statement is evicted
}

type cachedStmt struct {
	st   driver.Stmt
	used uint64
}

// preparedStmt returns the statement of query, prepared on this
// connection now or earlier. The caller must not close it.
func (c *stmtCacheConn) preparedStmt(ctx context.Context, query string) (driver.Stmt, error) {
	c.clock++
	if cs := c.stmts[query]; cs != nil {
		cs.used = c.clock
		return cs.st, nil
	}
	st, err := c.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if len(c.stmts) >= DefaultStmtCacheSize {
		c.evict()
	}
	c.stmts[query] = &cachedStmt{st: st, used: c.clock}
	return st, nil
}

// evict closes and forgets the least recently used statement.
func (c *stmtCacheConn) evict() {
	var oldest string
	var at uint64
	for q, cs := range c.stmts {
		if oldest == "" || cs.used < at {
			oldest, at = q, cs.used
		}
	}
	c.stmts[oldest].st.Close()
	delete(c.stmts, oldest)
}

// errNoContext is returned if the wrapped driver lacks a context method
// (go-sql-driver/mysql has them all).
var errNoContext = errors.New("the MySQL driver lacks a context method")

// Prepare implements driver.Conn.
func (c *stmtCacheConn) Prepare(query string) (driver.Stmt, error) { return c.dc.Prepare(query) }

// Close implements driver.Conn: the server frees the cached statements.
func (c *stmtCacheConn) Close() error { return c.dc.Close() }

// Begin implements driver.Conn.
func (c *stmtCacheConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx implements driver.ConnBeginTx.
func (c *stmtCacheConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.dc.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	return nil, errNoContext
}

// PrepareContext implements driver.ConnPrepareContext.
func (c *stmtCacheConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if p, ok := c.dc.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, query)
	}
	return nil, errNoContext
}

// ExecContext implements driver.ExecerContext.
func (c *stmtCacheConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if e, ok := c.dc.(driver.ExecerContext); ok {
		return e.ExecContext(ctx, query, args)
	}
	return nil, driver.ErrSkip
}

// QueryContext implements driver.QueryerContext.
func (c *stmtCacheConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if q, ok := c.dc.(driver.QueryerContext); ok {
		return q.QueryContext(ctx, query, args)
	}
	return nil, driver.ErrSkip
}

// Ping implements driver.Pinger.
func (c *stmtCacheConn) Ping(ctx context.Context) error {
	if p, ok := c.dc.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

// ResetSession implements driver.SessionResetter.
func (c *stmtCacheConn) ResetSession(ctx context.Context) error {
	if r, ok := c.dc.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

// IsValid implements driver.Validator.
func (c *stmtCacheConn) IsValid() bool {
	if v, ok := c.dc.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// CheckNamedValue implements driver.NamedValueChecker.
func (c *stmtCacheConn) CheckNamedValue(nv *driver.NamedValue) error {
	if n, ok := c.dc.(driver.NamedValueChecker); ok {
		return n.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}
