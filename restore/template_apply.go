package restore

import (
	"context"
	"errors"
	"strings"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/template"
)

// ApplyTemplate runs p's statements (template.PlanApply) in order on one
// connection of target, with foreign key checks on. It stops at the first
// failure and returns an EABORTED *weekback.Error naming the table and the
// tables created before it, which are left in place (run template-apply
// again once the cause is fixed: existing tables are then skipped). It
// records what ran in p for its WriteReport, so p must not be shared with
// another goroutine meanwhile; a plan runs once.
func ApplyTemplate(ctx context.Context, target *sqlx.DB, p *template.ApplyPlan) error {
	if p.Executed {
		return errors.New("execute template plan: the plan ran already")
	}
	p.Executed = true
	if len(p.Create) == 0 {
		return nil
	}
	conn, err := target.Connx(ctx)
	if err != nil {
		return applyAborted(p, "", err)
	}
	defer conn.Close()
	for _, pt := range p.Create {
		for i, stmt := range pt.Statements {
			if _, err := conn.ExecContext(ctx, mysql.Tag+stmt); err != nil {
				p.Failed = pt.Name
				return applyAborted(p, stepName(pt.Name, i), err)
			}
			p.Ran++
			if i == 0 {
				p.Created = append(p.Created, pt.Name)
			}
		}
	}
	return nil
}

// stepName names statement i of table's statements for an error.
func stepName(table string, i int) string {
	if i == 0 {
		return "creating table " + table
	}
	return "adding a deferred foreign key once table " + table + " existed"
}

// applyAborted describes a failure of ApplyTemplate at step ("" while
// connecting).
func applyAborted(p *template.ApplyPlan, step string, err error) error {
	var me *gomysql.MySQLError
	reason := err.Error()
	if errors.As(err, &me) {
		reason = me.Message
	}
	created := "none"
	if len(p.Created) > 0 {
		created = strings.Join(p.Created, ", ")
	}
	if step == "" {
		step = "connecting to the target"
	}
	return weekback.Errorf(weekback.EABORTED,
		"template-apply stopped %s: %s; tables created before (left in place): %s; the report shows which statements ran; fix the cause and run template-apply again: tables that exist are skipped",
		step, reason, created)
}
