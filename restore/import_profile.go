package restore

import (
	"fmt"

	"github.com/weekback/weekback/export"

	"github.com/weekback/weekback"
)

// A file of the spreadsheet profile cannot be read as a reimport file:
// its empty cells may be NULL or empty text, its guarded cells carry a
// leading quote that is not part of the value, and "NULL" is text there.
// Import refuses such a file unless ImportOptions.Profile says how to read
// it. The sign it looks for is a data field that is not enclosed in
// quotes and is not the bare word NULL: the reimport profile quotes every
// value.

// readProfile checks or converts the fields of data row n in place, by
// the profile the file is read with.
func (im *importer) readProfile(n int64, cr *export.CSVReader, fields []export.Field) error {
	if im.opts.Profile != export.ProfileSpreadsheet {
		return im.refuseSpreadsheet(n, cr, fields)
	}
	for i := range fields {
		f := &fields[i]
		if f.Quoted || i >= len(im.tbl.file) {
			if f.Quoted {
				im.unguard(f)
			}
			continue
		}
		switch {
		case f.Null: // the text NULL: spreadsheets write NULL as an empty cell
			f.Null, f.Value = false, []byte("NULL")
		case len(f.Value) == 0 && im.tbl.file[i].col.Nullable:
			f.Null = true
			im.rep.EmptyNull++
		case len(f.Value) == 0:
			im.rep.EmptyText++
		default:
			im.unguard(f)
		}
	}
	return nil
}

// unguard removes the single quote a spreadsheet export put before a cell
// that starts like a formula.
func (im *importer) unguard(f *export.Field) {
	if len(f.Value) > 1 && f.Value[0] == '\'' && export.NeedsGuard(f.Value[1:]) {
		f.Value = f.Value[1:]
		im.rep.Unguarded++
	}
}

// refuseSpreadsheet returns an EINVALID error for a field a reimport file
// would have quoted.
func (im *importer) refuseSpreadsheet(n int64, cr *export.CSVReader, fields []export.Field) error {
	for i, f := range fields {
		if f.Quoted || f.Null {
			continue
		}
		col := "?"
		if j := i - btoi(im.tbl.undo); j >= 0 && j < len(im.tbl.file) {
			col = im.tbl.file[j].col.Name
		}
		sign := "a value not enclosed in quotes"
		if len(f.Value) == 0 {
			sign = "an empty cell (NULL or empty text?)"
		}
		if cr.BOM() {
			sign += ", after a byte order mark"
		}
		return weekback.Errorf(weekback.EINVALID,
			"row %d, column %s holds %s: the file looks like a spreadsheet-profile export, where an empty cell may be NULL or empty text and a leading ' may guard a formula. Export it again with --profile reimport, or pass --profile spreadsheet to read it as one (empty cells become NULL in nullable columns, '' in the others); nothing was written",
			n, col, sign)
	}
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkProfile refuses the spreadsheet profile for an undo file, which
// Weekback always writes with the reimport profile.
func (im *importer) checkProfile() error {
	if im.opts.Profile == export.ProfileSpreadsheet && im.tbl.undo {
		return weekback.Errorf(weekback.EINVALID, "an undo file is written with the reimport profile: drop --profile spreadsheet")
	}
	return nil
}

// profileNote says how the spreadsheet profile was read, for the summary.
func (r *ImportReport) profileNote() string {
	if r.Profile != export.ProfileSpreadsheet {
		return ""
	}
	return fmt.Sprintf("read as the spreadsheet profile: %d empty cells of nullable columns read as NULL, %d empty cells of NOT NULL columns as empty text, %d formula guards (a leading ') removed; the text NULL stays text",
		r.EmptyNull, r.EmptyText, r.Unguarded)
}
