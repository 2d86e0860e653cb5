package media

import (
	"context"
	"encoding/binary"
	"image"
	"image/color"

	"golang.org/x/sync/semaphore"
)

// decodeGate admits image decodes by the memory they will take, so that
// uploads arriving together cannot take more memory than the budget allows.
type decodeGate struct {
	sem *semaphore.Weighted
	// budget is the memory all decodes in progress may take together; slot
	// is the least any one counts for, which bounds how many run at once.
	budget, slot int64
}

func newDecodeGate(budget int64, n int) *decodeGate {
	return &decodeGate{sem: semaphore.NewWeighted(budget), budget: budget, slot: budget / int64(n)}
}

// enter waits until a decode needing cost bytes may start, or ctx ends; a
// cancelled upload stops waiting and holds nothing. The decode must call
// release when it is done.
func (g *decodeGate) enter(ctx context.Context, cost int64) (release func(), err error) {
	// Counted as the whole budget at most, or it could never start.
	n := min(max(cost, g.slot), g.budget)
	if err := ctx.Err(); err != nil {
		return nil, err // Acquire may succeed on a done context
	}
	if err := g.sem.Acquire(ctx, n); err != nil {
		return nil, err
	}
	return func() { g.sem.Release(n) }, nil
}

// decoderOverhead is what a decoder takes whatever the image: its reader's
// buffers, a PNG's inflate window, a JPEG's Huffman tables.
const decoderOverhead = 256 << 10

// decodeCost estimates what the standard decoders allocate for an image
// whose header checked out as cfg, in bytes. It errs on the high side.
func decodeCost(f imageFormat, cfg image.Config, b []byte) int64 {
	return decoderOverhead + pixelCost(f, cfg, b)
}

func pixelCost(f imageFormat, cfg image.Config, b []byte) int64 {
	px := int64(cfg.Width) * int64(cfg.Height)
	switch f.contentType {
	case "image/png":
		perPixel := int64(8) // 16-bit colour
		switch cfg.ColorModel {
		case color.GrayModel:
			perPixel = 1
		case color.Gray16Model:
			perPixel = 2
		case color.RGBAModel, color.NRGBAModel:
			perPixel = 4
		}
		if _, ok := cfg.ColorModel.(color.Palette); ok {
			perPixel = 1
		}
		// Two rows are kept for unfiltering besides the image.
		cost := (px + 2*int64(cfg.Width)) * perPixel
		// IHDR's interlace method: each pass is decoded on its own and
		// copied into the image, the largest being half of it.
		if len(b) > 28 && b[28] != 0 {
			cost *= 2
		}
		return cost
	case "image/jpeg":
		return jpegCost(b, cfg.Width, cfg.Height)
	}
	// WebP: a lossless image is decoded to 4 bytes a pixel and its
	// transforms may need as much again; lossy is less.
	return px * 8
}

// jpegCost estimates the memory decoding a JPEG takes, from its frame
// header: a byte a sample for the image, 4 more for the coefficients a
// progressive JPEG keeps until its last scan, and 4 a pixel when CMYK or
// RGB is converted to RGBA at the end.
func jpegCost(b []byte, w, h int) int64 {
	fr, ok := readJPEGFrame(b)
	if !ok {
		return int64(w) * int64(h) * 24 // the most any JPEG can take
	}
	hmax, vmax := 1, 1
	for _, c := range fr.comps {
		hmax, vmax = max(hmax, c.h), max(vmax, c.v)
	}
	// Components are decoded in whole MCUs.
	mcus := int64((w+8*hmax-1)/(8*hmax)) * int64((h+8*vmax-1)/(8*vmax))
	var samples int64
	for _, c := range fr.comps {
		samples += mcus * 64 * int64(c.h) * int64(c.v)
	}
	cost := samples
	if fr.progressive {
		cost += samples * 4
	}
	if len(fr.comps) == 4 || len(fr.comps) == 3 && (fr.adobe || fr.rgbIDs) {
		cost += int64(w) * int64(h) * 4
	}
	return cost
}

type jpegFrame struct {
	progressive   bool
	adobe, rgbIDs bool
	comps         []struct{ h, v int }
}

// readJPEGFrame reads the frame header (SOF) of a JPEG and notes an Adobe
// segment before it. It reports false when there is no frame it can read.
func readJPEGFrame(b []byte) (jpegFrame, bool) {
	var fr jpegFrame
	for i := 2; ; {
		for i < len(b) && b[i] != 0xFF {
			i++
		}
		for i < len(b) && b[i] == 0xFF {
			i++
		}
		if i+3 > len(b) {
			return fr, false
		}
		m := b[i]
		i++
		switch {
		case m == jpegTEM || m >= jpegRST0 && m <= jpegRST7:
			continue
		case m == jpegSOS || m == jpegEOI || m == jpegSOI || m == 0:
			return fr, false
		}
		n := int(binary.BigEndian.Uint16(b[i:]))
		if n < 2 || i+n > len(b) {
			return fr, false
		}
		p := b[i+2 : i+n]
		i += n
		switch m {
		case jpegAP14:
			fr.adobe = fr.adobe || len(p) >= 5 && string(p[:5]) == "Adobe"
		case 0xC0, 0xC1, 0xC2: // the frames Go decodes: baseline, extended, progressive
			if len(p) < 6 || int(p[5]) < 1 || len(p) < 6+3*int(p[5]) {
				return fr, false
			}
			fr.progressive = m == 0xC2
			ids := ""
			for k := range int(p[5]) {
				c := p[6+3*k:]
				ids += string(c[0])
				fr.comps = append(fr.comps, struct{ h, v int }{max(int(c[1]>>4), 1), max(int(c[1]&0x0F), 1)})
			}
			fr.rgbIDs = ids == "RGB"
			return fr, true
		}
	}
}
