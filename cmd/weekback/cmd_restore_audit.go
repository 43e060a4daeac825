package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/config"
	"github.com/weekback/weekback/mysql"
)

// writeAudit is what the audit log records of a write into production
// (restore, undo, import, template-apply).
type writeAudit struct {
	Action   string           `json:"-"`
	Day      weekback.Weekday `json:"-"`
	Reason   string           `json:"reason,omitempty"`
	Target   string           `json:"target"`           // user@host:port/schema, never the password
	Tables   map[string]int64 `json:"tables,omitempty"` // rows written per table
	UndoFile string           `json:"undo_file,omitempty"`
	Bundle   string           `json:"bundle,omitempty"` // the bundle restored (restore --bundle)
	Error    string           `json:"error,omitempty"`
}

// auditTimeout bounds the audit write: a slow backup server must not hold
// the command's exit.
const auditTimeout = 10 * time.Second

// maxAuditReason limits the --reason text stored.
const maxAuditReason = 1000

// targetName returns dsn's user, address and database, without the
// password.
func targetName(dsn string) string {
	cfg, err := mysql.Config(dsn, "--to", mysql.RoleTarget)
	if err != nil {
		return "?"
	}
	return cfg.User + "@" + cfg.Addr + "/" + cfg.DBName
}

// record writes w to the audit log of the backup server named in the
// configuration, when there is one and it answers; otherwise it says on
// stderr why nothing was recorded. cause is the command's error (the
// outcome is failed when it is not nil).
func (a *app) record(ctx context.Context, cfg *config.Config, w writeAudit, cause error) {
	if err := a.writeAudit(ctx, cfg, w, cause); err != nil {
		fmt.Fprintf(a.env.Stderr, "weekback: the audit log was not written (%s): the write itself is done as reported\n", weekback.ErrorMessage(err))
	}
}

func (a *app) writeAudit(ctx context.Context, cfg *config.Config, w writeAudit, cause error) error {
	if cfg == nil {
		var err error
		if cfg, err = a.loadConfig(); err != nil {
			return err
		}
	}
	dsn, key := readerDSN(cfg)
	if dsn == "" {
		return weekback.Errorf(weekback.EINVALID, "no backup server is configured (backup.reader_dsn or backup.dsn)")
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), auditTimeout)
	defer cancel()
	db, err := mysql.Open(ctx, dsn, key, mysql.RoleBackup)
	if err != nil {
		return err
	}
	defer db.Close()
	meta, err := mysql.AttachMeta(ctx, db, cfg.Backup.Prefix)
	if err != nil {
		return err
	}
	return meta.Audit(ctx, w.entry(cause))
}

// entry builds the audit entry of w.
func (w writeAudit) entry(cause error) *weekback.AuditEntry {
	e := &weekback.AuditEntry{Login: operator(), Client: "cli", Action: w.Action, Outcome: weekback.OutcomeOK, Day: w.Day}
	if cause != nil {
		e.Outcome = weekback.OutcomeFailed
		w.Error = weekback.ErrorMessage(cause)
	}
	if len(w.Reason) > maxAuditReason {
		w.Reason = w.Reason[:maxAuditReason]
	}
	names := make([]string, 0, len(w.Tables))
	for t, n := range w.Tables {
		names = append(names, t)
		e.Rows += n
	}
	sort.Strings(names)
	if len(names) > 0 {
		e.Table = names[0]
	}
	detail, _ := json.Marshal(w) // cannot fail: strings and numbers
	e.Detail = string(detail)
	return e
}
