package observe

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"timebank/pkg/replica"
)

// replicaCollector serves where reports and exports read: how many reads the replica answered, how
// many went to the primary because it did not, and its replication lag.
type replicaCollector struct {
	p                            *replica.Pool
	served, fallbacks, down, lag *prometheus.Desc
}

// WatchReplica adds the series of the replica's pool to the metrics, when a replica is configured.
func (o *Observer) WatchReplica(p *replica.Pool) {
	if p == nil || !p.Stats().Configured {
		return
	}
	d := func(name, help string) *prometheus.Desc { return prometheus.NewDesc(name, help, nil, nil) }
	o.metrics.registry.MustRegister(&replicaCollector{p: p,
		served:    d("timebank_replica_reads_total", "Report and export reads the PostgreSQL replica answered."),
		fallbacks: d("timebank_replica_fallback_reads_total", "Report and export reads sent to the primary because the replica did not answer."),
		down:      d("timebank_replica_down", "1 while reports and exports read from the primary because the replica did not answer."),
		lag:       d("timebank_replica_lag_seconds", "Age of the last transaction the replica replayed, 0 when it has replayed all it received."),
	})
}

// Describe sends the descriptions of the replica's series.
func (c *replicaCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.served, c.fallbacks, c.down, c.lag} {
		ch <- d
	}
}

// Collect reads the pool's counters, and the lag from the replica; when the replica does not
// answer the lag is left out rather than reported as zero.
func (c *replicaCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.p.Stats()
	down := 0.0
	if st.Down {
		down = 1
	}
	ch <- prometheus.MustNewConstMetric(c.served, prometheus.CounterValue, float64(st.Replica))
	ch <- prometheus.MustNewConstMetric(c.fallbacks, prometheus.CounterValue, float64(st.Fallbacks))
	ch <- prometheus.MustNewConstMetric(c.down, prometheus.GaugeValue, down)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if s, ok := c.p.State(ctx); ok && s.Status == "ok" {
		ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, s.Lag)
	}
}
