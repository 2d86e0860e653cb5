package web

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/parley-org/parley"
)

// slowSite is a site behind an http.Server that waits readTimeout for a
// request, as cmd/parley's does (for 30 seconds there).
func slowSite(t *testing.T, readTimeout time.Duration) (*site, string) {
	t.Helper()
	s := newSite(t, Config{})
	s.debate("cars", parley.DebatePublished, false)
	ts := httptest.NewUnstartedServer(s.srv)
	ts.Config.ReadTimeout = readTimeout
	ts.Start()
	t.Cleanup(ts.Close)
	return s, ts.Listener.Addr().String()
}

// sendSlowly sends a request's headers, promising a body of 60,000 bytes,
// then the body's first bytes one every 50 ms until the server answers or
// hangs up. It returns the answer, or nil if the server hung up without one.
func sendSlowly(t *testing.T, addr, path, contentType, start string, hangUp bool) *http.Response {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: 60000\r\n\r\n", path, addr, contentType)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for i := range start {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := c.Write([]byte{start[i]}); err != nil {
				return
			}
		}
		if hangUp {
			c.(*net.TCPConn).CloseWrite()
		}
	}()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("POST %s: no answer and no hang-up in 10s", path)
		}
		return nil
	}
	res.Body.Close()
	return res
}

// A client that sends its body too slowly for the server's ReadTimeout has
// timed out itself: the answer is 408 (or the connection closes), and
// nothing is logged as the server's error.
func TestSlowBodyIsTheClientsTimeout(t *testing.T) {
	s, addr := slowSite(t, 300*time.Millisecond)
	for _, tc := range []struct{ path, contentType, start string }{
		{"/api/v1/debates/cars/comments", "application/json", `{"author_name":"Slow","body":"I type one`},
		{"/debates/cars/comments", "application/x-www-form-urlencoded", "author_name=Slow&body=I+type+one"},
	} {
		res := sendSlowly(t, addr, tc.path, tc.contentType, tc.start, false)
		if res != nil && res.StatusCode != http.StatusRequestTimeout {
			t.Errorf("POST %s sent slowly: status %d, want 408 or the connection closed", tc.path, res.StatusCode)
		}
	}
	if logs := s.logs.String(); strings.Contains(logs, "level=ERROR") {
		t.Errorf("a client's timeout was logged as an error:\n%s", logs)
	}
}

// A client that stops sending before the end of its body (it went away, or
// lost its connection) sent a bad request: not the server's error either.
func TestTruncatedBodyIsTheClientsFault(t *testing.T) {
	s, addr := slowSite(t, 5*time.Second)
	for _, tc := range []struct{ path, contentType, start string }{
		{"/api/v1/debates/cars/comments", "application/json", `{"body":"cut`},
		{"/debates/cars/comments", "application/x-www-form-urlencoded", "body=cut"},
	} {
		res := sendSlowly(t, addr, tc.path, tc.contentType, tc.start, true)
		if res != nil && res.StatusCode != http.StatusBadRequest {
			t.Errorf("POST %s cut short: status %d, want 400 or the connection closed", tc.path, res.StatusCode)
		}
	}
	if logs := s.logs.String(); strings.Contains(logs, "level=ERROR") {
		t.Errorf("a client's truncated body was logged as an error:\n%s", logs)
	}
}
