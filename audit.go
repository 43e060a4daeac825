package weekback

import (
	"context"
	"time"
)

// Audit actions.
const (
	AuditLogin   = "login"
	AuditLogout  = "logout"
	AuditRefused = "refused" // a logged-in user refused access (permission gone, …)
	AuditExport  = "export"
	// AuditDownload is a whole day downloaded (SQL script or CSV bundle).
	AuditDownload = "download"
	// Writes into production, from the CLI.
	AuditRestore       = "restore"
	AuditUndo          = "undo"
	AuditImport        = "import"
	AuditTemplateApply = "template_apply"
)

// Audit outcomes.
const (
	OutcomeOK     = "ok"
	OutcomeFailed = "failed"
)

// AuditEntry is one line of the audit log kept in the meta schema.
type AuditEntry struct {
	ID      int64     `json:"id"`
	At      time.Time `json:"at"`
	Login   string    `json:"login"`
	Client  string    `json:"client"`
	Action  string    `json:"action"`
	Outcome string    `json:"outcome"`
	Day     Weekday   `json:"day,omitempty"`
	Table   string    `json:"table,omitempty"`
	Detail  string    `json:"detail,omitempty"` // filters, reason … never a password or a value of a credential column
	Rows    int64     `json:"rows,omitempty"`
	// Count is how many times the entry happened: 1, or more for an
	// aggregated entry (see Key).
	Count int64 `json:"count,omitempty"`
	// Key, when not empty, makes the entry an aggregate: writing another
	// entry with the same Key adds one to the stored entry's Count instead
	// of adding a line (throttled logins of one login and client in one
	// window). It is not shown.
	Key string `json:"-"`
}

// AuditFilter narrows the entries AuditLog.AuditEntriesWhere lists; an
// empty field matches every entry. Table matches the entry's table and,
// for writes into production, any table its detail lists.
type AuditFilter struct {
	Action string  `json:"action,omitempty"`
	Login  string  `json:"login,omitempty"`
	Table  string  `json:"table,omitempty"`
	Day    Weekday `json:"day,omitempty"`
}

// AuditLog records and lists audit entries.
type AuditLog interface {
	// Audit appends e (its ID and At are set).
	Audit(ctx context.Context, e *AuditEntry) error
	// AuditEntries returns the newest entries first, at most limit, older
	// than beforeID when it is not 0.
	AuditEntries(ctx context.Context, beforeID int64, limit int) ([]AuditEntry, error)
	// AuditEntriesWhere is AuditEntries of the entries f matches.
	AuditEntriesWhere(ctx context.Context, f AuditFilter, beforeID int64, limit int) ([]AuditEntry, error)
}

// SessionStore keeps what replicas of the server share about logins:
// revoked sessions and the counters of recent login attempts.
type SessionStore interface {
	// Revoke marks the session jti revoked until expires.
	Revoke(ctx context.Context, jti string, expires time.Time) error
	// Revoked reports whether jti was revoked.
	Revoked(ctx context.Context, jti string) (bool, error)
	// ReserveLogin reads the counters of an attempt of login from client
	// and passes them to decide, which returns how long the attempt must
	// wait (then nothing is stored) or 0 after counting the attempt in
	// them (then they are stored). Reading, deciding and storing are one
	// atomic step across replicas: concurrent attempts see each other's
	// counts. It returns decide's answer.
	ReserveLogin(ctx context.Context, login, client string, decide func(*LoginCounters) time.Duration) (time.Duration, error)
	// ReleaseLogin takes back one reserved attempt of login from client
	// (it succeeded, or could not be checked).
	ReleaseLogin(ctx context.Context, login, client string) error
}

// LoginCounter counts the reserved login attempts of one scope in its
// current window.
type LoginCounter struct {
	Attempts    int       // attempts counted since WindowStart (failed or in progress)
	WindowStart time.Time // when the window began; zero before the first attempt
	Last        time.Time // when the latest counted attempt began
}

// LoginCounters are the counters an attempt is checked against: the login
// from this client, the login from any client, and this client for any
// login.
type LoginCounters struct {
	Pair, Login, Client LoginCounter
}
