package export

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/template"
)

// BundleFormat and BundleVersion identify a bundle's manifest.json.
const (
	BundleFormat  = "weekback-bundle"
	BundleVersion = 1
)

// Names inside a bundle.
const (
	BundleManifestName = "manifest.json"
	bundleCSVDir       = "tables/"
	bundleTemplateDir  = "templates/"
)

// BundleManifest is a bundle's manifest.json: what the day held and which
// file holds what, tables in load order (parents first).
type BundleManifest struct {
	Format       string           `json:"format"`  // BundleFormat
	Version      int              `json:"version"` // BundleVersion
	Day          weekback.Weekday `json:"day"`
	SourceSchema string           `json:"source_schema"`
	SnapshotAt   time.Time        `json:"snapshot_at"`
	LoadOrder    []string         `json:"load_order"`
	Tables       []BundleTable    `json:"tables"`
	Blanked      []string         `json:"blanked"`    // "table.column" written blank (credentials)
	Anonymized   []string         `json:"anonymized"` // "table.column" written as pseudonyms
	// Selection says which rows a restore bundle holds (WriteSelectionBundle);
	// nil for a whole day.
	Selection *BundleSelection `json:"selection,omitempty"`
}

// BundleTable is one table of a bundle.
type BundleTable struct {
	Name     string   `json:"name"`
	CSV      string   `json:"csv"`      // the reimport CSV's name in the zip
	Template string   `json:"template"` // the template JSON's name in the zip; "" when NoTemplate says why
	Rows     int64    `json:"rows"`     // data rows of the CSV (current rows of a versioned table)
	Hash     string   `json:"hash"`     // the generation's content hash of the table (mysql/hash.go)
	Columns  []string `json:"columns"`  // the CSV's columns, in order
	Blanked  []string `json:"blanked,omitempty"`
	// NoTemplate says why the table has no template, when it has none.
	NoTemplate string `json:"no_template,omitempty"`
	// Anonymized lists the table's columns written as pseudonyms.
	Anonymized []string `json:"anonymized,omitempty"`
}

// WriteDayBundle writes gen's slot to w as a zip: per table, in load
// order, its reimport CSV (tables/<table>.csv, credential columns blank,
// anonymized columns as pseudonyms) and its template with its related
// tables (templates/<table>.template.json), then manifest.json
// (BundleManifest).
// OpenBundle reads it back.
//
// conn must be a connection to the backup server opened with
// mysql.RoleExport. Memory stays flat: each CSV streams into the zip. It
// returns the server's errors and w's, wrapped.
func WriteDayBundle(ctx context.Context, conn *sqlx.Conn, gen *weekback.Generation, w io.Writer, opts DaySQLOptions) (*DaySQLResult, error) {
	if !gen.Ready() {
		return nil, weekback.Errorf(weekback.ENOTFOUND, "%s has no backup to download (status %s): pick another day", gen.Day, gen.Status)
	}
	refs, err := foreignKeys(ctx, conn, gen.Slot)
	if err != nil {
		return nil, err
	}
	m := gen.Manifest
	bm := &BundleManifest{Format: BundleFormat, Version: BundleVersion, Day: gen.Day, SourceSchema: m.SourceSchema,
		SnapshotAt: m.SnapshotAt, Blanked: []string{}, Anonymized: []string{}}
	names := make([]string, len(m.Tables))
	for i, t := range m.Tables {
		names[i] = t.Name
	}
	bm.LoadOrder = loadOrder(names, refs)
	zw := zip.NewWriter(w)
	res := &DaySQLResult{}
	cat := mysql.NewCatalog()
	for _, name := range bm.LoadOrder {
		bt, err := writeBundleTable(ctx, conn, cat, gen, zw, name, opts, res.Rows)
		if err != nil {
			return res, err
		}
		bm.addTable(bt, res)
	}
	res.Blanked, res.Anonymized = bm.Blanked, bm.Anonymized
	if err := writeBundleManifest(zw, bm); err != nil {
		return res, err
	}
	if err := zw.Close(); err != nil {
		return res, fmt.Errorf("write the bundle: %w", err)
	}
	return res, nil
}

