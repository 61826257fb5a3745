package main

import (
	"context"
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
	cmd.Flags().StringSliceVar(&e.cfg.trustedProxies, "trusted-proxy", splitList(def("SAFECAMPUS_TRUSTED_PROXIES", "")),
		"CIDR of a reverse proxy whose X-Forwarded-For is believed; repeatable (env SAFECAMPUS_TRUSTED_PROXIES, comma separated)")
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
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	srv := server.New(cfg, st, bundle, log, reg)

	ln, err := net.Listen("tcp", e.cfg.addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute,
		WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go maintain(ctx, st, log)

	url := "http://" + displayAddr(ln.Addr().String())
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

// maintain applies rule sets whose day has come and takes the coverage
// checkpoints as months end, and forgets idempotency keys past their
// retention: at start-up, then every hour.
func maintain(ctx context.Context, st *store.Store, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if applied, err := st.ApplyDueRuleSets(ctx); err != nil && ctx.Err() == nil {
			log.Error("applying rule sets", "err", err)
		} else if applied {
			log.Info("rule set applied to every school's coverage")
		}
		if err := st.MaintainCheckpoints(ctx); err != nil && ctx.Err() == nil {
			log.Error("coverage checkpoints", "err", err)
		}
		if n, err := st.PruneIdempotencyKeys(ctx); err != nil && ctx.Err() == nil {
			log.Error("pruning idempotency keys", "err", err)
		} else if n > 0 {
			log.Info("idempotency keys pruned", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
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
