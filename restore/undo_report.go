package restore

import (
	"bufio"
	"fmt"
	"io"
)

// WriteReport writes r for people: per table (in the order the undo
// works, children first) what it deletes, puts back and overwrites, the
// rows changed since the restore, what ON DELETE actions touch, and the
// new undo file. It returns w's error.
func (r *UndoReport) WriteReport(w io.Writer) error {
	b := bufio.NewWriter(w)
	state := "dry run, nothing was written"
	if r.Executed {
		state = "written (one transaction)"
	}
	fmt.Fprintf(b, "undo of the %s recorded in %s, in %s: %s\n", r.Kind, r.File, r.Schema, state)
	fmt.Fprintf(b, "  %-24s %9s %9s %9s %9s %13s\n", "table (undo order)", "delete", "put back", "overwrite", "already", "changed since")
	for _, t := range r.Tables {
		fmt.Fprintf(b, "  %-24s %9d %9d %9d %9d %13d\n", t.Table, t.Delete, t.Put, t.Overwrite, t.Same, t.ChangedSince)
	}
	if len(r.Cascades) == 0 {
		fmt.Fprintln(b, "rows other tables lose or change through ON DELETE CASCADE / SET NULL: none")
	} else {
		fmt.Fprintln(b, "rows other tables lose or change through ON DELETE CASCADE / SET NULL (saved to the new undo file first):")
		for _, c := range r.Cascades {
			fmt.Fprintf(b, "  %s: %d rows (%s ON DELETE %s)\n", c.Table, c.Rows, c.ForeignKey, c.Action)
		}
	}
	for _, t := range r.Tables {
		if t.ChangedSince > 0 {
			fmt.Fprintf(b, "note: %d rows of %s were changed since the restore wrote them: deleting them loses those edits (kept in the new undo file)\n", t.ChangedSince, t.Table)
		}
	}
	if r.UndoPath != "" {
		fmt.Fprintf(b, "undo file of this undo: %s\n  (to reverse it: weekback restore --undo %s --to … --execute)\n", r.UndoPath, r.UndoPath)
	}
	return b.Flush()
}

// Written returns the rows the undo deleted, put back or overwrote per
// table (rows its cascades touched aside); empty for a dry run.
func (r *UndoReport) Written() map[string]int64 {
	out := map[string]int64{}
	if !r.Executed {
		return out
	}
	for _, t := range r.Tables {
		if n := t.Delete + t.Put + t.Overwrite; n > 0 {
			out[t.Table] = n
		}
	}
	return out
}
