package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/parley-org/parley"
)

// metrics reads the metrics as monitoring does: from MetricsHandler on an
// address of its own.
func (s *site) metrics() string {
	s.t.Helper()
	ts := httptest.NewServer(s.srv.MetricsHandler())
	defer ts.Close()
	res, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		s.t.Fatalf("metrics listener: status %d, %v", res.StatusCode, err)
	}
	return string(b)
}

// A reverse proxy on the same machine that adds no forwarding header makes
// every reader's request look local: the public port must not serve metrics
// to such a request, only to a signed-in admin.
func TestMetricsOnThePublicPortAreForAdminsOnly(t *testing.T) {
	s := newSite(t, Config{})
	s.debate("cars", parley.DebatePublished, false)

	// httptest listens on 127.0.0.1, and the request carries no forwarding header.
	r := s.get("/metrics")
	wantLacks(t, r.body, "parley_http_requests_total", "go_goroutines")
	wantStatus(t, r, http.StatusSeeOther) // sent to sign in
	_, reader := s.account("Reader", parley.RoleParticipant)
	wantStatus(t, s.getAs(reader, "/metrics"), http.StatusForbidden)
	_, admin := s.account("Admin", parley.RoleAdmin)
	m := s.getAs(admin, "/metrics")
	wantStatus(t, m, http.StatusOK)
	wantContains(t, m.body, "parley_http_requests_total")

	// The metrics listener serves them to monitoring, and nothing else.
	wantContains(t, s.metrics(), `parley_http_requests_total{route="GET /metrics",status="303"} 1`, "go_goroutines")
	ts := httptest.NewServer(s.srv.MetricsHandler())
	defer ts.Close()
	for _, path := range []string{"/", "/healthz", "/debates/cars"} {
		res, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("metrics listener GET %s: status %d, want 404", path, res.StatusCode)
		}
	}
}

func TestMetricsCountRefusedConnections(t *testing.T) {
	s := newSite(t, Config{})
	s.srv.ConnectionRefused("client")
	s.srv.ConnectionRefused("client")
	s.srv.ConnectionRefused("total")
	wantContains(t, s.metrics(), `parley_connections_refused_total{reason="client"} 2`, `parley_connections_refused_total{reason="total"} 1`)
}
