package connlimit_test

import (
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/parley-org/parley/internal/connlimit"
)

// server accepts on 127.0.0.1 through a capped listener and keeps every
// connection it is given open until the test ends.
type server struct {
	ln      *connlimit.Listener
	mu      sync.Mutex
	refused map[string]int
}

func start(t *testing.T, cfg connlimit.Config) *server {
	t.Helper()
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &server{refused: map[string]int{}}
	cfg.Refused = func(reason string) {
		s.mu.Lock()
		s.refused[reason]++
		s.mu.Unlock()
	}
	s.ln = connlimit.New(raw, cfg)
	var held []net.Conn
	var heldMu sync.Mutex
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := s.ln.Accept()
			if err != nil {
				return
			}
			heldMu.Lock()
			held = append(held, c)
			heldMu.Unlock()
			// Close the server's end when the client closes its own.
			go func() {
				var b [1]byte
				c.Read(b[:])
				c.Close()
			}()
		}
	}()
	t.Cleanup(func() {
		s.ln.Close()
		<-done
		heldMu.Lock()
		for _, c := range held {
			c.Close()
		}
		heldMu.Unlock()
	})
	return s
}

func (s *server) refusals(reason string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused[reason]
}

// dial connects from the local address from (a loopback address) and
// reports whether the server kept the connection. It waits until the
// listener has taken or refused it (however slow a loaded machine is to
// accept), so the counts the test reads next are settled.
func (s *server) dial(t *testing.T, from string) (net.Conn, bool) {
	t.Helper()
	open, refused := s.ln.Open(), s.refusedInAll()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	c, err := d.Dial("tcp", s.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	for i := 0; ; i++ {
		switch {
		case s.ln.Open() > open:
			return c, true
		case s.refusedInAll() > refused:
			return c, false
		case i == 1000:
			t.Fatalf("the connection from %s was neither kept nor refused", from)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (s *server) refusedInAll() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, k := range s.refused {
		n += k
	}
	return n
}

// waitOpen waits until the listener counts n open connections.
func (s *server) waitOpen(t *testing.T, n int) {
	t.Helper()
	for i := 0; s.ln.Open() != n; i++ {
		if i == 200 {
			t.Fatalf("%d connections open, want %d", s.ln.Open(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestConnectionsPerClientNetwork(t *testing.T) {
	s := start(t, connlimit.Config{PerClient: 2, Total: 100})
	// 127.0.0.1 and 127.0.0.2 are one /24: they share its two places.
	first, ok1 := s.dial(t, "127.0.0.1")
	_, ok2 := s.dial(t, "127.0.0.2")
	if !ok1 || !ok2 {
		t.Fatalf("the first two connections of a network were refused: %v %v", ok1, ok2)
	}
	if _, ok := s.dial(t, "127.0.0.1"); ok {
		t.Fatal("a third connection from the network was kept")
	}
	if n := s.refusals(connlimit.ReasonClient); n != 1 {
		t.Errorf("refusals for the client cap: %d, want 1", n)
	}
	// Another network has places of its own.
	if _, ok := s.dial(t, "127.0.1.1"); !ok {
		t.Error("a connection from another network was refused")
	}
	// A closed connection gives its place back.
	first.Close()
	s.waitOpen(t, 2)
	if _, ok := s.dial(t, "127.0.0.3"); !ok {
		t.Error("the place of a closed connection was not given back")
	}
}

func TestConnectionsInAll(t *testing.T) {
	s := start(t, connlimit.Config{PerClient: 10, Total: 2})
	s.dial(t, "127.0.0.1")
	s.dial(t, "127.0.1.1")
	if _, ok := s.dial(t, "127.0.2.1"); ok {
		t.Fatal("a connection over the total was kept")
	}
	if n := s.refusals(connlimit.ReasonTotal); n != 1 {
		t.Errorf("refusals for the total cap: %d, want 1", n)
	}
	if s.ln.Open() != 2 {
		t.Errorf("%d connections counted open, want 2", s.ln.Open())
	}
}

// A trusted reverse proxy carries every client's requests: it has no
// per-client cap, only the total.
func TestTrustedProxyHasNoPerClientCap(t *testing.T) {
	s := start(t, connlimit.Config{PerClient: 1, Total: 4, Exempt: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	for i := range 4 {
		if _, ok := s.dial(t, "127.0.0.1"); !ok {
			t.Fatalf("connection %d from the trusted proxy was refused", i+1)
		}
	}
	if _, ok := s.dial(t, "127.0.0.1"); ok {
		t.Fatal("the trusted proxy went past the total")
	}
	if s.refusals(connlimit.ReasonTotal) != 1 || s.refusals(connlimit.ReasonClient) != 0 {
		t.Errorf("refusals %v, want one for the total", s.refused)
	}
}

func TestNoCaps(t *testing.T) {
	s := start(t, connlimit.Config{})
	for i := range 5 {
		if _, ok := s.dial(t, "127.0.0.1"); !ok {
			t.Fatalf("connection %d refused without caps", i+1)
		}
	}
}

// Closing a connection twice (the server and a handler both may) gives
// back one place, not two.
func TestCloseTwiceReleasesOnce(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := connlimit.New(raw, connlimit.Config{PerClient: 1})
	defer ln.Close()
	c1, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	sc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	sc.Close()
	sc.Close()
	if n := ln.Open(); n != 0 {
		t.Fatalf("%d open after closing the only connection twice, want 0", n)
	}
}
