package restore

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteReport writes the plan for people: per table in load order the
// rows to insert, identical (skipped), conflicting (with the differing
// fields) and set back, the triggers and the columns written back, the
// cycle groups, the tables to create, the rows without a parent, what
// cascades would touch and, once executed, what was written and verified.
// It returns w's error.
func (p *Plan) WriteReport(w io.Writer) error {
	b := bufio.NewWriter(w)
	p.writeHead(b)
	p.writeCreate(b)
	fmt.Fprintf(b, "  %-24s %9s %9s %9s %9s %9s\n", "table (load order)", "selected", p.verb("insert", "inserted"), "identical", "conflicts", p.verb("set back", "set back"))
	for _, tp := range p.Tables {
		p.reportTable(b, tp)
	}
	p.writeCascades(b)
	p.writeOrphans(b)
	p.writeAdvice(b)
	return b.Flush()
}

func (p *Plan) writeHead(b *bufio.Writer) {
	what := fmt.Sprintf("restore from %s into %s", p.Day, p.Schema)
	if p.Bundle != "" {
		what = fmt.Sprintf("restore from bundle %s (%s) into %s", p.Bundle, p.Day, p.Schema)
	}
	if p.Executed {
		fmt.Fprintf(b, "%s: written\n", what)
		return
	}
	fmt.Fprintf(b, "%s: dry run, nothing was written\n", what)
}

func (p *Plan) verb(future, past string) string {
	if p.Executed {
		return past
	}
	return future
}

func (p *Plan) writeCreate(b *bufio.Writer) {
	if p.Create == nil || len(p.Create.Create) == 0 {
		return
	}
	fmt.Fprintln(b, "tables to create first, from the day's production DDL (foreign keys closing a cycle added by ALTER TABLE after):")
	for _, pt := range p.Create.Create {
		fmt.Fprintf(b, "  %s\n", pt.Name)
		for _, stmt := range pt.Statements[1:] {
			fmt.Fprintf(b, "    then: %s\n", stmt)
		}
	}
	if len(p.Objects) > 0 {
		fmt.Fprintln(b, "views and triggers of the day, listed here and NOT created (create them by hand if production needs them):")
		for _, o := range p.Objects {
			fmt.Fprintf(b, "  %s\n", strings.ReplaceAll(o, "\n", " "))
		}
	}
}

func (p *Plan) reportTable(b *bufio.Writer, tp *TablePlan) {
	insert := tp.Insert
	update := tp.Update
	if p.Executed {
		insert, update = tp.Inserted, tp.Updated
	}
	fmt.Fprintf(b, "  %-24s %9d %9d %9d %9d %9d\n", tp.Table, tp.Selected, insert, tp.Same, tp.Conflict, update)
	if tp.Group > 0 {
		fmt.Fprintf(b, "    cycle group %d: %s (loaded in one transaction with foreign_key_checks=0 for the group, references checked before the commit)\n",
			tp.Group, p.groupOf(tp.Group))
	}
	if tp.Create {
		fmt.Fprintln(b, "    created first (see above)")
	}
	for _, c := range tp.Conflicts {
		fmt.Fprintf(b, "    conflict %s: never overwritten%s\n", c.Key, noteText(c.Note))
		for _, f := range c.Fields {
			if f.Damaged != "" {
				fmt.Fprintf(b, "      %s: day %s, damaged %s, now %s (edited since)\n", f.Column, f.Day, f.Damaged, f.Target)
			} else {
				fmt.Fprintf(b, "      %s: day %s, now %s\n", f.Column, f.Day, f.Target)
			}
		}
	}
	if more := tp.Conflict - int64(len(tp.Conflicts)); more > 0 {
		fmt.Fprintf(b, "    … and %d more conflicts\n", more)
	}
	if len(tp.Stamped) > 0 {
		fmt.Fprintf(b, "    triggers set %s on INSERT: the day's values are written back by an UPDATE in the same transaction%s\n",
			strings.Join(tp.Stamped, ", "), onUpdateNote(tp.t))
	}
	if len(tp.Triggers) > 0 {
		fmt.Fprintf(b, "    production's triggers: %s\n", strings.Join(tp.Triggers, ", "))
	}
	if after := tp.t.afterInsert(); len(after) > 0 && tp.Insert > 0 {
		fmt.Fprintf(b, "    note: %s run on every row inserted; what they write elsewhere is not in the undo file\n", strings.Join(after, ", "))
	}
	if tp.Blocked != "" {
		fmt.Fprintf(b, "    BLOCKED: %s\n", tp.Blocked)
	}
	p.writeVerified(b, tp)
}

