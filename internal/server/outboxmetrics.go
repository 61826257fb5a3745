package server

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"safecampus/internal/store"
)

// outboxCollector reports the e-mail and webhook outbox on every scrape of
// /metrics: safecampus_outbox_deliveries{target,state}.
type outboxCollector struct {
	store *store.Store
	desc  *prometheus.Desc
}

func newOutboxCollector(st *store.Store) *outboxCollector {
	return &outboxCollector{store: st, desc: prometheus.NewDesc("safecampus_outbox_deliveries",
		"Notification deliveries (e-mail, webhook) by state: pending, retrying (failed at least once), sent, failed (given up).",
		[]string{"target", "state"}, nil)}
}

func (o *outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- o.desc }

func (o *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	stats, err := o.store.OutboxStats(ctx)
	if err != nil {
		return
	}
	for target, st := range stats {
		for state, n := range map[string]int64{"pending": st.Pending, "retrying": st.Retrying, "sent": st.Sent, "failed": st.Failed} {
			ch <- prometheus.MustNewConstMetric(o.desc, prometheus.GaugeValue, float64(n), target, state)
		}
	}
}
