package compare

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// DefaultParallelism is how many tables Comparer.Tables compares at once
// between two generations (each reads two connections). With production
// on a side, tables are compared one at a time: its snapshot is one
// connection.
const DefaultParallelism = 2

// EngineVersion is the version of the results Tables returns: a stored
// change set computed by another version is computed again. Raise it
// whenever the counts of the same two copies would differ.
const EngineVersion = 1

// Comparer compares From with To. Set the fields, then call its methods;
// they are safe for concurrent use (production's side serializes its
// reads).
type Comparer struct {
	From, To *Side
	// Redaction names the credential columns: compared through their MD5,
	// never shown.
	Redaction weekback.Redaction
	// Parallelism is how many tables Tables compares at once:
	// DefaultParallelism when 0.
	Parallelism int
	// Rescan reads tables even when both manifests give them the same
	// content hash.
	Rescan bool
	// Progress, when set, is called from the comparing goroutines (one at
	// a time) as tables are read.
	Progress func(Progress)

	progressMu sync.Mutex
}

// Tables compares the named tables and returns their changes in the
// order of names (every table of either side, by name, when names is
// empty). A table on
// one side only is reported (StatusOnlyInFrom/To, its rows counted as
// deleted/added), never an error; a name on neither side is an
// ENOTFOUND *weekback.Error. Other errors are wrapped.
func (c *Comparer) Tables(ctx context.Context, names []string) ([]TableChange, error) {
	if len(names) == 0 {
		var err error
		if names, err = c.allTables(ctx); err != nil {
			return nil, err
		}
	}
	out := make([]TableChange, len(names))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.parallelism())
	var done int
	var mu sync.Mutex
	for i, name := range names {
		g.Go(func() error {
			tc, err := c.Table(gctx, name)
			if err != nil {
				return err
			}
			out[i] = *tc
			mu.Lock()
			done++
			c.report(Progress{Table: name, Rows: tc.RowsFrom, TableRows: tc.RowsFrom, TablesDone: done, Tables: len(names)})
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *Comparer) parallelism() int {
	if c.From.tx != nil || c.To.tx != nil {
		return 1
	}
	if c.Parallelism > 0 {
		return c.Parallelism
	}
	return DefaultParallelism
}

func (c *Comparer) report(p Progress) {
	if c.Progress == nil {
		return
	}
	c.progressMu.Lock()
	defer c.progressMu.Unlock()
	c.Progress(p)
}

// allTables returns the union of both sides' table names, sorted.
func (c *Comparer) allTables(ctx context.Context) ([]string, error) {
	seen := map[string]bool{}
	for _, s := range []*Side{c.From, c.To} {
		names, err := s.TableNames(ctx)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			seen[n] = true
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// Table compares one table. Errors as Tables.
func (c *Comparer) Table(ctx context.Context, name string) (*TableChange, error) {
	if tc := c.byHash(name); tc != nil {
		return tc, nil
	}
	p, err := c.plan(ctx, name)
	if err != nil {
		return nil, err
	}
	tc := &p.change
	if c.oneSided(tc) {
		return tc, nil
	}
	if dc, err := c.byDigests(ctx, p); dc != nil || err != nil {
		return dc, err
	}
	s := sink{
		from:    func(_ [][]byte, n int64) error { tc.Deleted += n; tc.RowsFrom += n; return nil },
		to:      func(_ [][]byte, n int64) error { tc.Added += n; tc.RowsTo += n; return nil },
		changed: func(_, _ [][]byte) error { tc.Changed++; tc.RowsFrom++; tc.RowsTo++; return nil },
		same:    func(n int64) { tc.RowsFrom += n; tc.RowsTo += n },
		progress: func(n int64) {
			c.report(Progress{Table: name, Rows: n, TableRows: c.manifestRows(name)})
		},
		transient: true,
	}
	from, to, err := c.specs(ctx, p, RowQuery{})
	if err != nil {
		return nil, err
	}
	if err := p.merge(ctx, from, to, s); err != nil {
		return nil, fmt.Errorf("compare table %s: %w", name, err)
	}
	if tc.Status == StatusSame && tc.Moved() > 0 {
		tc.Status = StatusChanged
	}
	return tc, nil
}

// byHash returns the change of a table both generations' manifests
// describe identically (columns, DDL, rows, content hash): nothing
// changed, and nothing needs reading. Nil when it cannot tell.
func (c *Comparer) byHash(name string) *TableChange {
	if c.Rescan || c.From.Manifest == nil || c.To.Manifest == nil {
		return nil
	}
	a, b := c.From.Manifest.Table(name), c.To.Manifest.Table(name)
	if a == nil || b == nil || a.Hash == "" || a.Hash != b.Hash || a.Rows != b.Rows || a.DDL != b.DDL || !slices.Equal(a.Columns, b.Columns) {
		return nil
	}
	return &TableChange{Table: name, RowsFrom: a.Rows, RowsTo: b.Rows, Status: StatusSame, ByHash: true}
}

// oneSided counts the rows of a table one generation alone has from its
// manifest (every row added, or deleted) instead of reading it; false
// when it cannot.
func (c *Comparer) oneSided(tc *TableChange) bool {
	switch {
	case c.Rescan:
		return false
	case tc.Status == StatusOnlyInFrom && c.From.Manifest != nil && c.From.Manifest.Table(tc.Table) != nil:
		tc.RowsFrom = c.From.Manifest.Table(tc.Table).Rows
		tc.Deleted = tc.RowsFrom
		return true
	case tc.Status == StatusOnlyInTo && c.To.Manifest != nil && c.To.Manifest.Table(tc.Table) != nil:
		tc.RowsTo = c.To.Manifest.Table(tc.Table).Rows
		tc.Added = tc.RowsTo
		return true
	}
	return false
}

func (c *Comparer) manifestRows(name string) int64 {
	if c.From.Manifest != nil {
		if t := c.From.Manifest.Table(name); t != nil {
			return t.Rows
		}
	}
	return 0
}

// specs returns the scans of both sides for q: q.Filters on the side
// whose version q's kind shows, q.After on both.
func (c *Comparer) specs(ctx context.Context, p *tablePlan, q RowQuery) (from, to scanSpec, err error) {
	from = scanSpec{side: c.From, table: p.from}
	to = scanSpec{side: c.To, table: p.to}
	primary := &from
	if q.Kind == Added {
		primary = &to
	}
	p.selectList(q.After == "" && len(q.Filters) == 0)
	for _, sp := range []*scanSpec{&from, &to} {
		if sp.table == nil {
			continue
		}
		sp.scan = mysql.Scan{Schema: sp.side.Schema, Table: sp.table.Name, List: p.list, Order: p.orderBy()}
		var conds []string
		if sp == primary && len(q.Filters) > 0 {
			cond, args, err := c.filter(ctx, p, sp, q.Filters)
			if err != nil {
				return from, to, err
			}
			conds, sp.scan.Args = append(conds, cond), append(sp.scan.Args, args...)
		}
		if q.After != "" && p.key != nil {
			cond, args, err := after(sp.table, q.After)
			if err != nil {
				return from, to, err
			}
			conds, sp.scan.Args = append(conds, cond), append(sp.scan.Args, args...)
		}
		sp.scan.Where = strings.Join(conds, " AND ")
	}
	return from, to, nil
}

func after(t *mysql.RecordTable, cursor string) (string, []any, error) {
	key, err := mysql.ParseRowKey(cursor)
	if err != nil {
		return "", nil, err
	}
	return mysql.KeyAfter(t, key)
}

func (c *Comparer) filter(ctx context.Context, p *tablePlan, sp *scanSpec, filters []weekback.Filter) (string, []any, error) {
	conn, _, release, err := sp.side.conn(ctx)
	if err != nil {
		return "", nil, err
	}
	defer release()
	return sp.side.catalog.FilterWhere(ctx, conn, sp.side.Schema, sp.table.Name, filters, p.masked())
}
