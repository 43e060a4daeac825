package restore

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
)

// ImportMode says what Import does with a row of the file whose key
// already exists in the target table with other values.
type ImportMode string

// Import modes.
const (
	// ImportInsert inserts new rows only; an existing row with other
	// values is a conflict, and Import refuses to execute while any exist.
	ImportInsert ImportMode = "insert"
	// ImportUpsert inserts new rows and overwrites existing ones, saving
	// their current content to the undo file first.
	ImportUpsert ImportMode = "upsert"
	// ImportMissingOnly inserts new rows and skips existing ones.
	ImportMissingOnly ImportMode = "missing-only"
)

// ParseImportMode returns the mode named s, ignoring case ("" is
// ImportInsert). It returns an EINVALID *weekback.Error for any other
// name. It is safe for concurrent use.
func ParseImportMode(s string) (ImportMode, error) {
	switch m := ImportMode(strings.ToLower(strings.TrimSpace(s))); m {
	case "":
		return ImportInsert, nil
	case ImportInsert, ImportUpsert, ImportMissingOnly:
		return m, nil
	}
	return "", weekback.Errorf(weekback.EINVALID, "--mode %q is not a mode: use insert, upsert or missing-only", s)
}

// Import defaults and limits.
const (
	DefaultImportBatch = 500 // rows per transaction
	MaxImportErrors    = 100 // value errors kept in ImportReport.Errors
	MaxImportConflicts = 100 // conflicts kept in ImportReport.Conflicts
)

// The undo file is a reimport CSV whose first column, UndoColumn, says
// what to do with each row: UndoRestore (write the row back as it was) or
// UndoDelete (remove the row the import inserted).
const (
	UndoColumn  = "_weekback_undo"
	UndoRestore = "restore"
	UndoDelete  = "delete"
)

// ImportOptions says what Import loads and how.
type ImportOptions struct {
	Table   string     // the target table, in the target connection's database
	Mode    ImportMode // ImportInsert when ""; ignored for undo files
	Execute bool       // write; without it Import only reports what it would do
	// Profile is how the file was written: ProfileReimport when "" (a
	// file that looks like the spreadsheet profile is refused), or
	// ProfileSpreadsheet (empty cells are NULL in nullable columns).
	Profile   export.Profile
	BatchSize int // rows per transaction; DefaultImportBatch when 0
	// UndoPath is where the undo file is written when something changes.
	// When "" and the input is an *os.File, it is UndoPathFor(its name,
	// Now()); for other inputs executing without it is an error.
	UndoPath string
	Now      func() time.Time // the clock that names the default undo file; time.Now when nil
	Logger   *slog.Logger     // slog.Default() when nil
	// Progress, when set, is called after each batch with the rows handled
	// so far: rows checked when not executing, rows committed when
	// executing. It runs on Import's goroutine.
	Progress func(done int64)
}

// UndoPathFor returns the default undo file of the import of input:
// "<input>.undo-<UTC yyyymmddThhmmss>.csv" beside it. It never fails and
// is safe for concurrent use.
func UndoPathFor(input string, now time.Time) string {
	return filepath.Clean(input) + ".undo-" + now.UTC().Format("20060102T150405") + ".csv"
}

func (o ImportOptions) withDefaults() ImportOptions {
	if o.Mode == "" {
		o.Mode = ImportInsert
	}
	if o.Profile == "" {
		o.Profile = export.ProfileReimport
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultImportBatch
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	o.Logger = o.Logger.With("component", "import", "table", o.Table)
	return o
}

// ImportConflict is a row of the file whose key exists in the target
// table with other values (insert mode), or, in an undo file, a row the
// undo cannot apply.
type ImportConflict struct {
	Row    int64       // data row of the file, from 1
	Key    string      // the row's key values, joined by ","
	Fields []FieldDiff // the columns whose values differ (the first MaxConflictFields)
}

// MaxConflictFields is how many differing columns an ImportConflict keeps.
const MaxConflictFields = 10

// FieldDiff is one column whose value in the file differs from the
// target's: both as the file writes them (NULL, text, 0x-hex), shortened.
type FieldDiff struct {
	Column string
	File   string
	Target string
}

// ValueError is a value of the file that does not fit its column (or a
// row that does not fit the header). It implements error.
type ValueError struct {
	Row     int64  // data row of the file, from 1
	Column  string // the column's name; "" when the whole row is wrong
	Value   string // the value as quoted text ("\"abc\"", shortened) or NULL
	Message string // the value and what is wrong with it
}

// Error returns "row R, column C: message" ("row R: message" when the
// whole row is wrong).
func (e *ValueError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("row %d: %s", e.Row, e.Message)
	}
	return fmt.Sprintf("row %d, column %s: %s", e.Row, e.Column, e.Message)
}

