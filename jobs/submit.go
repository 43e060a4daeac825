package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/weekback/weekback"
)

// Submit checks a job of kind asked by owner and queues it, then wakes
// an idle worker. It checks that p.Day is served and, but for a download
// (a whole day, format sql or csv), has p.Table (ENOTFOUND),
// and for exports the profile, encoding, columns, filters and sort against
// the slot's catalog (EINVALID): a job that cannot run is refused here
// rather than failing later. Params are stored normalized (day, profile
// and encoding in their canonical spelling), RowsTotal is the manifest's
// row count (an estimate: filters make it smaller) and File the name the
// result is offered under.
//
// Parameters whose JSON is longer than MaxParamBytes are refused
// (ETOOLARGE), and so is an owner over the quota (an *OverQuotaError,
// ECONFLICT). A job of owner asking for the same export, queued, running
// or still downloadable, is replaced: replaced lists their ids, and the
// files of those that had finished are removed. Beyond MaxActive queued or
// running jobs, the error is the store's ECONFLICT. Other errors are the
// store's or the backup server's. It is safe for concurrent use.
func (r *Runner) Submit(ctx context.Context, owner string, kind weekback.JobKind, p weekback.JobParams) (job *weekback.Job, replaced []int64, err error) {
	if owner == "" {
		return nil, nil, weekback.Errorf(weekback.EINVALID, "a job needs an owner: log in first")
	}
	if p, err = normalize(kind, p); err != nil {
		return nil, nil, err
	}
	if err := r.checkSize(p); err != nil {
		return nil, nil, err
	}
	if err := r.checkQuota(ctx, owner, kind, p); err != nil {
		return nil, nil, err
	}
	if p.Anonymize && r.Anonymizer == nil {
		return nil, nil, weekback.Errorf(weekback.EINVALID, "anonymized exports are not set up on this server: "+
			"an administrator lists the columns in exports.anonymize").WithKey("download.anonymize_off")
	}
	gen, err := r.generation(ctx, p.Day, p.Table)
	if err != nil {
		return nil, nil, err
	}
	if kind == weekback.JobExport || kind == weekback.JobBundle {
		if err := r.checkExport(ctx, gen, p); err != nil {
			return nil, nil, err
		}
	}
	if (kind == weekback.JobTemplate || kind == weekback.JobBundle) && gen.Manifest.Table(p.Table) == nil {
		return nil, nil, weekback.Errorf(weekback.ENOTFOUND, "%s is a view: templates and restore bundles hold tables; use a table it reads", p.Table)
	}
	j := &weekback.Job{Owner: owner, Kind: kind, Params: p, File: fileName(kind, p, gen, r.Location)}
	switch t := gen.Manifest.Table(p.Table); {
	case t != nil && kind == weekback.JobExport:
		j.RowsTotal = t.Rows // a view's count is not in the manifest
	case kind == weekback.JobDownload:
		j.RowsTotal = downloadRows(gen, p.Format)
	case kind == weekback.JobCompare:
		if j.RowsTotal, err = r.checkCompare(ctx, gen, p); err != nil {
			return nil, nil, err
		}
	}
	if replaced, err = r.Store.Enqueue(ctx, j, r.MaxActive); err != nil {
		return nil, nil, err
	}
	for _, id := range replaced {
		if err := r.Remove(&weekback.Job{ID: id, Kind: kind, Params: p}); err != nil {
			r.Logger.Error("cannot remove the files of a replaced job", "job", id, "err", err)
		}
	}
	r.Kick()
	return j, replaced, nil
}

// checkSize refuses parameters whose JSON is longer than MaxParamBytes.
func (r *Runner) checkSize(p weekback.JobParams) error {
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode job parameters: %w", err)
	}
	if len(b) > r.MaxParamBytes {
		kib := (r.MaxParamBytes + 1023) / 1024
		return weekback.Errorf(weekback.ETOOLARGE,
			"this export asks for too much: its filters and columns take %d KiB, the most a background export accepts is %d KiB; use fewer or shorter filter values (split the export in several)",
			(len(b)+1023)/1024, kib).WithKey("jobs.too_large", "size", (len(b)+1023)/1024, "max", kib)
	}
	return nil
}

// normalize checks kind and p and returns p with its day, profile and
// encoding spelled canonically (so that JobParams.Key finds repeats).
func normalize(kind weekback.JobKind, p weekback.JobParams) (weekback.JobParams, error) {
	if kind != weekback.JobExport && kind != weekback.JobTemplate && kind != weekback.JobDownload && kind != weekback.JobBundle && kind != weekback.JobCompare {
		return p, weekback.Errorf(weekback.EINVALID, "unknown job kind %q: use export, template, download, bundle or compare", kind)
	}
	day, err := weekback.ParseWeekday(string(p.Day))
	if err != nil {
		return p, err
	}
	p.Day = day
	switch kind {
	case weekback.JobDownload:
		return normalizeDownload(p)
	case weekback.JobCompare:
		return normalizeCompare(p)
	}
	p.Against = ""
	p.Format = ""
	if strings.TrimSpace(p.Table) == "" {
		return p, weekback.Errorf(weekback.EINVALID, "a job needs a table: pick one from the day's list")
	}
	if kind == weekback.JobBundle {
		return normalizeBundle(p)
	}
	if kind == weekback.JobTemplate {
		p.Filters, p.Sort, p.Columns, p.Profile, p.Encoding, p.Lossy, p.Anonymize = nil, weekback.Sort{}, nil, "", "", false, false
		return p, nil
	}
	p.Related = false
	o, err := csvOptions(p)
	if err != nil {
		return p, err
	}
	p.Profile, p.Encoding = string(o.Profile), string(o.Encoding)
	return p, nil
}

// checkExport checks p's columns, filters and sort against gen's slot,
// as the direct download does before it sends anything.
func (r *Runner) checkExport(ctx context.Context, gen *weekback.Generation, p weekback.JobParams) error {
	conn, err := r.conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	q, err := r.recordQuery(ctx, conn, gen, p)
	if err != nil {
		return err
	}
	_, err = r.Catalog.RecordColumns(ctx, conn, q)
	return err
}
