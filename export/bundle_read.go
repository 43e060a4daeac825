package export

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/template"
)

// maxBundleManifestBytes bounds the manifest.json OpenBundle reads.
const maxBundleManifestBytes = 16 << 20

// Bundle is a day's CSV bundle opened for reading (OpenBundle). It is not
// safe for concurrent use.
type Bundle struct {
	Manifest *BundleManifest
	zr       *zip.ReadCloser
	files    map[string]*zip.File
}

// OpenBundle opens the bundle at path (written by WriteDayBundle) and
// reads its manifest. It returns an EINVALID error naming the problem
// when the file is no bundle, has another format version, or lacks a file
// its manifest names.
func OpenBundle(path string) (*Bundle, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, weekback.Errorf(weekback.EINVALID, "%s is not a bundle (%v): give a zip written by `weekback download --format csv`", path, err)
	}
	b := &Bundle{zr: zr, files: map[string]*zip.File{}}
	for _, f := range zr.File {
		b.files[f.Name] = f
	}
	if err := b.readManifest(path); err != nil {
		zr.Close()
		return nil, err
	}
	return b, nil
}

func (b *Bundle) readManifest(path string) error {
	f, ok := b.files[BundleManifestName]
	if !ok {
		return weekback.Errorf(weekback.EINVALID, "%s has no %s: give a zip written by `weekback download --format csv`", path, BundleManifestName)
	}
	r, err := f.Open()
	if err != nil {
		return weekback.Errorf(weekback.EINVALID, "%s: cannot read %s: %v", path, BundleManifestName, err)
	}
	defer r.Close()
	var m BundleManifest
	if err := json.NewDecoder(io.LimitReader(r, maxBundleManifestBytes)).Decode(&m); err != nil {
		return weekback.Errorf(weekback.EINVALID, "%s: %s does not parse (%v): the bundle is damaged, download the day again", path, BundleManifestName, err)
	}
	if m.Format != BundleFormat || m.Version != BundleVersion {
		return weekback.Errorf(weekback.EINVALID, "%s is a %q bundle of version %d; this weekback reads %q version %d: use the weekback that wrote it",
			path, m.Format, m.Version, BundleFormat, BundleVersion)
	}
	for _, t := range m.Tables {
		for _, name := range []string{t.CSV, t.Template} {
			if _, ok := b.files[name]; !ok && (name != "" || t.NoTemplate == "") {
				return weekback.Errorf(weekback.EINVALID, "%s lacks %s, which its manifest names: the bundle is damaged, download the day again", path, name)
			}
		}
	}
	b.Manifest = &m
	return nil
}

// Table returns the manifest entry of the named table, or nil.
func (b *Bundle) Table(name string) *BundleTable {
	for i := range b.Manifest.Tables {
		if b.Manifest.Tables[i].Name == name {
			return &b.Manifest.Tables[i]
		}
	}
	return nil
}

// OpenCSV opens the reimport CSV of table (read it with NewCSVReader); the
// caller closes it. It returns ENOTFOUND for a table the bundle lacks.
func (b *Bundle) OpenCSV(table string) (io.ReadCloser, error) {
	t := b.Table(table)
	if t == nil {
		return nil, weekback.Errorf(weekback.ENOTFOUND, "the bundle has no table %q", table)
	}
	r, err := b.files[t.CSV].Open()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", t.CSV, err)
	}
	return r, nil
}

// Template returns the template of table, read and checked by
// template.Read. It returns ENOTFOUND for a table the bundle lacks or that
// has no template (BundleTable.NoTemplate says why).
func (b *Bundle) Template(table string) (*weekback.Template, error) {
	t := b.Table(table)
	if t == nil {
		return nil, weekback.Errorf(weekback.ENOTFOUND, "the bundle has no table %q", table)
	}
	if t.Template == "" {
		return nil, weekback.Errorf(weekback.ENOTFOUND, "the bundle has no template of %s: %s", table, t.NoTemplate)
	}
	r, err := b.files[t.Template].Open()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", t.Template, err)
	}
	defer r.Close()
	return template.Read(r)
}

// Close closes the bundle's file.
func (b *Bundle) Close() error { return b.zr.Close() }
