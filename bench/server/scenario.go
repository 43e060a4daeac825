package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The deep scenario's walk: walkPages pages of walkPageSize rows reach row
// 100,000. pageSize is the size of every measured page.
const (
	walkPageSize = 500
	walkPages    = 200
	pageSize     = 50
)

// scenario is one measured page: its URL path, whether it is asked for as
// JSON, the SQL that is its floor ("" for none: a page served from the
// server's memory) and the results.
type scenario struct {
	name     string
	path     string
	json     bool
	floorSQL string
	args     []any
	index    string // the index EXPLAIN says the floor query uses
	floorN   int    // how many floor queries (at most; 0: as many as requests)

	http   result        // N clients at once
	cpu    time.Duration // weekback's CPU time per request of http
	one    result        // one client alone
	sql    result        // the floor over database/sql at the same concurrency
	client floorCL       // the floor with the mariadb command line client, one at a time
	conc   floorConc     // the same client, as many at once as HTTP clients
}

// format is JSON or HTML.
func (s *scenario) format() string {
	if s.json {
		return "JSON"
	}
	return "HTML"
}

// scenarios builds the scenarios of the benchmark: the records pages, then
// the compare pages (once the server has compared the two days); the deep
// one walks to its cursor first (untimed).
func (b *bench) scenarios(ctx context.Context, c *client) ([]*scenario, error) {
	orders := qualify(b.slot, "orders")
	first := &scenario{name: "first page", json: true,
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
	filtered := &scenario{name: "status=paid by -ordered_at", json: true,
		path:     fmt.Sprintf("/mon/tables/orders?f.status=eq:paid&sort=-ordered_at&page_size=%d", pageSize),
		floorSQL: fmt.Sprintf("SELECT * FROM %s WHERE status = 'paid' ORDER BY ordered_at DESC, id DESC LIMIT %d", orders, pageSize+1)}
	firstHTML := *first
	firstHTML.json = false
	compares, err := b.compareScenarios(ctx, c)
	if err != nil {
		return nil, err
	}
	var out []*scenario
	for _, s := range append([]*scenario{first, deep, filtered, &firstHTML}, compares...) {
		if !b.o.only.MatchString(s.name + " (" + s.format() + ")") {
			continue
		}
		if err := b.checkScenario(ctx, c, s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-only %q matches no scenario", b.o.only)
	}
	return out, nil
}

// checkScenario explains s's floor and gets its page once.
func (b *bench) checkScenario(ctx context.Context, c *client, s *scenario) error {
	if s.floorSQL != "" {
		var err error
		if s.index, err = b.explain(ctx, s); err != nil {
			return err
		}
	}
	start := time.Now()
	if status, body, err := c.do(ctx, http.MethodGet, s.path, nil, s.json); err != nil || status != http.StatusOK {
		return fmt.Errorf("scenario %s (%s): status %d, %v\n%.500s", s.name, s.format(), status, err, body)
	}
	logf("scenario %s (%s): GET %s in %s (the first time); floor %s (index %s)", s.name, s.format(), s.path,
		ms(time.Since(start)), s.floorSQL, s.index)
	return nil
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
	return &scenario{name: fmt.Sprintf("after row %d (cursor)", depth), json: true,
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
