package restore

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/template"
)

// BundleSource is where a restore reads when its rows come from a bundle
// (a zip written by `weekback download --format csv` or by the server's
// "Prepare a restore bundle") instead of a generation.
type BundleSource struct {
	Path   string // the zip
	Prefix string // backup.prefix when known: a target among its schemas is refused
}

// bundleInput is an open bundle read as the rows of a restore.
type bundleInput struct {
	name    string // the file's base name, for reports
	b       *export.Bundle
	m       *export.BundleManifest
	tpls    map[string]*weekback.TemplateTable
	outside map[string]bool // tables the bundle's foreign keys reference that only the target has
}

// BuildBundle plans the restore of every row of the bundle at src.Path
// into target, exactly as Build plans a day's rows: the bundle's CSVs (in
// its load order) are the rows to restore, its templates describe the
// tables the target lacks (created with CreateMissing); the rows are
// inserted when missing, skipped when identical and never written over a
// row that differs. Options that select rows (Table, All, Filters,
// MissingIn, ChangedIn, WithChildren, WithRelated) are refused: the
// bundle says which rows.
//
// A bundle with anonymized columns is refused (its values are pseudonyms,
// not production's). Credential columns the bundle holds blank are never
// compared with production nor written over its values; a table whose
// rows to insert have such columns is blocked unless
// AllowBlankCredentials. It returns EINVALID *weekback.Errors naming the
// problem for a file that is no bundle, is damaged (a CSV that does not
// parse, a row count or content hash other than the manifest's) or was
// edited, and Build's errors otherwise. The file is closed on return.
func BuildBundle(ctx context.Context, src BundleSource, target *sqlx.DB, opts Options) (*Plan, error) {
	opts = opts.withDefaults()
	if opts.Table != "" || opts.All || len(opts.Filters) > 0 || opts.MissingIn != "" || opts.ChangedIn || opts.WithChildren || opts.WithRelated {
		return nil, weekback.Errorf(weekback.EINVALID,
			"a bundle says which rows to restore: drop --table, --all, --filter, --missing-in, --changed-in, --with-children and --with-related")
	}
	bd, err := export.OpenBundle(src.Path)
	if err != nil {
		return nil, err
	}
	defer bd.Close()
	in, err := openBundleInput(src.Path, bd)
	if err != nil {
		return nil, err
	}
	b := &builder{target: target, opts: opts, tables: map[string]*table{}, sets: map[string]*rowSet{}, bundle: in, fks: in.foreignKeys()}
	if b.schema, err = targetSchema(ctx, target, src.Prefix); err != nil {
		return nil, err
	}
	if err := in.findOutside(ctx, target, b.schema); err != nil {
		return nil, err
	}
	if err := b.selectBundle(ctx); err != nil {
		return nil, err
	}
	p, err := b.plan(ctx)
	if err != nil {
		return nil, err
	}
	p.Bundle = in.name
	p.blockBlankInserts()
	return p, nil
}

// openBundleInput checks what a restore needs of the bundle and reads its
// templates.
func openBundleInput(path string, bd *export.Bundle) (*bundleInput, error) {
	m := bd.Manifest
	if len(m.Anonymized) > 0 {
		return nil, weekback.Errorf(weekback.EINVALID,
			"bundle %s holds anonymized columns (%s): their values are pseudonyms, not production's, and must never be restored; prepare the bundle again without anonymizing",
			path, strings.Join(m.Anonymized, ", "))
	}
	in := &bundleInput{name: filepath.Base(path), b: bd, m: m, tpls: map[string]*weekback.TemplateTable{}, outside: map[string]bool{}}
	for _, name := range m.LoadOrder {
		if bd.Table(name) == nil {
			return nil, weekback.Errorf(weekback.EINVALID, "bundle %s names table %s in its load order but not in its tables: the bundle is damaged, prepare it again", path, name)
		}
		tpl, err := bd.Template(name)
		if err != nil {
			return nil, weekback.Errorf(weekback.EINVALID, "bundle %s: %s; restore it from the backup server (weekback restore --from DAY --table %s)",
				path, weekback.ErrorMessage(err), name)
		}
		tt := tpl.Lookup(name)
		if tt == nil {
			return nil, weekback.Errorf(weekback.EINVALID, "bundle %s: the template of %s does not describe it: the bundle is damaged, prepare it again", path, name)
		}
		in.tpls[name] = tt
	}
	return in, nil
}

