package mysql

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
)

// Server errors that mean a statement ran out of time.
const (
	ErrStatementTimeout = 1969 // MariaDB: max_statement_time exceeded
	ErrQueryTimeout     = 3024 // MySQL: MAX_EXECUTION_TIME exceeded
	ErrQueryInterrupted = 1317 // MySQL (older): query execution was interrupted
	ErrSortAborted      = 1028 // a filesort stopped by the limit
)

// timeoutGrace is how much longer than the server's own limit the client
// waits before it gives up on a statement (closing the connection).
const timeoutGrace = 2 * time.Second

// rawConn runs statements on one driver connection, bypassing
// database/sql so that values arrive as the driver decodes them (NULL as
// nil, bytes uncopied) and a transaction can span several statements on
// a *sqlx.Conn. With stmtReadOnly set, every query must start with
// mariaDBReadOnlyHead (query refuses any other).
type rawConn struct {
	dc           any
	stmtReadOnly bool
}

// mariaDBReadOnlyHead starts every query readOnly runs on MariaDB: the
// statement's own implicit transaction is READ ONLY.
const mariaDBReadOnlyHead = Tag + "SET STATEMENT tx_read_only=1, "

// readOnly runs fn's queries in READ ONLY transactions on conn, which
// must not be inside a transaction of its own (START TRANSACTION would
// commit it). On MariaDB each query is its own read-only transaction
// (selectHead sets tx_read_only for the statement, and queries that do not
// are refused): one round trip instead of three more for START
// TRANSACTION READ ONLY and COMMIT, which MySQL still needs because it
// cannot set the access mode for one statement. Slots never change, so
// several queries of one page need no common snapshot.
func readOnly(ctx context.Context, conn *sqlx.Conn, f flavor, fn func(rc rawConn) error) error {
	return conn.Raw(func(dc any) error {
		if f == flavorMariaDB {
			return fn(rawConn{dc: dc, stmtReadOnly: true})
		}
		rc := rawConn{dc: dc}
		if err := rc.exec(ctx, Tag+"START TRANSACTION READ ONLY"); err != nil {
			return err
		}
		if err := fn(rc); err != nil {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			rc.exec(rctx, Tag+"ROLLBACK")
			return err
		}
		return rc.exec(ctx, Tag+"COMMIT")
	})
}

func (rc rawConn) exec(ctx context.Context, query string) error {
	ex, ok := rc.dc.(driver.ExecerContext)
	if !ok {
		return errors.New("the driver cannot execute directly")
	}
	_, err := ex.ExecContext(ctx, query, nil)
	return err
}

// query runs query with args (prepared when there are any: the driver
// never interpolates) and hands the rows to fn, closing them afterwards.
// Values read from them are only valid until the next row.
func (rc rawConn) query(ctx context.Context, query string, args []any, fn func(rows driver.Rows) error) error {
	if rc.stmtReadOnly && !strings.HasPrefix(query, mariaDBReadOnlyHead) {
		return errors.New("a query outside a read-only transaction was refused")
	}
	if len(args) == 0 {
		q, ok := rc.dc.(driver.QueryerContext)
		if !ok {
			return errors.New("the driver cannot query directly")
		}
		rows, err := q.QueryContext(ctx, query, nil)
		if err != nil {
			return err
		}
		defer rows.Close()
		return fn(rows)
	}
	sq, release, err := rc.prepare(ctx, query)
	if err != nil {
		return err
	}
	defer release()
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	rows, err := sq.QueryContext(ctx, named)
	if err != nil {
		return err
	}
	defer rows.Close()
	return fn(rows)
}

// prepare returns query prepared on rc, and what to call when done with
// it: statements of the connection's cache (OpenReader) stay open, others
// are closed.
func (rc rawConn) prepare(ctx context.Context, query string) (driver.StmtQueryContext, func(), error) {
	var st driver.Stmt
	var err error
	release := func() {}
	if c, ok := rc.dc.(*stmtCacheConn); ok {
		st, err = c.preparedStmt(ctx, query)
	} else if p, ok := rc.dc.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(ctx, query)
		release = func() { st.Close() }
	} else {
		return nil, nil, errors.New("the driver cannot prepare directly")
	}
	if err != nil {
		return nil, nil, err
	}
	sq, ok := st.(driver.StmtQueryContext)
	if !ok {
		release()
		return nil, nil, errors.New("the driver cannot query a statement directly")
	}
	return sq, release, nil
}

// eachRow calls fn with the values of each row of rows.
func eachRow(rows driver.Rows, fn func(values []driver.Value) error) error {
	dest := make([]driver.Value, len(rows.Columns()))
	for {
		if err := rows.Next(dest); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if err := fn(dest); err != nil {
			return err
		}
	}
}

// selectHead returns what goes before the select list: SELECT with the
// statement's time limit (none when timeout is 0), a max_sort_length
// wide enough to sort long values whole (see sortKeyBytes) and, on
// MariaDB, a READ ONLY transaction of its own (see readOnly).
func selectHead(f flavor, timeout time.Duration) string {
	if f == flavorMySQL {
		hint := "SET_VAR(max_sort_length=" + strconv.Itoa(sortKeyBytes) + ")"
		if timeout > 0 {
			ms := max(1, (timeout+time.Millisecond-1)/time.Millisecond)
			hint = "MAX_EXECUTION_TIME(" + strconv.FormatInt(int64(ms), 10) + ") " + hint
		}
		return Tag + "SELECT /*+ " + hint + " */ "
	}
	set := "max_sort_length=" + strconv.Itoa(sortKeyBytes)
	if timeout > 0 {
		set = "max_statement_time=" + strconv.FormatFloat(timeout.Seconds(), 'f', -1, 64) + ", " + set
	}
	return mariaDBReadOnlyHead + set + " FOR SELECT "
}

// withTimeout runs fn with a context that ends timeoutGrace after the
// server's limit, and turns a statement stopped by either into the
// user's sentence.
func withTimeout(ctx context.Context, timeout time.Duration, fn func(ctx context.Context) error) error {
	if timeout <= 0 {
		return fn(ctx)
	}
	tctx, cancel := context.WithTimeout(ctx, timeout+timeoutGrace)
	defer cancel()
	err := fn(tctx)
	switch {
	case err == nil:
		return nil
	case IsErrorNumber(err, ErrStatementTimeout), IsErrorNumber(err, ErrQueryTimeout),
		IsErrorNumber(err, ErrQueryInterrupted), IsErrorNumber(err, ErrSortAborted),
		ctx.Err() == nil && tctx.Err() != nil:
		return fmt.Errorf("%w (%v)", weekback.Errorf(weekback.EINVALID,
			"the query took longer than %s; narrow the filters or sort by another column", timeout).
			WithKey("error.query_timeout", "seconds", strconv.FormatFloat(timeout.Seconds(), 'f', -1, 64)), err)
	}
	return err
}
