package snapshotter

import (
	"context"
	"regexp"
	"strings"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// createViews recreates the plan's views in the slot so they read the
// slot's own tables. Views that depend on other views are retried until no
// more can be created; a view that still fails is recorded with its error,
// not fatal.
func (r *run) createViews(ctx context.Context) []weekback.ViewInfo {
	views := append([]weekback.ViewInfo(nil), r.plan.Views...)
	pending := make([]int, len(views))
	for i := range views {
		pending[i] = i
	}
	for len(pending) > 0 {
		var failed []int
		for _, i := range pending {
			if err := r.createView(ctx, views[i]); err != nil {
				views[i].Error = err.Error()
				failed = append(failed, i)
			} else {
				views[i].Error = ""
			}
		}
		if len(failed) == len(pending) {
			break
		}
		pending = failed
	}
	for _, v := range views {
		if v.Error != "" {
			r.s.Logger.Warn("view not recreated in the slot (recorded in the manifest)", "view", v.Name, "err", v.Error)
		}
	}
	return views
}

func (r *run) createView(ctx context.Context, v weekback.ViewInfo) error {
	conn, err := r.s.backup.Connx(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, mysql.Tag+"USE "+mysql.QuoteIdent(r.slot)); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, mysql.Tag+slotViewDDL(v.DDL, r.plan.Schema, r.slot))
	return err
}

// definerClause matches DEFINER=user@host, or DEFINER=role (MariaDB prints
// a role definer without a host).
var definerClause = regexp.MustCompile("DEFINER=(`(?:[^`]|``)*`|[^ ]+)(?:@(`(?:[^`]|``)*`|[^ ]+))? ")

// slotViewDDL rewrites a production CREATE VIEW to read the slot: the
// source schema's qualifier becomes the slot's, the definer is dropped and
// SQL SECURITY becomes INVOKER so the reader account's own SELECT applies.
func slotViewDDL(ddl, source, slot string) string {
	ddl = definerClause.ReplaceAllString(ddl, "")
	ddl = strings.Replace(ddl, "SQL SECURITY DEFINER", "SQL SECURITY INVOKER", 1)
	return strings.ReplaceAll(ddl, mysql.QuoteIdent(source)+".", mysql.QuoteIdent(slot)+".")
}
