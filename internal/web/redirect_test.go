package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/auth"
	"github.com/parley-org/parley/internal/store"
)

// offSite are "next" values that an earlier check let through and that
// browsers follow to evil.example once http.Redirect has cleaned them.
var offSite = []string{"/./\\evil.example/phish", "/x/../\\evil.example", "//evil.example/", "/\\evil.example", "/\t/evil.example", "https://evil.example/"}

// wantOnSite fails unless a Location header leads to a page of the site.
func wantOnSite(t *testing.T, what, loc string) {
	t.Helper()
	if !strings.HasPrefix(loc, "/") || strings.ContainsAny(loc, "\\\t\n") || strings.HasPrefix(loc, "//") {
		t.Errorf("%s sent the reader to %q", what, loc)
	}
}

func TestNoRedirectLeavesTheSite(t *testing.T) {
	s, smtp := mailSite(t)
	u, signedIn := s.account("Ada Reader", parley.RoleParticipant)
	const password = "analytical engine notes"
	hash, err := auth.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.store.SetPassword(t.Context(), u.ID, hash); err != nil {
		t.Fatal(err)
	}
	mails := 0
	for _, next := range offSite {
		// Already signed in, GET /signin redirects at once.
		r := s.getAs(signedIn, "/signin?next="+url.QueryEscape(next))
		wantStatus(t, r, http.StatusSeeOther)
		wantOnSite(t, "GET /signin?next="+next, r.header.Get("Location"))

		r = s.postForm(newBrowser(), "/signin", url.Values{"email": {u.Email}, "password": {password}, "next": {next}})
		wantStatus(t, r, http.StatusSeeOther)
		wantOnSite(t, "POST /signin next="+next, r.header.Get("Location"))

		// A passwordless sign-in link posted with such a next.
		if err := s.srv.mailLink(t.Context(), u, store.LinkSignIn, "", ""); err != nil {
			t.Fatal(err)
		}
		mails++
		_, link := nextMail(t, smtp, mails)
		r = s.postForm(newBrowser(), linkPath(t, link), url.Values{"next": {next}})
		wantStatus(t, r, http.StatusSeeOther)
		wantOnSite(t, "POST /links/signin next="+next, r.header.Get("Location"))
	}

	// Signing up carries next inside the verification mail: never an off-site one.
	for i, next := range offSite[:2] {
		r := s.postForm(newBrowser(), "/signup", url.Values{"name": {"New Reader"}, "email": {"new" + itoa(int64(i)) + "@example.org"},
			"password": {"a long enough passphrase"}, "next": {next}})
		wantStatus(t, r, http.StatusOK)
		mails++
		_, link := nextMail(t, smtp, mails)
		if strings.Contains(link, "evil") {
			t.Errorf("sign-up with next=%q mailed %q", next, link)
		}
	}

	// The moderation console's "back" field.
	_, mod := s.account("Mo Derator", parley.RoleModerator)
	for _, back := range append(offSite, "/moderation/../\\evil.example") {
		r := s.postForm(mod, "/moderation/decisions", url.Values{"action": {"approve"}, "back": {back}})
		wantOnSite(t, "moderation back="+back, r.header.Get("Location"))
	}
}

// FuzzRedirect sends any location through redirect and http.Redirect, and
// reads the header as a browser would: it must stay on the site.
func FuzzRedirect(f *testing.F) {
	for _, s := range append(offSite, "/", "/account?done=verify", "/debates/a#c-1", "/%5C%5Cevil", "/a/..//b") {
		f.Add(s)
	}
	req := httptest.NewRequest(http.MethodGet, "https://parley.example/debates/x/comments", nil)
	f.Fuzz(func(t *testing.T, loc string) {
		w := httptest.NewRecorder()
		redirect(w, req, loc, http.StatusSeeOther)
		got := w.Header().Get("Location")
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\t\r\n") {
			t.Fatalf("redirect(%q) sent Location %q", loc, got)
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("redirect(%q) sent unparsable Location %q", loc, got)
		}
		if r := req.URL.ResolveReference(u); r.Host != "parley.example" {
			t.Fatalf("redirect(%q) = %q leads to %q", loc, got, r.Host)
		}
	})
}
