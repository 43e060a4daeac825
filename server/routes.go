package server

import (
	"context"
	"net/http"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"github.com/weekback/weekback/web"
)

// routes wires every route. Pages and downloads behind the login use the
// requireLogin middleware.
func (s *Server) routes(app *fiber.App) {
	app.Use(s.metrics.middleware, securityHeaders, s.requestTimeout, limitBody)
	app.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(web.FS), PathPrefix: "static", MaxAge: 3600}))
	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	if s.MetricsListen == "" {
		app.Get("/metrics", s.metricsPage)
	}
	// Every page below answers in the request's language and, for a
	// logged-in user, shows who is logged in (public pages included).
	app.Use(s.language, s.optionalLogin, s.bindHeader)
	app.Get("/lang/:code", s.switchLanguage)
	app.Get("/", s.landing)
	app.Get("/login", s.getLogin)
	app.Post("/login", s.checkLoginCSRF, s.postLogin)
	app.Post("/logout", s.checkOrigin, s.postLogout)
	app.Get("/me", s.requireLogin, s.me)
	app.Get("/audit", s.requireLogin, s.auditLog)
	app.Get("/:day/login", s.getLogin)
	s.jobRoutes(app)
	// The pages of a day, last: /:day/ would take any other one-segment
	// address. Only GET (and HEAD) exist: other methods answer 405.
	app.Get("/:day/", dayParam, s.requireLogin, s.dayTables)
	app.Get("/:day/search", dayParam, s.requireLogin, s.search)
	app.Get("/:day/changes", dayParam, s.requireLogin, s.dayChanges)
	app.Get("/:day/tables/:table", dayParam, s.requireLogin, s.tableRecords)
	app.Get("/:day/tables/:table/rows/:key", dayParam, s.requireLogin, s.record)
	app.Get("/:day/tables/:table/rows/:key/history", dayParam, s.requireLogin, s.recordHistory)
	app.Get("/:day/tables/:table/changes", dayParam, s.requireLogin, s.tableChanges)
	app.Get("/:day/tables/:table/export.csv", dayParam, s.requireLogin, s.refuseCrossSite, s.exportCSV)
	app.Get("/:day/tables/:table/template.json", dayParam, s.requireLogin, s.refuseCrossSite, s.templateJSON)
	app.Post("/:day/tables/:table/exports", dayParam, s.requireLogin, s.requireJobs, s.checkSessionCSRF, s.submitExport)
	app.Post("/:day/tables/:table/templates", dayParam, s.requireLogin, s.requireJobs, s.checkSessionCSRF, s.submitTemplate)
	app.Post("/:day/tables/:table/bundles", dayParam, s.requireLogin, s.requireJobs, s.checkSessionCSRF, s.submitBundle)
	app.Post("/:day/downloads", dayParam, s.requireLogin, s.requireJobs, s.checkSessionCSRF, s.submitDownload)
	app.Post("/:day/changes/jobs", dayParam, s.requireLogin, s.requireJobs, s.checkSessionCSRF, s.submitCompare)
}

// jobRoutes wires the export center and the snapshot runs page. Forms
// that change something are POSTs carrying the session's CSRF token.
func (s *Server) jobRoutes(app *fiber.App) {
	jobs := app.Group("/jobs", s.requireLogin, s.requireJobs)
	jobs.Get("/", s.jobsList)
	jobs.Get("/:id", s.jobPage)
	jobs.Get("/:id/download", s.refuseCrossSite, s.jobDownload)
	jobs.Get("/:id/errors.csv", s.refuseCrossSite, s.jobErrors)
	jobs.Post("/:id/cancel", s.checkSessionCSRF, s.cancelJob)
	jobs.Post("/:id/delete", s.checkSessionCSRF, s.deleteJob)
	app.Get("/runs", s.requireLogin, s.runsPage)
	app.Post("/runs/snapshot", s.requireLogin, s.requireAdmin, s.checkSessionCSRF, s.postSnapshotNow)
	app.Get("/:day/discard", dayParam, s.requireLogin, s.requireAdmin, s.discardPage)
	app.Post("/:day/discard", dayParam, s.requireLogin, s.requireAdmin, s.checkSessionCSRF, s.postDiscard)
}

// requestTimeout gives each request a context that ends after
// RequestTimeout; handlers use c.UserContext() for their queries. An
// error page is rendered here, while that context lives: its header reads
// the user's jobs like any other page's.
func (s *Server) requestTimeout(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), s.RequestTimeout)
	defer cancel()
	c.SetUserContext(ctx)
	if err := c.Next(); err != nil {
		return s.handleError(c, err)
	}
	return nil
}

// limitBody refuses a body over DefaultBodyLimit with 413 (see
// bodyReadLimit for why the server reads it first).
func limitBody(c *fiber.Ctx) error {
	if len(c.Request().Body()) > DefaultBodyLimit {
		return fiber.ErrRequestEntityTooLarge
	}
	return c.Next()
}

// healthz answers 200 while the process runs.
func (s *Server) healthz(c *fiber.Ctx) error {
	return c.SendString("ok")
}

// readyz answers 200 when the backup server answers and at least one
// generation is ready, 503 otherwise (saying which); with PingNode, the
// answer names the node that answered ("ready: backup node 10.0.0.2:3306").
func (s *Server) readyz(c *fiber.Ctx) error {
	ctx := c.UserContext()
	node, err := s.pingNode(ctx)
	if err != nil {
		s.Logger.Warn("not ready: backup server unreachable", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).SendString("backup server unreachable")
	}
	if node != "" {
		node = ": backup node " + node
	}
	gens, err := s.Generations.Generations(ctx)
	if err != nil {
		s.Logger.Warn("not ready: cannot read generations", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).SendString("cannot read generations")
	}
	for _, g := range gens {
		if g.Ready() {
			return c.SendString("ready" + node)
		}
	}
	return c.Status(fiber.StatusServiceUnavailable).SendString("no generation is ready yet" + node)
}

// pingNode is PingNode when set, else Ping (naming no node).
func (s *Server) pingNode(ctx context.Context) (string, error) {
	if s.PingNode != nil {
		return s.PingNode(ctx)
	}
	return "", s.Ping(ctx)
}
