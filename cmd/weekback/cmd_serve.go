package main

import (
	"context"
	"flag"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/config"
	"github.com/weekback/weekback/jobs"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/server"
	"github.com/weekback/weekback/server/auth"
)

// Connection pools of serve. database/sql keeps two idle connections by
// default: under a few dozen concurrent requests the others were closed
// after each query and reopened by the next (a TCP and login handshake and
// the session settings each time), which cost more than the queries.
const (
	serveSlotConns   = 32 // the pages of a day: one connection per request in flight
	serveMetaConns   = 16 // sessions, throttling, audit, users, generations
	serveExportConns = 4  // CSV downloads and export jobs: idle ones kept (open: exports.max_downloads + exports.workers)
	serveConnIdle    = 5 * time.Minute
	// auth.source production: a login, or a logged-in user's check once a
	// minute, reads production; keep its load and its connections few.
	serveProductionConns = 4
	serveProductionIdle  = 1
)

// serveGCPercent is serve's GOGC unless the environment sets one. A page
// leaves tens of kilobytes of garbage over a live heap of a few
// megabytes: at Go's default of 100 the collector ran dozens of times a
// second and took about a tenth of the CPU under load; at 400 a fortieth,
// for a heap a few times larger (still tens of megabytes).
const serveGCPercent = 400

// serveCmd is `weekback serve`: the web server, until SIGTERM.
type serveCmd struct {
	app   *app
	cfg   *config.Config
	db    *sqlx.DB // meta schema and login (RoleMeta)
	slots *sqlx.DB // the pages of a day (RoleSource: values as stored)
	csv   *sqlx.DB // CSV downloads (RoleExport: text as UTF-8)
	// stored is the pool SQL downloads of whole days read values as
	// stored with (RoleSource).
	stored *sqlx.DB
	prod   *sqlx.DB // production's users table (auth.source: production), else nil
	jobs   *jobs.Runner
	srv    *server.Server
	// listening, when set, is told the address once the server listens.
	listening func(addr string)
	demo      *server.Demo // set by `weekback demo`
}

func newServeCmd(a *app, fs *flag.FlagSet, args []string) (Command, error) {
	cfg, err := a.configure(fs, args, (*config.Config).RequireServe)
	if err != nil {
		return nil, err
	}
	return &serveCmd{app: a, cfg: cfg}, nil
}

// Run connects with the reader account (and, with auth.source
// production, to production), attaches to the meta schema and serves until
// ctx ends, then shuts down gracefully.
func (c *serveCmd) Run(ctx context.Context) error {
	if c.app.env.Getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
	proxies, err := server.ParseTrustedProxies(c.cfg.Server.TrustedProxies)
	if err != nil {
		return err
	}
	sessions, err := c.sessions()
	if err != nil {
		return err
	}
	if err := c.openPools(ctx); err != nil {
		return err
	}
	meta, err := mysql.AttachMeta(ctx, c.db, c.cfg.Backup.Prefix)
	if err != nil {
		return err
	}
	gens := server.NewGenerationCache(meta)
	c.srv = server.New()
	c.srv.Listen = c.cfg.Server.Listen
	c.srv.Generations, c.srv.Ping, c.srv.PingNode = gens, meta.Ping, c.pingNode
	c.srv.Location = c.cfg.Schedule.Location()
	c.srv.Logger = c.app.logger
	c.srv.Sessions = sessions
	c.srv.SessionStore, c.srv.Audit = server.NewRevocationCache(meta), meta
	if c.srv.Users, err = c.users(gens); err != nil {
		return err
	}
	if c.srv.Verifier, err = c.verifier(ctx, gens); err != nil {
		return err
	}
	c.srv.Slots, c.srv.Catalog, c.srv.ExportSlots = c.slots, mysql.NewCatalog(), c.csv
	c.srv.PasswordTable, c.srv.PasswordColumn = c.cfg.Auth.Table, c.cfg.Auth.PasswordColumn
	c.srv.Redact, c.srv.NoDefaultRedact = c.cfg.RedactGlobs(), !c.cfg.Exports.RedactDefaults
	c.srv.MaxExports, c.srv.ExportTimeout = c.cfg.Exports.MaxDownloads, c.cfg.Exports.StatementTimeout.D()
	c.srv.DownloadsAll = c.cfg.Downloads.Allow == config.DownloadsAll
	if err := c.compareSettings(); err != nil {
		return err
	}
	c.srv.BaseURL, c.srv.TrustedProxies = c.cfg.Server.BaseURL, proxies
	if c.srv.MetricsToken, err = metricsToken(c.cfg.Server); err != nil {
		return err
	}
	c.srv.MetricsListen, c.srv.PublicCounts = c.cfg.Server.MetricsListen, c.cfg.Server.PublicCounts
	c.srv.Throttle = auth.DefaultThrottlePolicy()
	if c.srv.Jobs, err = c.openJobs(meta, gens); err != nil {
		return err
	}
	c.srv.Runs, c.srv.Admin, c.srv.Demo, c.srv.ChangeSets = meta, meta, c.demo, meta
	c.srv.RowDigests = meta
	if err := c.srv.Open(); err != nil {
		return err
	}
	if c.listening != nil {
		c.listening(c.srv.Addr())
	}
	<-ctx.Done()
	c.app.logger.Info("stopping: finishing requests in flight")
	return nil
}

