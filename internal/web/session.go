package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/auth"
	"github.com/parley-org/parley/internal/store"
)

// sessionCookie holds a session token; the database keeps only its hash.
const sessionCookie = "parley_session"

type userKey struct{}

// viewer is who is asking, found by authenticate.
type viewer struct {
	user *parley.User
	// sessionHash is the hash of the session's token ("" for an API token).
	sessionHash string
	// viaToken is true when the request carried an API token or session token
	// in its Authorization header rather than a cookie.
	viaToken bool
}

// currentUser is the signed-in account making the request, or nil.
func currentUser(r *http.Request) *parley.User {
	if v, ok := r.Context().Value(userKey{}).(*viewer); ok {
		return v.user
	}
	return nil
}

func currentViewer(r *http.Request) *viewer {
	v, _ := r.Context().Value(userKey{}).(*viewer)
	return v
}

// authenticate finds the account behind a session cookie or a bearer
// token. Requests with neither cost nothing. A cookie for a session that
// ended is dropped; a bad bearer token is refused outright, since a program
// that sends one expects to act as someone. Other Authorization schemes
// (a staging site's basic auth) are not Parley's and are left alone.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			token = strings.TrimSpace(token)
			var u *parley.User
			var err error
			hash := auth.HashToken(token)
			v := &viewer{viaToken: true}
			if strings.HasPrefix(token, auth.APITokenPrefix) {
				u, err = s.store.APITokenUser(r.Context(), hash)
			} else {
				u, _, err = s.store.SessionUser(r.Context(), hash)
				v.sessionHash = hash
			}
			if err != nil {
				if parley.ErrorCode(err) == parley.ENOTFOUND {
					err = parley.Errorf(parley.EUNAUTHORIZED, "This token is not valid: it was revoked, has expired or was mistyped.")
				}
				s.apiFail(w, r, err)
				return
			}
			v.user = u
			private(w)
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey{}, v)))
			return
		}
		c, err := r.Cookie(sessionCookie)
		if err != nil || c.Value == "" || anonymousAsset(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		hash := auth.HashToken(c.Value)
		u, extended, err := s.store.SessionUser(r.Context(), hash)
		switch {
		case parley.ErrorCode(err) == parley.ENOTFOUND:
			s.clearSessionCookie(w)
			next.ServeHTTP(w, r)
			return
		case err != nil:
			// The database is unreachable: say so rather than pretend the
			// reader is signed out.
			s.fail(w, r, err)
			return
		case extended:
			s.setSessionCookie(w, c.Value)
		}
		private(w)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey{}, &viewer{user: u, sessionHash: hash})))
	})
}

// private marks a response for one person: no shared cache (a proxy, a CDN)
// may keep it.
func private(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "private, no-store")
}

// anonymousAsset reports whether a path serves the same file to everyone,
// so that a signed-in browser fetching it costs no session lookup.
func anonymousAsset(path string) bool {
	return strings.HasPrefix(path, "/static/") || strings.HasPrefix(path, "/avatars/") || strings.HasPrefix(path, "/media/")
}

// guard lets a request through only if its account may use the route.
func (s *Server) guard(a access, h http.HandlerFunc) http.HandlerFunc {
	if a == anyone {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		u := currentUser(r)
		switch {
		case u == nil && strings.HasPrefix(r.URL.Path, "/api/"):
			s.apiFail(w, r, parley.Errorf(parley.EUNAUTHORIZED, "Sign in or send an API token to do this."))
		case u == nil && (r.Method == http.MethodGet || r.Method == http.MethodHead):
			redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		case u == nil:
			// A form whose session ended meanwhile: keep what was typed.
			s.failForm(w, r, parley.Errorf(parley.EUNAUTHORIZED, "Please sign in to do this. Your session may have ended."),
				commentForm{Body: r.PostFormValue("body")})
		case !u.Can(a.role()):
			s.fail(w, r, parley.Errorf(parley.EFORBIDDEN, "Your account may not do this."))
		default:
			h(w, r)
		}
	}
}

// startSession signs the account in on this browser, ending the session
// the browser had, if any.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *parley.User) error {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := s.store.DeleteSession(r.Context(), auth.HashToken(c.Value)); err != nil {
			return err
		}
	}
	token, hash := auth.NewToken()
	if err := s.store.CreateSession(r.Context(), u.ID, hash); err != nil {
		return err
	}
	s.setSessionCookie(w, token)
	s.rememberDevice(w, u)
	return nil
}

// setSessionCookie gives the browser the session's token for as long as
// the session lasts; each extension of the session extends the cookie.
func (s *Server) setSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", MaxAge: int(store.SessionLifetime.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.https(),
	})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.https()})
}

// https reports whether the site is served over TLS, so cookies must be Secure.
func (s *Server) https() bool { return strings.HasPrefix(s.cfg.BaseURL, "https://") }
