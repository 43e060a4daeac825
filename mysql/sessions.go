package mysql

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
)

var (
	_ weekback.SessionStore = (*Meta)(nil)
	_ weekback.AuditLog     = (*Meta)(nil)
)

// Revoke marks the session jti revoked until expires, and forgets
// revocations that have expired.
func (m *Meta) Revoke(ctx context.Context, jti string, expires time.Time) error {
	err := retryTx(ctx, m.db, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, Tag+"INSERT INTO "+m.table("revoked_sessions")+
			" (jti, expires_at) VALUES (?, ?) ON DUPLICATE KEY UPDATE expires_at = VALUES(expires_at)", jti, expires.UTC())
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, Tag+"DELETE FROM "+m.table("revoked_sessions")+" WHERE expires_at < ?", m.now())
		return err
	})
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}

// Revoked reports whether jti was revoked; on a Galera node it first
// applies what the cluster committed (a logout on another replica counts).
func (m *Meta) Revoked(ctx context.Context, jti string) (bool, error) {
	var n int
	if err := m.db.QueryRowxContext(ctx, m.causal(ctx, Tag+"SELECT COUNT(*) FROM "+m.table("revoked_sessions")+" WHERE jti = ?"), jti).Scan(&n); err != nil {
		return false, fmt.Errorf("check session: %w", err)
	}
	return n > 0, nil
}

// MaxAuditDetail is the most of an audit entry's detail that is kept
// (the column is a TEXT; the strict sql_mode would refuse more): a longer
// one, such as the filters of a very long export request, is cut there
// and ends with "…".
const MaxAuditDetail = 60000

// Audit appends e to the audit log, setting its ID and time; an entry
// with a Key already stored adds one to that entry's count instead (e's
// ID is then the stored entry's). A detail longer than MaxAuditDetail
// bytes is cut (e.Detail says what was kept).
func (m *Meta) Audit(ctx context.Context, e *weekback.AuditEntry) error {
	e.At = m.now()
	e.Detail = clipText(e.Detail, MaxAuditDetail)
	var key any
	if e.Key != "" {
		sum := sha256.Sum256([]byte(e.Key))
		key = hex.EncodeToString(sum[:])
	}
	res, err := m.exec(ctx, Tag+"INSERT INTO "+m.table("audit_log")+
		" (at, login, client, action, outcome, day, table_name, detail, `rows`, agg_key) VALUES (?, ?, ?, ?, ?, ?, ?, NULLIF(?, ''), ?, ?)"+
		" ON DUPLICATE KEY UPDATE attempts = attempts + 1, id = LAST_INSERT_ID(id)",
		e.At, e.Login, e.Client, e.Action, e.Outcome, string(e.Day), e.Table, e.Detail, e.Rows, key)
	if err != nil {
		return fmt.Errorf("write audit log: %w", err)
	}
	e.ID, _ = res.LastInsertId()
	return nil
}

// AuditEntries returns the newest entries first, at most limit, older than
// beforeID when it is not 0.
func (m *Meta) AuditEntries(ctx context.Context, beforeID int64, limit int) ([]weekback.AuditEntry, error) {
	return m.AuditEntriesWhere(ctx, weekback.AuditFilter{}, beforeID, limit)
}

// AuditEntriesWhere is AuditEntries of the entries f matches. A table
// matches the entry's table_name, or a "tables" member of its detail
// (restore, import and template-apply list every table they wrote there).
func (m *Meta) AuditEntriesWhere(ctx context.Context, f weekback.AuditFilter, beforeID int64, limit int) ([]weekback.AuditEntry, error) {
	tableKey, _ := json.Marshal(f.Table) // cannot fail: a string
	rows, err := m.db.QueryxContext(ctx, Tag+"SELECT id, at, login, client, action, outcome, day, table_name, COALESCE(detail, ''), `rows`, attempts FROM "+
		m.table("audit_log")+" WHERE (? = 0 OR id < ?) AND (? = '' OR action = ?) AND (? = '' OR login = ?) AND (? = '' OR day = ?)"+
		" AND (? = '' OR table_name = ? OR detail LIKE CONCAT('%', ?, ':%') ESCAPE '!') ORDER BY id DESC LIMIT ?",
		beforeID, beforeID, f.Action, f.Action, f.Login, f.Login, string(f.Day), string(f.Day),
		f.Table, f.Table, likeEscape(string(tableKey)), limit)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var out []weekback.AuditEntry
	for rows.Next() {
		var e weekback.AuditEntry
		var day string
		if err := rows.Scan(&e.ID, &e.At, &e.Login, &e.Client, &e.Action, &e.Outcome, &day, &e.Table, &e.Detail, &e.Rows, &e.Count); err != nil {
			return nil, fmt.Errorf("read audit log: %w", err)
		}
		e.Day = weekback.Weekday(day)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}

// likeEscape escapes s for a LIKE pattern with ESCAPE '!'.
func likeEscape(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}
