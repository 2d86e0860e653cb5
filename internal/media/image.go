package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"strconv"
	"unicode/utf8"

	"golang.org/x/image/webp"

	"github.com/parley-org/parley"
)

// Limits on uploaded images. The pixel limits refuse decompression bombs: a
// few megabytes of PNG can claim an image that would need gigabytes of
// memory to decode.
const (
	MaxImageBytes = 5 << 20
	MaxImageSide  = 12000
	// MaxImagePixels admits the largest photos editors bring, 24 megapixels
	// (a full-frame camera's 6000 × 4000, a phone's 5712 × 4284), with a
	// little room. Pages show an image at most 52rem wide, some 2,500
	// pixels on the densest screens, and checking an image decodes it: 1.5
	// bytes a pixel for a JPEG, 4 for a PNG, up to 24 for a progressive CMYK
	// JPEG.
	MaxImagePixels = 25_000_000
)

// Decodes in progress are admitted by the memory they will take (decodeCost):
// together at most decodeBudget, and at most maxDecodes at once whatever their
// size, since decoding is work for the processor and more decodes than cores
// only hold more memory. A decode that needs more than the budget runs alone.
const (
	decodeBudget = 256 << 20
	maxDecodes   = 2
)

// Image is an uploaded image whose type has been checked from its content
// and whose metadata has been removed, ready for SaveImage.
type Image struct {
	Data        []byte
	ContentType string // image/jpeg, image/png or image/webp
	Ext         string // .jpg, .png or .webp, as Save takes it
	// Width and Height are the size as the image is shown: for a JPEG whose
	// kept EXIF orientation turns it a quarter, they are the stored pixel
	// size swapped.
	Width, Height int
}

// CleanImage reads an upload of at most MaxImageBytes, checks from its bytes
// alone (never a file name) that it is a JPEG, PNG or WebP image that
// decodes whole within the size limits, and returns it with its metadata
// removed. The compressed image data is copied unchanged, never re-encoded,
// so no quality is lost.
//
// What is removed: from a JPEG, EXIF (except the orientation, rewritten on
// its own so that phone photos stay upright), XMP, IPTC/Photoshop and every
// other APPn segment, comments, a JFIF thumbnail and anything after the end
// of the image; an ICC colour profile (APP2) and the Adobe segment (APP14,
// needed for CMYK) are kept. From a PNG, text chunks (tEXt, zTXt, iTXt),
// eXIf, tIME, private and unknown ancillary chunks and anything after IEND;
// chunks that affect how the image looks are kept. From a WebP, the EXIF and
// XMP chunks (and their flags in the VP8X header) and unknown chunks.
//
// The size the header declares is checked before anything is decoded, and
// the decode then waits its turn (see decodeBudget) for as long as ctx lasts.
//
// Problems with the upload are *parley.Error values that can be shown to
// the person who sent it: ETOOLARGE for a file over MaxImageBytes, EINVALID
// (field "image") for anything else. Other errors come from reading r or
// from ctx.
func (d *Dir) CleanImage(ctx context.Context, r io.Reader) (*Image, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImageBytes+1))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, errImageTooLarge()
		}
		return nil, fmt.Errorf("media: reading the image: %w", err)
	}
	if len(data) > MaxImageBytes {
		return nil, errImageTooLarge()
	}
	if len(data) == 0 {
		return nil, invalidImage("The file is empty. Please choose a JPEG, PNG or WebP image.")
	}
	f, ok := sniffImage(data)
	if !ok {
		return nil, invalidImage(describeFile(data))
	}

	cfg, err := f.decodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, unreadableImage(f, err)
	}
	if err := checkImageSize(cfg); err != nil {
		return nil, err
	}
	clean, orientation, err := f.strip(data)
	if err != nil {
		var pe *parley.Error
		if errors.As(err, &pe) {
			return nil, pe
		}
		return nil, unreadableImage(f, err)
	}
	// The stripped file must still be the same image, whole.
	after, err := f.decodeConfig(bytes.NewReader(clean))
	if err != nil {
		return nil, unreadableImage(f, err)
	}
	if after.Width != cfg.Width || after.Height != cfg.Height {
		return nil, unreadableImage(f, errors.New("size changed while removing metadata"))
	}
	release, err := d.decodes.enter(ctx, decodeCost(f, cfg, clean))
	if err != nil {
		return nil, fmt.Errorf("media: waiting to check the image: %w", err)
	}
	_, err = f.decode(bytes.NewReader(clean))
	release()
	if err != nil {
		return nil, unreadableImage(f, err)
	}

	w, h := cfg.Width, cfg.Height
	if orientation >= 5 { // the orientations that turn the image a quarter
		w, h = h, w
	}
	return &Image{Data: clean, ContentType: f.contentType, Ext: f.ext, Width: w, Height: h}, nil
}