// sessions signs and checks the session tokens with the key of
// server.session_secret_file (created on first use) for server.base_url.
func (c *serveCmd) sessions() (*auth.Sessions, error) {
	secret, err := auth.LoadOrCreateSecret(c.cfg.Server.SessionSecretFile)
	if err != nil {
		return nil, weekback.Errorf(weekback.EINVALID, "server.session_secret_file: %v", err)
	}
	s := auth.NewSessions(secret, c.cfg.Server.BaseURL)
	if ttl := c.cfg.Server.SessionTTL.D(); ttl > 0 {
		s.TTL = ttl
	}
	return s, nil
}

// metricsToken returns the bearer token /metrics requires:
// server.metrics_token, or the content of server.metrics_token_file
// (surrounding white space dropped); "" for none. It returns an EINVALID
// error naming the key when the file cannot be read or holds a short
// token.
func metricsToken(s config.Server) (string, error) {
	if s.MetricsTokenFile == "" {
		return s.MetricsToken, nil
	}
	b, err := os.ReadFile(s.MetricsTokenFile)
	if err != nil {
		return "", weekback.Errorf(weekback.EINVALID, "server.metrics_token_file: %v: write a random token there (openssl rand -hex 32 > FILE) or remove the key", err)
	}
	token := strings.TrimSpace(string(b))
	if len(token) < config.MinMetricsTokenLen {
		return "", weekback.Errorf(weekback.EINVALID, "server.metrics_token_file %s holds %d characters: put at least %d random ones in it (openssl rand -hex 32)",
			s.MetricsTokenFile, len(token), config.MinMetricsTokenLen)
	}
	return token, nil
}

// openPools connects to the backup server with the reader account (meta
// schema, pages, CSV downloads) and, with auth.source production, to
// production. Production not answering now is logged, not fatal: logins
// answer 503 until it does.
func (c *serveCmd) openPools(ctx context.Context) error {
	var err error
	if c.db, err = mysql.Open(ctx, c.cfg.Backup.ReaderDSN, "backup.reader_dsn", mysql.RoleMeta); err != nil {
		return err
	}
	if c.slots, err = mysql.OpenReader(ctx, c.cfg.Backup.ReaderDSN, "backup.reader_dsn"); err != nil {
		return err
	}
	if c.csv, err = mysql.Open(ctx, c.cfg.Backup.ReaderDSN, "backup.reader_dsn", mysql.RoleExport); err != nil {
		return err
	}
	if c.stored, err = mysql.Open(ctx, c.cfg.Backup.ReaderDSN, "backup.reader_dsn", mysql.RoleSource); err != nil {
		return err
	}
	sizePool(c.stored, 0, serveExportConns)
	sizePool(c.db, serveMetaConns, serveMetaConns)
	sizePool(c.slots, serveSlotConns, serveSlotConns)
	sizePool(c.csv, c.cfg.Exports.MaxDownloads+c.cfg.Exports.Workers, serveExportConns)
	if c.cfg.Auth.Source != config.AuthSourceProduction && !c.cfg.Compare.Production {
		return nil
	}
	c.prod, err = mysql.OpenProduction(ctx, c.cfg.Source.DSN, "source.dsn")
	if c.prod == nil {
		return err
	}
	if err != nil {
		c.app.logger.Warn("production does not answer: logins fail until it does", "err", err)
	}
	sizePool(c.prod, serveProductionConns, serveProductionIdle)
	return nil
}

