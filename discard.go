package weekback

import "time"

// Audit actions of discards, snapshot requests and off-site copies.
const (
	AuditDiscard         = "discard"          // a day discarded (Detail: the reason)
	AuditSnapshotRequest = "snapshot_request" // "Take a snapshot now" asked from the browser
)

// Off-site outcomes of a snapshot run (SnapshotRun.Offsite).
const (
	OffsiteCopied = "copied"
	OffsiteFailed = "failed"
)

// Discard is a day discarded on purpose: when, by whom and why, and what
// was served then (its slot, snapshot time and rows).
type Discard struct {
	At         time.Time `json:"at"`
	By         string    `json:"by"`
	Reason     string    `json:"reason,omitempty"`
	Slot       string    `json:"slot,omitempty"`
	SnapshotAt time.Time `json:"snapshot_at,omitzero"`
	Rows       int64     `json:"rows,omitempty"`
}

// Snapshot request statuses.
const (
	RequestPending = "pending" // waiting for the snapshotter daemon
	RequestRunning = "running"
	RequestDone    = "done"
	RequestFailed  = "failed"
)

// SnapshotRequest is a "take a snapshot now" asked from the browser and
// run by the snapshotter daemon like a scheduled run.
type SnapshotRequest struct {
	ID          int64     `json:"id"`
	Day         Weekday   `json:"day"`
	RequestedBy string    `json:"requested_by"`
	RequestedAt time.Time `json:"requested_at"`
	Status      string    `json:"status"`
	StartedAt   time.Time `json:"started_at,omitzero"`
	EndedAt     time.Time `json:"ended_at,omitzero"`
	RunID       int64     `json:"run_id,omitempty"`
	Error       string    `json:"error,omitempty"`
}
