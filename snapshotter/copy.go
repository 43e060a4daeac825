package snapshotter

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	"golang.org/x/sync/errgroup"

	"github.com/weekback/weekback"
	wmysql "github.com/weekback/weekback/mysql"
)

// rowBatch is how many rows are encoded between two progress updates.
const rowBatch = 1024

// readerSeq makes every LOAD DATA reader handler name unique.
var readerSeq atomic.Int64

// tablePlan is one table to copy: its catalog entry and production DDL.
type tablePlan struct {
	*wmysql.Table
	DDL string
	// History is set for a system-versioned table whose every row version
	// is copied, with its row start and end, not only its current rows.
	History bool
}

// columns returns the columns copied and hashed: with History, the
// period's start and end too.
func (t *tablePlan) columns() []wmysql.Column {
	if t.History {
		return t.HistoryColumns()
	}
	return t.Copied()
}

// source returns the rows of t in schema that are copied and hashed.
func (t *tablePlan) source(schema string) wmysql.RowSource {
	return wmysql.RowSource{Schema: schema, Table: t.Name, History: t.History}
}

// copyTable creates t in slot and streams its rows from src (a connection
// inside the snapshot transaction) into it with one LOAD DATA LOCAL
// INFILE, then adds the deferred indexes and foreign keys. It returns the
// manifest entry with the row count and content hash of what was read.
func (r *run) copyTable(ctx context.Context, src *sqlx.Conn, t *tablePlan) (weekback.TableInfo, error) {
	info := weekback.TableInfo{Name: t.Name, DDL: t.DDL, Columns: wmysql.ColumnNames(t.columns()), History: t.History}
	ddl := splitDDL(t.DDL, autoIncColumn(t.Table))
	create, err := qualifyCreate(ddl.Create, r.slot, t.Name)
	if err != nil {
		return info, err
	}
	dst, err := r.s.loader.Connx(ctx)
	if err != nil {
		return info, fmt.Errorf("copy table %s: %w", t.Name, err)
	}
	defer dst.Close()
	if _, err := dst.ExecContext(ctx, wmysql.Tag+create); err != nil {
		return info, fmt.Errorf("create table %s: %w", t.Name, err)
	}
	resumeStats, err := r.pauseStats(ctx, dst, t)
	if err != nil {
		return info, err
	}
	started := time.Now()
	if err := r.load(ctx, src, dst, t, &info); err != nil {
		return info, fmt.Errorf("copy table %s: %w", t.Name, err)
	}
	if t.History {
		// The rows streamed are every version; the current ones are
		// counted in the same snapshot.
		info.Versions = info.Rows
		if info.Rows, err = wmysql.CountRows(ctx, src, r.s.sourceSchema, t.Name); err != nil {
			return info, err
		}
	}
	loaded := time.Now()
	if ddl.Indexes != "" {
		if _, err := dst.ExecContext(ctx, wmysql.Tag+"ALTER TABLE "+wmysql.QuoteTable(r.slot, t.Name)+" "+ddl.Indexes); err != nil {
			return info, fmt.Errorf("add indexes to %s: %w", t.Name, err)
		}
	}
	if err := resumeStats(ctx); err != nil {
		return info, err
	}
	r.s.Logger.Debug("table copied", "table", t.Name, "rows", info.Rows, "mb", float64(info.Bytes)/1e6,
		"load", loaded.Sub(started).Round(time.Millisecond), "indexes", time.Since(loaded).Round(time.Millisecond))
	return info, nil
}

