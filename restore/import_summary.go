package restore

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteSummary writes r for people: what the import would do or did, the
// conflicts and value errors it kept, and the undo file. It returns w's
// error. It does not modify r.
func (r *ImportReport) WriteSummary(w io.Writer) error {
	b := bufio.NewWriter(w)
	r.writeHead(b)
	line := func(label string, n int64, note string) {
		fmt.Fprintf(b, "  %-18s %10d%s\n", label, n, note)
	}
	line("rows in the file", r.Rows, "")
	if !r.Executed || r.written() > 0 {
		line(r.verb("insert", "inserted"), r.Insert, "")
		if r.Mode == ImportUpsert || r.UndoFile {
			line(r.verb("overwrite", "overwritten"), r.Update, "")
		}
		if r.UndoFile {
			line(r.verb("delete", "deleted"), r.Delete, "")
		}
	}
	if !r.Keyless {
		line("already the same", r.Same, "  (nothing to do: a re-run of an interrupted import finds its rows here)")
	}
	if r.Mode == ImportMissingOnly && !r.UndoFile {
		line("skipped", r.Skip, "  (exist with other values; left as they are)")
	}
	if r.Conflict > 0 || r.Mode == ImportInsert && !r.UndoFile && !r.Keyless {
		line("conflicts", r.Conflict, "  (exist with other values)")
	}
	for _, c := range r.Conflicts {
		fmt.Fprintf(b, "    row %d: key %s\n", c.Row, c.Key)
		for _, f := range c.Fields {
			fmt.Fprintf(b, "      %s: file %s, target %s\n", f.Column, f.File, f.Target)
		}
	}
	if more := r.Conflict - int64(len(r.Conflicts)); more > 0 {
		fmt.Fprintf(b, "    … and %d more\n", more)
	}
	r.writeOrphans(b)
	if r.ErrorCount > 0 {
		line("value errors", r.ErrorCount, "")
		for _, e := range r.Errors {
			fmt.Fprintf(b, "    %s\n", e.Error())
		}
		if more := r.ErrorCount - int64(len(r.Errors)); more > 0 {
			fmt.Fprintf(b, "    … and %d more\n", more)
		}
	}
	if note := r.profileNote(); note != "" {
		fmt.Fprintln(b, note)
	}
	r.writeAdvice(b)
	return b.Flush()
}

func (r *ImportReport) writeHead(b *bufio.Writer) {
	what := fmt.Sprintf("import into %s (mode %s)", r.Table, r.Mode)
	if r.UndoFile {
		what = fmt.Sprintf("undo into %s", r.Table)
	}
	switch {
	case r.Executed && r.written() == 0:
		fmt.Fprintf(b, "%s: nothing was written\n", what)
		return
	case r.Executed:
		fmt.Fprintf(b, "%s: written\n", what)
		return
	}
	fmt.Fprintf(b, "%s: dry run, nothing was written\n", what)
}

func (r *ImportReport) verb(future, past string) string {
	if r.Executed {
		return past
	}
	return "would " + future
}

func (r *ImportReport) writeAdvice(b *bufio.Writer) {
	switch {
	case r.UndoPath != "":
		fmt.Fprintf(b, "undo file: %s\n  (to reverse this import: weekback import --to … --table %s --execute %s)\n", r.UndoPath, r.Table, r.UndoPath)
	case r.Executed && r.Keyless && r.Insert > 0:
		fmt.Fprintf(b, "no undo file: %s has no key, so inserted rows cannot be found again\n", r.Table)
	case r.Executed && r.written() == 0:
		fmt.Fprintln(b, "no undo file: nothing changed")
	case r.ErrorCount > 0:
		fmt.Fprintln(b, "fix the values above and run again")
	case r.Orphan > 0:
		fmt.Fprintln(b, "load the missing parent rows first (weekback restore --with-related brings a table back with its parents, in order), then run again")
	case r.Conflict > 0 && !r.UndoFile:
		fmt.Fprintln(b, "with --execute this import would refuse to start: use --mode upsert to overwrite the conflicts (an undo file keeps them) or --mode missing-only to leave them")
	}
	if len(r.Triggers) > 0 {
		fmt.Fprintf(b, "note: %s has triggers (%s): they run on every row written and may store other values than the file's\n",
			r.Table, strings.Join(r.Triggers, ", "))
	}
	if r.Keyless && !r.Executed {
		fmt.Fprintf(b, "note: %s has no key: rows are appended, never matched; a second run inserts them again and there is no undo file\n", r.Table)
	}
}

// writeOrphans lists the rows whose parent row is missing.
func (r *ImportReport) writeOrphans(b *bufio.Writer) {
	if r.Orphan == 0 {
		return
	}
	fmt.Fprintf(b, "  %-18s %10d  (their parent row is not in the target: the server would refuse them)\n", "missing parents", r.Orphan)
	for _, o := range r.Orphans {
		fmt.Fprintf(b, "    row %d: %s = %s, not in %s\n", o.Row, o.ForeignKey, o.Values, o.Parent)
	}
	if more := r.Orphan - int64(len(r.Orphans)); more > 0 {
		fmt.Fprintf(b, "    … and %d more\n", more)
	}
}

// written returns how many rows the import changed in the target.
func (r *ImportReport) written() int64 { return r.Insert + r.Update + r.Delete }
