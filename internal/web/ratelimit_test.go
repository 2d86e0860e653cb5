package web

import (
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/parley-org/parley"
)

func TestLimiterAllowsABurstThenTheRate(t *testing.T) {
	l := newLimiter(60, 2) // one a second after two at once
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 2; i++ {
		if ok, _ := l.allow("a", now); !ok {
			t.Fatalf("burst action %d refused", i)
		}
	}
	ok, wait := l.allow("a", now)
	if ok || wait <= 0 || wait > time.Second {
		t.Fatalf("third action: allowed=%v wait=%v, want refused with a wait of at most 1s", ok, wait)
	}
	if ok, _ := l.allow("b", now); !ok {
		t.Fatalf("another client was limited by the first")
	}
	if ok, _ := l.allow("a", now.Add(time.Second)); !ok {
		t.Fatalf("refused after waiting")
	}
	var none *limiter
	if ok, _ := none.allow("a", now); !ok {
		t.Fatalf("no limiter must mean no limit")
	}
}

func TestPostingTooFastIsRefusedWithRetryAfter(t *testing.T) {
	s := newSite(t, Config{PostsPerMinute: 1, PostBurst: 2})
	s.debate("cars", parley.DebatePublished, false)
	for i := 0; i < 2; i++ {
		wantStatus(t, s.api("POST", "/api/v1/debates/cars/comments", map[string]any{"author_name": "A", "author_email": "a@example.org", "body": "n" + string(rune('0'+i))}), http.StatusCreated)
	}
	r := s.api("POST", "/api/v1/debates/cars/comments", map[string]any{"author_name": "A", "author_email": "a@example.org", "body": "one too many"})
	wantStatus(t, r, http.StatusTooManyRequests)
	wantContains(t, r.body, `"rate_limited"`)
	if r.header.Get("Retry-After") == "" {
		t.Errorf("429 without Retry-After")
	}
	form := s.postForm(s.reader, "/debates/cars/comments", formValues("Ben", "b@example.org", "My patient words"))
	wantStatus(t, form, http.StatusTooManyRequests)
	wantContains(t, form.body, "faster than this site allows", "My patient words")
	if form.header.Get("Retry-After") == "" {
		t.Errorf("form 429 without Retry-After")
	}
}

func TestClientNetworkBehindTrustedProxies(t *testing.T) {
	s := &Server{cfg: Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}}
	for _, tc := range []struct{ remote, forwarded, want string }{
		{"203.0.113.7:4000", "", "203.0.113.0/24"},
		{"203.0.113.7:4000", "198.51.100.1", "203.0.113.0/24"},                  // not a proxy we trust: ignore the header
		{"10.0.0.2:4000", "198.51.100.1", "198.51.100.0/24"},                    // our proxy says who it saw
		{"10.0.0.2:4000", "6.6.6.6, 198.51.100.1, 10.0.0.9", "198.51.100.0/24"}, // the client cannot forge past our proxies
		{"[2001:db8:1:2:3:4:5:6]:80", "", "2001:db8:1:2::/64"},
		{"[::ffff:203.0.113.9]:80", "", "203.0.113.0/24"},
	} {
		r := &http.Request{RemoteAddr: tc.remote, Header: http.Header{}, URL: &url.URL{}}
		if tc.forwarded != "" {
			r.Header.Set("X-Forwarded-For", tc.forwarded)
		}
		if got := s.clientNet(r); got != tc.want {
			t.Errorf("%s via %q: got %s, want %s", tc.remote, tc.forwarded, got, tc.want)
		}
	}
}

// Posting is limited per network, as documented and as bans count: a
// second address in the same IPv4 /24 shares the first one's allowance.
func TestPostingIsLimitedPerNetwork(t *testing.T) {
	s := newSite(t, Config{PostsPerMinute: 1, PostBurst: 2, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	s.debate("nets", parley.DebatePublished, false)
	post := func(i int, from string) response {
		return s.api(http.MethodPost, "/api/v1/debates/nets/comments",
			map[string]string{"author_name": "Guest " + strconv.Itoa(i), "author_email": "g" + strconv.Itoa(i) + "@example.org", "body": "Post " + strconv.Itoa(i)},
			"X-Forwarded-For", from)
	}
	wantStatus(t, post(1, "203.0.113.7"), http.StatusCreated)
	wantStatus(t, post(2, "203.0.113.8"), http.StatusCreated)
	wantStatus(t, post(3, "203.0.113.200"), http.StatusTooManyRequests)
	wantStatus(t, post(4, "203.0.114.1"), http.StatusCreated) // the next network has its own
	wantStatus(t, post(5, "2001:db8:1:2::1"), http.StatusCreated)
	wantStatus(t, post(6, "2001:db8:1:2::ffff"), http.StatusCreated)
	wantStatus(t, post(7, "2001:db8:1:2:ab::1"), http.StatusTooManyRequests)
}
