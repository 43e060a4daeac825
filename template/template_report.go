package template

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteReport writes the plan for a person: the DDL it would run (or ran,
// with what did not run after a failure) as a script in execution order,
// the identical tables it skips, and the differing tables it leaves alone
// with their differences. It returns w's error, if any.
func (p *ApplyPlan) WriteReport(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "-- template-apply into database %s\n", p.Schema)
	p.writeCreates(bw)
	p.writeExisting(bw)
	p.writeTriggers(bw)
	return bw.Flush()
}

func (p *ApplyPlan) writeCreates(w io.Writer) {
	switch {
	case len(p.Create) == 0:
		fmt.Fprintln(w, "-- no table to create: every table of the template exists")
		return
	case !p.Executed:
		fmt.Fprintf(w, "-- would create %d tables, in this order (dry run: nothing was changed):\n", len(p.Create))
	case p.Failed == "":
		fmt.Fprintf(w, "-- created %d tables, in this order:\n", len(p.Created))
	default:
		fmt.Fprintf(w, "-- STOPPED at %s: created %d of %d tables; statements marked NOT RUN did not run\n",
			oneLine(p.Failed), len(p.Created), len(p.Create))
	}
	n := 0
	for _, pt := range p.Create {
		fmt.Fprintf(w, "\n-- table %s", oneLine(pt.Name))
		if len(pt.Deferred) > 0 {
			fmt.Fprintf(w, " (without the foreign keys that close a cycle: %s; added by ALTER TABLE below)", oneLine(strings.Join(pt.Deferred, ", ")))
		}
		fmt.Fprintln(w)
		for _, stmt := range pt.Statements {
			if p.Executed && n >= p.Ran {
				fmt.Fprintln(w, "-- NOT RUN:")
			}
			fmt.Fprintf(w, "%s;\n", stmt)
			n++
		}
	}
}

func (p *ApplyPlan) writeExisting(w io.Writer) {
	if len(p.Identical) > 0 {
		fmt.Fprintf(w, "\n-- identical in %s, skipped: %s\n", p.Schema, oneLine(strings.Join(p.Identical, ", ")))
	}
	if len(p.Differ) == 0 {
		return
	}
	fmt.Fprintf(w, "\n-- different in %s, left alone (compare and change them by hand):\n", p.Schema)
	for _, d := range p.Differ {
		fmt.Fprintf(w, "--   %s:\n", oneLine(d.Table))
		for _, diff := range d.Differences {
			fmt.Fprintf(w, "--     %s\n", oneLine(diff.String()))
		}
	}
}

func (p *ApplyPlan) writeTriggers(w io.Writer) {
	var names []string
	for _, pt := range p.Create {
		for _, tr := range pt.Triggers {
			names = append(names, tr.Name+" (on "+pt.Name+")")
		}
	}
	if len(names) > 0 {
		fmt.Fprintf(w, "\n-- triggers are not created; their DDL is in the template (tables[].triggers): %s\n", oneLine(strings.Join(names, ", ")))
	}
}

// oneLine keeps a value with line breaks on one comment line.
func oneLine(s string) string {
	return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(s)
}
