package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/i18n"
)

// TestTemplatesParse parses every page in every language: the quickest
// check after editing a template.
func TestTemplatesParse(t *testing.T) {
	if _, err := parseTemplates(); err != nil {
		t.Fatal(err)
	}
}

// german is the interface's German; the tests that switch languages need a
// second language, and German is one every build ships.
func german(t testing.TB) *i18n.Lang {
	t.Helper()
	de := i18n.Get("de")
	if de == nil {
		t.Fatal("no German catalogue")
	}
	return de
}

// getIn requests a page with an Accept-Language header.
func (s *site) getIn(c *http.Client, path, acceptLanguage string) response {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.http.URL+path, nil)
	req.Header.Set("Accept-Language", acceptLanguage)
	return s.do(c, req)
}

var htmlLang = regexp.MustCompile(`<html lang="([a-z]+)">`)

func pageLang(t testing.TB, r response) string {
	t.Helper()
	m := htmlLang.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no <html lang> in %.200s", r.body)
	}
	return m[1]
}

// TestLanguageFollowsTheReadersChoiceThenTheBrowser walks the order in
// which a page's language is chosen: a link's ?lang=, the switcher's cookie,
// the account, then Accept-Language; and checks that the page cache keeps
// each language apart.
func TestLanguageFollowsTheReadersChoiceThenTheBrowser(t *testing.T) {
	s := newSite(t, Config{})
	de := german(t)
	s.debate("bikes", parley.DebatePublished, false)

	// The browser's languages, when the reader chose none; twice each, so
	// that the second comes from the page cache.
	for range 2 {
		for header, want := range map[string]string{"de-AT,de;q=0.9,en;q=0.5": "de", "ja": "en", "": "en"} {
			r := s.getIn(newBrowser(), "/debates/bikes", header)
			wantStatus(t, r, http.StatusOK)
			if got := pageLang(t, r); got != want {
				t.Errorf("Accept-Language %q: page in %s, want %s", header, got, want)
			}
			if !strings.Contains(r.header.Get("Vary"), "Accept-Language") {
				t.Errorf("Vary %q lacks Accept-Language: a shared cache would mix languages", r.header.Get("Vary"))
			}
		}
	}
	r := s.getIn(newBrowser(), "/debates/bikes", "de")
	wantContains(t, r.body, ">"+de.T("Debates")+"</a>", de.T("%d comments", 0))
	// Every language version is its own address, listed for search engines.
	for _, l := range i18n.All() {
		wantContains(t, r.body, `<link rel="alternate" hreflang="`+l.Code+`" href="`+s.http.URL+`/debates/bikes?lang=`+l.Code+`">`)
	}
	wantContains(t, r.body, `hreflang="x-default" href="`+s.http.URL+`/debates/bikes">`)

	// The switcher: a cookie, and back to the page.
	reader := newBrowser()
	res := s.postForm(reader, "/language", url.Values{"lang": {"de"}, "next": {"/debates/bikes?lang=en&sort=newest"}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.header.Get("Location"); loc != "/debates/bikes?sort=newest" {
		t.Errorf("back to %q, want the page without its ?lang=", loc)
	}
	if got := pageLang(t, s.getIn(reader, "/debates/bikes", "en")); got != "de" {
		t.Errorf("after choosing German: page in %s", got)
	}
	// A link naming a language wins, and is its own canonical page.
	r = s.getIn(reader, "/debates/bikes?lang=en", "de")
	if got := pageLang(t, r); got != "en" {
		t.Errorf("?lang=en: page in %s", got)
	}
	wantContains(t, r.body, `<link rel="canonical" href="`+s.http.URL+`/debates/bikes?lang=en">`)

	for _, bad := range []string{"xx", "", "de<script>"} {
		wantStatus(t, s.postForm(newBrowser(), "/language", url.Values{"lang": {bad}}), http.StatusUnprocessableEntity)
	}
	wantStatus(t, s.postForm(newBrowser(), "/language", url.Values{"lang": {"de"}, "next": {"//evil.example/"}}), http.StatusSeeOther)

	// An account remembers its choice on every browser it signs in on.
	u, browser := s.account("Ada", parley.RoleParticipant)
	wantStatus(t, s.postForm(browser, "/language", url.Values{"lang": {"de"}}), http.StatusSeeOther)
	if got, _ := s.store.User(context.Background(), u.ID); got.Language != "de" {
		t.Errorf("account language %q, want de", got.Language)
	}
	if got := pageLang(t, s.getIn(s.signedIn(u), "/debates/bikes", "en")); got != "de" {
		t.Errorf("another browser of the account: page in %s, want de", got)
	}
}

// TestFormErrorsAndMailSpeakTheReadersLanguage: a failed form says what is
// wrong in German, and the mail a German reader asks for is German.
func TestFormErrorsAndMailSpeakTheReadersLanguage(t *testing.T) {
	s, smtp := mailSite(t)
	de := german(t)
	s.debate("trams", parley.DebatePublished, false)

	form := formValues("Ada", "ada@example.org", "")
	form.Set("started", s.stamp("/debates/trams/comments", 0))
	req, _ := http.NewRequest(http.MethodPost, s.http.URL+"/debates/trams/comments", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "de")
	r := s.do(newBrowser(), req)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if pageLang(t, r) != "de" {
		t.Fatalf("error page in %s", pageLang(t, r))
	}
	wantContains(t, r.body, de.Message("Please write a comment."))
	wantLacks(t, r.body, "Please write a comment.")

	if err := s.store.CreateUser(context.Background(), &parley.User{Email: "bo@example.org", Name: "Bo"}, ""); err != nil {
		t.Fatal(err)
	}
	req, _ = http.NewRequest(http.MethodPost, s.http.URL+"/links/signin", strings.NewReader(url.Values{"email": {"bo@example.org"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "de")
	wantStatus(t, s.do(newBrowser(), req), http.StatusOK)
	m, _ := nextMail(t, smtp, 1)
	if want := de.T("Your sign-in link"); !strings.HasPrefix(m.Subject, want+" ") {
		t.Errorf("subject %q, want %q and the site's name", m.Subject, want)
	}
}
