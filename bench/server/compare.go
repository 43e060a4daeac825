package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// heavyFloorQueries is how many times the floors of the changed rows run
// their query, which reads thousands of rows: fewer than the requests.
const heavyFloorQueries = 320

// compareTimeout bounds the wait for the server's comparison of Monday
// with Tuesday.
const compareTimeout = 10 * time.Minute

// compareScenarios waits until the server has compared Monday with
// Tuesday (the page answers 202 until then), then returns the compare
// pages: Tuesday's changes (served from the server's cache: no floor) and
// the first page of the orders table's changed rows, whose floor reads
// both copies' rows up to the page's last key, as the comparison does.
func (b *bench) compareScenarios(ctx context.Context, c *client) ([]*scenario, error) {
	if err := waitCompared(ctx, c, "/tue/changes"); err != nil {
		return nil, err
	}
	day := &scenario{name: "changes of the day", path: "/tue/changes", json: true}
	dayHTML := *day
	dayHTML.json = false
	path := fmt.Sprintf("/tue/tables/orders/changes?against=mon&kind=changed&page_size=%d", pageSize)
	p, err := c.getPage(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("changed orders: %w", err)
	}
	if len(p.Rows) == 0 {
		return nil, fmt.Errorf("changed orders: the page has no rows, want %d", pageSize)
	}
	last, err := strconv.ParseInt(p.Rows[len(p.Rows)-1].Key, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("changed orders: row key %q is not an id: %w", p.Rows[len(p.Rows)-1].Key, err)
	}
	rows := &scenario{name: "orders changed rows", path: path, json: true,
		floorSQL: fmt.Sprintf("SELECT * FROM %s WHERE id <= ? UNION ALL SELECT * FROM %s WHERE id <= ?",
			qualify(b.slot, "orders"), qualify(b.tue, "orders")),
		args: []any{last, last}, floorN: heavyFloorQueries}
	rowsHTML := *rows
	rowsHTML.json = false
	return []*scenario{day, &dayHTML, rows, &rowsHTML}, nil
}

// waitCompared asks for path until it answers 200 (not 202, comparing).
func waitCompared(ctx context.Context, c *client, path string) error {
	start := time.Now()
	for {
		status, body, err := c.do(ctx, http.MethodGet, path, nil, true)
		switch {
		case err != nil:
			return fmt.Errorf("get %s: %w", path, err)
		case status == http.StatusOK:
			logf("the server compared the two days in about %s", time.Since(start).Round(time.Second))
			return nil
		case status != http.StatusAccepted:
			return fmt.Errorf("get %s: status %d\n%.500s", path, status, body)
		case time.Since(start) > compareTimeout:
			return fmt.Errorf("get %s: still comparing after %s", path, compareTimeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}
