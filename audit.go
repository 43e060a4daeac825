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
// revoked sessions and recent failed attempts.
type SessionStore interface {
	// Revoke marks the session jti revoked until expires.
	Revoke(ctx context.Context, jti string, expires time.Time) error
	// Revoked reports whether jti was revoked.
	Revoked(ctx context.Context, jti string) (bool, error)
	// RecordLoginFailure notes a failed login for login from client.
	RecordLoginFailure(ctx context.Context, login, client string) error
	// LoginFailures returns the times of the failures since since, for the
	// login and for the client address.
	LoginFailures(ctx context.Context, login, client string, since time.Time) (byLogin, byClient []time.Time, err error)
}
