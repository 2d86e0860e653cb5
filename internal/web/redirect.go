package web

import (
	"net/http"
	"strings"

	"github.com/parley-org/parley"
)

// redirect sends the browser to a page of this site. Every redirect goes
// through it, so that no address built from a request (a "next" or "back"
// field) can send a reader to another site: the location is checked after
// the cleaning http.Redirect applies, and anything off the site becomes the
// home page.
func redirect(w http.ResponseWriter, r *http.Request, location string, code int) {
	local, ok := parley.LocalPath(location)
	if !ok {
		local = "/"
	}
	http.Redirect(w, r, local, code)
}

// safeNext is where to go after signing in: a path on this site, never
// another site (an open redirect would lend phishing our address).
func safeNext(next string) string {
	if local, ok := parley.LocalPath(next); ok {
		return local
	}
	return "/"
}

// backTo is the console page a moderation form returns to.
func backTo(r *http.Request) string {
	back, ok := parley.LocalPath(r.PostForm.Get("back"))
	if !ok || !(back == "/moderation" || strings.HasPrefix(back, "/moderation/") || strings.HasPrefix(back, "/moderation?")) {
		return "/moderation"
	}
	return back
}
