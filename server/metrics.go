package server

import (
	"context"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/weekback/weekback"
)

// metrics holds the server's Prometheus collectors, on a registry of its
// own (several servers can run in one test process).
type metrics struct {
	registry      *prometheus.Registry
	requests      *prometheus.CounterVec
	latency       *prometheus.HistogramVec
	loginFailures *prometheus.CounterVec
}

// Reasons of failed logins, the values of weekback_login_failures_total's
// reason label (a fixed set: never a login or an error text).
const (
	failWrongPassword = "wrong_password" // wrong or empty password
	failUnknownUser   = "unknown_user"   // no such user, empty login, or the users table cannot be read as configured
	failNotAllowed    = "not_allowed"    // auth.allow refuses the user
	failUnknownHash   = "unknown_hash"   // a hash format that cannot be verified
	failThrottled     = "throttled"      // refused before checking: too many recent failures
	failCSRF          = "csrf"           // the login form's CSRF or Origin check failed
	failUnavailable   = "unavailable"    // the users table could not be read (production or the backup server down, no backup ready)
)

var loginFailureReasons = []string{failWrongPassword, failUnknownUser, failNotAllowed, failUnknownHash, failThrottled, failCSRF, failUnavailable}

func newMetrics(gens weekback.GenerationStore, now func() time.Time) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "weekback_http_requests_total", Help: "HTTP requests by route, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "weekback_http_request_duration_seconds", Help: "HTTP request latency by route and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
		loginFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "weekback_login_failures_total", Help: "Failed logins by reason.",
		}, []string{"reason"}),
	}
	for _, r := range loginFailureReasons {
		m.loginFailures.WithLabelValues(r) // every reason is exported from 0
	}
	m.registry.MustRegister(m.requests, m.latency, m.loginFailures, &generationCollector{gens: gens, now: now},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// middleware counts and times every request by its route pattern (never
// the raw path, which would make one series per table or record).
func (m *metrics) middleware(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	route := c.Route().Path
	status := c.Response().StatusCode()
	if err != nil {
		if fe, ok := err.(*fiber.Error); ok {
			status = fe.Code
		} else if status < 400 {
			status = fiber.StatusInternalServerError
		}
	}
	method := methodLabel(c.Method())
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
	return err
}

// methodLabel returns the method as a label value: a constant string (Fiber's
// c.Method() points into a buffer reused by the next request, which would
// corrupt the label kept by the registry), "OTHER" for methods outside the
// standard set (so clients cannot create series at will).
func methodLabel(method string) string {
	for _, m := range []string{fiber.MethodGet, fiber.MethodHead, fiber.MethodPost, fiber.MethodPut, fiber.MethodPatch,
		fiber.MethodDelete, fiber.MethodOptions, fiber.MethodConnect, fiber.MethodTrace} {
		if method == m {
			return m
		}
	}
	return "OTHER"
}

// loginFailed counts a failed login; reason is one of loginFailureReasons.
func (m *metrics) loginFailed(reason string) { m.loginFailures.WithLabelValues(reason).Inc() }

func (m *metrics) handler() fiber.Handler {
	return adaptor.HTTPHandler(promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
}

// generationCollector reports each ready generation's age when scraped.
type generationCollector struct {
	gens weekback.GenerationStore
	now  func() time.Time
}

var generationAge = prometheus.NewDesc("weekback_generation_age_seconds",
	"Seconds since the served copy of each weekday was taken.", []string{"day"}, nil)

// Describe sends the collector's one descriptor.
func (g *generationCollector) Describe(ch chan<- *prometheus.Desc) { ch <- generationAge }

// Collect reads the generations (bounded by a short timeout).
func (g *generationCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	gens, err := g.gens.Generations(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(generationAge, err)
		return
	}
	for _, gen := range gens {
		if gen.Ready() {
			age := g.now().Sub(gen.Manifest.SnapshotAt).Seconds()
			ch <- prometheus.MustNewConstMetric(generationAge, prometheus.GaugeValue, age, string(gen.Day))
		}
	}
}
