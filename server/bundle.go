package server

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/weekback/weekback"
)

// submitBundle starts a restore bundle (POST /{day}/tables/{table}/bundles)
// of the rows a records page's filters select, or a changes page's rows
// (missing_in / changed_in beside the filters), with children=1 their
// child rows too. The query is checked first, like a background export;
// the job writes the zip (package jobs, export.WriteSelectionBundle) and
// its page shows the `weekback restore --bundle` commands to run. The
// server never writes production: restoring is the CLI's.
func (s *Server) submitBundle(c *fiber.Ctx) error {
	er, err := s.parseJobForm(c)
	if err != nil {
		return err
	}
	p := principalOf(c)
	params := weekback.JobParams{Day: er.page.Gen.Day, Table: er.table, Filters: er.rq.Filters, Children: c.Query("children") == "1"}
	er.against.setParams(&params)
	j, replaced, err := s.Jobs.Submit(c.UserContext(), p.Login, weekback.JobBundle, params)
	if err != nil {
		return s.submitError(c, err)
	}
	detail := "bundle " + er.describe() + " job=" + strconv.FormatInt(j.ID, 10)
	if params.Children {
		detail += " children"
	}
	s.audit(c.UserContext(), &weekback.AuditEntry{Login: p.Login, Client: s.clientAddr(c), Action: weekback.AuditExport,
		Outcome: weekback.OutcomeOK, Day: params.Day, Table: params.Table, Detail: detail})
	return s.submitted(c, j, replaced)
}

// restoreCommands returns the commands that restore a bundle saved as
// file: the dry run, then the same with --execute.
func restoreCommands(file string) []string {
	quoted := file
	if strings.ContainsAny(file, " '\"$`\\") {
		quoted = "'" + strings.ReplaceAll(file, "'", `'\''`) + "'"
	}
	dry := "weekback restore --bundle " + quoted + " --to 'USER:PASS@tcp(HOST:3306)/SCHEMA'"
	return []string{dry, dry + " --execute"}
}
