package jobs

import (
	"context"
	"io"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
)

// normalizeBundle checks a restore bundle's parameters: a table, its
// filters, at most one of missing_in and changed_in, and children;
// everything only exports take is cleared.
func normalizeBundle(p weekback.JobParams) (weekback.JobParams, error) {
	if p.MissingIn != "" && p.ChangedIn != "" {
		return p, weekback.Errorf(weekback.EINVALID, "missing_in and changed_in exclude each other: prepare one bundle, then the other").
			WithKey("export.against_both")
	}
	return weekback.JobParams{Day: p.Day, Table: p.Table, Filters: p.Filters, MissingIn: p.MissingIn, ChangedIn: p.ChangedIn,
		Children: p.Children}, nil
}

// bundle writes a's restore bundle from gen's slot: the rows of the table
// its filters (and missing_in/changed_in keys) select, with their
// children when asked, credential columns blank.
func (a *attempt) bundle(ctx context.Context, gen *weekback.Generation) error {
	r, j := a.r, a.job
	conn, err := r.conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	req := export.SelectionRequest{Query: mysql.RecordQuery{Schema: gen.Slot, Table: j.Params.Table, Filters: j.Params.Filters},
		Selection: selectionOf(j.Params), Redaction: r.Redaction, Progress: a.rows.Store}
	if j.Params.MissingIn != "" || j.Params.ChangedIn != "" {
		if r.Keys == nil {
			return weekback.Errorf(weekback.EINVALID, "this server cannot narrow a bundle to another day's changes: prepare it from the records page")
		}
		if req.Keys, err = r.Keys(ctx, gen, j.Params); err != nil {
			return err
		}
	}
	if a.out, err = r.createTemp(j.ID, "", r.resultPath(j)); err != nil {
		return err
	}
	var w io.Writer = ctxWriter{ctx, a.out}
	if r.wrap != nil {
		w = r.wrap(w)
	}
	res, err := export.WriteSelectionBundle(ctx, conn, r.Catalog, gen, w, req)
	if err != nil {
		return err
	}
	a.rows.Store(res.Rows)
	return nil
}

// selectionOf says in the bundle's manifest what p selected.
func selectionOf(p weekback.JobParams) export.BundleSelection {
	s := export.BundleSelection{Table: p.Table, WithChildren: p.Children}
	for _, f := range p.Filters {
		s.Filters = append(s.Filters, f.String())
	}
	switch {
	case p.MissingIn != "":
		s.Against, s.Kind = p.MissingIn, "deleted"
	case p.ChangedIn != "":
		s.Against, s.Kind = p.ChangedIn, "changed"
	}
	return s
}