// SaveImage stores a cleaned image under a name made from its content (see
// Save) and returns the name.
func (d *Dir) SaveImage(img *Image) (string, error) {
	if img == nil || len(img.Data) == 0 {
		return "", errors.New("media: no image to save")
	}
	return d.Save(img.Ext, img.Data)
}

func errImageTooLarge() *parley.Error {
	const msg = "The image is larger than 5 MB. Please make it smaller and upload it again."
	return &parley.Error{Code: parley.ETOOLARGE, Message: msg, Fields: map[string]string{"image": msg}}
}

func invalidImage(msg string) *parley.Error {
	return &parley.Error{Code: parley.EINVALID, Message: msg, Fields: map[string]string{"image": msg}}
}

// unreadableImage explains a file that has the right signature but does not
// decode. The decoder's own words stay out of the message: they mean nothing
// to an editor.
func unreadableImage(f imageFormat, err error) *parley.Error {
	var jpegUnsupported jpeg.UnsupportedError
	var pngUnsupported png.UnsupportedError
	if errors.As(err, &jpegUnsupported) || errors.As(err, &pngUnsupported) {
		return invalidImage(fmt.Sprintf("This %[1]s uses a kind of encoding this site cannot read. Please save it again as an ordinary %[1]s and upload the new file.", f.name))
	}
	return invalidImage(fmt.Sprintf("This %s image could not be read: the file seems to be damaged or incomplete. Please save it again and upload the new file.", f.name))
}

func checkImageSize(cfg image.Config) error {
	w, h := cfg.Width, cfg.Height
	if w <= 0 || h <= 0 {
		return invalidImage("This image has no pixels. Please choose another file.")
	}
	if w > MaxImageSide || h > MaxImageSide || int64(w)*int64(h) > MaxImagePixels {
		// The sides are measurements, written as they are in every language.
		return invalidImage(fmt.Sprintf("This image is %[1]s × %[2]s pixels; the largest accepted is %[3]s pixels on a side and %[4]d megapixels in all. Please make it smaller and upload it again.",
			strconv.Itoa(w), strconv.Itoa(h), strconv.Itoa(MaxImageSide), MaxImagePixels/1_000_000))
	}
	return nil
}

// imageFormat is one of the accepted formats.
type imageFormat struct {
	name, contentType, ext string
	decodeConfig           func(io.Reader) (image.Config, error)
	decode                 func(io.Reader) (image.Image, error)
	// strip returns the file without metadata and, for a JPEG, the EXIF
	// orientation it kept (0 when none).
	strip func([]byte) ([]byte, int, error)
}

var (
	pngSignature = []byte("\x89PNG\r\n\x1a\n")
	jpegMagic    = []byte{0xFF, 0xD8, 0xFF}
)

// sniffImage tells the format from the first bytes of the file.
func sniffImage(b []byte) (imageFormat, bool) {
	switch {
	case bytes.HasPrefix(b, jpegMagic):
		return imageFormat{"JPEG", "image/jpeg", ".jpg", jpeg.DecodeConfig, jpeg.Decode, stripJPEG}, true
	case bytes.HasPrefix(b, pngSignature):
		return imageFormat{"PNG", "image/png", ".png", png.DecodeConfig, png.Decode, stripPNG}, true
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return imageFormat{"WebP", "image/webp", ".webp", webp.DecodeConfig, webp.Decode, stripWebP}, true
	}
	return imageFormat{}, false
}