// ImportReport says what Import found and did. Counts are rows of the
// file: Insert (new rows), Update (existing rows overwritten), Same
// (already as in the file: nothing to do), Skip (existing rows left as
// they are in missing-only mode), Delete (rows removed by an undo file),
// Conflict (rows that differ from the target in insert mode). A report
// is not safe for concurrent modification.
type ImportReport struct {
	Table    string
	Mode     ImportMode
	UndoFile bool // the file was an undo file
	Profile  export.Profile
	// Spreadsheet profile: empty cells read as NULL (nullable columns) or
	// as empty text (NOT NULL columns), and formula guards removed.
	EmptyNull, EmptyText, Unguarded int64
	Keyless                         bool // the table has no key: rows are appended, never matched
	// Triggers of the table ("name BEFORE INSERT"): they run on every row
	// written and may store other values than the file's.
	Triggers []string
	Rows     int64 // data rows read

	Insert, Update, Same, Skip, Delete int64

	Conflict  int64
	Conflicts []ImportConflict // the first MaxImportConflicts

	Orphan  int64          // rows whose parent row is in neither the target nor the file
	Orphans []ImportOrphan // the first MaxImportOrphans

	ErrorCount int64
	Errors     []ValueError // the first MaxImportErrors

	UndoPath string // the undo file written, "" when nothing changed
	Executed bool   // the rows were written (not a dry run)
}

func (r *ImportReport) addError(e ValueError) {
	r.ErrorCount++
	if len(r.Errors) < MaxImportErrors {
		r.Errors = append(r.Errors, e)
	}
}

func (r *ImportReport) addConflict(c ImportConflict) {
	r.Conflict++
	if len(r.Conflicts) < MaxImportConflicts {
		r.Conflicts = append(r.Conflicts, c)
	}
}

// Import loads the reimport CSV r into opts.Table of target (a pool
// opened with mysql.RoleTarget on the production schema). It checks the
// header against the table and every value against its column before it
// writes anything, and classifies each row against the table's row of the
// same key (see ImportReport). Without opts.Execute it only reports. With
// it, it writes in batches of opts.BatchSize rows, one transaction each,
// saving first the current content of every row it changes to the undo
// file (synced to disk before the commit), so that importing the undo
// file reverses the import. An interrupted import can be run again: the
// rows it wrote are found Same. A file whose first column is UndoColumn
// is an undo file: its "delete" rows are removed by key and its "restore"
// rows written back, whatever opts.Mode says, and it gets an undo file of
// its own.
//
// When r is an io.Seeker it is read twice; otherwise it is copied to a
// private temporary file when executing. Import returns the report (nil
// when the header or table is wrong; when writing fails part way, it
// counts the batches committed) and an ENOTFOUND *weekback.Error for a
// missing table, EINVALID for a wrong header, wrong values, a key twice in
// the file, a file that looks like the spreadsheet profile when
// opts.Profile does not say so, rows whose parent row is in neither the
// target nor the file (found before anything is written), or rows the
// server refuses (duplicate keys, a value it would change), ECONFLICT when insert mode meets conflicts,
// EABORTED when ctx ends part way, and wrapped errors otherwise. Calls
// are independent: it is safe for concurrent use (on different tables).
func Import(ctx context.Context, target *sqlx.DB, r io.Reader, opts ImportOptions) (*ImportReport, error) {
	opts = opts.withDefaults()
	if named, ok := r.(interface{ Name() string }); ok && opts.UndoPath == "" {
		opts.UndoPath = UndoPathFor(named.Name(), opts.Now())
	}
	if opts.Execute && opts.UndoPath == "" {
		return nil, weekback.Errorf(weekback.EINVALID, "an import that writes needs an undo file path: set ImportOptions.UndoPath (see UndoPathFor)")
	}
	src, err := newRewinder(r, opts.Execute)
	if err != nil {
		return nil, err
	}
	defer src.close()
	im := &importer{db: target, opts: opts}
	rep, err := im.check(ctx, src.first())
	if err != nil || !opts.Execute {
		return rep, err
	}
	if err := im.mayExecute(rep); err != nil {
		return rep, err
	}
	again, err := src.again()
	if err != nil {
		return rep, err
	}
	return im.execute(ctx, again)
}
