package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/weekback/weekback"
)

// Suffixes of a job's files in Dir, after its id.
const (
	suffixCSV      = ".csv"
	suffixTemplate = ".template.json"
	suffixErrors   = ".errors.csv"
	suffixSQL      = ".sql.gz"
	suffixBundle   = ".zip"
)

// resultPath returns where j's result is kept: "<Dir>/<id>.csv",
// "<Dir>/<id>.template.json", or for a download "<Dir>/<id>.sql.gz" or
// "<Dir>/<id>.zip". Only the id goes into it.
func (r *Runner) resultPath(j *weekback.Job) string {
	suffix := suffixCSV
	switch {
	case j.Kind == weekback.JobTemplate:
		suffix = suffixTemplate
	case j.Kind == weekback.JobDownload && j.Params.Format == "csv", j.Kind == weekback.JobBundle:
		suffix = suffixBundle
	case j.Kind == weekback.JobDownload:
		suffix = suffixSQL
	}
	return filepath.Join(r.Dir, strconv.FormatInt(j.ID, 10)+suffix)
}

// errorsPath returns where j's error log is kept: "<Dir>/<id>.errors.csv".
func (r *Runner) errorsPath(j *weekback.Job) string {
	return filepath.Join(r.Dir, strconv.FormatInt(j.ID, 10)+suffixErrors)
}

// Expired reports whether j's download is gone or due to go: j is
// expired, or it completed (succeeded or lossy) at least ttl before now.
// It is safe for concurrent use.
func Expired(j *weekback.Job, now time.Time, ttl time.Duration) bool {
	if j.Status == weekback.JobExpired {
		return true
	}
	return j.Status.Downloadable() && !j.FinishedAt.IsZero() && !j.FinishedAt.After(now.Add(-ttl))
}

// Result returns the path of j's result file, for download. It returns
// an ENOTFOUND *weekback.Error when j has not completed (succeeded or
// lossy), its download
// expired (see Expired: a server answers 410 for those before asking), or
// the file is missing. It is safe for concurrent use.
func (r *Runner) Result(j *weekback.Job) (string, error) {
	if j.ID <= 0 || !j.Status.Downloadable() || Expired(j, r.Now(), r.DownloadTTL) {
		return "", weekback.Errorf(weekback.ENOTFOUND, "job %d has no file to download: only a completed job's file can be downloaded, "+
			"for %s after it ends; export again to get a new one", j.ID, r.DownloadTTL)
	}
	return existing(r.resultPath(j), j.ID)
}

// ErrorLog returns the path of j's error log (a CSV file listing the
// characters the encoding could not hold; there is one when j.Errors >
// 0). It returns an ENOTFOUND *weekback.Error when there is none (also
// once the job expired). It is safe for concurrent use.
func (r *Runner) ErrorLog(j *weekback.Job) (string, error) {
	if j.ID <= 0 || j.Errors == 0 || j.Status == weekback.JobExpired || j.Status == weekback.JobReplaced {
		return "", weekback.Errorf(weekback.ENOTFOUND, "job %d has no error log", j.ID)
	}
	return existing(r.errorsPath(j), j.ID)
}

func existing(path string, id int64) (string, error) {
	if _, err := os.Stat(path); err != nil {
		return "", weekback.Errorf(weekback.ENOTFOUND, "the file of job %d is gone: export again to get a new one", id)
	}
	return path, nil
}

// Remove deletes j's result and error log; files already gone are no
// error. It returns the first other failure, wrapped. It is safe for
// concurrent use.
func (r *Runner) Remove(j *weekback.Job) error {
	if j.ID <= 0 {
		return nil
	}
	var errs []error
	for _, p := range []string{r.resultPath(j), r.errorsPath(j)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("remove the files of job %d: %w", j.ID, err)
	}
	return nil
}

// tempFile is a file being written in Dir, moved to final when complete.
type tempFile struct {
	*os.File
	final string
}

// createTemp creates ".<id>.<kind>tmp-<token>-*" in Dir for final (the
// token names Worker, so that sweepTemp can tell its files from another
// replica's).
func (r *Runner) createTemp(id int64, kind, final string) (*tempFile, error) {
	f, err := os.CreateTemp(r.Dir, fmt.Sprintf(".%d.%stmp-%s-*", id, kind, workerToken(r.Worker)))
	if err != nil {
		return nil, fmt.Errorf("create a file in exports.dir: %w", err)
	}
	return &tempFile{File: f, final: final}, nil
}

// commit syncs and closes t and renames it to its final name; it returns
// the file's size.
func (t *tempFile) commit() (int64, error) {
	err := t.Sync()
	var st os.FileInfo
	if err == nil {
		st, err = t.Stat()
	}
	if cerr := t.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(t.Name(), t.final)
	}
	if err != nil {
		return 0, fmt.Errorf("write %s: %w", filepath.Base(t.final), err)
	}
	return st.Size(), nil
}

// discard closes and removes t; a nil t is nothing to do.
func (t *tempFile) discard() {
	if t != nil {
		t.Close()
		os.Remove(t.Name())
	}
}

// tempName matches the temporary files of createTemp: id and token.
var tempName = regexp.MustCompile(`^\.(\d+)\.(?:errors\.)?tmp-([0-9a-f]+)-`)

// sweepTemp removes the temporary files in Dir that no worker writes to:
// those of jobs no longer running, or running under another process than
// the one that created them (which died). Files of this process's
// running jobs and of other replicas' are left alone.
func (r *Runner) sweepTemp(ctx context.Context) {
	entries, err := os.ReadDir(r.Dir)
	if err != nil {
		r.Logger.Warn("cannot list exports.dir", "err", err)
		return
	}
	for _, e := range entries {
		m := tempName.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		id, _ := strconv.ParseInt(m[1], 10, 64)
		if r.tempStale(ctx, id, m[2]) {
			os.Remove(filepath.Join(r.Dir, e.Name()))
		}
	}
}

// tempStale reports whether a temporary file of job id made by the
// process of token is left over. A failed lookup keeps it.
func (r *Runner) tempStale(ctx context.Context, id int64, token string) bool {
	lctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	j, err := r.Store.Job(lctx, id)
	switch {
	case weekback.ErrorCode(err) == weekback.ENOTFOUND:
		return true
	case err != nil:
		return false
	}
	return j.Status != weekback.JobRunning || workerToken(j.Worker) != token
}

// workerToken names worker's temporary files: the first 8 hex digits of
// the SHA-256 of its id (any text).
func workerToken(worker string) string {
	sum := sha256.Sum256([]byte(worker))
	return hex.EncodeToString(sum[:4])
}