// describeFile explains why a file is refused, naming what it seems to be
// when it can tell: each explanation a whole sentence, so that it can be
// translated as one.
func describeFile(b []byte) string {
	has := func(s string) bool { return bytes.HasPrefix(b, []byte(s)) }
	switch {
	case has("GIF87a"), has("GIF89a"):
		return "This file is not a JPEG, PNG or WebP image. It looks like a GIF image."
	case has("BM") && len(b) >= 18 && isBMPHeaderSize(binary.LittleEndian.Uint32(b[14:])):
		return "This file is not a JPEG, PNG or WebP image. It looks like a BMP image."
	case has("II*\x00"), has("MM\x00*"):
		return "This file is not a JPEG, PNG or WebP image. It looks like a TIFF image."
	case has("\x00\x00\x01\x00"):
		return "This file is not a JPEG, PNG or WebP image. It looks like an icon (ICO) file."
	case has("\xFF\x0A"), has("\x00\x00\x00\x0cJXL \r\n\x87\n"):
		return "This file is not a JPEG, PNG or WebP image. It looks like a JPEG XL image."
	case has("8BPS"):
		return "This file is not a JPEG, PNG or WebP image. It looks like a Photoshop document."
	case has("%PDF-"):
		return "This file is not a JPEG, PNG or WebP image. It looks like a PDF document."
	case has("RIFF"):
		return "This file is not a JPEG, PNG or WebP image. It looks like a RIFF file that is not a WebP image."
	case len(b) >= 12 && string(b[4:8]) == "ftyp":
		return describeISOBMFF(b)
	}
	head := b[:min(len(b), 1024)]
	text := bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))
	if bytes.IndexByte(head, 0) < 0 && utf8.Valid(trimPartialRune(text)) {
		trimmed := bytes.TrimLeft(text, " \t\r\n")
		if bytes.HasPrefix(trimmed, []byte("<")) && bytes.Contains(bytes.ToLower(text), []byte("<svg")) {
			return "This file is not a JPEG, PNG or WebP image. It looks like an SVG image."
		}
		return "This file is not a JPEG, PNG or WebP image. It looks like a text file."
	}
	return "This file is not a JPEG, PNG or WebP image."
}

func isBMPHeaderSize(n uint32) bool {
	switch n {
	case 12, 40, 52, 56, 64, 108, 124:
		return true
	}
	return false
}

// describeISOBMFF tells HEIC and AVIF (and other ISO media files) apart by
// the brands in their "ftyp" box, in describeFile's words.
func describeISOBMFF(b []byte) string {
	size := int(binary.BigEndian.Uint32(b))
	if size < 16 || size > len(b) {
		size = min(len(b), 64)
	}
	brands := b[8:size]
	for i := 0; i+4 <= len(brands); i += 4 {
		switch string(brands[i : i+4]) {
		case "avif", "avis":
			return "This file is not a JPEG, PNG or WebP image. It looks like an AVIF image."
		case "heic", "heix", "hevc", "hevx", "heim", "heis":
			return "This file is not a JPEG, PNG or WebP image. It looks like a HEIC image (the format of iPhone photos; export it as JPEG)."
		}
	}
	for i := 0; i+4 <= len(brands); i += 4 {
		switch string(brands[i : i+4]) {
		case "mif1", "msf1":
			return "This file is not a JPEG, PNG or WebP image. It looks like a HEIF image."
		}
	}
	return "This file is not a JPEG, PNG or WebP image. It looks like a video or other media file."
}

// trimPartialRune drops a multi-byte character cut off at the end of b.
func trimPartialRune(b []byte) []byte {
	for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
		if r, _ := utf8.DecodeLastRune(b); r != utf8.RuneError {
			break
		}
		b = b[:len(b)-1]
	}
	return b
}

var errTruncated = errors.New("the file ends too early")

// JPEG markers.
const (
	jpegTEM  = 0x01
	jpegRST0 = 0xD0
	jpegRST7 = 0xD7
	jpegSOI  = 0xD8
	jpegEOI  = 0xD9
	jpegSOS  = 0xDA
	jpegAPP0 = 0xE0
	jpegAPP1 = 0xE1
	jpegAPP2 = 0xE2
	jpegAP14 = 0xEE
	jpegAP15 = 0xEF
	jpegCOM  = 0xFE
)