func writeBundleTable(ctx context.Context, conn *sqlx.Conn, cat *mysql.Catalog, gen *weekback.Generation, zw *zip.Writer,
	name string, opts DaySQLOptions, before int64) (*BundleTable, error) {
	info := gen.Manifest.Table(name)
	bt := &BundleTable{Name: name, CSV: bundleCSVDir + name + ".csv", Template: bundleTemplateDir + name + ".template.json", Hash: info.Hash}
	f, err := zw.Create(bt.CSV)
	if err != nil {
		return nil, fmt.Errorf("write the bundle: %w", err)
	}
	csvOpts := CSVOptions{Profile: ProfileReimport, Replace: NewRowReplacer(opts.Redaction, opts.Anonymizer)}
	var progress func(int64)
	if opts.Progress != nil {
		progress = func(rows int64) { opts.Progress(name, before+rows) }
	}
	res, err := ExportCSV(ctx, conn, cat, mysql.RecordQuery{Schema: gen.Slot, Table: name}, f, csvOpts, progress)
	if err != nil {
		return nil, fmt.Errorf("download table %s: %w", name, err)
	}
	bt.Rows = res.Rows
	for _, c := range res.Columns {
		bt.Columns = append(bt.Columns, c.Name)
		switch {
		case len(opts.Redaction.Masked(name, []string{c.Name})) > 0:
			bt.Blanked = append(bt.Blanked, c.Name)
		case opts.Anonymizer.Covers(name, c.Name) && MethodFor(c.Column) != MethodKeep:
			bt.Anonymized = append(bt.Anonymized, c.Name)
		}
	}
	return bt, writeBundleTemplate(ctx, conn, gen, zw, bt)
}

// writeBundleTemplate writes the template of bt's table into the bundle,
// or says why there is none (a system-versioned table).
func writeBundleTemplate(ctx context.Context, conn *sqlx.Conn, gen *weekback.Generation, zw *zip.Writer, bt *BundleTable) error {
	if strings.Contains(strings.ToUpper(gen.Manifest.Table(bt.Name).DDL), "WITH SYSTEM VERSIONING") {
		bt.Template, bt.NoTemplate = "", "templates do not describe system-versioned tables: the SQL download (--format sql) holds it"
		return nil
	}
	tpl, err := template.Build(ctx, conn, gen, bt.Name, true) // with its related tables: each template applies on its own
	if err != nil {
		return err
	}
	f, err := zw.Create(bt.Template)
	if err != nil {
		return fmt.Errorf("write the bundle: %w", err)
	}
	if err := template.Write(f, tpl); err != nil {
		return fmt.Errorf("write the template of %s: %w", bt.Name, err)
	}
	return nil
}

// addTable adds bt to the manifest and to res.
func (bm *BundleManifest) addTable(bt *BundleTable, res *DaySQLResult) {
	bm.Tables = append(bm.Tables, *bt)
	res.Rows += bt.Rows
	res.Tables = append(res.Tables, DaySQLTable{Name: bt.Name, Rows: bt.Rows, ManifestHash: bt.Hash, Columns: bt.Columns})
	for _, c := range bt.Blanked {
		bm.Blanked = append(bm.Blanked, bt.Name+"."+c)
	}
	for _, c := range bt.Anonymized {
		bm.Anonymized = append(bm.Anonymized, bt.Name+"."+c)
	}
}

func writeBundleManifest(zw *zip.Writer, bm *BundleManifest) error {
	f, err := zw.Create(BundleManifestName)
	if err != nil {
		return fmt.Errorf("write the bundle: %w", err)
	}
	enc := json.NewEncoder(f)
	enc.SetIndent("", "  ")
	if err := enc.Encode(bm); err != nil {
		return fmt.Errorf("write the bundle manifest: %w", err)
	}
	return nil
}
