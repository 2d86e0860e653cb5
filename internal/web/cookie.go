package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
)

// pendingCookie lists the comments this browser posted that await moderation,
// so their author sees them marked as such.
const pendingCookie = "parley_pending"

// maxPending bounds how many pending comments a browser remembers.
const maxPending = 20

// personalised reports whether a response may differ for this reader, and so
// must not come from or go into the shared page cache.
func personalised(r *http.Request) bool {
	if r.Header.Get("Authorization") != "" {
		return true
	}
	for _, c := range r.Cookies() {
		if c.Name == pendingCookie || c.Name == sessionCookie || c.Name == postedCookie {
			return true
		}
	}
	return false
}

// sign signs a value for one purpose ("pending", "form", "posted", …). The
// purpose is part of what is signed, so that a value signed for one use, such
// as the stamp every comment form carries, never verifies for another.
func (s *Server) sign(purpose, value string) string {
	m := hmac.New(sha256.New, s.cookieKey)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return value + "~" + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// verify returns the value of a token sign made for the purpose.
func (s *Server) verify(purpose, signed string) (string, bool) {
	i := strings.LastIndexByte(signed, '~')
	if i < 0 {
		return "", false
	}
	value := signed[:i]
	return value, hmac.Equal([]byte(s.sign(purpose, value)), []byte(signed))
}

// pendingIDs returns the pending comments this browser posted.
func (s *Server) pendingIDs(r *http.Request) []int64 {
	c, err := r.Cookie(pendingCookie)
	if err != nil {
		return nil
	}
	value, ok := s.verify("pending", c.Value)
	if !ok {
		return nil
	}
	var ids []int64
	for _, f := range strings.Split(value, ".") {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

// rememberPending adds a pending comment to this browser's list.
func (s *Server) rememberPending(w http.ResponseWriter, r *http.Request, id int64) {
	s.setPending(w, append(s.pendingIDs(r), id))
}

// forgetDecided drops from this browser's list the comments a moderator has
// decided on, and the cookie once none wait: the reader then gets the shared
// cached pages again.
func (s *Server) forgetDecided(w http.ResponseWriter, r *http.Request) {
	ids := s.pendingIDs(r)
	if len(ids) == 0 {
		return
	}
	still, err := s.store.StillPending(r.Context(), ids)
	if err != nil || len(still) == len(ids) {
		return
	}
	if len(still) == 0 {
		http.SetCookie(w, &http.Cookie{Name: pendingCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
		return
	}
	s.setPending(w, still)
}

func (s *Server) setPending(w http.ResponseWriter, ids []int64) {
	if len(ids) > maxPending {
		ids = ids[len(ids)-maxPending:]
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	http.SetCookie(w, &http.Cookie{
		Name: pendingCookie, Value: s.sign("pending", strings.Join(parts, ".")), Path: "/", MaxAge: 30 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: strings.HasPrefix(s.cfg.BaseURL, "https://"),
	})
}

// signPair signs two numbers for a purpose ("appeal", "answer"), as a
// token for a link.
func (s *Server) signPair(purpose string, a, b int64) string {
	return s.sign(purpose, purpose+"."+strconv.FormatInt(a, 10)+"."+strconv.FormatInt(b, 10))
}

// verifyPair reads a token signPair made for the purpose.
func (s *Server) verifyPair(purpose, token string) (a, b int64, ok bool) {
	v, ok := s.verify(purpose, token)
	parts := strings.Split(v, ".")
	if !ok || len(parts) != 3 || parts[0] != purpose {
		return 0, 0, false
	}
	a, err1 := strconv.ParseInt(parts[1], 10, 64)
	b, err2 := strconv.ParseInt(parts[2], 10, 64)
	return a, b, err1 == nil && err2 == nil
}
