package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jmoiron/sqlx"
	"github.com/valyala/fasthttp"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/compare"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/i18n"
	"github.com/weekback/weekback/jobs"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/server/auth"
)

// Defaults of a new Server.
const (
	DefaultListen          = "127.0.0.1:8080"
	DefaultReadTimeout     = 30 * time.Second
	DefaultWriteTimeout    = 5 * time.Minute // streamed exports
	DefaultIdleTimeout     = 2 * time.Minute
	DefaultBodyLimit       = 64 << 10
	DefaultShutdownTimeout = 30 * time.Second
	DefaultRequestTimeout  = 30 * time.Second
)

// bodyReadLimit is the largest body the server reads before it answers.
// limitBody refuses one over DefaultBodyLimit once it is read, so the 413
// reaches a client still sending it and the connection stays open; a body
// over bodyReadLimit is refused unread and its connection closed, which
// such a client may see as a reset (net/http reads 256 KiB the same way
// before it closes).
const bodyReadLimit = 256 << 10

// Server serves the generations. Set its fields, then Open it; Close stops
// it gracefully. Its methods are safe for concurrent use once open.
type Server struct {
	Listen      string
	Generations weekback.GenerationStore
	// Ping reports whether the backup server answers (readiness).
	Ping func(ctx context.Context) error
	// PingNode, when set, is Ping for /readyz that also names the node
	// (host:port) of the backup server that answered.
	PingNode func(ctx context.Context) (string, error)
	Location *time.Location // time zone of the times shown (schedule.timezone)
	Logger   *slog.Logger
	Now      func() time.Time
	// Messages holds the UI's languages (i18n.Default unless set); each
	// request is answered in the one it asks for.
	Messages *i18n.Catalog

	// Login. Sessions issues and parses the session cookies; SessionStore
	// keeps revocations and failed logins, Audit the audit log (both shared
	// by replicas). Users returns the user of a login as the generation
	// that decides who may log in has it (an ENOTFOUND error when there is
	// none). BaseURL is where users reach the server (its scheme decides
	// the cookies' Secure flag, its origin is required of POSTs);
	// X-Forwarded-For is believed only from TrustedProxies.
	Sessions       *auth.Sessions
	SessionStore   weekback.SessionStore
	Audit          weekback.AuditLog
	Users          func(ctx context.Context, login string) (*weekback.User, error)
	BaseURL        string
	TrustedProxies []netip.Prefix
	Throttle       auth.ThrottlePolicy
	Verifier       *auth.Verifier // checks passwords (a Verifier with no scheme, secret or pepper when nil)
	// Slots is the pool the pages of a day read slots with (the reader
	// account); Catalog caches the slots' tables. Every query runs in a
	// read-only transaction of Catalog's.
	Slots   *sqlx.DB
	Catalog *mysql.Catalog
	// ExportSlots is the pool CSV downloads read slots with: the reader
	// account opened with mysql.RoleExport (text as UTF-8). Slots when nil.
	ExportSlots *sqlx.DB
	// MaxExports bounds the CSV downloads streaming at once
	// (DefaultMaxExports when 0); a download that finds no place within
	// ExportQueueWait (DefaultExportQueueWait when 0) is answered 503 with
	// Retry-After. ExportTimeout limits each statement of a download
	// (DefaultExportTimeout when 0, none when negative).
	MaxExports      int
	ExportQueueWait time.Duration
	ExportTimeout   time.Duration
	// Credential columns, masked on every page: PasswordColumn of
	// PasswordTable (auth.password_column, auth.table), every column
	// whose "table.column" matches a Redact glob (exports.redact) and,
	// unless NoDefaultRedact (exports.redact_defaults: false), every one
	// weekback.DefaultRedactGlobs matches.
	PasswordTable, PasswordColumn string
	Redact                        []string
	NoDefaultRedact               bool
	// DownloadsAll lets every logged-in user download whole days
	// (downloads.allow: all); otherwise only admins may.
	DownloadsAll bool
	// Anonymizer gives the pseudonyms of exports that ask for them
	// (anonymize=1); nil when exports.anonymize is empty.
	Anonymizer *export.Anonymizer

	// Jobs runs the background exports of the export center (/jobs, the
	// header's notifications); their routes answer 404 while it is nil.
	// Its Store, DownloadTTL and MaxActive are the pages' too.
	Jobs *jobs.Runner
	// Runs reads the snapshot runs of the admin page /runs (404 while nil).
	Runs RunSource
	// Admin records the admin's discards and snapshot requests in the
	// meta schema (the buttons of /runs; their routes answer 404 while nil).
	Admin AdminStore
	// Demo, set by `weekback demo` only, makes the landing page and the
	// days' banners say what the demo is and how to log in.
	Demo *Demo

	// MetricsToken, when set, is the bearer token /metrics requires
	// (server.metrics_token). MetricsListen, when set, serves /metrics on
	// that address instead of Listen (server.metrics_listen).
	MetricsToken, MetricsListen string
	// PublicCounts shows each day's numbers of tables and rows on the
	// landing page to visitors who are not logged in (server.public_counts);
	// else they see only each day's status and time.
	PublicCounts bool
	// AlertFraction flags a day that deleted or changed more than this
	// share of a table's rows since the copy before it
	// (compare.alert_fraction): a badge on the week's charts and the
	// weekback_table_change_alert metric.
	AlertFraction float64
	// Production, when set (compare.production), lets the changes pages
	// compare a day with production through this read-only pool of
	// source.dsn, whose schema is ProductionSchema.
	Production       *sqlx.DB
	ProductionSchema string
	// ChangeSets keeps the change sets of pairs of generations in the meta
	// schema, so that every replica and the next process reuse them; each
	// process compares every pair itself when nil.
	ChangeSets weekback.ChangeSetStore
	// RowDigests reads the row digests snapshots stored in the meta
	// schema: two days are compared by them, without reading both
	// tables, where both snapshots stored them. Rows are read when nil.
	RowDigests compare.DigestSource

	// UserCacheTTL is how long the check that a logged-in user is still
	// allowed is remembered (at most DefaultUserCacheTTL).
	UserCacheTTL time.Duration

	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	ShutdownTimeout, RequestTimeout        time.Duration

	app     *fiber.App
	ln      net.Listener
	metrics *metrics
	exports *exportLimiter
	// the /metrics listener of MetricsListen
	metricsSrv     *http.Server
	metricsLn      net.Listener
	metricsHandler fiber.Handler
	served         chan error
	users          *userCache
	secure         bool   // BaseURL is https
	origin         string // scheme://host of BaseURL
	changes        *changeCache
	records        recordsCaches // pages and counts of served slots (records_cache.go)
	built          chan struct{} // closed once Build or Open made the routes (and the change cache)
	buildOnce      sync.Once
	stop           context.CancelFunc // ends the background comparisons
}