// load runs the LOAD DATA on dst while a goroutine reads src and feeds it.
func (r *run) load(ctx context.Context, src, dst *sqlx.Conn, t *tablePlan, info *weekback.TableInfo) error {
	cols := t.columns()
	if len(cols) == 0 {
		return nil
	}
	pipe := newBufPipe()
	name := fmt.Sprintf("weekback-%d-%d", r.run.ID, readerSeq.Add(1))
	rows := r.loadSource(pipe, t)
	mysql.RegisterReaderHandler(name, func() io.Reader { return rows })
	defer mysql.DeregisterReaderHandler(name)

	readErr := make(chan error, 1)
	go func() {
		err := r.stream(ctx, src, t, cols, pipe, info)
		pipe.CloseWithError(err)
		readErr <- err
	}()
	load := "LOAD DATA LOCAL INFILE 'Reader::" + name + "' INTO TABLE " +
		wmysql.QuoteTable(r.slot, t.Name) + " " + loadFormat + " (" + wmysql.QuoteIdents(info.Columns) + ")"
	if t.History {
		// Lets the load set row start and end, so history rows stay history.
		load = "SET STATEMENT system_versioning_insert_history=1 FOR " + load
	}
	loadErr := execLoad(ctx, dst, wmysql.Tag+load, rows)
	pipe.Close()
	if err := <-readErr; err != nil && (loadErr == nil || !errors.Is(err, io.ErrClosedPipe)) { // a failed load closes the pipe
		return r.lost(ctx, err, "source", r.s.SourceDSN, "source.dsn", t.Name)
	}
	if loadErr != nil {
		return r.lost(ctx, loadErr, "backup", r.s.BackupDSN, "backup.dsn", t.Name)
	}
	return nil
}

// lost turns a broken connection into a sentence for the user; other
// errors are returned wrapped as they are.
func (r *run) lost(ctx context.Context, err error, side, dsn, field, table string) error {
	var netErr net.Error
	broken := errors.Is(err, mysql.ErrInvalidConn) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &netErr)
	if !broken || ctx.Err() != nil {
		return fmt.Errorf("%s: %w", side, err)
	}
	r.s.Logger.Debug("connection lost", "side", side, "table", table, "err", err)
	return weekback.Errorf(weekback.EABORTED,
		"lost the connection to the %s server at %s (%s) while copying %s; the served generation is unchanged: run the snapshot again once it is reachable",
		side, wmysql.Addr(dsn), field, table)
}

// stream reads every row of t from src, writes it to w in LOAD DATA form
// and hashes it.
func (r *run) stream(ctx context.Context, src *sqlx.Conn, t *tablePlan, cols []wmysql.Column, w *bufPipe, info *weekback.TableInfo) error {
	h := wmysql.NewRowHasher()
	buf := make([]byte, 0, 64<<10)
	var pending, pendingBytes int64
	err := wmysql.ScanSource(ctx, src, t.source(r.s.sourceSchema), cols, func(vals [][]byte) error {
		h.Add(vals)
		before := len(buf)
		buf = appendRow(buf, vals)
		n := int64(len(buf) - before)
		pendingBytes += n
		info.Bytes += n
		if len(buf) >= 48<<10 {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
		if pending++; pending == rowBatch {
			r.progress.add(pending, pendingBytes)
			pending, pendingBytes = 0, 0
		}
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := w.Write(buf); err != nil {
		return err
	}
	r.progress.add(pending, pendingBytes)
	info.Rows, info.Hash = h.Rows(), h.Hash()
	return nil
}

// addForeignKeys adds every table's foreign keys once all tables have
// their indexes (a key may reference an index another table's step adds).
// With foreign_key_checks=0 this validates nothing and copies no rows.
func (r *run) addForeignKeys(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.s.Parallelism)
	for _, t := range r.plan.Tables {
		fks := splitDDL(t.DDL, autoIncColumn(t.Table)).ForeignKeys
		if fks == "" {
			continue
		}
		g.Go(func() error {
			_, err := r.s.loader.ExecContext(gctx, wmysql.Tag+"ALTER TABLE "+wmysql.QuoteTable(r.slot, t.Name)+" "+fks)
			if err != nil {
				return fmt.Errorf("add foreign keys to %s: %w", t.Name, err)
			}
			return nil
		})
	}
	return g.Wait()
}

func autoIncColumn(t *wmysql.Table) string { return wmysql.AutoIncColumn(t) }
