package snapshotter

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/offsite"
)

// Defaults of a new Snapshotter.
const (
	DefaultPrefix          = "weekback"
	DefaultParallelism     = 4
	DefaultGracePeriod     = 60 * time.Second
	DefaultLockWaitTimeout = 10 * time.Second
	DefaultProgressEvery   = 5 * time.Second
	// DefaultDigestMinRows is the fewest rows a table has row digests
	// for: a smaller table is compared by its rows in a few milliseconds,
	// while its list would cost every snapshot a catalog read and a
	// commit (1.7 s more for 400 tables of 20 rows).
	DefaultDigestMinRows = 1 << 16
)

// Snapshotter takes snapshots of one production schema into the
// generations of one backup prefix. Set its fields, then Open it; a
// Snapshotter runs one snapshot at a time (the backup server's lock keeps
// other processes out too).
type Snapshotter struct {
	SourceDSN       string
	BackupDSN       string
	Prefix          string
	Include         []string // table-name globs; empty means all
	Exclude         []string
	Parallelism     int
	GracePeriod     time.Duration // how long a replaced slot keeps serving
	WaitGrace       bool          // wait for the grace period and drop the old slot before returning
	LockWaitTimeout time.Duration // longest wait for the source's global read lock
	DigestMinRows   int64         // the fewest rows a table gets row digests for
	// Offsite, when set, receives the day's SQL script after every
	// verified snapshot (offsite.*); Redaction names the credential
	// columns written blank in it.
	Offsite   *offsite.Store
	Redaction weekback.Redaction

	Logger        *slog.Logger
	Progress      io.Writer // live progress (stderr); nil for none
	Terminal      bool      // Progress is a terminal: draw a bar instead of log lines
	ProgressEvery time.Duration
	Now           func() time.Time

	source       *sqlx.DB
	backup       *sqlx.DB
	loader       *sqlx.DB // backup connections with FK and unique checks off
	verifier     *sqlx.DB // backup connections that read slots back as stored
	metaDB       *sqlx.DB // the meta schema's connections (strict sql_mode)
	galera       *galera  // the backup cluster's limits; nil unless a Galera node
	meta         *mysql.Meta
	sourceSchema string
}

// New returns a Snapshotter with every knob at its default.
func New() *Snapshotter {
	return &Snapshotter{
		Prefix:          DefaultPrefix,
		Parallelism:     DefaultParallelism,
		GracePeriod:     DefaultGracePeriod,
		WaitGrace:       true,
		LockWaitTimeout: DefaultLockWaitTimeout,
		DigestMinRows:   DefaultDigestMinRows,
		Logger:          slog.Default(),
		ProgressEvery:   DefaultProgressEvery,
		Now:             time.Now,
	}
}

// Open validates the settings and connects to the source and the backup
// server; it writes nothing. Errors are *weekback.Error with EINVALID or
// EUNAVAILABLE naming the configuration key to fix.
func (s *Snapshotter) Open(ctx context.Context) error {
	if err := s.validateSource(); err != nil {
		return err
	}
	if err := s.OpenBackup(ctx); err != nil {
		return err
	}
	var err error
	if s.source, err = mysql.Open(ctx, s.SourceDSN, "source.dsn", mysql.RoleSource); err != nil {
		s.Close()
		return err
	}
	if s.loader, err = mysql.Open(ctx, s.BackupDSN, "backup.dsn", mysql.RoleLoader); err != nil {
		s.Close()
		return err
	}
	cfg, _ := mysql.Config(s.SourceDSN, "source.dsn", mysql.RoleSource)
	s.sourceSchema = cfg.DBName
	return nil
}

// OpenBackup connects to the backup server only: enough for Verify and
// the meta schema (generations), which must work while production is down.
func (s *Snapshotter) OpenBackup(ctx context.Context) error {
	if s.BackupDSN == "" {
		return weekback.Errorf(weekback.EINVALID, "backup.dsn is not set: set it in weekback.yaml or WEEKBACK_BACKUP_DSN")
	}
	if s.Parallelism < 1 {
		return weekback.Errorf(weekback.EINVALID, "snapshot.parallelism must be at least 1")
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	s.Logger = s.Logger.With("component", "snapshotter")
	var err error
	if s.backup, err = mysql.Open(ctx, s.BackupDSN, "backup.dsn", mysql.RoleBackup); err != nil {
		return err
	}
	if s.verifier, err = mysql.Open(ctx, s.BackupDSN, "backup.dsn", mysql.RoleSource); err != nil {
		s.Close()
		return err
	}
	if s.metaDB, err = mysql.Open(ctx, s.BackupDSN, "backup.dsn", mysql.RoleMeta); err != nil {
		s.Close()
		return err
	}
	return nil
}

// OpenMeta creates or migrates the meta schema on first use and returns
// its store: only a snapshot does. Open must have succeeded.
func (s *Snapshotter) OpenMeta(ctx context.Context) (*mysql.Meta, error) {
	if s.meta != nil {
		return s.meta, nil
	}
	m, err := mysql.OpenMeta(ctx, s.metaDB, s.Prefix)
	if err != nil {
		return nil, metaError(err, s.Prefix)
	}
	m.Now = s.Now
	s.meta = m
	return m, nil
}

// AttachMeta returns the store of the existing meta schema without
// creating or migrating it (mysql.AttachMeta): what commands that only
// read generations use. It returns an EINVALID error naming the prefix
// when the schema does not exist. OpenBackup must have succeeded.
func (s *Snapshotter) AttachMeta(ctx context.Context) (*mysql.Meta, error) {
	if s.meta != nil {
		return s.meta, nil
	}
	m, err := mysql.AttachMeta(ctx, s.backup, s.Prefix)
	if err != nil {
		return nil, err
	}
	m.Now = s.Now
	s.meta = m
	return m, nil
}

func (s *Snapshotter) validateSource() error {
	if s.SourceDSN == "" {
		return weekback.Errorf(weekback.EINVALID, "source.dsn is not set: set it in weekback.yaml or WEEKBACK_SOURCE_DSN")
	}
	cfg, err := mysql.Config(s.SourceDSN, "source.dsn", mysql.RoleSource)
	if err != nil {
		return err
	}
	if cfg.DBName == "" {
		return weekback.Errorf(weekback.EINVALID, "source.dsn names no database: end it with /<production schema>")
	}
	return nil
}

// Close closes the connections. It is safe to call more than once.
func (s *Snapshotter) Close() error {
	var errs []error
	for _, db := range []**sqlx.DB{&s.source, &s.backup, &s.loader, &s.verifier, &s.metaDB} {
		if *db != nil {
			errs = append(errs, (*db).Close())
			*db = nil
		}
	}
	return errors.Join(errs...)
}

func metaError(err error, prefix string) error {
	if mysql.IsErrorNumber(err, mysql.ErrDBAccessDenied) || mysql.IsErrorNumber(err, mysql.ErrTableAccess) {
		return weekback.Errorf(weekback.EINVALID,
			"the backup account may not create or write the meta schema %s: %v; grant it as README shows (GRANT ALL ON `%s\\_%%`.* TO …)",
			mysql.MetaSchema(prefix), err, prefix)
	}
	return err
}
