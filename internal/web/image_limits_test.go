package web

import (
	"context"
	"encoding/binary"
	"hash/crc32"
	"net/http"
	"testing"
)

// A small file that claims 49 megapixels is refused from its header, with
// the size and the limit, and nothing is stored.
func TestConsoleRefusesImagesTooManyPixels(t *testing.T) {
	c := newConsole(t)
	p := pngWithText(t, "x")
	// IHDR: length, type, then width and height; its CRC covers type and data.
	binary.BigEndian.PutUint32(p[16:], 7000)
	binary.BigEndian.PutUint32(p[20:], 7000)
	binary.BigEndian.PutUint32(p[29:], crc32.ChecksumIEEE(p[12:29]))
	r := c.do(c.ed, c.uploadRequest(t, "/admin/images", p, "Photo: X"))
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.body, `id="image-problem">This image is 7000 × 7000 pixels; the largest accepted is 12000 pixels on a side and 25 megapixels in all.`,
		`value="Photo: X"`)
	if list, _ := c.store.Uploads(context.Background(), 0); len(list) != 0 {
		t.Errorf("a refused upload was stored: %v", list)
	}
}