// New returns a Server with every knob at its default.
func New() *Server {
	return &Server{
		Listen:          DefaultListen,
		Location:        time.UTC,
		Logger:          slog.Default(),
		Now:             time.Now,
		Messages:        i18n.Default(),
		Throttle:        auth.DefaultThrottlePolicy(),
		Catalog:         mysql.NewCatalog(),
		UserCacheTTL:    DefaultUserCacheTTL,
		ReadTimeout:     DefaultReadTimeout,
		WriteTimeout:    DefaultWriteTimeout,
		IdleTimeout:     DefaultIdleTimeout,
		ShutdownTimeout: DefaultShutdownTimeout,
		RequestTimeout:  DefaultRequestTimeout,
		AlertFraction:   DefaultAlertFraction,
		built:           make(chan struct{}),
	}
}

// Open validates the settings, builds the routes and starts listening.
// It returns an EINVALID error when a required field is missing and an
// error naming the address when it cannot listen.
func (s *Server) Open() error {
	if s.Generations == nil || s.Ping == nil {
		return weekback.Errorf(weekback.EINVALID, "server: Generations and Ping must be set")
	}
	if s.Sessions == nil || s.SessionStore == nil || s.Audit == nil || s.Users == nil {
		return weekback.Errorf(weekback.EINVALID, "server: Sessions, SessionStore, Audit and Users must be set")
	}
	if _, err := parseBaseURL(s.BaseURL); err != nil {
		return err
	}
	s.Logger = s.Logger.With("component", "server")
	s.app = s.newApp()
	ln, err := net.Listen("tcp", s.Listen)
	if err != nil {
		return weekback.Errorf(weekback.EINVALID, "cannot listen on %s (server.listen): %v", s.Listen, err)
	}
	if err := s.openMetrics(); err != nil {
		ln.Close()
		return err
	}
	s.ln = ln
	s.served = make(chan error, 1)
	go func() { s.served <- s.app.Listener(ln) }()
	s.Logger.Info("listening", "addr", ln.Addr().String())
	return nil
}

