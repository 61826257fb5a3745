package server

import (
	"github.com/prometheus/client_golang/prometheus"
)

// registerOpsMetrics adds the page cache's size to the registry: how much
// memory it holds and how many pages. Hits and misses are counted where
// the cache is read.
func (s *Server) registerOpsMetrics(reg prometheus.Registerer) {
	if reg == nil {
		return
	}
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "safecampus_page_cache_bytes", Help: "Bytes of rendered pages held in the page cache."},
			func() float64 { n, _ := s.pages.size(); return float64(n) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "safecampus_page_cache_entries", Help: "Rendered pages held in the page cache."},
			func() float64 { _, n := s.pages.size(); return float64(n) }),
	)
}

// size is the cache's bytes and entries.
func (pc *pageCache) size() (bytes, entries int) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return pc.bytes, len(pc.entries)
}
