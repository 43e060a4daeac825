package jobs

import (
	"context"
	"fmt"
	"strings"

	"github.com/weekback/weekback"
)

// OverQuotaError is why a submit was refused: the owner keeps more
// finished exports than the quota allows. Delete lists the jobs to delete
// (oldest first) for the rest to fit.
type OverQuotaError struct {
	Files, MaxFiles int
	Bytes, MaxBytes int64
	Delete          []*weekback.Job
}

// Error returns the sentence in English: what is kept, the limit, and
// which jobs to delete.
func (e *OverQuotaError) Error() string {
	ids := make([]string, len(e.Delete))
	for i, j := range e.Delete {
		ids[i] = fmt.Sprintf("#%d", j.ID)
	}
	return fmt.Sprintf("you keep %d finished exports (%d bytes), more than you may keep (%d exports, %d bytes): "+
		"delete %s on the jobs page, then start this export again", e.Files, e.Bytes, e.MaxFiles, e.MaxBytes, strings.Join(ids, ", "))
}

// Unwrap makes the error an ECONFLICT *weekback.Error for ErrorCode.
func (e *OverQuotaError) Unwrap() error { return weekback.Errorf(weekback.ECONFLICT, "%s", e.Error()) }

// checkQuota returns an *OverQuotaError when owner keeps more than the
// quota: files over QuotaFiles or bytes over QuotaBytes, not counting the
// downloads that a job of kind and p replaces. (Completing jobs expire
// the oldest downloads, so this is an owner whose newest export alone is
// larger than QuotaBytes, or a quota lowered since.)
func (r *Runner) checkQuota(ctx context.Context, owner string, kind weekback.JobKind, p weekback.JobParams) error {
	if (r.QuotaFiles <= 0 && r.QuotaBytes <= 0) || kind == weekback.JobCompare { // a comparison keeps no file
		return nil
	}
	all, err := r.Store.Kept(ctx, owner)
	if err != nil {
		return err
	}
	kept := all[:0]
	for _, j := range all {
		if j.Kind != kind || j.Params.Key(kind) != p.Key(kind) {
			kept = append(kept, j)
		}
	}
	e := &OverQuotaError{Files: len(kept), MaxFiles: r.QuotaFiles, MaxBytes: r.QuotaBytes}
	for _, j := range kept {
		e.Bytes += j.Bytes + j.ErrorBytes
	}
	files, bytes := e.Files, e.Bytes
	for _, j := range kept {
		if !r.over(files, bytes) {
			break
		}
		e.Delete = append(e.Delete, j)
		files, bytes = files-1, bytes-j.Bytes-j.ErrorBytes
	}
	if e.Delete == nil {
		return nil
	}
	return e
}

// over reports whether files and bytes are over the quota.
func (r *Runner) over(files int, bytes int64) bool {
	return (r.QuotaFiles > 0 && files > r.QuotaFiles) || (r.QuotaBytes > 0 && bytes > r.QuotaBytes)
}
