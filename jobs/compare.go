package jobs

import (
	"context"

	"github.com/weekback/weekback"
)

// CompareFunc compares two generations (from taken before to) and keeps
// the change set where the changes page finds it, calling progress with
// the tables done and the tables in all. It returns the comparison's or
// the store's error.
type CompareFunc func(ctx context.Context, from, to *weekback.Generation, progress func(done, total int)) error

// normalizeCompare checks a comparison's parameters: another day than
// Day; everything else is cleared.
func normalizeCompare(p weekback.JobParams) (weekback.JobParams, error) {
	against, err := weekback.ParseWeekday(string(p.Against))
	if err != nil {
		return p, err
	}
	if against == p.Day {
		return p, weekback.Errorf(weekback.EINVALID, "a day compared with itself has no changes: pick another day to compare with").
			WithKey("changes.against_same")
	}
	return weekback.JobParams{Day: p.Day, Against: against}, nil
}

// checkCompare checks that the other day of a comparison is served and
// that this runner can compare, and returns the pair's tables (a
// comparison's total).
func (r *Runner) checkCompare(ctx context.Context, gen *weekback.Generation, p weekback.JobParams) (int64, error) {
	if r.Compare == nil {
		return 0, weekback.Errorf(weekback.EINVALID, "this server cannot compare days in the background: open the changes page and wait")
	}
	other, err := r.generation(ctx, p.Against, "")
	if err != nil {
		return 0, err
	}
	return int64(len(tableUnion(gen, other))), nil
}

// tableUnion returns the names of the tables of a or b.
func tableUnion(a, b *weekback.Generation) map[string]bool {
	names := map[string]bool{}
	for _, g := range []*weekback.Generation{a, b} {
		for _, t := range g.Manifest.Tables {
			names[t.Name] = true
		}
	}
	return names
}

// compare runs a's comparison of gen with the other day, the copy taken
// earlier first, recording the tables done as its progress.
func (a *attempt) compare(ctx context.Context, gen *weekback.Generation) error {
	r, j := a.r, a.job
	if r.Compare == nil {
		return weekback.Errorf(weekback.EINVALID, "this server cannot compare days in the background: open the changes page and wait")
	}
	other, err := r.generation(ctx, j.Params.Against, "")
	if err != nil {
		return err
	}
	from, to := other, gen
	if other.Manifest.SnapshotAt.After(gen.Manifest.SnapshotAt) {
		from, to = gen, other
	}
	return r.Compare(ctx, from, to, func(done, total int) { a.rows.Store(int64(done)) })
}
