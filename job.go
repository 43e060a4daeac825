package weekback

import (
	"context"
	"strings"
	"time"
)

// JobStatus is where a background job is in its life.
type JobStatus string

// Job statuses. Queued and running jobs are active; the others are final.
const (
	JobQueued    JobStatus = "queued"
	JobRunning   JobStatus = "running"
	JobSucceeded JobStatus = "succeeded"
	JobFailed    JobStatus = "failed"
	JobCanceled  JobStatus = "canceled"
	JobExpired   JobStatus = "expired" // succeeded, but its download is gone (exports.download_ttl or the user's quota)
	// JobLossy is a job that completed with losses: its file is complete
	// but characters its encoding cannot hold were replaced by "?"; its
	// error log lists them.
	JobLossy JobStatus = "lossy"
	// JobReplaced is a job that the same request, asked again, replaced
	// (ReplacedBy): its file, if it had one, is removed.
	JobReplaced JobStatus = "replaced"
)

// Final reports whether s is a status a job never leaves (expired aside).
func (s JobStatus) Final() bool { return s != JobQueued && s != JobRunning }

// Downloadable reports whether a job of status s has a file to download
// (until it expires): succeeded or completed with losses. A comparison
// (JobCompare) that succeeded has no file: its result is a page.
func (s JobStatus) Downloadable() bool { return s == JobSucceeded || s == JobLossy }

// JobKind says what a job produces.
type JobKind string

// Job kinds.
const (
	JobExport   JobKind = "export"   // a CSV of a table's records
	JobTemplate JobKind = "template" // a template JSON of a table and its related tables
	// JobDownload is a whole day: a SQL script (Format sql) or a bundle of
	// reimport CSVs, templates and a manifest (Format csv).
	JobDownload JobKind = "download"
	// JobBundle is a restore bundle: the rows of a table a records or
	// changes page selects (with their children when asked), their
	// templates and a manifest, for `weekback restore --bundle`.
	JobBundle JobKind = "bundle"
	// JobCompare is the comparison of two generations (Day and Against):
	// it has no file; its change set goes to the meta schema's store
	// (ChangeSetStore), where the changes page finds it.
	JobCompare JobKind = "compare"
)

// JobParams is what a job was asked to do: the same parameters as the
// direct download (export.csv / template.json). Values are the user's text;
// they are checked against the slot's catalog when the job runs.
type JobParams struct {
	Day      Weekday  `json:"day"`
	Table    string   `json:"table"`
	Filters  []Filter `json:"filters,omitempty"`
	Sort     Sort     `json:"sort,omitzero"`
	Columns  []string `json:"columns,omitempty"`
	Profile  string   `json:"profile,omitempty"`  // exports: reimport (default) or spreadsheet
	Encoding string   `json:"encoding,omitempty"` // exports: utf-8 (default), utf-8-bom, shift_jis
	Lossy    bool     `json:"lossy,omitempty"`    // exports: '?' for characters the encoding cannot hold
	Related  bool     `json:"related,omitempty"`  // templates: with the related tables
	// Format is a download's: sql or csv.
	Format string `json:"format,omitempty"`
	// Anonymize asks exports and downloads for pseudonyms in the columns
	// of exports.anonymize.
	Anonymize bool `json:"anonymize,omitempty"`
	// MissingIn and ChangedIn narrow an export to the day's rows whose key
	// that day (or "production") lacks, or holds with other values.
	MissingIn string `json:"missing_in,omitempty"`
	ChangedIn string `json:"changed_in,omitempty"`
	// Children asks a restore bundle for the rows of the tables whose
	// foreign keys reference the selected rows, recursively.
	Children bool `json:"children,omitempty"`
	// Against is a comparison's other day.
	Against Weekday `json:"against,omitempty"`
}

// Key returns a canonical text of p: two requests with the same kind and
// Key ask for the same result (the replace-on-repeat rule).
func (p JobParams) Key(kind JobKind) string {
	var b strings.Builder
	b.WriteString(string(kind) + "|" + string(p.Day) + "|" + p.Table + "|")
	for _, f := range p.Filters {
		b.WriteString(f.String() + "&")
	}
	b.WriteString("|" + p.Sort.String() + "|" + strings.Join(p.Columns, ",") + "|" + p.Profile + "|" + p.Encoding)
	if p.Lossy {
		b.WriteString("|lossy")
	}
	if p.Related {
		b.WriteString("|related")
	}
	if p.Format != "" {
		b.WriteString("|format=" + p.Format)
	}
	if p.Anonymize {
		b.WriteString("|anonymize")
	}
	if p.MissingIn != "" || p.ChangedIn != "" {
		b.WriteString("|missing_in=" + p.MissingIn + "|changed_in=" + p.ChangedIn)
	}
	if p.Children {
		b.WriteString("|children")
	}
	if p.Against != "" {
		b.WriteString("|against=" + string(p.Against))
	}
	return b.String()
}

