package snapshotter

import (
	"context"
	"fmt"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// Plan is what a snapshot will copy: the source's tables (biggest first),
// views and sequences, the DDL of the objects that are kept as text only,
// and every object it will not copy, with the reason.
type Plan struct {
	Schema    string
	Server    string
	Tables    []*tablePlan
	Views     []weekback.ViewInfo
	Sequences []weekback.SequenceInfo // Next is read once the tables are copied
	Triggers  []weekback.ObjectDDL
	Routines  []weekback.ObjectDDL
	Events    []weekback.ObjectDDL
	Skipped   []weekback.SkippedObject
	EstBytes  int64 // sum of the tables' data length
	EstRows   int64 // sum of the tables' estimated rows
}

// Plan reads the source catalog. Every table, view and sequence of the
// source schema is either planned or listed in Skipped with the reason.
// It returns an EINVALID error when no table is left to copy.
func (s *Snapshotter) Plan(ctx context.Context) (*Plan, error) {
	p := &Plan{Schema: s.sourceSchema}
	var err error
	if p.Server, err = mysql.ServerVersion(ctx, s.source); err != nil {
		return nil, err
	}
	objects, err := mysql.SchemaObjects(ctx, s.source, s.sourceSchema)
	if err != nil {
		return nil, err
	}
	if err := s.planTables(ctx, p); err != nil {
		return nil, err
	}
	if len(p.Tables) == 0 {
		return nil, weekback.Errorf(weekback.EINVALID,
			"the source schema %s has no tables to copy (%d tables, views and sequences, source.include %v, source.exclude %v): check source.dsn and the include/exclude globs",
			s.sourceSchema, len(objects), s.Include, s.Exclude)
	}
	if err := s.planOthers(ctx, p, objects); err != nil {
		return nil, err
	}
	p.Triggers, p.Routines, p.Events, err = mysql.Objects(ctx, s.source, s.sourceSchema)
	if err != nil {
		return nil, err
	}
	for _, list := range [][]weekback.ObjectDDL{p.Triggers, p.Routines, p.Events} {
		p.skipHidden(list)
	}
	return p, nil
}

// hiddenDDLGrant says which grant lets the source account read the DDL of
// each kind of object kept as text.
var hiddenDDLGrant = map[string]string{
	"TRIGGER":   "TRIGGER on the schema",
	"PROCEDURE": "SELECT on mysql.proc (MariaDB before 11.3), or SHOW CREATE ROUTINE",
	"FUNCTION":  "SELECT on mysql.proc (MariaDB before 11.3), or SHOW CREATE ROUTINE",
	"EVENT":     "EVENT on the schema",
}

// skipHidden lists the objects whose DDL the source account could not
// read: the manifest names them, without their text.
func (p *Plan) skipHidden(list []weekback.ObjectDDL) {
	for _, o := range list {
		if o.DDL == "" {
			p.skip(o.Name, o.Type, "kept without its DDL, which the source account may not read: grant it "+hiddenDDLGrant[o.Type], true)
		}
	}
}

// planTables plans the selected base and system-versioned tables and
// decides whether each versioned table's history can be copied.
func (s *Snapshotter) planTables(ctx context.Context, p *Plan) error {
	tables, err := mysql.Tables(ctx, s.source, s.sourceSchema)
	if err != nil {
		return err
	}
	insertHistory := ""
	for _, t := range tables {
		if why := s.excludedBy(t.Name); why != "" {
			p.skip(t.Name, "TABLE", why, false)
			continue
		}
		ddl, err := mysql.ShowCreateTable(ctx, s.source, s.sourceSchema, t.Name)
		if err != nil {
			return err
		}
		tp := &tablePlan{Table: t, DDL: ddl}
		if t.Versioned {
			if insertHistory == "" {
				insertHistory = s.historyInsertable(ctx)
			}
			tp.History = s.planHistory(p, t, insertHistory)
		}
		p.Tables = append(p.Tables, tp)
		p.EstBytes += t.DataLength
		p.EstRows += t.EstRows
	}
	return nil
}

// planHistory reports whether the history rows of the versioned table t
// can be copied; when not, t is listed as copied in part (its current
// rows). serverWhy is historyInsertable's answer.
func (s *Snapshotter) planHistory(p *Plan, t *mysql.Table, serverWhy string) bool {
	why := serverWhy
	if period := t.PeriodColumns(); why == historyOK && period[0].DataType != "timestamp" {
		why = "its row start and end are transaction ids (transaction-precise versioning), which no server lets a copy set"
	}
	if why == historyOK {
		return true
	}
	p.skip(t.Name, "TABLE", "system-versioned: only the current rows are copied, not the history rows: "+why, true)
	return false
}

// historyOK is historyInsertable's answer when history rows can be loaded.
const historyOK = "ok"

// historyInsertable returns historyOK when the backup server can load a
// system-versioned table's history rows (system_versioning_insert_history,
// MariaDB 10.11 and later, with secure_timestamp=NO), else why not.
func (s *Snapshotter) historyInsertable(ctx context.Context) string {
	var secure string
	err := s.backup.QueryRowxContext(ctx, mysql.Tag+"SELECT @@system_versioning_insert_history, @@secure_timestamp").Scan(new(string), &secure)
	switch {
	case err != nil:
		return fmt.Sprintf("the backup server cannot insert history rows (MariaDB 10.11 or later is needed: %v)", err)
	case secure != "NO":
		return fmt.Sprintf("the backup server's secure_timestamp=%s forbids setting row start and end (it must be NO)", secure)
	}
	return historyOK
}

// planOthers plans the selected views and sequences of objects and lists
// anything else (and anything the globs exclude) as skipped.
func (s *Snapshotter) planOthers(ctx context.Context, p *Plan, objects []mysql.SchemaObject) error {
	for _, o := range objects {
		var err error
		switch why := s.excludedBy(o.Name); {
		case o.Type == mysql.TypeBaseTable || o.Type == mysql.TypeVersioned:
			continue // planTables
		case why != "":
			p.skip(o.Name, objectType(o.Type), why, false)
		case o.Type == mysql.TypeView:
			err = s.planView(ctx, p, o.Name)
		case o.Type == mysql.TypeSequence:
			err = s.planSequence(ctx, p, o.Name)
		default:
			p.skip(o.Name, o.Type, "a snapshot does not copy objects of type "+o.Type, false)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Snapshotter) planView(ctx context.Context, p *Plan, name string) error {
	ddl, err := mysql.ShowCreateView(ctx, s.source, s.sourceSchema, name)
	if err != nil {
		return err
	}
	p.Views = append(p.Views, weekback.ViewInfo{Name: name, DDL: ddl})
	return nil
}

func (s *Snapshotter) planSequence(ctx context.Context, p *Plan, name string) error {
	ddl, err := mysql.ShowCreateSequence(ctx, s.source, s.sourceSchema, name)
	if err != nil {
		return err
	}
	if ddl == "" {
		p.skip(name, "SEQUENCE", "the source account may not read its definition (grant SELECT on the schema)", false)
		return nil
	}
	p.Sequences = append(p.Sequences, weekback.SequenceInfo{Name: name, DDL: ddl})
	return nil
}

// objectType names a TABLE_TYPE for the manifest's skipped list.
func objectType(tableType string) string {
	switch tableType {
	case mysql.TypeBaseTable, mysql.TypeVersioned:
		return "TABLE"
	}
	return tableType
}

// skip lists an object the snapshot will not copy (or copy only in part).
func (p *Plan) skip(name, typ, reason string, partial bool) {
	p.Skipped = append(p.Skipped, weekback.SkippedObject{Name: name, Type: typ, Reason: reason, Partial: partial})
}

// selected applies source.include and source.exclude to a table name.
func (s *Snapshotter) selected(name string) bool { return s.excludedBy(name) == "" }

// excludedBy returns why source.include and source.exclude leave the
// object name out, or "" when they select it.
func (s *Snapshotter) excludedBy(name string) string {
	for _, g := range s.Exclude {
		if weekback.MatchGlob(g, name) {
			return fmt.Sprintf("excluded by the source.exclude glob %q", g)
		}
	}
	if len(s.Include) == 0 {
		return ""
	}
	for _, g := range s.Include {
		if weekback.MatchGlob(g, name) {
			return ""
		}
	}
	return fmt.Sprintf("matches no source.include glob %q", s.Include)
}

// String summarises the plan for --dry-run.
func (p *Plan) String() string {
	return fmt.Sprintf("%d tables (~%d rows, ~%.1f MB), %d views, %d sequences, %d triggers, %d routines, %d events in %s; %d objects not copied (or only in part)",
		len(p.Tables), p.EstRows, float64(p.EstBytes)/1e6, len(p.Views), len(p.Sequences), len(p.Triggers), len(p.Routines), len(p.Events), p.Schema, len(p.Skipped))
}
