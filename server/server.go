package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/template/html/v2"
	"net/http"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/templates"
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

// Server serves the generations. Set its fields, then Open it; Close stops
// it gracefully. Its methods are safe for concurrent use once open.
type Server struct {
	Listen      string
	Generations weekback.GenerationStore
	// Ping reports whether the backup server answers (readiness).
	Ping     func(ctx context.Context) error
	Location *time.Location // time zone of the times shown (schedule.timezone)
	Logger   *slog.Logger
	Now      func() time.Time

	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	ShutdownTimeout, RequestTimeout        time.Duration

	app     *fiber.App
	ln      net.Listener
	metrics *metrics
	served  chan error
}

// New returns a Server with every knob at its default.
func New() *Server {
	return &Server{
		Listen:          DefaultListen,
		Location:        time.UTC,
		Logger:          slog.Default(),
		Now:             time.Now,
		ReadTimeout:     DefaultReadTimeout,
		WriteTimeout:    DefaultWriteTimeout,
		IdleTimeout:     DefaultIdleTimeout,
		ShutdownTimeout: DefaultShutdownTimeout,
		RequestTimeout:  DefaultRequestTimeout,
	}
}

// Open validates the settings, builds the routes and starts listening.
// It returns an EINVALID error when a required field is missing and an
// error naming the address when it cannot listen.
func (s *Server) Open() error {
	if s.Generations == nil || s.Ping == nil {
		return weekback.Errorf(weekback.EINVALID, "server: Generations and Ping must be set")
	}
	s.Logger = s.Logger.With("component", "server")
	s.app = s.newApp()
	ln, err := net.Listen("tcp", s.Listen)
	if err != nil {
		return weekback.Errorf(weekback.EINVALID, "cannot listen on %s (server.listen): %v", s.Listen, err)
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
	if s.app == nil || s.ln == nil {
		return nil
	}
	err := s.app.ShutdownWithTimeout(s.ShutdownTimeout)
	if serr := <-s.served; err == nil && serr != nil && !errors.Is(serr, net.ErrClosed) {
		err = serr
	}
	s.ln = nil
	if err != nil {
		return fmt.Errorf("shut down server: %w", err)
	}
	return nil
}

func (s *Server) newApp() *fiber.App {
	engine := html.NewFileSystem(http.FS(templates.FS), ".html")
	s.metrics = newMetrics(s.Generations, s.Now)
	app := fiber.New(fiber.Config{
		Views:                 engine,
		ViewsLayout:           "layout",
		ErrorHandler:          s.handleError,
		BodyLimit:             DefaultBodyLimit,
		ReadTimeout:           s.ReadTimeout,
		WriteTimeout:          s.WriteTimeout,
		IdleTimeout:           s.IdleTimeout,
		DisableStartupMessage: true,
		AppName:               "weekback",
	})
	s.routes(app)
	return app
}
