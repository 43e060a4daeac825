package snapshotter

import (
	"context"
	"fmt"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// Plan is what a snapshot will copy: the source's tables (biggest first),
// views, and the DDL of the objects that are kept as text only.
type Plan struct {
	Schema   string
	Server   string
	Tables   []*tablePlan
	Views    []weekback.ViewInfo
	Triggers []weekback.ObjectDDL
	Routines []weekback.ObjectDDL
	Events   []weekback.ObjectDDL
	EstBytes int64 // sum of the tables' data length
	EstRows  int64 // sum of the tables' estimated rows
}

// Plan reads the source catalog. It returns an EINVALID error when no
// table is left to copy.
func (s *Snapshotter) Plan(ctx context.Context) (*Plan, error) {
	p := &Plan{Schema: s.sourceSchema}
	var err error
	if p.Server, err = mysql.ServerVersion(ctx, s.source); err != nil {
		return nil, err
	}
	tables, err := mysql.Tables(ctx, s.source, s.sourceSchema)
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		if !s.selected(t.Name) {
			continue
		}
		ddl, err := mysql.ShowCreateTable(ctx, s.source, s.sourceSchema, t.Name)
		if err != nil {
			return nil, err
		}
		p.Tables = append(p.Tables, &tablePlan{Table: t, DDL: ddl})
		p.EstBytes += t.DataLength
		p.EstRows += t.EstRows
	}
	if len(p.Tables) == 0 {
		return nil, weekback.Errorf(weekback.EINVALID,
			"the source schema %s has no tables to copy (%d tables, source.include %v, source.exclude %v): check source.dsn and the include/exclude globs",
			s.sourceSchema, len(tables), s.Include, s.Exclude)
	}
	if err := s.planViews(ctx, p); err != nil {
		return nil, err
	}
	p.Triggers, p.Routines, p.Events, err = mysql.Objects(ctx, s.source, s.sourceSchema)
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Snapshotter) planViews(ctx context.Context, p *Plan) error {
	views, err := mysql.Views(ctx, s.source, s.sourceSchema)
	if err != nil {
		return err
	}
	for _, v := range views {
		if !s.selected(v) {
			continue
		}
		ddl, err := mysql.ShowCreateView(ctx, s.source, s.sourceSchema, v)
		if err != nil {
			return err
		}
		p.Views = append(p.Views, weekback.ViewInfo{Name: v, DDL: ddl})
	}
	return nil
}

// selected applies source.include and source.exclude to a table name.
func (s *Snapshotter) selected(name string) bool { return Selected(s.Include, s.Exclude, name) }

// String summarises the plan for --dry-run.
func (p *Plan) String() string {
	return fmt.Sprintf("%d tables (~%d rows, ~%.1f MB), %d views, %d triggers, %d routines, %d events in %s",
		len(p.Tables), p.EstRows, float64(p.EstBytes)/1e6, len(p.Views), len(p.Triggers), len(p.Routines), len(p.Events), p.Schema)
}
