// Package connlimit caps the connections a server holds open, in all and
// per client network, so that one client cannot take every connection (and
// every file descriptor) the server has. A connection over a cap is closed
// as soon as it is accepted.
package connlimit

import (
	"io"
	"net"
	"net/netip"
	"sync"

	"github.com/parley-org/parley"
)

// Reasons a connection is refused, as Config.Refused is told.
const (
	ReasonClient = "client" // the client's network holds its share
	ReasonTotal  = "total"  // the server holds all it may
)

// Config says how many connections to allow.
type Config struct {
	// PerClient is how many connections one client network (parley.Network:
	// an IPv4 /24 or an IPv6 /64) may hold open; 0 means no cap.
	PerClient int
	// Total is how many connections may be open in all; 0 means no cap.
	Total int
	// Exempt are addresses with no per-client cap: trusted reverse proxies,
	// whose connections carry every client's requests. They still count
	// toward Total.
	Exempt []netip.Prefix
	// Refused, if set, is called for each connection refused, with the reason.
	Refused func(reason string)
}

// Listener is a net.Listener that refuses connections over its caps.
type Listener struct {
	net.Listener
	cfg Config

	mu    sync.Mutex
	total int
	open  map[netip.Prefix]int
}

// New wraps ln with the caps in cfg.
func New(ln net.Listener, cfg Config) *Listener {
	return &Listener{Listener: ln, cfg: cfg, open: map[netip.Prefix]int{}}
}

// Accept returns the next connection within the caps. Connections over a
// cap are closed here and never reach the caller, so a flood of them does
// not end the caller's accept loop.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		network, counted, reason := l.admit(c.RemoteAddr())
		if reason != "" {
			// Counted before it is closed: whoever sees the close finds
			// the refusal counted already.
			if l.cfg.Refused != nil {
				l.cfg.Refused(reason)
			}
			c.Close()
			continue
		}
		return &conn{Conn: c, l: l, network: network, counted: counted}, nil
	}
}

// Open is how many accepted connections are open.
func (l *Listener) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total
}

// admit takes a place for a connection from addr, or names the cap that
// refuses it. counted says whether the connection holds a per-client place.
func (l *Listener) admit(addr net.Addr) (network netip.Prefix, counted bool, reason string) {
	ip := addrIP(addr)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cfg.Total > 0 && l.total >= l.cfg.Total {
		return network, false, ReasonTotal
	}
	if l.cfg.PerClient > 0 && ip.IsValid() && !l.exempt(ip) {
		network, counted = parley.Network(ip), true
		if l.open[network] >= l.cfg.PerClient {
			return network, false, ReasonClient
		}
		l.open[network]++
	}
	l.total++
	return network, counted, ""
}

func (l *Listener) release(network netip.Prefix, counted bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.total--
	if counted {
		if l.open[network]--; l.open[network] <= 0 {
			delete(l.open, network)
		}
	}
}

func (l *Listener) exempt(ip netip.Addr) bool {
	for _, p := range l.cfg.Exempt {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// addrIP is the IP address of a connection's remote end, if it has one.
func addrIP(addr net.Addr) netip.Addr {
	if a, ok := addr.(*net.TCPAddr); ok {
		ip, _ := netip.AddrFromSlice(a.IP)
		return ip.Unmap()
	}
	ap, err := netip.ParseAddrPort(addr.String())
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// conn gives its place back when closed, once however often it is closed.
type conn struct {
	net.Conn
	l       *Listener
	network netip.Prefix
	counted bool
	once    sync.Once
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c.network, c.counted) })
	return err
}

// ReadFrom lets a response copied from a file still use sendfile: the
// wrapper would otherwise hide the TCP connection's own ReadFrom.
func (c *conn) ReadFrom(r io.Reader) (int64, error) { return io.Copy(c.Conn, r) }
