package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/weekback/weekback"
)

// metricsRealm is the WWW-Authenticate challenge of /metrics.
const metricsRealm = `Bearer realm="weekback metrics"`

// metricsRefused is the body of a /metrics request without the token.
const metricsRefused = "/metrics needs the bearer token of server.metrics_token (Authorization: Bearer …)\n"

// metricsAuthorized reports whether the Authorization header value
// carries MetricsToken as a bearer token; always true when no token is
// set. The comparison takes the same time whatever the token sent.
func (s *Server) metricsAuthorized(authorization string) bool {
	if s.MetricsToken == "" {
		return true
	}
	token, ok := strings.CutPrefix(authorization, "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.MetricsToken)) == 1
}

// metricsPage answers /metrics on the main listener (when MetricsListen
// is not set): 401 without the token.
func (s *Server) metricsPage(c *fiber.Ctx) error {
	if !s.metricsAuthorized(c.Get(fiber.HeaderAuthorization)) {
		c.Set(fiber.HeaderWWWAuthenticate, metricsRealm)
		return c.Status(fiber.StatusUnauthorized).SendString(metricsRefused)
	}
	return s.metricsHandler(c)
}

// openMetrics serves /metrics (and nothing else) on MetricsListen when it
// is set. It returns an EINVALID error naming server.metrics_listen when it
// cannot listen there.
func (s *Server) openMetrics() error {
	if s.MetricsListen == "" {
		return nil
	}
	ln, err := net.Listen("tcp", s.MetricsListen)
	if err != nil {
		return weekback.Errorf(weekback.EINVALID, "cannot listen on %s (server.metrics_listen): %v", s.MetricsListen, err)
	}
	prom := promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		if !s.metricsAuthorized(r.Header.Get("Authorization")) {
			w.Header().Set("WWW-Authenticate", metricsRealm)
			http.Error(w, metricsRefused, http.StatusUnauthorized)
			return
		}
		prom.ServeHTTP(w, r)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	s.metricsSrv, s.metricsLn = srv, ln
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.Logger.Error("metrics listener stopped", "err", err)
		}
	}()
	s.Logger.Info("serving /metrics", "addr", ln.Addr().String())
	return nil
}

// MetricsAddr returns the address /metrics listens on when MetricsListen
// is set ("" otherwise, or before Open).
func (s *Server) MetricsAddr() string {
	if s.metricsLn == nil {
		return ""
	}
	return s.metricsLn.Addr().String()
}

// closeMetrics stops the metrics listener, if any.
func (s *Server) closeMetrics(ctx context.Context) error {
	if s.metricsSrv == nil {
		return nil
	}
	err := s.metricsSrv.Shutdown(ctx)
	s.metricsSrv, s.metricsLn = nil, nil
	return err
}
