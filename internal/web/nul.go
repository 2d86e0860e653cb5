package web

import (
	"net/http"
	"strings"

	"github.com/parley-org/parley"
)

// refuseNUL answers a request whose address holds a NUL character as bad
// input before any handler sees it: no page has one, and PostgreSQL cannot
// even compare text with it, so it would otherwise surface as a database
// error on one backend and "not found" on the other. Bodies are covered by
// validation and by the store, which reports PostgreSQL's refusal as invalid input.
func (s *Server) refuseNUL(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.IndexByte(r.URL.Path, 0) >= 0:
			s.fail(w, r, parley.Errorf(parley.ENOTFOUND, "There is no page at this address."))
		case strings.IndexByte(r.URL.RawQuery, 0) >= 0 || strings.Contains(r.URL.RawQuery, "%00"):
			s.fail(w, r, parley.Errorf(parley.EINVALID, "The web address holds a character that is not allowed (a NUL byte)."))
		default:
			next.ServeHTTP(w, r)
		}
	})
}
