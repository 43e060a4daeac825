package restore

import (
	"io"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/compare"
)

// Defaults and limits.
const (
	DefaultBatch     = 500 // rows per transaction
	MaxConflicts     = 100 // conflicts kept per table in a plan
	MaxOrphans       = 100 // rows without a parent kept in a plan
	MaxMismatches    = 20  // rows kept per table when verification finds a difference
	MaxConflictField = 10  // differing fields kept per conflict
)

// Source is where a restore reads: a day's generation on the backup
// server.
type Source struct {
	// DB reads the slot's catalog and rows: a pool opened with
	// mysql.RoleExport on the backup server (backup.reader_dsn).
	DB     *sqlx.DB
	Gen    *weekback.Generation
	Prefix string // backup.prefix: a target among its schemas is refused
	// Against is the generation --missing-in DAY / --changed-in DAY names,
	// nil otherwise.
	Against *weekback.Generation
	// Digests, when set, reads the generations' row digests (mysql.Meta):
	// --missing-in/--changed-in DAY without filters picks keys by them.
	Digests compare.DigestSource
}

// Production is the value of --missing-in that means the target itself.
const Production = "production"

// Options says what a restore selects and how it writes.
type Options struct {
	Table   string            // --table; "" with All
	Filters []weekback.Filter // rows of Table, combined with AND
	All     bool              // every table of the day

	// MissingIn keeps only the rows of Table whose key is absent there:
	// Production (the target) or a day (Source.Against).
	MissingIn string
	// ChangedIn keeps only the rows of Table whose key is in
	// Source.Against with other values, restored three-way.
	ChangedIn bool

	WithChildren  bool // rows of tables whose foreign keys reference the selected rows, recursively
	WithRelated   bool // also the rows the selected rows (and their children) reference, recursively
	CreateMissing bool // create the day's tables the target lacks, from production's DDL
	// AllowBlankCredentials lets a bundle insert rows whose credential
	// columns it holds blank (BuildBundle).
	AllowBlankCredentials bool

	Execute   bool
	UndoPath  string // the undo file; required with Execute
	BatchSize int    // rows per transaction: DefaultBatch when 0

	Now    func() time.Time // time.Now when nil
	Logger *slog.Logger     // slog.Default() when nil
	// Progress, when set, receives a line per committed batch (for
	// stderr).
	Progress io.Writer
}

func (o Options) withDefaults() Options {
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatch
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	o.Logger = o.Logger.With("component", "restore")
	return o
}

// check refuses options that contradict each other or lack their day.
func (o Options) check(src *Source) error {
	switch {
	case o.All == (o.Table != ""):
		return weekback.Errorf(weekback.EINVALID, "a restore takes either a table (--table) or every table (--all)")
	case o.All && (len(o.Filters) > 0 || o.MissingIn != "" || o.ChangedIn || o.WithChildren || o.WithRelated):
		return weekback.Errorf(weekback.EINVALID, "--all restores every row of every table: drop --filter, --missing-in, --changed-in, --with-children and --with-related")
	case o.MissingIn != "" && o.ChangedIn:
		return weekback.Errorf(weekback.EINVALID, "use one of --missing-in and --changed-in")
	case (o.ChangedIn || o.MissingIn != "" && o.MissingIn != Production) && (src.Against == nil || !src.Against.Ready()):
		return weekback.Errorf(weekback.EINVALID, "--missing-in DAY and --changed-in DAY need that day's backup: pick a day `weekback generations` lists as ready")
	}
	return nil
}