// Handler returns the Fiber app (for tests with app.Test). Valid after
// Open, or after Build when the server is not to listen.
func (s *Server) Handler() *fiber.App { return s.app }

// Build prepares the routes without listening (tests).
func (s *Server) Build() *fiber.App {
	s.Logger = s.Logger.With("component", "server")
	s.app = s.newApp()
	return s.app
}

// Addr returns the address the server listens on ("" before Open).
func (s *Server) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Close stops accepting connections and waits (up to ShutdownTimeout)
// for requests in flight to finish.
func (s *Server) Close() error {
	if s.stop != nil {
		s.stop()
		s.changes.close()
	}
	if s.app == nil || s.ln == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.ShutdownTimeout)
	defer cancel()
	merr := s.closeMetrics(ctx)
	err := s.app.ShutdownWithTimeout(s.ShutdownTimeout)
	if err == nil {
		err = merr
	}
	if serr := <-s.served; err == nil && serr != nil && !errors.Is(serr, net.ErrClosed) {
		err = serr
	}
	s.ln = nil
	if err != nil {
		return fmt.Errorf("shut down server: %w", err)
	}
	return nil
}

// parseBaseURL returns BaseURL parsed, or an EINVALID error naming
// server.base_url.
func parseBaseURL(base string) (*url.URL, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, weekback.Errorf(weekback.EINVALID, "server.base_url %q must be an absolute http or https URL", base)
	}
	return u, nil
}

func (s *Server) newApp() *fiber.App {
	if u, err := parseBaseURL(s.BaseURL); err == nil {
		s.secure, s.origin = u.Scheme == "https", u.Scheme+"://"+u.Host
	}
	s.users = newUserCache(min(s.UserCacheTTL, DefaultUserCacheTTL), s.Now)
	s.records = newRecordsCaches()
	if s.Messages == nil {
		s.Messages = i18n.Default()
	}
	s.metrics = newMetrics(s.Generations, s.Now)
	if oc, ok := s.Runs.(OffsiteCounter); ok {
		s.metrics.registry.MustRegister(&offsiteCollector{src: oc})
	}
	s.exports = newExportLimiter(s.MaxExports, s.ExportQueueWait)
	s.metricsHandler = s.metrics.handler()
	s.openChanges()
	app := fiber.New(fiber.Config{
		Views:                 newLocalizedViews(s.Messages),
		ViewsLayout:           "layout",
		ErrorHandler:          s.handleError,
		BodyLimit:             bodyReadLimit,
		ReadTimeout:           s.ReadTimeout,
		WriteTimeout:          s.WriteTimeout,
		IdleTimeout:           s.IdleTimeout,
		DisableStartupMessage: true,
		AppName:               "weekback",
	})
	s.routes(app)
	warmRender(app)
	return app
}

// warmRender renders once before the app serves: Fiber completes its
// list of (mounted) apps on the first Render without a lock, so the first
// pages rendered concurrently would race on it. The render itself may fail
// (there is no request): the list is made before the template runs.
func warmRender(app *fiber.App) {
	c := app.AcquireCtx(&fasthttp.RequestCtx{})
	defer app.ReleaseCtx(c)
	_ = c.Render("error", fiber.Map{})
}
