package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
)

// Defaults set by New.
const (
	DefaultWorkers      = 2
	DefaultMaxActive    = 3
	DefaultLease        = 30 * time.Second
	DefaultHeartbeat    = time.Second
	DefaultPoll         = time.Second
	DefaultJanitorEvery = time.Minute
	DefaultDownloadTTL  = 20 * time.Hour
	DefaultRetention    = 336 * time.Hour
	// DefaultMaxParamBytes bounds a job's parameters (their JSON): 1 MiB
	// holds a dozen `in` filters of a thousand long values each, with room
	// to spare (a request's body is limited to far less anyway).
	DefaultMaxParamBytes = 1 << 20
	// DefaultQuotaFiles and DefaultQuotaBytes bound what one user keeps:
	// finished exports (downloads) and their size, error logs included.
	DefaultQuotaFiles = 20
	DefaultQuotaBytes = 2 << 30
)

// maxWorkerID is the longest worker id the meta schema holds.
const maxWorkerID = 255

// storeTimeout bounds the store calls made outside a job's context:
// Finish, Release, the janitor's.
const storeTimeout = 10 * time.Second

// Runner runs background jobs: it accepts them (Submit) and runs Workers
// of them at a time, taking them from the meta schema shared with the
// other server replicas. Set its fields after New and before Open; then
// its methods are safe for concurrent use.
type Runner struct {
	Store       weekback.JobStore
	Generations weekback.GenerationStore
	Slots       *sqlx.DB // the reader account opened with mysql.RoleExport
	// Stored is the reader account opened with mysql.RoleSource: SQL
	// downloads read values as stored through it. Without it, SQL
	// downloads fail with a sentence.
	Stored *sqlx.DB
	// Anonymizer gives the pseudonyms of exports and downloads that ask
	// for them; nil when exports.anonymize is empty (such jobs are refused).
	Anonymizer *export.Anonymizer
	Catalog    *mysql.Catalog
	Redaction  weekback.Redaction
	Location   *time.Location // file names' dates (schedule.timezone)
	Dir        string         // exports.dir: results and error logs, one file per job, by id
	Workers    int            // jobs run at once by this process (exports.workers)
	MaxActive  int            // queued and running jobs per user (exports.max_active_jobs)
	Lease      time.Duration  // how long a claim holds without renewal (exports.job_lease)
	Heartbeat  time.Duration  // how often a running job renews its lease and writes its progress
	Poll       time.Duration  // how often idle workers look for work
	// JanitorEvery is how often expired downloads, purged jobs and stale
	// temporary files are removed.
	JanitorEvery time.Duration
	DownloadTTL  time.Duration // exports.download_ttl
	Retention    time.Duration // exports.job_retention
	// StatementTimeout limits each statement of an export job
	// (exports.statement_timeout); none when 0.
	StatementTimeout time.Duration
	// MaxParamBytes bounds the JSON of a job's parameters; a larger request
	// is refused (ETOOLARGE) before anything is stored.
	MaxParamBytes int
	// QuotaFiles and QuotaBytes bound each user's finished exports
	// (exports.user_quota_files, exports.user_quota_bytes; 0 is no limit):
	// when a job completes, the user's oldest downloads are expired until
	// the rest fit, and a submit while over quota is refused (ECONFLICT).
	QuotaFiles int
	QuotaBytes int64
	// Worker is this process's id in the meta schema: host:pid:random.
	Worker string
	Now    func() time.Time
	Logger *slog.Logger
	// Keys returns the keys an export with missing_in or changed_in writes
	// (nil for one without); such exports fail while it is nil.
	Keys func(ctx context.Context, gen *weekback.Generation, p weekback.JobParams) (*export.KeySet, error)
	// Compare runs the comparisons of two days (JobCompare); they are
	// refused while it is nil.
	Compare CompareFunc
	// ChangeSets, when set, has the janitor delete the stored change sets
	// of slots no generation points at any more (discarded days).
	ChangeSets weekback.ChangeSetStore

	wrap   func(io.Writer) io.Writer // tests: wraps the result file (to slow an export down)
	kick   chan struct{}
	life   context.Context // ends when Close is called
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New returns a Runner with every knob at its default and a fresh Worker
// id. Store, Generations, Slots, Catalog and Dir must be set before Open.
func New() *Runner {
	host, _ := os.Hostname()
	return &Runner{
		Location:      time.UTC,
		Workers:       DefaultWorkers,
		MaxActive:     DefaultMaxActive,
		Lease:         DefaultLease,
		Heartbeat:     DefaultHeartbeat,
		Poll:          DefaultPoll,
		JanitorEvery:  DefaultJanitorEvery,
		DownloadTTL:   DefaultDownloadTTL,
		Retention:     DefaultRetention,
		MaxParamBytes: DefaultMaxParamBytes,
		QuotaFiles:    DefaultQuotaFiles,
		QuotaBytes:    DefaultQuotaBytes,
		Worker:        workerID(host, os.Getpid()),
		Now:           time.Now,
		Logger:        slog.Default(),
	}
}

// workerID returns host:pid:random, the host cut so that it fits the meta
// schema.
func workerID(host string, pid int) string {
	tail := ":" + strconv.Itoa(pid) + ":" + randomHex(4)
	if len(host) > maxWorkerID-len(tail) {
		host = host[:maxWorkerID-len(tail)]
	}
	return host + tail
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// Open checks the settings, creates Dir (0700), removes temporary files
// that stopped processes left there, and starts the workers and the
// janitor. Bad settings are *weekback.Error (EINVALID) naming the
// configuration key; a missing dependency (Store, Slots …) is a plain
// error.
func (r *Runner) Open() error {
	if err := r.validate(); err != nil {
		return err
	}
	if err := os.MkdirAll(r.Dir, 0o700); err != nil {
		return weekback.Errorf(weekback.EINVALID, "cannot create exports.dir %s: %v: pick a writable folder", r.Dir, err)
	}
	r.Logger = r.Logger.With("component", "jobs", "worker", r.Worker)
	ctx, cancel := context.WithCancel(context.Background())
	r.life, r.cancel, r.kick = ctx, cancel, make(chan struct{}, r.Workers)
	r.sweepTemp(ctx)
	for range r.Workers {
		r.wg.Go(func() { r.work(ctx) })
	}
	r.wg.Go(func() { r.janitor(ctx) })
	r.Logger.Info("job workers started", "workers", r.Workers, "dir", r.Dir)
	return nil
}

func (r *Runner) validate() error {
	var errs []error
	if r.Store == nil || r.Generations == nil || r.Slots == nil || r.Catalog == nil || r.Now == nil || r.Logger == nil {
		errs = append(errs, errors.New("jobs: Store, Generations, Slots, Catalog, Now and Logger must be set"))
	}
	if r.Dir == "" {
		errs = append(errs, weekback.Errorf(weekback.EINVALID, "exports.dir is empty: set the folder export jobs write their files to"))
	}
	if r.Location == nil {
		r.Location = time.UTC
	}
	errs = append(errs, checkSettings(r)...)
	return errors.Join(errs...)
}

// checkSettings checks the numbers and durations.
func checkSettings(r *Runner) []error {
	var errs []error
	bad := func(key string, v any, want string) {
		errs = append(errs, weekback.Errorf(weekback.EINVALID, "%s = %v: %s", key, v, want))
	}
	if r.Workers < 1 {
		bad("exports.workers", r.Workers, "must be at least 1")
	}
	if r.MaxActive < 1 {
		bad("exports.max_active_jobs", r.MaxActive, "must be at least 1")
	}
	if r.Heartbeat <= 0 || r.Poll <= 0 || r.JanitorEvery <= 0 {
		bad("jobs heartbeat, poll and janitor intervals", fmt.Sprint(r.Heartbeat, r.Poll, r.JanitorEvery), "must be longer than zero")
	}
	if r.Lease < 2*r.Heartbeat {
		bad("exports.job_lease", r.Lease, fmt.Sprintf("must be at least twice the heartbeat (%s), such as 30s", r.Heartbeat))
	}
	if r.MaxParamBytes < 1 {
		bad("jobs MaxParamBytes", r.MaxParamBytes, "must be at least 1")
	}
	if r.QuotaFiles < 0 || r.QuotaBytes < 0 {
		bad("exports.user_quota_files and exports.user_quota_bytes", fmt.Sprint(r.QuotaFiles, " ", r.QuotaBytes), "must not be negative (0 is no limit)")
	}
	if r.DownloadTTL <= 0 || r.Retention <= 0 {
		bad("exports.download_ttl and exports.job_retention", fmt.Sprint(r.DownloadTTL, " ", r.Retention), "must be longer than zero")
	}
	return errs
}

// Close stops the workers and the janitor and waits for them: running
// jobs are stopped, their temporary files removed, and they are put back
// in the queue (another replica, or this one's next start, runs them). A
// job that completes while Close waits is recorded as succeeded. Close
// always returns nil; it may be called more than once.
func (r *Runner) Close() error {
	if r.cancel != nil {
		r.cancel()
	}
	r.wg.Wait()
	return nil
}

// Kick wakes an idle worker at once, so that a job just submitted starts
// without waiting for Poll. It never blocks; before Open it does nothing.
func (r *Runner) Kick() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}
