package web

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
)

// handleAvatar draws a commenter's avatar from its key. No third-party
// service learns who reads. The key is a keyed hash of the commenter's
// address under the site's secret (parley.AvatarKey), so an avatar cannot
// be traced back to an address by hashing guesses.
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

// avatarStyle is what an avatar is drawn from: every part comes from its
// own bits of the key's hash, so two people who share a colour still differ
// in layout, shade or pattern.
type avatarStyle struct {
	layout int // one of avatarLayouts
	hue    int // 0–359, the main colour
	accent int // a second hue, well away from the first
	dark   bool
	bits   []byte // the pattern
}

// avatarLayouts: blocks, dots, triangles, rings, stripes and arcs.
const avatarLayouts = 6

func styleOf(key string) avatarStyle {
	sum := sha256.Sum256([]byte(key))
	hue := (int(sum[0])<<8 | int(sum[1])) % 360
	return avatarStyle{
		layout: int(sum[2]) % avatarLayouts,
		hue:    hue,
		accent: (hue + 120 + int(sum[3])%120) % 360,
		dark:   sum[4]%3 == 0,
		bits:   sum[5:],
	}
}

// bit is the pattern's i-th bit.
func (st avatarStyle) bit(i int) bool { return st.bits[(i/8)%len(st.bits)]>>(i%8)&1 == 1 }

// num is a small number from the pattern's bits i to i+n-1.
func (st avatarStyle) num(i, n int) int {
	v := 0
	for k := 0; k < n; k++ {
		v <<= 1
		if st.bit(i + k) {
			v |= 1
		}
	}
	return v
}

func avatarSVG(key string) []byte {
	st := styleOf(key)
	bg, fg, ac := fmt.Sprintf("hsl(%d,70%%,92%%)", st.hue), fmt.Sprintf("hsl(%d,62%%,36%%)", st.hue), fmt.Sprintf("hsl(%d,70%%,46%%)", st.accent)
	if st.dark {
		bg, fg, ac = fmt.Sprintf("hsl(%d,48%%,26%%)", st.hue), fmt.Sprintf("hsl(%d,85%%,82%%)", st.hue), fmt.Sprintf("hsl(%d,85%%,68%%)", st.accent)
	}
	var b bytes.Buffer
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 50 50" width="50" height="50">`)
	b.WriteString(`<clipPath id="a"><rect width="50" height="50" rx="10"/></clipPath>`)
	fmt.Fprintf(&b, `<g clip-path="url(#a)"><rect width="50" height="50" fill="%s"/>`, bg)
	colour := func(i int) string {
		if st.bit(200 + i) {
			return ac
		}
		return fg
	}
	switch st.layout {
	case 0: // blocks: a mirrored 5×5 grid
		for row := 0; row < 5; row++ {
			for col := 0; col < 3; col++ {
				if !st.bit(row*3 + col) {
					continue
				}
				c := colour(row)
				fmt.Fprintf(&b, `<rect x="%d" y="%d" width="8" height="8" fill="%s"/>`, 5+col*8, 5+row*8, c)
				if col < 2 {
					fmt.Fprintf(&b, `<rect x="%d" y="%d" width="8" height="8" fill="%s"/>`, 5+(4-col)*8, 5+row*8, c)
				}
			}
		}
	case 1: // dots of three sizes, mirrored
		for row := 0; row < 4; row++ {
			for col := 0; col < 2; col++ {
				r := st.num(row*6+col*3, 2) // 0 is no dot
				if r == 0 {
					continue
				}
				c := colour(row*2 + col)
				fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="%d" fill="%s"/>`, 10+col*10, 10+row*10, 1+r*2, c)
				if col == 0 {
					fmt.Fprintf(&b, `<circle cx="40" cy="%d" r="%d" fill="%s"/>`, 10+row*10, 1+r*2, c)
				} else {
					fmt.Fprintf(&b, `<circle cx="30" cy="%d" r="%d" fill="%s"/>`, 10+row*10, 1+r*2, c)
				}
			}
		}
	case 2: // triangles, each pointing its own way
		for row := 0; row < 4; row++ {
			for col := 0; col < 4; col++ {
				i := (row*4 + col) * 3
				if !st.bit(i) {
					continue
				}
				x, y := 5+col*10, 5+row*10
				var pts string
				switch st.num(i+1, 2) {
				case 0:
					pts = fmt.Sprintf("%d,%d %d,%d %d,%d", x, y, x+10, y, x, y+10)
				case 1:
					pts = fmt.Sprintf("%d,%d %d,%d %d,%d", x, y, x+10, y, x+10, y+10)
				case 2:
					pts = fmt.Sprintf("%d,%d %d,%d %d,%d", x+10, y, x+10, y+10, x, y+10)
				default:
					pts = fmt.Sprintf("%d,%d %d,%d %d,%d", x, y, x+10, y+10, x, y+10)
				}
				fmt.Fprintf(&b, `<polygon points="%s" fill="%s"/>`, pts, colour(row*4+col))
			}
		}
	case 3: // rings around a centre of their own
		cx, cy := 15+st.num(0, 2)*7, 15+st.num(2, 2)*7
		for k := 0; k < 4; k++ {
			w := 2 + st.num(4+k*2, 2)*2
			fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="%d" fill="none" stroke="%s" stroke-width="%d"/>`, cx, cy, 6+k*9, colour(k), w)
		}
		fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="3" fill="%s"/>`, cx, cy, fg)
	case 4: // stripes at an angle, of varying width
		fmt.Fprintf(&b, `<g transform="rotate(%d 25 25)">`, []int{0, 45, 90, 135}[st.num(0, 2)])
		for y, k := -15, 0; y < 65; k++ {
			w := 3 + st.num(2+k*5, 3)
			fmt.Fprintf(&b, `<rect x="-20" y="%d" width="90" height="%d" fill="%s"/>`, y, w, colour(k))
			y += w + 2 + st.num(5+k*5, 2)*2
		}
		b.WriteString(`</g>`)
	default: // arcs: quarter circles on a 3×3 grid, each turned its own way
		for row := 0; row < 3; row++ {
			for col := 0; col < 3; col++ {
				i := (row*3 + col) * 3
				x, y := col*50/3, row*50/3
				var d string
				switch st.num(i, 2) {
				case 0:
					d = fmt.Sprintf("M%d %dh17a17 17 0 0 1-17 17z", x, y)
				case 1:
					d = fmt.Sprintf("M%d %dv17a17 17 0 0 1-17-17z", x+17, y)
				case 2:
					d = fmt.Sprintf("M%d %dh-17a17 17 0 0 1 17-17z", x+17, y+17)
				default:
					d = fmt.Sprintf("M%d %dv-17a17 17 0 0 1 17 17z", x, y+17)
				}
				if st.bit(i+2) || row == 1 && col == 1 {
					fmt.Fprintf(&b, `<path d="%s" fill="%s"/>`, d, colour(row*3+col))
				}
			}
		}
	}
	b.WriteString(`</g></svg>`)
	return b.Bytes()
}
