package web

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/parley-org/parley"
)

// deviceCookie marks a browser that has signed in to an account before
// (a "device cookie", as OWASP describes them): failed sign-ins from it are
// counted apart from everyone else's, so repeated guessing from elsewhere
// does not make the owner wait. It holds a random name and a keyed hash of
// the address, never the address, and is essential to the sign-in's security.
const deviceCookie = "parley_device"

// deviceLifetime is how long a browser stays known without signing in again.
const deviceLifetime = 365 * 24 * 60 * 60

// rememberDevice gives the browser a device cookie for the account.
func (s *Server) rememberDevice(w http.ResponseWriter, u *parley.User) {
	b := make([]byte, 12)
	rand.Read(b)
	value := s.sign("device", "device."+s.addressHash("device", parley.NormalizeEmail(u.Email))+"."+hex.EncodeToString(b))
	http.SetCookie(w, &http.Cookie{Name: deviceCookie, Value: value, Path: "/signin", MaxAge: deviceLifetime,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.https()})
}

// knownDevice reports whether the browser signed in to the address before,
// and names the browser if so.
func (s *Server) knownDevice(r *http.Request, email string) (string, bool) {
	c, err := r.Cookie(deviceCookie)
	if err != nil {
		return "", false
	}
	v, ok := s.verify("device", c.Value)
	parts := strings.Split(v, ".")
	if !ok || len(parts) != 3 || parts[0] != "device" || parts[1] != s.addressHash("device", email) {
		return "", false
	}
	return parts[2], true
}
