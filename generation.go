package weekback

import (
	"context"
	"strconv"
	"time"
)

// GenerationStatus says whether a day can be served.
type GenerationStatus string

// Generation statuses as shown by `weekback generations` and the server.
const (
	StatusReady    GenerationStatus = "ready"    // a verified copy is served
	StatusBuilding GenerationStatus = "building" // a new copy is being built; the previous one (if any) is served
	StatusFailed   GenerationStatus = "failed"   // the last run failed; the previous copy (if any) is served
	StatusNever    GenerationStatus = "never"    // never taken
	// StatusDiscarded is a day discarded on purpose (`weekback discard`,
	// the admin's button): nothing is served until the next snapshot of
	// that weekday fills it again.
	StatusDiscarded GenerationStatus = "discarded"
)

// Generation is one weekday's served copy: the slot the pointer names and
// the manifest of what is in it.
type Generation struct {
	Day        Weekday          `json:"day"`
	Status     GenerationStatus `json:"status"`
	Slot       string           `json:"slot,omitempty"`
	SwitchedAt time.Time        `json:"switched_at,omitzero"`
	VerifiedAt time.Time        `json:"verified_at,omitzero"`
	Manifest   *Manifest        `json:"manifest,omitempty"`
	LastRun    *SnapshotRun     `json:"last_run,omitempty"`
	// Discarded is set while the day is discarded (Status discarded, or
	// building/failed after a discard): who, when and why.
	Discarded *Discard `json:"discarded,omitempty"`
}

// Ready reports whether g has a served slot.
func (g *Generation) Ready() bool { return g.Slot != "" && g.Manifest != nil }

// Position is the source's replication coordinates at the snapshot.
type Position struct {
	File string `json:"file,omitempty"`
	Pos  uint64 `json:"pos,omitempty"`
	GTID string `json:"gtid,omitempty"`
}

// String returns "file:pos gtid", or "" when nothing is known.
func (p Position) String() string {
	s := ""
	if p.File != "" {
		s = p.File + ":" + strconv.FormatUint(p.Pos, 10)
	}
	if p.GTID != "" {
		if s != "" {
			s += " "
		}
		s += "gtid " + p.GTID
	}
	return s
}

// Copy modes: how the consistent snapshot was taken.
const (
	ModeParallel = "parallel" // several connections started inside a global read lock
	ModeSingle   = "single"   // one connection, one consistent-snapshot transaction
)

// Manifest describes one generation: when and how the consistent snapshot
// was taken and what it holds. It is stored in the meta schema as JSON.
type Manifest struct {
	Version      int            `json:"version"`
	Day          Weekday        `json:"day"`
	Slot         string         `json:"slot"`
	SourceSchema string         `json:"source_schema"`
	SourceServer string         `json:"source_server"` // version string of the source server
	SnapshotAt   time.Time      `json:"snapshot_at"`
	Position     Position       `json:"position"`
	Mode         string         `json:"mode"`
	Tables       []TableInfo    `json:"tables"`
	Views        []ViewInfo     `json:"views,omitempty"`
	Triggers     []ObjectDDL    `json:"triggers,omitempty"`
	Routines     []ObjectDDL    `json:"routines,omitempty"`
	Events       []ObjectDDL    `json:"events,omitempty"`
	Sequences    []SequenceInfo `json:"sequences,omitempty"`
	// Skipped names every object of the source schema the generation does
	// not hold, or holds only in part, with the reason: nothing is left
	// out silently.
	Skipped []SkippedObject `json:"skipped,omitempty"`
	Rows    int64           `json:"rows"`
	Bytes   int64           `json:"bytes"`
}

// ManifestVersion is the version written into new manifests.
const ManifestVersion = 1

// Table returns the manifest entry of the named table, or nil.
func (m *Manifest) Table(name string) *TableInfo {
	for i := range m.Tables {
		if m.Tables[i].Name == name {
			return &m.Tables[i]
		}
	}
	return nil
}

// View returns the view named name, nil when the manifest lists none.
func (m *Manifest) View(name string) *ViewInfo {
	for i := range m.Views {
		if m.Views[i].Name == name {
			return &m.Views[i]
		}
	}
	return nil
}

// TableInfo is one copied table: its production DDL, row count and
// order-independent content hash (computed on the source in the snapshot
// and again on the slot; both must match).
type TableInfo struct {
	Name    string   `json:"name"`
	DDL     string   `json:"ddl"`
	Columns []string `json:"columns"` // the copied (non-generated) columns, in order
	Rows    int64    `json:"rows"`
	Bytes   int64    `json:"bytes"` // bytes streamed for the table
	Hash    string   `json:"hash"`
	// History is set for a system-versioned table copied with its history:
	// Hash and Columns cover every row version (FOR SYSTEM_TIME ALL),
	// Columns ending with the period's start and end columns, and Versions
	// counts them; Rows counts the current rows, as for any table.
	History  bool  `json:"history,omitempty"`
	Versions int64 `json:"versions,omitempty"`
	// Digests is set when the snapshot stored the table's row digests
	// (one per row, by key) in the meta schema: two days are then compared
	// without reading the rows.
	Digests *RowDigests `json:"digests,omitempty"`
}

