package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"safecampus/internal/i18n"
	"safecampus/internal/server"
	"safecampus/internal/store"
)

func (e *env) serveCommand(def func(string, string) string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the production server (runs pending migrations first)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := e.openStore(cmd.Context(), e.cfg.db)
			if err != nil {
				return err
			}
			defer st.Close()
			return e.listen(cmd.Context(), st, server.Config{}, nil)
		},
	}
	e.serverFlags(cmd, def)
	return cmd
}

func (e *env) serverFlags(cmd *cobra.Command, def func(string, string) string) {
	cmd.Flags().StringVar(&e.cfg.addr, "addr", def("SAFECAMPUS_ADDR", ":8080"), "listen address (env SAFECAMPUS_ADDR)")
	cmd.Flags().BoolVar(&e.cfg.secureCookies, "secure-cookies", def("SAFECAMPUS_SECURE_COOKIES", "") == "true",
		"mark cookies Secure, for a server behind a TLS proxy (env SAFECAMPUS_SECURE_COOKIES=true)")
	cmd.Flags().StringVar(&e.cfg.evidenceDir, "evidence-dir", def("SAFECAMPUS_EVIDENCE_DIR", ""),
		"directory for uploaded evidence files (env SAFECAMPUS_EVIDENCE_DIR; default: evidence/ beside the SQLite file, or ./data/evidence)")
	e.mailFlags(cmd, def)
	cmd.Flags().StringSliceVar(&e.cfg.trustedProxies, "trusted-proxy", splitList(def("SAFECAMPUS_TRUSTED_PROXIES", "")),
		"CIDR of a reverse proxy whose X-Forwarded-For is believed; repeatable (env SAFECAMPUS_TRUSTED_PROXIES, comma separated)")
	cmd.Flags().StringVar(&e.cfg.metricsAddr, "metrics-addr", def("SAFECAMPUS_METRICS_ADDR", ""),
		"serve /metrics on this address instead of the public one, e.g. 127.0.0.1:9090 (env SAFECAMPUS_METRICS_ADDR)")
	cmd.Flags().StringVar(&e.cfg.pprofAddr, "pprof-addr", def("SAFECAMPUS_PPROF_ADDR", ""),
		"serve Go's profiler (/debug/pprof/) on this address, e.g. 127.0.0.1:6060; off by default (env SAFECAMPUS_PPROF_ADDR)")
	cmd.Flags().StringVar(&e.cfg.tlsCert, "tls-cert", def("SAFECAMPUS_TLS_CERT", ""), "PEM certificate (chain) to serve HTTPS natively (env SAFECAMPUS_TLS_CERT)")
	cmd.Flags().StringVar(&e.cfg.tlsKey, "tls-key", def("SAFECAMPUS_TLS_KEY", ""), "PEM private key of --tls-cert (env SAFECAMPUS_TLS_KEY)")
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// listen serves until ctx ends (SIGTERM or SIGINT), then stops accepting,
// lets requests in flight finish, and returns.
func (e *env) listen(ctx context.Context, st *store.Store, cfg server.Config, ready func(url string)) error {
	log := e.logger()
	cfg.SecureCookies = e.cfg.secureCookies
	cfg.EvidenceDir = e.evidenceDir()
	for _, p := range e.cfg.trustedProxies {
		_, n, err := net.ParseCIDR(strings.TrimSpace(p))
		if err != nil {
			return fmt.Errorf("--trusted-proxy %q: %w", p, err)
		}
		cfg.TrustedProxies = append(cfg.TrustedProxies, n)
	}
	bundle, err := i18n.NewBundle()
	if err != nil {
		return err
	}
	if (e.cfg.tlsCert == "") != (e.cfg.tlsKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), buildInfoMetric())
	for name, db := range st.Pools() {
		reg.MustRegister(collectors.NewDBStatsCollector(db, name))
	}
	maint := newMaintenanceMetrics(reg)
	cfg.MetricsElsewhere = e.cfg.metricsAddr != ""
	srv := server.New(cfg, st, bundle, log, reg)
	nt, err := e.notifier(st)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", e.cfg.addr)
	if err != nil {
		return err
	}
	scheme := "http"
	if e.cfg.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(e.cfg.tlsCert, e.cfg.tlsKey)
		if err != nil {
			ln.Close()
			return fmt.Errorf("--tls-cert/--tls-key: %w", err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"h2", "http/1.1"}})
		scheme = "https"
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute,
		WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	if e.cfg.metricsAddr != "" {
		mln, err := net.Listen("tcp", e.cfg.metricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("--metrics-addr: %w", err)
		}
		ms := &http.Server{Handler: srv.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second}
		go ms.Serve(mln)
		defer ms.Close()
		log.Info("metrics listening", "url", "http://"+displayAddr(mln.Addr().String())+"/metrics")
	}
	stopPprof, err := e.servePprof(log)
	if err != nil {
		ln.Close()
		return err
	}
	defer stopPprof()
	go maintain(ctx, st, log, maint)
	go nt.Run(ctx, 30*time.Second)

	url := scheme + "://" + displayAddr(ln.Addr().String())
	log.Info("listening", "url", url, "db", redactDSN(e.cfg.db))
	if ready != nil {
		ready(url)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// maintain applies rule sets whose day has come, takes the coverage
// checkpoints as months end, and prunes expired sessions, old throttle
// rows and idempotency keys past their retention: at start-up, then every
// hour.
func maintain(ctx context.Context, st *store.Store, log *slog.Logger, m *maintenanceMetrics) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		maintainOnce(ctx, st, log, m)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func maintainOnce(ctx context.Context, st *store.Store, log *slog.Logger, m *maintenanceMetrics) {
	failed := false
	defer func() {
		if ctx.Err() != nil {
			return
		}
		result := "ok"
		if failed {
			result = "error"
		} else {
			m.lastSuccess.SetToCurrentTime()
		}
		m.runs.WithLabelValues(result).Inc()
	}()
	if p, err := st.Prune(ctx); err != nil && ctx.Err() == nil {
		failed = true
		log.Error("pruning", "err", err)
	} else {
		m.pruned.WithLabelValues("sessions").Add(float64(p.Sessions))
		m.pruned.WithLabelValues("login_failures").Add(float64(p.LoginFailures))
	}
	if n, err := st.PruneIdempotencyKeys(ctx); err != nil && ctx.Err() == nil {
		failed = true
		log.Error("pruning idempotency keys", "err", err)
	} else {
		m.pruned.WithLabelValues("idempotency_keys").Add(float64(n))
	}
	if applied, err := st.ApplyDueRuleSets(ctx); err != nil && ctx.Err() == nil {
		failed = true
		log.Error("applying rule sets", "err", err)
	} else if applied {
		log.Info("rule set applied to every school's coverage")
	}
	if err := st.MaintainCheckpoints(ctx); err != nil && ctx.Err() == nil {
		failed = true
		log.Error("coverage checkpoints", "err", err)
	}
}

// maintenanceMetrics count the maintenance loop's runs and what it pruned.
type maintenanceMetrics struct {
	runs        *prometheus.CounterVec
	pruned      *prometheus.CounterVec
	lastSuccess prometheus.Gauge
}

func newMaintenanceMetrics(reg prometheus.Registerer) *maintenanceMetrics {
	m := &maintenanceMetrics{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "safecampus_maintenance_runs_total",
			Help: "Runs of the hourly maintenance (rule sets, checkpoints, pruning) by result."}, []string{"result"}),
		pruned: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "safecampus_pruned_rows_total",
			Help: "Rows pruned by maintenance: expired sessions, old throttle rows and idempotency keys."}, []string{"kind"}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{Name: "safecampus_maintenance_last_success_timestamp_seconds",
			Help: "When the maintenance last ran without error."}),
	}
	reg.MustRegister(m.runs, m.pruned, m.lastSuccess)
	return m
}

// evidenceDir is where uploaded evidence files go: --evidence-dir, else an
// "evidence" directory beside the SQLite file, else ./data/evidence.
func (e *env) evidenceDir() string {
	if e.cfg.evidenceDir != "" {
		return e.cfg.evidenceDir
	}
	if store.IsPostgres(e.cfg.db) {
		return filepath.Join("data", "evidence")
	}
	return filepath.Join(filepath.Dir(e.cfg.db), "evidence")
}

func displayAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// redactDSN hides a PostgreSQL password in logs.
func redactDSN(dsn string) string {
	if !store.IsPostgres(dsn) {
		return dsn
	}
	if at := strings.LastIndex(dsn, "@"); at > 0 {
		if colon := strings.Index(dsn[len("postgres://"):], ":"); colon >= 0 && len("postgres://")+colon < at {
			return dsn[:len("postgres://")+colon+1] + "***" + dsn[at:]
		}
	}
	return dsn
}
