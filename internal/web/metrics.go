package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	posted   *prometheus.CounterVec
	cache    *prometheus.CounterVec
	refused  *prometheus.CounterVec
	// formStampReuses counts comment forms sent back more than once.
	formStampReuses prometheus.Counter
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "parley_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
		posted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_comments_posted_total", Help: "Comments posted, by the status they were given.",
		}, []string{"status"}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_page_cache_total", Help: "Page cache lookups by result.",
		}, []string{"result"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_connections_refused_total", Help: "Connections refused over a cap, by the cap: client (one client network's share) or total.",
		}, []string{"reason"}),
		formStampReuses: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parley_form_stamp_reuses_total", Help: "Comments posted with a comment form already used from the same network.",
		}),
	}
	reg.MustRegister(m.requests, m.latency, m.posted, m.cache, m.refused, m.formStampReuses,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})
}

// MetricsHandler serves the metrics at /metrics to anyone who reaches it:
// mount it on an address only monitoring can reach, never the public one.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metricsHandler())
	return mux
}

// ConnectionRefused counts a connection refused over a cap, for the
// listener that refuses it.
func (s *Server) ConnectionRefused(reason string) {
	s.metrics.refused.WithLabelValues(reason).Inc()
}