// stripJPEG walks the segments of a JPEG and copies those that the image
// needs. Entropy-coded scan data is copied byte for byte; markers between
// scans (a progressive JPEG has many) are judged like those before the first.
func stripJPEG(b []byte) ([]byte, int, error) {
	var (
		jfif        []byte // the APP0 JFIF segment, kept first
		body        = make([]byte, 0, len(b))
		orientation int
		seenSOS     bool
	)
	i := 2 // after SOI
	for {
		if i >= len(b) {
			return nil, 0, errTruncated
		}
		for i < len(b) && b[i] != 0xFF {
			i++ // stray bytes between segments: skipped, as libjpeg and Go's decoder do
		}
		for i < len(b) && b[i] == 0xFF { // fill bytes
			i++
		}
		if i >= len(b) {
			return nil, 0, errTruncated
		}
		m := b[i]
		i++
		switch {
		case m == jpegEOI:
			if !seenSOS {
				return nil, 0, errors.New("jpeg: no image data")
			}
			body = append(body, 0xFF, jpegEOI)
			// Whatever follows the end of the image (cameras append
			// previews with their own EXIF there) is dropped.
			out := make([]byte, 0, 2+len(jfif)+len(body)+40)
			out = append(out, 0xFF, jpegSOI)
			out = append(out, jfif...)
			if orientation > 1 {
				out = append(out, exifOrientationSegment(orientation)...)
			}
			out = append(out, body...)
			return out, orientation, nil
		case m == jpegTEM || (m >= jpegRST0 && m <= jpegRST7):
			body = append(body, 0xFF, m)
			continue
		case m == 0x00 || m == jpegSOI:
			return nil, 0, fmt.Errorf("jpeg: unexpected marker %#x", m)
		}

		if i+2 > len(b) {
			return nil, 0, errTruncated
		}
		n := int(b[i])<<8 | int(b[i+1])
		if n < 2 || i+n > len(b) {
			return nil, 0, errTruncated
		}
		segment := b[i-2 : i+n] // marker, length and payload
		payload := b[i+2 : i+n]
		i += n

		switch {
		case m == jpegAPP0:
			if jfif == nil && len(payload) >= 14 && bytes.HasPrefix(payload, []byte("JFIF\x00")) {
				// Keep the header without its thumbnail: version, units
				// and density, then a 0 × 0 thumbnail.
				jfif = []byte{0xFF, jpegAPP0, 0, 16}
				jfif = append(jfif, payload[:12]...)
				jfif = append(jfif, 0, 0)
			}
		case m == jpegAPP1:
			if orientation == 0 && bytes.HasPrefix(payload, []byte("Exif\x00\x00")) {
				orientation = exifOrientation(payload[6:])
			}
		case m == jpegAPP2:
			if bytes.HasPrefix(payload, []byte("ICC_PROFILE\x00")) {
				body = append(body, segment...)
			}
		case m == jpegAP14:
			if bytes.HasPrefix(payload, []byte("Adobe")) {
				body = append(body, segment...)
			}
		case m > jpegAPP2 && m <= jpegAP15, m == jpegCOM:
			// other application data and comments: dropped
		default:
			body = append(body, segment...)
		}

		if m == jpegSOS {
			seenSOS = true
			// Entropy-coded data runs to the next marker that is neither a
			// stuffed 0xFF00 nor a restart marker.
			j := i
			for {
				if j+1 >= len(b) {
					return nil, 0, errTruncated
				}
				if b[j] == 0xFF {
					if next := b[j+1]; next != 0x00 && (next < jpegRST0 || next > jpegRST7) {
						break
					}
					j += 2
					continue
				}
				j++
			}
			body = append(body, b[i:j]...)
			i = j
		}
	}
}

// exifOrientation returns the Orientation (1 to 8) from a TIFF structure in
// an EXIF segment, or 0 when it has none.
func exifOrientation(t []byte) int {
	if len(t) < 8 {
		return 0
	}
	var order binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		order = binary.LittleEndian
	case "MM":
		order = binary.BigEndian
	default:
		return 0
	}
	if order.Uint16(t[2:]) != 42 {
		return 0
	}
	ifd := uint64(order.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > uint64(len(t)) {
		return 0
	}
	count := uint64(order.Uint16(t[ifd:]))
	for k := uint64(0); k < count; k++ {
		e := ifd + 2 + 12*k
		if e+12 > uint64(len(t)) {
			return 0
		}
		if order.Uint16(t[e:]) != 0x0112 {
			continue
		}
		// SHORT, one value, held in the entry itself.
		if order.Uint16(t[e+2:]) != 3 || order.Uint32(t[e+4:]) != 1 {
			return 0
		}
		if v := int(order.Uint16(t[e+8:])); v >= 1 && v <= 8 {
			return v
		}
		return 0
	}
	return 0
}

