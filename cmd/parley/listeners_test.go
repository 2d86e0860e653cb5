package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// metricsAddr is the address parley serve logged for its metrics.
func metricsAddr(t *testing.T, logs *lockedBuffer) string {
	t.Helper()
	m := regexp.MustCompile(`msg="serving metrics" addr=(\S+)`).FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("no metrics address in the log:\n%s", logs.String())
	}
	return m[1]
}

func TestServeMetricsOnTheirOwnAddress(t *testing.T) {
	base, stop, logs := startParley(t, "--data-dir", t.TempDir(), "--demo=false", "--metrics-addr", "127.0.0.1:0")
	maddr := metricsAddr(t, logs)

	// On the site, a request from this machine without a forwarding header,
	// as a reverse proxy on the same machine sends it, sees no metrics.
	noRedirects := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirects.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || bytes.Contains(body, []byte("go_goroutines")) {
		t.Errorf("site /metrics from loopback: status %d, want 303 to sign in\n%.300s", res.StatusCode, body)
	}

	code, metrics := get(t, "http://"+maddr+"/metrics")
	if code != http.StatusOK || !strings.Contains(metrics, `parley_http_requests_total{route="GET /metrics",status="303"} 1`) {
		t.Errorf("metrics address: status %d\n%.500s", code, metrics)
	}
	if code, _ := get(t, "http://"+maddr+"/"); code != http.StatusNotFound {
		t.Errorf("metrics address serves the site: status %d at /", code)
	}

	if err := stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if c, err := net.DialTimeout("tcp", maddr, time.Second); err == nil {
		c.Close()
		t.Error("the metrics address still listens after shutdown")
	}
}

// kept reports whether the server keeps a new connection from 127.0.0.1: a
// refused one is closed at once, while a kept one waits for its request.
func kept(t *testing.T, addr string) (net.Conn, bool) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	_, err = c.Read(make([]byte, 1))
	c.SetReadDeadline(time.Time{})
	return c, errors.Is(err, os.ErrDeadlineExceeded)
}

func TestServeCapsConnectionsPerClient(t *testing.T) {
	base, stop, logs := startParley(t, "--data-dir", t.TempDir(), "--demo=false",
		"--metrics-addr", "127.0.0.1:0", "--max-conns-per-client", "3")
	// Stop after kept's cleanups close the connections, which shutdown would wait for.
	t.Cleanup(func() { stop() })
	addr := strings.TrimPrefix(base, "http://")
	// Connections this process's client left idle count too, until the
	// server sees them close: open more until one is refused.
	http.DefaultClient.CloseIdleConnections()
	held := 0
	for {
		if _, ok := kept(t, addr); !ok {
			break
		}
		if held++; held > 3 {
			t.Fatalf("%d connections from one client kept, the cap is 3", held)
		}
	}
	_, metrics := get(t, "http://"+metricsAddr(t, logs)+"/metrics")
	if !strings.Contains(metrics, `parley_connections_refused_total{reason="client"}`) {
		t.Errorf("refused connection not counted:\n%.2000s", metrics)
	}
}

// Behind a trusted reverse proxy every client's connections come from the
// proxy's address, so the proxy has no per-client cap.
func TestServeLetsATrustedProxyPastTheClientCap(t *testing.T) {
	base, stop, _ := startParley(t, "--data-dir", t.TempDir(), "--demo=false",
		"--max-conns-per-client", "2", "--trusted-proxies", "127.0.0.1")
	t.Cleanup(func() { stop() })
	addr := strings.TrimPrefix(base, "http://")
	for i := range 5 {
		if _, ok := kept(t, addr); !ok {
			t.Fatalf("connection %d from the trusted proxy refused", i+1)
		}
	}
}

func TestHelpNamesTheListenerOptions(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"help", "serve"}, noEnv, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"-metrics-addr", "PARLEY_METRICS_ADDR", "-max-conns ", "PARLEY_MAX_CONNS)", "-max-conns-per-client", "PARLEY_MAX_CONNS_PER_CLIENT"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help serve lacks %q", want)
		}
	}
	err := run(context.Background(), []string{"serve", "--data-dir", t.TempDir(), "--addr", "127.0.0.1:0", "--max-conns", "-1"}, noEnv, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--max-conns") {
		t.Errorf("a negative --max-conns: got %v", err)
	}
}