// users returns the lookup that decides who may log in: the newest ready
// generation's users table, or production's (auth.source production).
func (c *serveCmd) users(gens weekback.GenerationStore) (func(context.Context, string) (*weekback.User, error), error) {
	spec := userSpec(c.cfg.Auth)
	if c.cfg.Auth.Source != config.AuthSourceProduction {
		return mysql.NewestUsers(c.db, gens, mysql.NewCatalog(), spec), nil
	}
	cfg, err := mysql.Config(c.cfg.Source.DSN, "source.dsn", mysql.RoleSource)
	if err != nil {
		return nil, err
	}
	return mysql.ProductionUsers(c.prod, cfg.DBName, mysql.NewCatalog(), spec), nil
}

// openJobs starts this replica's export workers (exports.*) on the meta
// schema shared by every replica.
func (c *serveCmd) openJobs(meta *mysql.Meta, gens weekback.GenerationStore) (*jobs.Runner, error) {
	e := c.cfg.Exports
	r := jobs.New()
	r.Store, r.Generations, r.Slots, r.Catalog = meta, gens, c.csv, mysql.NewCatalog()
	r.Redaction = weekback.Redaction{PasswordTable: c.cfg.Auth.Table, PasswordColumn: c.cfg.Auth.PasswordColumn, Globs: c.cfg.RedactGlobs(), NoDefaults: !e.RedactDefaults}
	r.Location, r.Dir, r.Workers, r.MaxActive = c.cfg.Schedule.Location(), e.Dir, e.Workers, e.MaxActiveJobs
	r.Lease, r.DownloadTTL, r.Retention = e.JobLease.D(), e.DownloadTTL.D(), e.JobRetention.D()
	r.StatementTimeout = e.StatementTimeout.D()
	r.QuotaBytes, r.QuotaFiles = e.UserQuotaBytes, e.UserQuotaFiles
	r.Stored = c.stored
	var err error
	if r.Anonymizer, err = loadAnonymizer(c.cfg, len(e.Anonymize) > 0); err != nil {
		return nil, err
	}
	c.srv.Anonymizer = r.Anonymizer
	r.Logger = c.app.logger
	r.Keys, r.Compare, r.ChangeSets = c.srv.JobKeys, c.srv.CompareJob, meta
	if err := r.Open(); err != nil {
		return nil, err
	}
	c.jobs = r
	return r, nil
}

// Close shuts the server down (requests in flight finish), stops the job
// workers (running jobs go back to the queue for another replica or the
// next start) and closes the databases.
func (c *serveCmd) Close() error {
	var err error
	if c.srv != nil {
		err = c.srv.Close()
	}
	if c.jobs != nil {
		if jerr := c.jobs.Close(); err == nil {
			err = jerr
		}
	}
	for _, db := range []*sqlx.DB{c.db, c.slots, c.csv, c.stored, c.prod} {
		if db != nil {
			db.Close()
		}
	}
	return err
}

// pingNode pings the meta pool and names the backup node that answered:
// the one its connections go to, or the only one configured.
func (c *serveCmd) pingNode(ctx context.Context) (string, error) {
	node, err := mysql.PingNode(ctx, c.db)
	if node == "" {
		node = mysql.Addr(c.cfg.Backup.ReaderDSN)
	}
	return node, err
}

// sizePool keeps up to idle connections of db open between requests and
// opens at most open at once (no limit when 0).
func sizePool(db *sqlx.DB, open, idle int) {
	db.SetMaxOpenConns(open)
	db.SetMaxIdleConns(idle)
	db.SetConnMaxIdleTime(serveConnIdle)
}

// compareSettings passes compare.* to the server: the alert fraction and,
// with compare.production, production's read-only pool and schema.
func (c *serveCmd) compareSettings() error {
	c.srv.AlertFraction = c.cfg.Compare.AlertFraction
	if !c.cfg.Compare.Production {
		return nil
	}
	cfg, err := mysql.Config(c.cfg.Source.DSN, "source.dsn", mysql.RoleSource)
	if err != nil {
		return err
	}
	c.srv.Production, c.srv.ProductionSchema = c.prod, cfg.DBName
	return nil
}
