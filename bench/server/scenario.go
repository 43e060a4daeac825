package main

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// The deep scenario's walk: walkPages pages of walkPageSize rows reach row
// 100,000. pageSize is the size of every measured page.
const (
	walkPageSize = 500
	walkPages    = 200
	pageSize     = 50
)

// scenario is one measured page: its URL path, the SQL that is its floor,
// and the results.
type scenario struct {
	name     string
	path     string
	floorSQL string
	args     []any
	index    string // the index EXPLAIN says the floor query uses

	http   result
	sql    result    // the floor over database/sql at the same concurrency
	client floorCL   // the floor with the mariadb command line client, one at a time
	conc   floorConc // the same client, as many at once as HTTP clients
}

// scenarios builds the three scenarios of the benchmark; the deep one walks
// to its cursor first (untimed).
func (b *bench) scenarios(ctx context.Context, c *client) ([]*scenario, error) {
	orders := qualify(b.slot, "orders")
	first := &scenario{name: "first page",
		path:     fmt.Sprintf("/mon/tables/orders?page_size=%d", pageSize),
		floorSQL: fmt.Sprintf("SELECT * FROM %s ORDER BY id LIMIT %d", orders, pageSize+1)}
	deep, err := b.deepScenario(ctx, c, orders)
	if err != nil {
		return nil, err
	}
	// status is the leading column of idx_orders_status_ordered (status,
	// ordered_at): the filter and the sort are both served by it, no
	// filesort. customer_id is indexed too, but no customer has a page of
	// orders (at most ~30), so it would not measure a full page.
	filtered := &scenario{name: "status=paid by -ordered_at",
		path:     fmt.Sprintf("/mon/tables/orders?f.status=eq:paid&sort=-ordered_at&page_size=%d", pageSize),
		floorSQL: fmt.Sprintf("SELECT * FROM %s WHERE status = 'paid' ORDER BY ordered_at DESC, id DESC LIMIT %d", orders, pageSize+1)}
	out := []*scenario{first, deep, filtered}
	for _, s := range out {
		if s.index, err = b.explain(ctx, s); err != nil {
			return nil, err
		}
		if _, err := c.getPage(ctx, s.path); err != nil {
			return nil, fmt.Errorf("scenario %s: %w", s.name, err)
		}
		logf("scenario %s: GET %s; floor %s (index %s)", s.name, s.path, s.floorSQL, s.index)
	}
	return out, nil
}

// deepScenario follows next cursors walkPages times with walkPageSize rows
// a page and returns the scenario of the page after the last row read (row
// 100,000 at scale 1; less when the table is shorter).
func (b *bench) deepScenario(ctx context.Context, c *client, orders string) (*scenario, error) {
	path := fmt.Sprintf("/mon/tables/orders?page_size=%d", walkPageSize)
	cursor, lastKey, depth := "", "", 0
	for i := 0; i < walkPages; i++ {
		p, err := c.getPage(ctx, path)
		if err != nil {
			return nil, fmt.Errorf("walk to the deep page: %w", err)
		}
		if p.NextCursor == "" || len(p.Rows) == 0 {
			break
		}
		cursor, lastKey, depth = p.NextCursor, p.Rows[len(p.Rows)-1].Key, depth+len(p.Rows)
		path = fmt.Sprintf("/mon/tables/orders?page_size=%d&after=%s", walkPageSize, url.QueryEscape(cursor))
	}
	if cursor == "" {
		return nil, fmt.Errorf("walk to the deep page: the first page of orders has no next cursor")
	}
	id, err := strconv.ParseInt(strings.TrimSpace(lastKey), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("walk to the deep page: row key %q is not an id: %w", lastKey, err)
	}
	var want int64
	if err := b.DB.QueryRowContext(ctx, fmt.Sprintf("SELECT id FROM %s ORDER BY id LIMIT 1 OFFSET %d", orders, depth-1)).Scan(&want); err != nil {
		return nil, fmt.Errorf("check the deep page: %w", err)
	}
	if want != id {
		return nil, fmt.Errorf("walk to the deep page: row %d has id %d, the walk ended on %d", depth, want, id)
	}
	logf("walked %d pages of %d: cursor after row %d (id %d)", depth/walkPageSize, walkPageSize, depth, id)
	return &scenario{name: fmt.Sprintf("after row %d (cursor)", depth),
		path:     fmt.Sprintf("/mon/tables/orders?page_size=%d&after=%s", pageSize, url.QueryEscape(cursor)),
		floorSQL: fmt.Sprintf("SELECT * FROM %s WHERE id > ? ORDER BY id LIMIT %d", orders, pageSize+1),
		args:     []any{id}}, nil
}

// explain returns the index (and access type) MariaDB picks for s's floor
// query.
func (b *bench) explain(ctx context.Context, s *scenario) (string, error) {
	rows, err := b.DB.QueryContext(ctx, "EXPLAIN "+s.floorSQL, s.args...)
	if err != nil {
		return "", fmt.Errorf("explain %s: %w", s.name, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", fmt.Errorf("explain %s: %w", s.name, err)
	}
	var parts []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", fmt.Errorf("explain %s: %w", s.name, err)
		}
		field := func(name string) string {
			for i, c := range cols {
				if c == name && vals[i] != nil {
					return fmt.Sprintf("%s", vals[i])
				}
			}
			return "-"
		}
		parts = append(parts, fmt.Sprintf("%s/%s %s", field("type"), field("key"), field("Extra")))
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("explain %s: %w", s.name, err)
	}
	return strings.TrimSpace(strings.Join(parts, "; ")), nil
}
