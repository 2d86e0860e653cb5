package web

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/parley-org/parley"
)

// limiter allows each key (a client network) a steady rate of actions with
// a burst, forgetting keys it has not seen for a while.
type limiter struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	clients map[string]*limited
	swept   time.Time
}

type limited struct {
	lim  *rate.Limiter
	seen time.Time
}

// newLimiter allows perMinute actions a minute with a burst; nil means no limit.
func newLimiter(perMinute, burst int) *limiter {
	if perMinute <= 0 {
		return nil
	}
	return newLimiterEvery(time.Minute/time.Duration(perMinute), burst)
}

// newLimiterEvery allows one action each interval, with a burst.
func newLimiterEvery(interval time.Duration, burst int) *limiter {
	return &limiter{every: rate.Every(interval), burst: max(burst, 1), clients: map[string]*limited{}}
}

// accountLimits bound what one client network can do to accounts: guess
// passwords, open accounts, or have links mailed to an address.
type accountLimits struct {
	signIn *limiter // sign-in attempts per network
	signUp *limiter // new accounts per network
	links  *limiter // emailed links (verification, reset, sign-in) per network
}

func newAccountLimits() accountLimits {
	return accountLimits{
		signIn: newLimiterEvery(6*time.Second, 10),
		signUp: newLimiterEvery(12*time.Minute, 5),
		links:  newLimiterEvery(12*time.Minute, 5),
	}
}

// allow takes one action for key, or says how long to wait for the next.
func (l *limiter) allow(key string, now time.Time) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, c := range l.clients {
			if now.Sub(c.seen) > 10*time.Minute {
				delete(l.clients, k)
			}
		}
		l.swept = now
	}
	c := l.clients[key]
	if c == nil {
		c = &limited{lim: rate.NewLimiter(l.every, l.burst)}
		l.clients[key] = c
	}
	c.seen = now
	r := c.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// tooMany is the error for an action over its rate limit; it knows how long
// the client should wait.
type tooMany struct {
	err        *parley.Error
	retryAfter time.Duration
}

func (e *tooMany) Error() string { return e.err.Message }
func (e *tooMany) Unwrap() error { return e.err }

// rateLimited is the error for an action done too often; what names the
// action ("posting comments") and picks the sentence that says so.
func rateLimited(wait time.Duration, what string) error {
	secs := int(math.Ceil(wait.Seconds()))
	return &tooMany{err: &parley.Error{Code: parley.ERATELIMIT, Message: fmt.Sprintf(tooFast(what), secs)},
		retryAfter: wait}
}

// tooFast is the sentence, a format of the wait in seconds, that refuses
// an action: a whole sentence for each, so that it can be translated.
func tooFast(what string) string {
	switch what {
	case "creating accounts":
		return "You are creating accounts faster than this site allows. Please wait %d seconds and try again."
	case "trying to sign in":
		return "You are trying to sign in faster than this site allows. Please wait %d seconds and try again."
	case "trying to sign in after failed attempts":
		return "You are trying to sign in after failed attempts faster than this site allows. Please wait %d seconds and try again."
	case "asking for emailed links":
		return "You are asking for emailed links faster than this site allows. Please wait %d seconds and try again."
	case "subscribing":
		return "You are subscribing faster than this site allows. Please wait %d seconds and try again."
	case "posting comments":
		return "You are posting comments faster than this site allows. Please wait %d seconds and try again."
	case "changing comments":
		return "You are changing comments faster than this site allows. Please wait %d seconds and try again."
	case "reports":
		return "You are sending reports faster than this site allows. Please wait %d seconds and try again."
	}
	return "You are doing this faster than this site allows. Please wait %d seconds and try again."
}

// setRetryAfter sets Retry-After for errors that say when to come back.
func setRetryAfter(w http.ResponseWriter, err error) {
	var t *tooMany
	switch {
	case errors.As(err, &t):
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(t.retryAfter.Seconds()))))
	case parley.ErrorCode(err) == parley.EUNAVAILABLE:
		w.Header().Set("Retry-After", "5")
	}
}

// clientNet names the network a request comes from, as bans do
// (parley.Network): an IPv4 /24 or an IPv6 /64, since one household, office
// or host holds many addresses of either. Behind a trusted proxy it is the
// network of the address the proxy saw (the last X-Forwarded-For entry that
// is not itself a trusted proxy).
func (s *Server) clientNet(r *http.Request) string {
	return networkOf(s.clientAddr(r))
}

func (s *Server) trusted(ip netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func remoteIP(addr string) netip.Addr {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	ip, _ := netip.ParseAddr(host)
	return ip.Unmap()
}
