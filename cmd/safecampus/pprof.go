package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// servePprof serves Go's profiler on --pprof-addr, a listener of its own
// (never the public one): the benchmark takes CPU and allocation profiles
// under load through it (go run ./cmd/bench --profile DIR). It returns the
// function that stops it; with no address it does nothing.
func (e *env) servePprof(log *slog.Logger) (stop func(), err error) {
	if e.cfg.pprofAddr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", e.cfg.pprofAddr)
	if err != nil {
		return nil, fmt.Errorf("--pprof-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	log.Info("profiler listening", "url", "http://"+displayAddr(ln.Addr().String())+"/debug/pprof/")
	return func() { hs.Close() }, nil
}