// exifOrientationSegment is an APP1 EXIF segment holding only an
// orientation: a big-endian TIFF header and one IFD with one entry.
func exifOrientationSegment(o int) []byte {
	s := []byte{
		0xFF, jpegAPP1, 0, 34,
		'E', 'x', 'i', 'f', 0, 0,
		'M', 'M', 0, 42, 0, 0, 0, 8, // TIFF header, IFD0 at 8
		0, 1, // one entry
		0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, byte(o), 0, 0, // Orientation, SHORT, 1 value
		0, 0, 0, 0, // no next IFD
	}
	return s
}

// keepPNGChunk reports whether an ancillary PNG chunk is kept: those that
// change how the image is shown. Critical chunks (IHDR, PLTE, IDAT, IEND and
// any a decoder must understand) are always kept.
func keepPNGChunk(typ string) bool {
	switch typ {
	case "tRNS", "gAMA", "cHRM", "sRGB", "iCCP", "cICP", "mDCV", "cLLI", "sBIT", "bKGD", "hIST", "sPLT", "pHYs",
		"acTL", "fcTL", "fdAT": // animation
		return true
	}
	return false
}

// stripPNG walks the chunks of a PNG, checking each CRC, and copies those
// the image needs.
func stripPNG(b []byte) ([]byte, int, error) {
	out := make([]byte, 0, len(b))
	out = append(out, pngSignature...)
	i := len(pngSignature)
	for first := true; ; first = false {
		if i+8 > len(b) {
			return nil, 0, errTruncated
		}
		n := uint64(binary.BigEndian.Uint32(b[i:]))
		if n > 1<<31-1 {
			return nil, 0, errors.New("png: chunk too long")
		}
		typ := b[i+4 : i+8]
		for _, c := range typ {
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
				return nil, 0, errors.New("png: bad chunk type")
			}
		}
		end := uint64(i) + 8 + n + 4
		if end > uint64(len(b)) {
			return nil, 0, errTruncated
		}
		data := b[i+8 : i+8+int(n)]
		if crc32.Update(crc32.ChecksumIEEE(typ), crc32.IEEETable, data) != binary.BigEndian.Uint32(b[i+8+int(n):]) {
			return nil, 0, fmt.Errorf("png: bad checksum in %s chunk", typ)
		}
		if first && string(typ) != "IHDR" {
			return nil, 0, errors.New("png: IHDR is not first")
		}
		critical := typ[0]&0x20 == 0
		if critical || keepPNGChunk(string(typ)) {
			out = append(out, b[i:end]...)
		}
		i = int(end)
		if string(typ) == "IEND" {
			return out, 0, nil // anything after the end is dropped
		}
	}
}

// VP8X header flags.
const (
	webpAnimationFlag = 1 << 1
	webpXMPFlag       = 1 << 2
	webpEXIFFlag      = 1 << 3
)

// stripWebP walks the chunks of a WebP file and copies those the image
// needs, clearing the metadata flags of the VP8X header and fixing the RIFF
// size.
func stripWebP(b []byte) ([]byte, int, error) {
	size := uint64(binary.LittleEndian.Uint32(b[4:]))
	if size < 4 || 8+size > uint64(len(b)) {
		return nil, 0, errTruncated
	}
	b = b[:8+size] // anything after the RIFF chunk is dropped
	out := make([]byte, 12, len(b))
	copy(out, b[:12])
	for i := 12; i < len(b); {
		if i+8 > len(b) {
			return nil, 0, errTruncated
		}
		fourCC := string(b[i : i+4])
		n := uint64(binary.LittleEndian.Uint32(b[i+4:]))
		end := uint64(i) + 8 + n
		if end > uint64(len(b)) {
			return nil, 0, errTruncated
		}
		chunk := b[i:end]
		next := end + (n & 1) // chunks are padded to an even length
		if next > uint64(len(b)) {
			next = uint64(len(b)) // a missing last pad byte; it is added below
		}
		i = int(next)

		switch fourCC {
		case "VP8X":
			if n != 10 {
				return nil, 0, errors.New("webp: bad VP8X chunk")
			}
			if chunk[8]&webpAnimationFlag != 0 {
				return nil, 0, invalidImage("Animated WebP images are not accepted. Please upload a still image.")
			}
			start := len(out)
			out = append(out, chunk...)
			out[start+8] &^= webpXMPFlag | webpEXIFFlag
		case "VP8 ", "VP8L", "ALPH", "ICCP", "ANIM", "ANMF":
			out = append(out, chunk...)
			if n&1 == 1 {
				out = append(out, 0)
			}
		default:
			// EXIF, XMP and unknown chunks: dropped
		}
	}
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out, 0, nil
}
