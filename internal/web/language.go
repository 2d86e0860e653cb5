package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/i18n"
	"github.com/parley-org/parley/internal/langid"
)

// languageCookie remembers the language a reader chose with the switcher:
// an essential cookie, since it only makes the site readable to them.
const languageCookie = "parley_lang"

type langKey struct{}

// lang is the language a request is answered in.
func lang(r *http.Request) *i18n.Lang {
	if l, ok := r.Context().Value(langKey{}).(*i18n.Lang); ok {
		return l
	}
	return i18n.English()
}

// chooseLanguage picks the reader's language: the one a link names
// (?lang=, as hreflang alternates do), then the one they chose (cookie,
// then account), then their browser's Accept-Language.
func chooseLanguage(r *http.Request) *i18n.Lang {
	if l := i18n.Get(r.URL.Query().Get("lang")); l != nil {
		return l
	}
	if c, err := r.Cookie(languageCookie); err == nil {
		if l := i18n.Get(c.Value); l != nil {
			return l
		}
	}
	if u := currentUser(r); u != nil {
		if l := i18n.Get(u.Language); l != nil {
			return l
		}
	}
	return i18n.Match(r.Header.Get("Accept-Language"))
}

// withLanguage answers the request in the reader's language. It runs after
// authenticate, which finds the account's choice.
func withLanguage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !assetPath(r.URL.Path) {
			// Pages differ by language: shared caches must keep them apart.
			w.Header().Add("Vary", "Accept-Language, Cookie")
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), langKey{}, chooseLanguage(r))))
	})
}

// handleLanguage is the switcher's form: it remembers the choice in the
// cookie, and in the account of a signed-in reader, and goes back.
func (s *Server) handleLanguage(w http.ResponseWriter, r *http.Request) {
	l := i18n.Get(r.PostFormValue("lang"))
	if l == nil {
		s.fail(w, r, parley.Errorf(parley.EINVALID, "Parley does not speak this language."))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: languageCookie, Value: l.Code, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.https()})
	if u := currentUser(r); u != nil && u.Language != l.Code {
		if err := s.store.SetUserLanguage(r.Context(), u.ID, l.Code); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	next, ok := parley.LocalPath(r.PostFormValue("next"))
	if !ok {
		next = "/"
	}
	// A ?lang= in the address would outrank the choice just made.
	if u, err := url.Parse(next); err == nil && u.Query().Has("lang") {
		q := u.Query()
		q.Del("lang")
		u.RawQuery = q.Encode()
		next = u.String()
	}
	redirect(w, r, next, http.StatusSeeOther)
}

// alternate is one language version of a page, for hreflang links.
type alternate struct {
	Lang, URL string
}

// alternates lists a page's address in every language of the interface.
func (s *Server) alternates(r *http.Request) []alternate {
	q := r.URL.Query()
	var out []alternate
	for _, l := range i18n.All() {
		q.Set("lang", l.Code)
		out = append(out, alternate{l.Code, s.cfg.BaseURL + r.URL.Path + "?" + q.Encode()})
	}
	q.Del("lang")
	u := s.cfg.BaseURL + r.URL.Path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return append(out, alternate{"x-default", u})
}

// detectLanguage names the language a comment is written in, "" when
// detection is off or the text says too little.
func (s *Server) detectLanguage(text string) string {
	if !s.cfg.DetectLanguages {
		return ""
	}
	return langid.Default().Detect(text)
}

// assetPath reports whether a path is a file that reads the same in every
// language, and is cached for long: a Vary on Cookie would keep shared
// caches from keeping it.
func assetPath(path string) bool {
	return strings.HasPrefix(path, "/static/") || strings.HasPrefix(path, "/media/") || strings.HasPrefix(path, "/avatars/")
}
