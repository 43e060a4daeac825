package server

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// OffsiteCounter counts the snapshot runs whose off-site copy failed
// (mysql.Meta implements it). The snapshotter records each failure on its
// run; every server replica reports the count on /metrics.
type OffsiteCounter interface {
	OffsiteFailures(ctx context.Context) (int64, error)
}

var offsiteFailures = prometheus.NewDesc("weekback_offsite_failures_total",
	"Snapshot runs whose off-site copy failed (the new copy was served all the same).", nil, nil)

// offsiteCollector reports OffsiteFailures when scraped.
type offsiteCollector struct{ src OffsiteCounter }

// Describe sends the collector's one descriptor.
func (o *offsiteCollector) Describe(ch chan<- *prometheus.Desc) { ch <- offsiteFailures }

// Collect reads the count (bounded by a short timeout).
func (o *offsiteCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := o.src.OffsiteFailures(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(offsiteFailures, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(offsiteFailures, prometheus.CounterValue, float64(n))
}
