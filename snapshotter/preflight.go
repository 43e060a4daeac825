package snapshotter

import (
	"context"
	"fmt"
	"strings"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// Preflight checks, before anything is written, that both accounts hold the
// privileges a snapshot needs. Missing required privileges make it return
// an EINVALID error listing the GRANT statements to run; missing optional
// ones (RELOAD for the parallel mode, binlog monitoring, trigger/routine
// DDL) are logged with their effect.
func (s *Snapshotter) Preflight(ctx context.Context) error {
	src, err := mysql.LoadGrants(ctx, s.source)
	if err != nil {
		return err
	}
	bak, err := mysql.LoadGrants(ctx, s.backup)
	if err != nil {
		return err
	}
	var missing []string
	if stmt := s.sourceGrants(ctx, src); stmt != "" {
		missing = append(missing, stmt)
	}
	if stmt := s.backupGrants(bak); stmt != "" {
		missing = append(missing, stmt)
	}
	if len(missing) > 0 {
		return weekback.Errorf(weekback.EINVALID, "missing privileges; as an administrator run:\n  %s", strings.Join(missing, "\n  "))
	}
	s.warnOptional(src)
	return nil
}

func (s *Snapshotter) sourceGrants(ctx context.Context, g *mysql.Grants) string {
	var privs []string
	if !g.OnSchema("SELECT", s.sourceSchema) && !s.selectOnEveryTable(ctx, g) {
		privs = append(privs, "SELECT")
	}
	views, err := mysql.Views(ctx, s.source, s.sourceSchema)
	if err == nil && len(views) > 0 && !g.OnSchema("SHOW VIEW", s.sourceSchema) {
		privs = append(privs, "SHOW VIEW")
	}
	if len(privs) == 0 {
		return ""
	}
	return fmt.Sprintf("GRANT %s ON %s.* TO %s;  -- source account (source.dsn)", strings.Join(privs, ", "), mysql.QuoteIdent(s.sourceSchema), g.Account)
}

func (s *Snapshotter) selectOnEveryTable(ctx context.Context, g *mysql.Grants) bool {
	tables, err := mysql.Tables(ctx, s.source, s.sourceSchema)
	if err != nil || len(tables) == 0 {
		return false
	}
	for _, t := range tables {
		if s.selected(t.Name) && !g.OnTable("SELECT", s.sourceSchema, t.Name) {
			return false
		}
	}
	return true
}

// backupPrivileges are what the backup account needs on the slots and the
// meta schema.
var backupPrivileges = []string{"SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "INDEX", "REFERENCES", "CREATE VIEW", "SHOW VIEW"}

func (s *Snapshotter) backupGrants(g *mysql.Grants) string {
	var privs []string
	for _, p := range backupPrivileges {
		if !g.OnSchema(p, SlotName(s.Prefix, weekback.Monday, 1)) || !g.OnSchema(p, mysql.MetaSchema(s.Prefix)) {
			privs = append(privs, p)
		}
	}
	if len(privs) == 0 {
		return ""
	}
	pattern := mysql.QuoteIdent(mysql.LikeEscape(s.Prefix+"_") + "%")
	return fmt.Sprintf("GRANT %s ON %s.* TO %s;  -- backup account (backup.dsn)", strings.Join(privs, ", "), pattern, g.Account)
}

func (s *Snapshotter) warnOptional(g *mysql.Grants) {
	if s.Parallelism > 1 && !g.Global("RELOAD") {
		s.Logger.Warn("the source account lacks RELOAD: the snapshot runs on one connection (slower); GRANT RELOAD ON *.* for parallel copies",
			"account", g.Account)
	}
	if !g.Global("BINLOG MONITOR") && !g.Global("REPLICATION CLIENT") && !g.Global("SUPER") {
		s.Logger.Info("the source account lacks BINLOG MONITOR / REPLICATION CLIENT: the binlog position may not be recorded", "account", g.Account)
	}
	if !g.OnSchema("TRIGGER", s.sourceSchema) {
		s.Logger.Info("the source account lacks TRIGGER: trigger DDL is not kept in the manifest", "account", g.Account)
	}
}
