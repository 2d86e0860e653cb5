package parley

import (
	"net/url"
	"strings"
	"testing"
)

func TestLocalPath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/", "/"},
		{"/account", "/account"},
		{"/debates/votes-at-16?page=2#c-5", "/debates/votes-at-16?page=2#c-5"},
		{"/a/./b/../c/", "/a/c/"},
		{"/signin?next=%2Faccount", "/signin?next=%2Faccount"},
		{"/moderation?done=Approved+2.", "/moderation?done=Approved+2."},
		// Cleaning folds the slashes as http.Redirect would: still this site.
		{"/x/..//evil.example", "/evil.example"},
		{"/.//evil.example", "/evil.example"},
	} {
		if got, ok := LocalPath(tc.in); !ok || got != tc.want {
			t.Errorf("LocalPath(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
	for _, in := range []string{
		"", "account", "//evil.example/", "/\\evil.example/phish", "/./\\evil.example/phish",
		"/x/../\\evil.example", "/%5Cevil.example", "/./%5cevil.example",
		"/\t/evil.example", "/%09/evil.example", "/\n/evil.example", "https://evil.example/", "javascript:alert(1)",
		"/\x00", "/%00", " /account", "\\\\evil.example", "/#\\x",
	} {
		if got, ok := LocalPath(in); ok {
			t.Errorf("LocalPath(%q) = %q, accepted; want refused", in, got)
		}
	}
}

func TestImageURLsMustBeOnThisSiteOrHTTP(t *testing.T) {
	for _, u := range []string{"/media/ab.png", "https://images.example.org/x.png"} {
		if !localOrHTTPURL(u) {
			t.Errorf("%q refused", u)
		}
	}
	for _, u := range []string{"/\\evil.example/x.png", "//evil.example/x.png", "/./%5Cevil.example/x.png", "javascript:alert(1)", "https://a.example/\tx"} {
		if localOrHTTPURL(u) {
			t.Errorf("%q accepted as an image address", u)
		}
	}
}

// FuzzLocalPath holds LocalPath to its promise: whatever it accepts, a
// browser resolving it against this site stays on this site.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/", "/a/../b", "/./%5Cevil", "/x/..//evil", "/\t/e", "/a?b=c#d", "/%2F%2Fevil", "/a/b/", "/.."} {
		f.Add(s)
	}
	base, _ := url.Parse("https://parley.example/debates/x/page")
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := LocalPath(s)
		if !ok {
			return
		}
		again, ok2 := LocalPath(got)
		if !ok2 || again != got {
			t.Fatalf("LocalPath(%q) = %q, which becomes %q, %v", s, got, again, ok2)
		}
		if !landsOn(base, got) {
			t.Fatalf("LocalPath(%q) = %q leaves the site", s, got)
		}
	})
}

// landsOn reads a location as a browser does (backslashes as slashes,
// tabs and newlines dropped) and reports whether it stays on base's host.
func landsOn(base *url.URL, loc string) bool {
	loc = strings.Map(func(r rune) rune {
		switch r {
		case '\\':
			return '/'
		case '\t', '\n', '\r':
			return -1
		}
		return r
	}, strings.TrimSpace(loc))
	u, err := url.Parse(loc)
	if err != nil {
		return false
	}
	r := base.ResolveReference(u)
	return r.Scheme == base.Scheme && r.Host == base.Host
}
