// Package server is the HTTP face of SafeCampus: the only package that
// imports Echo. routes.go lists every route; each handler parses, calls the
// store, and renders a web page or JSON. Errors go to one error handler.
package server

import (
	"log/slog"
	"net"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"safecampus/internal/evidence"
	"safecampus/internal/i18n"
	"safecampus/internal/store"
)

// Config is what the server needs from its environment.
type Config struct {
	// DemoLogins are shown on the login page in demo mode only.
	DemoLogins []DemoLogin
	// SecureCookies forces the Secure flag on cookies, for deployments
	// behind a TLS-terminating proxy. Requests that arrive over TLS get it
	// anyway.
	SecureCookies bool
	// TrustedProxies are the networks whose X-Forwarded-For is believed.
	// Empty: the client address is the connection's.
	TrustedProxies []*net.IPNet
	// EvidenceDir is where uploaded evidence files are kept. Empty: uploads
	// are turned off (the forms say so).
	EvidenceDir string
	// MetricsElsewhere moves /metrics off the public port: it answers 404
	// there, and MetricsHandler serves it on --metrics-addr.
	MetricsElsewhere bool
}

// DemoLogin is a demo account shown on the login page.
type DemoLogin struct {
	Username, Password, Role string
}

// Server holds the dependencies of the handlers.
type Server struct {
	cfg     Config
	store   *store.Store
	i18n    *i18n.Bundle
	log     *slog.Logger
	echo    *echo.Echo
	metrics *metrics
	pages   *pageCache
	files   *evidence.Dir // nil when uploads are off
}

// New builds the server and its routes.
func New(cfg Config, st *store.Store, bundle *i18n.Bundle, log *slog.Logger, reg prometheus.Registerer) *Server {
	s := &Server{cfg: cfg, store: st, i18n: bundle, log: log, metrics: newMetrics(reg), pages: newPageCache(32 << 20)}
	s.registerOpsMetrics(reg)
	staticGzip() // compress the static files once, at start-up
	s.metrics.reg.MustRegister(newOutboxCollector(st))
	if cfg.EvidenceDir != "" {
		s.files = evidence.NewDir(cfg.EvidenceDir)
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = echo.ExtractIPDirect()
	if len(cfg.TrustedProxies) > 0 {
		var opts []echo.TrustOption
		for _, n := range cfg.TrustedProxies {
			opts = append(opts, echo.TrustIPRange(n))
		}
		opts = append(opts, echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false))
		e.IPExtractor = echo.ExtractIPFromXFFHeader(opts...)
	}
	s.echo = e
	s.routes(e)
	return s
}

// Handler is the server as an http.Handler.
func (s *Server) Handler() http.Handler { return s.echo }