// RowDigests describes the row digests of a table (mysql/digests.go): in
// the order of Key, all integer columns, Parts parts of Bytes bytes in
// all. The digests add up to the table's Hash, one per row.
type RowDigests struct {
	Key      []string `json:"key"`
	Unsigned []bool   `json:"unsigned"`
	Parts    int      `json:"parts"`
	Bytes    int64    `json:"bytes"`
}

// ViewInfo is one view: its production DDL and, when it could not be
// recreated in the slot, why.
type ViewInfo struct {
	Name  string `json:"name"`
	DDL   string `json:"ddl"`
	Error string `json:"error,omitempty"`
}

// ObjectDDL is the DDL of a trigger, routine or event, kept as text only:
// such objects are never created in a slot.
type ObjectDDL struct {
	Name  string `json:"name"`
	Type  string `json:"type"`            // TRIGGER, PROCEDURE, FUNCTION, EVENT
	Table string `json:"table,omitempty"` // triggers only
	DDL   string `json:"ddl"`
}

// SequenceInfo is one sequence (CREATE SEQUENCE): its production DDL and
// the next value it hands out (next_not_cached_value), which the slot's
// copy is restarted at.
type SequenceInfo struct {
	Name string `json:"name"`
	DDL  string `json:"ddl"`
	Next int64  `json:"next"`
}

// SkippedObject is an object of the source schema that a generation does
// not hold, or holds only in part (Partial), and why.
type SkippedObject struct {
	Name    string `json:"name"`
	Type    string `json:"type"` // TABLE, VIEW, SEQUENCE, or the catalog's TABLE_TYPE
	Reason  string `json:"reason"`
	Partial bool   `json:"partial,omitempty"` // copied, but not wholly (a versioned table without its history)
}

// Run outcomes.
const (
	RunRunning   = "running"
	RunSucceeded = "succeeded"
	RunFailed    = "failed"
)

// SnapshotRun is one execution of `weekback snapshot`, as recorded in the
// meta schema.
type SnapshotRun struct {
	ID        int64     `json:"id"`
	Day       Weekday   `json:"day"`
	Slot      string    `json:"slot"`
	Host      string    `json:"host"`
	PID       int       `json:"pid"`
	StartedAt time.Time `json:"started_at"`
	EndedAt   time.Time `json:"ended_at,omitzero"`
	Status    string    `json:"status"`
	Mode      string    `json:"mode,omitempty"`
	Position  Position  `json:"position"`
	Tables    int       `json:"tables"`
	Rows      int64     `json:"rows"`
	Bytes     int64     `json:"bytes"`
	Error     string    `json:"error,omitempty"`
	// Offsite is the run's off-site copy: "" (none configured or not yet),
	// OffsiteCopied or OffsiteFailed; OffsiteName the object written and
	// OffsiteError why it failed (the switch stands either way).
	Offsite      string `json:"offsite,omitempty"`
	OffsiteName  string `json:"offsite_name,omitempty"`
	OffsiteError string `json:"offsite_error,omitempty"`

	// The runs report (mysql's Meta.RecentRuns and RunHistory) fills the
	// fields below; other readers leave them zero.

	// TablesDone is how many of Tables are copied and verified: a running
	// run's live progress (the snapshotter records it about once a second),
	// Tables for a succeeded run.
	TablesDone int `json:"tables_done"`
	// Verified reports whether the run's slot passed verification: true
	// for every succeeded run (the snapshotter checks each table's row
	// count and content hash before it switches the day to the slot).
	Verified bool `json:"verified"`
	// VerifiedAt is when the slot was last verified (its switch or a later
	// `weekback verify`); zero unless it is still its day's served slot.
	VerifiedAt time.Time `json:"verified_at,omitzero"`
	// Skipped is the manifest's list of objects the run's copy does not
	// hold; known while the run's slot is its day's served one.
	Skipped []SkippedObject `json:"skipped,omitempty"`
}

// Duration returns how long r ran: until EndedAt, or until now while it
// is running; 0 when it ended without a recorded end.
func (r *SnapshotRun) Duration(now time.Time) time.Duration {
	switch {
	case !r.EndedAt.IsZero():
		return r.EndedAt.Sub(r.StartedAt)
	case r.Status == RunRunning:
		return now.Sub(r.StartedAt)
	}
	return 0
}

// GenerationStore reads and switches the generation pointers in the meta
// schema.
type GenerationStore interface {
	// Generations returns all seven days, Monday first.
	Generations(ctx context.Context) ([]*Generation, error)
	// Generation returns one day; a day never taken has StatusNever.
	Generation(ctx context.Context, day Weekday) (*Generation, error)
}
