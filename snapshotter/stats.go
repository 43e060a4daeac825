package snapshotter

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/jmoiron/sqlx"

	wmysql "github.com/weekback/weekback/mysql"
)

// statsPauseRows is the estimated row count from which a table is loaded
// with InnoDB's automatic statistics paused. While a big table fills, the
// server's statistics task keeps coming back to it (each 10 % of new rows
// asks for a recalculation) and, on MariaDB 10.11, spent as much CPU as a
// third of the load itself (docs/PERFORMANCE.md). Below this, the pause
// would cost more statements than it saves.
const statsPauseRows = 50_000

// statsAutoRecalc finds the table option STATS_AUTO_RECALC on the options
// line of SHOW CREATE TABLE (the line that closes the column list).
var statsAutoRecalc = regexp.MustCompile(`(?m)^\).*\bSTATS_AUTO_RECALC=(\w+)`)

// pauseStats turns InnoDB's automatic statistics off for t's new, still
// empty slot table when t is big, and returns what turns them back on:
// the table's own STATS_AUTO_RECALC (so that its definition reads as
// production's) and one ANALYZE TABLE, so that the served copy's
// statistics describe all of its rows. For other tables it returns a
// no-op.
func (r *run) pauseStats(ctx context.Context, dst *sqlx.Conn, t *tablePlan) (resume func(context.Context) error, err error) {
	if !strings.EqualFold(t.Engine, "InnoDB") || t.EstRows < statsPauseRows {
		return func(context.Context) error { return nil }, nil
	}
	table := wmysql.QuoteTable(r.slot, t.Name)
	if _, err := dst.ExecContext(ctx, wmysql.Tag+"ALTER TABLE "+table+" STATS_AUTO_RECALC=0"); err != nil {
		return nil, fmt.Errorf("pause the statistics of %s: %w", t.Name, err)
	}
	restore := "DEFAULT"
	if m := statsAutoRecalc.FindStringSubmatch(t.DDL); m != nil {
		restore = m[1]
	}
	return func(ctx context.Context) error {
		if _, err := dst.ExecContext(ctx, wmysql.Tag+"ALTER TABLE "+table+" STATS_AUTO_RECALC="+restore); err != nil {
			return fmt.Errorf("restore the statistics option of %s: %w", t.Name, err)
		}
		if _, err := dst.ExecContext(ctx, wmysql.Tag+"ANALYZE TABLE "+table); err != nil {
			return fmt.Errorf("analyze %s: %w", t.Name, err)
		}
		return nil
	}, nil
}