func noteText(note string) string {
	if note == "" {
		return ""
	}
	return " (" + note + ")"
}

func (p *Plan) groupOf(g int) string {
	var names []string
	for _, tp := range p.Tables {
		if tp.Group == g {
			names = append(names, tp.Table)
		}
	}
	return strings.Join(names, ", ")
}

func (p *Plan) writeVerified(b *bufio.Writer, tp *TablePlan) {
	switch {
	case !p.Executed || len(tp.written) == 0:
	case tp.Verified:
		fmt.Fprintf(b, "    verified: the %d rows written read back as the day's (content hash %s)\n", len(tp.written), tp.DayHash)
	default:
		fmt.Fprintf(b, "    NOT VERIFIED: content hash %s on the day, %s read back; rows that differ:\n", tp.DayHash, tp.TargetHash)
		for _, m := range tp.Mismatches {
			fmt.Fprintf(b, "      %s: %s\n", m.Key, m.Reason)
		}
	}
}

// writeCascades says what other tables would lose or change: a restore
// inserts rows (and sets fields back without touching keys), so no ON
// DELETE/UPDATE action runs; undo deletes rows, and its dry run lists the
// rows its cascades would touch.
func (p *Plan) writeCascades(b *bufio.Writer) {
	fmt.Fprintln(b, "rows other tables would lose or change through ON DELETE/UPDATE CASCADE or SET NULL: none (a restore inserts rows, and sets back only fields no foreign key references; `restore --undo` lists what its deletes cascade to)")
}

func (p *Plan) writeOrphans(b *bufio.Writer) {
	if p.Orphan == 0 {
		return
	}
	fmt.Fprintf(b, "rows whose parent row is neither in production nor in the restore: %d (the server would refuse them)\n", p.Orphan)
	for _, o := range p.Orphans {
		fmt.Fprintf(b, "  %s %s: %s = %s, not in %s\n", o.Table, o.Key, o.ForeignKey, o.Values, o.Parent)
	}
	if more := p.Orphan - int64(len(p.Orphans)); more > 0 {
		fmt.Fprintf(b, "  … and %d more\n", more)
	}
}

func (p *Plan) writeAdvice(b *bufio.Writer) {
	switch {
	case p.Executed && p.UndoPath != "":
		fmt.Fprintf(b, "undo file: %s\n  (to reverse this restore: weekback restore --undo %s --to … --execute)\n", p.UndoPath, p.UndoPath)
	case p.Orphan > 0:
		fmt.Fprintln(b, "with --execute this restore would refuse to start: add --with-related to bring the parent rows back too, or restore the parent table first")
	case !p.Executed:
		fmt.Fprintln(b, "conflicts are never overwritten; add --execute to write the rows to insert (an undo file keeps what it takes to reverse them)")
	}
}

// onUpdateNote names the ON UPDATE columns the write-back sets too.
func onUpdateNote(t *table) string {
	if len(t.onUpdate) == 0 {
		return ""
	}
	names := make([]string, len(t.onUpdate))
	for i, c := range t.onUpdate {
		names[i] = t.cols[c].Name
	}
	return " (with " + strings.Join(names, ", ") + ", which that UPDATE would otherwise stamp)"
}

// Written returns the rows the plan wrote (inserted or set back) per
// table; empty before Execute.
func (p *Plan) Written() map[string]int64 {
	out := map[string]int64{}
	for _, tp := range p.Tables {
		if n := tp.Inserted + tp.Updated; n > 0 {
			out[tp.Table] = n
		}
	}
	return out
}