func (in *bundleInput) has(name string) bool { return in.tpls[name] != nil || in.outside[name] }

// foreignKeys returns the foreign keys of the bundle's tables, by table.
func (in *bundleInput) foreignKeys() map[string][]weekback.TemplateForeignKey {
	out := map[string][]weekback.TemplateForeignKey{}
	for name, tt := range in.tpls {
		out[name] = tt.ForeignKeys
	}
	return out
}

// findOutside notes the tables the bundle's foreign keys reference that
// are not in it but in the target: their rows are parents the plan
// checks there.
func (in *bundleInput) findOutside(ctx context.Context, target sqlx.QueryerContext, schema string) error {
	for _, tt := range in.tpls {
		for _, ref := range tt.References() {
			if in.tpls[ref] != nil || in.outside[ref] {
				continue
			}
			_, err := new(mysql.Catalog).Table(ctx, target, schema, ref)
			switch {
			case err == nil:
				in.outside[ref] = true
			case weekback.ErrorCode(err) != weekback.ENOTFOUND:
				return fmt.Errorf("describe %s in the target: %w", ref, err)
			}
		}
	}
	return nil
}

// selectBundle reads every row of the bundle, table by table in its load
// order.
func (b *builder) selectBundle(ctx context.Context) error {
	for _, name := range b.bundle.m.LoadOrder {
		t, err := b.table(ctx, name)
		if err != nil {
			return err
		}
		rows, err := b.bundle.rows(ctx, t)
		if err != nil {
			return err
		}
		b.add(name, rows)
	}
	return nil
}

// planCreate plans the creation of the missing tables from the bundle's
// templates; their triggers are listed, not created.
func (in *bundleInput) planCreate(ctx context.Context, target *sqlx.DB, p *Plan, missing []string) error {
	tpl := &weekback.Template{Format: weekback.TemplateFormat, Day: in.m.Day, SnapshotAt: in.m.SnapshotAt,
		SourceSchema: in.m.SourceSchema, Table: missing[0]}
	for _, name := range missing {
		tt := in.tpls[name]
		tpl.Tables = append(tpl.Tables, *tt)
		for _, tr := range tt.Triggers {
			p.Objects = append(p.Objects, "trigger "+tr.Name+" on "+name+": "+tr.DDL)
		}
	}
	var err error
	p.Create, err = template.PlanApply(ctx, target, tpl)
	return err
}

// blockBlankInserts blocks the tables that would insert rows with
// credential columns the bundle holds blank, unless the options allow it.
func (p *Plan) blockBlankInserts() {
	if p.opts.AllowBlankCredentials {
		return
	}
	for _, tp := range p.Tables {
		if len(tp.t.blanked) == 0 || tp.Insert == 0 || tp.Blocked != "" {
			continue
		}
		names := make([]string, len(tp.t.blanked))
		for i, c := range tp.t.blanked {
			names[i] = tp.t.cols[c].Name
		}
		tp.Blocked = fmt.Sprintf("the bundle holds %s blank (credential columns never leave the backup), so its %d rows to insert would get blank credentials: "+
			"restore this table with `weekback restore --from DAY` from the backup server, or add --allow-blank-credentials and set them in production afterwards",
			strings.Join(names, ", "), tp.Insert)
	}
}

// keepBlanked copies into r, the bundle's row, production's values cur of
// the columns the bundle holds blank: they are never compared nor
// written.
func (t *table) keepBlanked(r, cur row) {
	for _, c := range t.blanked {
		r[c] = cur[c]
	}
}
