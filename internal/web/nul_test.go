package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parley-org/parley"
)

// A NUL byte is bad input on every path and on both databases (run this
// with PARLEY_TEST_DATABASE=postgres too): never a 500, never an ERROR line.
func TestNULIsBadInputEverywhere(t *testing.T) {
	s := newSite(t, Config{})
	d := s.debate("votes-at-16", parley.DebatePublished, false)
	_, admin := s.account("Ada Admin", parley.RoleAdmin)
	bad := func(what string, r response) {
		t.Helper()
		if r.status != http.StatusNotFound && r.status != http.StatusUnprocessableEntity &&
			r.status != http.StatusBadRequest && r.status != http.StatusUnauthorized {
			t.Errorf("%s answered %d; want 404 or 422\n%.300s", what, r.status, r.body)
		}
	}
	for _, path := range []string{"/debates/%00", "/experts/%00", "/people/%00", "/api/v1/debates/%00", "/api/v1/debates?topic=%00",
		"/debates/" + d.Slug + "?sort=%00", "/?topic=a%00b"} {
		bad("GET "+path, s.get(path))
	}
	bad("GET /admin/users?q=%00", s.getAs(admin, "/admin/users?q=%00"))
	bad("POST /signin", s.postForm(newBrowser(), "/signin", url.Values{"email": {"a\x00@example.org"}, "password": {"a long enough passphrase"}}))
	bad("POST /links/signin", s.postForm(newBrowser(), "/links/signin", url.Values{"email": {"a\x00@example.org"}}))
	bad("POST /api/v1/sessions", s.api(http.MethodPost, "/api/v1/sessions", []byte(`{"email":"a\u0000@example.org","password":"a long enough passphrase"}`)))
	bad("POST /api/v1/links", s.api(http.MethodPost, "/api/v1/links", []byte(`{"email":"a\u0000@example.org","purpose":"signin"}`)))
	// A comment's text loses its control characters, NUL among them.
	r := s.postForm(newBrowser(), "/debates/"+d.Slug+"/comments", formValues("Nul\x00Name", "nul@example.org", "Before\x00after."))
	if r.status >= 500 {
		t.Errorf("a comment with NUL answered %d", r.status)
	}
	if logs := s.logs.String(); strings.Contains(logs, "level=ERROR") {
		t.Errorf("NUL input logged an error:\n%s", logs)
	}
}
