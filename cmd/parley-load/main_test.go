package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestOnlyLoopbackTargets(t *testing.T) {
	for target, ok := range map[string]bool{
		"http://127.0.0.1:8080": true, "http://127.3.4.5": true, "http://localhost:1": true, "http://[::1]:80": true,
		"http://10.0.0.1": false, "http://192.168.1.2:8080": false, "https://example.org": false, "http://0.0.0.0:80": false,
	} {
		if err := loopbackOnly(target); (err == nil) != ok {
			t.Errorf("loopbackOnly(%q) = %v, want allowed=%v", target, err, ok)
		}
	}
	if err := run([]string{"read", "--target", "http://10.1.2.3", "--path", "/"}, &strings.Builder{}); err == nil {
		t.Errorf("read against a private address was not refused")
	}
}

func TestHammerIsBoundedInTimeAndRequests(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1); w.Write([]byte("ok")) }))
	defer srv.Close()
	c := newClient(4)
	s := hammer(4, 5*time.Second, 50, func(_, _ int) (int64, error) { return fetch(c, srv.URL) })
	if s.requests != 50 || n.Load() != 50 || s.errors != 0 {
		t.Fatalf("got %d requests (%d served, %d errors), want exactly 50", s.requests, n.Load(), s.errors)
	}
	start := time.Now()
	s = hammer(2, 200*time.Millisecond, 1<<30, func(_, _ int) (int64, error) { return fetch(c, srv.URL) })
	if d := time.Since(start); d > 2*time.Second || s.requests == 0 {
		t.Fatalf("a 200ms run took %s with %d requests", d, s.requests)
	}
	if line := s.line("x"); !strings.Contains(line, "req/s") || !strings.Contains(line, "p99") {
		t.Errorf("summary %q lacks throughput or p99", line)
	}
}

func TestCommentBodiesAreTwoToEightHundredCharacters(t *testing.T) {
	r := newRand(7)
	for i := 0; i < 200; i++ {
		if n := len(commentBody(r)); n < 200 || n > 800 {
			t.Fatalf("body of %d characters", n)
		}
	}
}