// Job is one background procedure, as kept in the meta schema and shared
// by every server replica.
type Job struct {
	ID     int64     `json:"id"`
	Owner  string    `json:"owner"` // the login that asked for it
	Kind   JobKind   `json:"kind"`
	Params JobParams `json:"params"`
	// Damaged reports that the stored parameters could not be read (Params
	// is then empty): such a job is failed, never run.
	Damaged bool      `json:"damaged,omitempty"`
	Status  JobStatus `json:"status"`

	CreatedAt  time.Time `json:"created_at"`
	StartedAt  time.Time `json:"started_at,omitzero"`
	FinishedAt time.Time `json:"finished_at,omitzero"`

	RowsDone  int64 `json:"rows_done"`
	RowsTotal int64 `json:"rows_total"` // an estimate (the manifest's row count), 0 when unknown
	Errors    int64 `json:"errors"`     // lines of the job's error log
	// Error is the sentence shown for a failed job (never SQL or internal
	// details: those are logged).
	Error string `json:"error,omitempty"`
	// File is the name the result is offered under
	// ("orders-tue-2026-11-17.csv"); never a path. Bytes is its size.
	File  string `json:"file,omitempty"`
	Bytes int64  `json:"bytes,omitempty"`
	// ErrorBytes is the size of the error log (counted in the owner's
	// quota with Bytes).
	ErrorBytes int64 `json:"error_bytes,omitempty"`

	// ReplacedBy is the job that replaced this one (it was canceled
	// because the same export was asked for again), 0 otherwise.
	ReplacedBy      int64 `json:"replaced_by,omitempty"`
	CancelRequested bool  `json:"cancel_requested,omitempty"`
	// Seen reports whether the owner has seen the job finish (the header's
	// notification badge counts finished jobs not yet seen).
	Seen bool `json:"seen"`

	// Worker and LeaseUntil: which process runs the job and until when its
	// lease holds; another replica takes the job over once it has run out.
	Worker     string    `json:"worker,omitempty"`
	LeaseUntil time.Time `json:"lease_until,omitzero"`
}

// Percent returns the progress in percent (0–100), 100 for a job that
// completed (succeeded, with losses, or expired since).
func (j *Job) Percent() int {
	switch {
	case j.Status.Downloadable() || j.Status == JobExpired:
		return 100
	case j.RowsTotal <= 0:
		return 0
	}
	return int(min(100, j.RowsDone*100/j.RowsTotal))
}

// JobStore keeps jobs in the meta schema. Implementations are safe for
// concurrent use by several processes. Errors a user can act on are
// *Error values: ENOTFOUND for an unknown job, ECONFLICT for a per-user
// limit reached or a lease lost.
type JobStore interface {
	// Enqueue adds j (its ID, Status=queued and CreatedAt are set). An
	// active or downloadable job of the same owner, kind and Params.Key is
	// replaced (its ReplacedBy set; it ends with status replaced): their
	// IDs are returned, and the files of those that had finished are the
	// caller's to remove. When the owner would have more than maxActive
	// active jobs, nothing changes and the error is ECONFLICT with a
	// sentence saying so.
	Enqueue(ctx context.Context, j *Job, maxActive int) (replaced []int64, err error)
	// Claim takes the oldest queued job, or a running one whose lease ran
	// out, for worker until now+lease (SELECT … FOR UPDATE SKIP LOCKED), and
	// returns it running; nil when there is none.
	Claim(ctx context.Context, worker string, lease time.Duration) (*Job, error)
	// Renew extends worker's lease on job id and records rowsDone. It
	// reports whether a cancel was requested; ECONFLICT when worker no
	// longer holds the lease (another replica took the job over).
	Renew(ctx context.Context, id int64, worker string, lease time.Duration, rowsDone int64) (cancel bool, err error)
	// Finish records j's final state (Status, Error, RowsDone, Errors,
	// File, Bytes, ErrorBytes) if j.Worker still holds the lease; ECONFLICT
	// otherwise. A job replaced meanwhile ends replaced whatever the worker
	// says: j.Status is set to what was recorded.
	Finish(ctx context.Context, j *Job) error
	// Release puts a running job of worker back in the queue (shutdown).
	Release(ctx context.Context, id int64, worker string) error
	// Job returns job id; ENOTFOUND when there is none.
	Job(ctx context.Context, id int64) (*Job, error)
	// Jobs returns owner's jobs (everyone's when owner is ""), newest first,
	// at most limit.
	Jobs(ctx context.Context, owner string, limit int) ([]*Job, error)
	// Cancel cancels a queued job at once and asks a running one to stop
	// (its worker sees it at its next Renew); final jobs are left alone.
	Cancel(ctx context.Context, id int64) error
	// Delete removes job id's row (its files are the caller's).
	Delete(ctx context.Context, id int64) error
	// MarkSeen marks owner's finished jobs as seen: all of them, or only
	// those of ids when given.
	MarkSeen(ctx context.Context, owner string, ids ...int64) error
	// Evict keeps owner within a quota of maxFiles downloads and maxBytes
	// bytes (result and error log): the oldest downloadable jobs other
	// than keep are expired until the rest fits, and returned (their
	// files are the caller's to remove).
	Evict(ctx context.Context, owner string, maxFiles int, maxBytes int64, keep int64) ([]*Job, error)
	// Kept returns owner's downloadable jobs, oldest first.
	Kept(ctx context.Context, owner string) ([]*Job, error)
	// Expire marks the downloadable jobs (succeeded or lossy) finished
	// before before as expired and returns them (their files are to be
	// removed).
	Expire(ctx context.Context, before time.Time) ([]*Job, error)
	// Purge deletes jobs created before before and returns them (their files
	// are to be removed).
	Purge(ctx context.Context, before time.Time) ([]*Job, error)
}
