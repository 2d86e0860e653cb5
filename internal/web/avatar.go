package web

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
)

// handleAvatar draws a commenter's avatar from its key: a symmetric 5×5
// pattern in a colour of its own. No third-party service learns who reads.
func (s *Server) handleAvatar(w http.ResponseWriter, r *http.Request) {
	key, ok := strings.CutSuffix(r.PathValue("key"), ".svg")
	if !ok || len(key) == 0 || len(key) > 64 {
		s.handleNotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", yearCache)
	w.Write(avatarSVG(key))
}

func avatarSVG(key string) []byte {
	sum := sha256.Sum256([]byte(key))
	hue := int(sum[0])<<8 | int(sum[1])
	hue %= 360
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 50 50" width="50" height="50">`+
		`<rect width="50" height="50" rx="10" fill="hsl(%d,45%%,92%%)"/><g fill="hsl(%d,55%%,42%%)">`, hue, hue)
	for row := 0; row < 5; row++ {
		for col := 0; col < 3; col++ {
			if sum[2+row*3+col]&1 == 0 {
				continue
			}
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="8" height="8"/>`, 5+col*8, 5+row*8)
			if col < 2 {
				fmt.Fprintf(&b, `<rect x="%d" y="%d" width="8" height="8"/>`, 5+(4-col)*8, 5+row*8)
			}
		}
	}
	b.WriteString(`</g></svg>`)
	return b.Bytes()
}
