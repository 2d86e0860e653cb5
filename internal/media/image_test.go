package media

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/webp"

	"github.com/parley-org/parley"
)

// Fixtures are made here with the standard encoders; metadata is put in by
// hand, each piece carrying a marker string that must not survive.

func gradient(w, h int) image.Image {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.SetNRGBA(x, y, color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x + y) % 256), 255})
		}
	}
	return m
}

func makeJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, gradient(w, h), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func makePNG(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, gradient(w, h)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func readWebP(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// jpegSeg is a JPEG segment: marker, length, payload.
func jpegSeg(marker byte, payload string) []byte {
	n := len(payload) + 2
	return cat([]byte{0xFF, marker, byte(n >> 8), byte(n)}, []byte(payload))
}

type seg struct {
	marker  byte
	payload []byte
}

// jpegSegments lists the segments of a JPEG up to the first SOS and returns
// the rest of the file from that SOS marker on. It trusts its input.
func jpegSegments(t testing.TB, b []byte) ([]seg, []byte) {
	t.Helper()
	var segs []seg
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			t.Fatalf("no marker at %d", i)
		}
		m := b[i+1]
		if m == jpegSOS {
			return segs, b[i:]
		}
		n := int(b[i+2])<<8 | int(b[i+3])
		segs = append(segs, seg{m, b[i+4 : i+2+n]})
		i += 2 + n
	}
	t.Fatal("no SOS")
	return nil, nil
}

func markers(segs []seg) []byte {
	var ms []byte
	for _, s := range segs {
		ms = append(ms, s.marker)
	}
	return ms
}

// littleEndianEXIF is a TIFF structure with an orientation and an image
// description that holds secret.
func littleEndianEXIF(orientation uint16, secret string) string {
	le := binary.LittleEndian
	b := []byte("II*\x00")
	b = le.AppendUint32(b, 8)
	b = le.AppendUint16(b, 2)                     // two entries
	b = le.AppendUint16(b, 0x010E)                // ImageDescription
	b = le.AppendUint16(b, 2)                     // ASCII
	b = le.AppendUint32(b, uint32(len(secret)+1)) // count
	b = le.AppendUint32(b, 8+2+2*12+4)            // offset of the text
	b = le.AppendUint16(b, 0x0112)                // Orientation
	b = le.AppendUint16(b, 3)                     // SHORT
	b = le.AppendUint32(b, 1)                     // one value
	b = le.AppendUint32(b, uint32(orientation))   // in the entry
	b = le.AppendUint32(b, 0)                     // no next IFD
	b = append(b, secret...)
	return string(append(b, 0))
}

func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.Update(crc32.ChecksumIEEE([]byte(typ)), crc32.IEEETable, data))
}

type pngCh struct {
	typ  string
	data []byte
}

// pngChunks lists the chunks of a PNG without checking them.
func pngChunks(t testing.TB, b []byte) []pngCh {
	t.Helper()
	var cs []pngCh
	for i := 8; i+12 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[i:]))
		cs = append(cs, pngCh{string(b[i+4 : i+8]), b[i+8 : i+8+n]})
		i += 12 + n
	}
	return cs
}

func chunkTypes[C pngCh | webpCh](cs []C) string {
	var names []string
	for _, c := range cs {
		switch c := any(c).(type) {
		case pngCh:
			names = append(names, c.typ)
		case webpCh:
			names = append(names, c.fourCC)
		}
	}
	return strings.Join(names, ",")
}

// afterIHDR puts chunks right after the IHDR chunk.
func afterIHDR(p []byte, chunks ...[]byte) []byte {
	const end = 8 + 12 + 13
	return cat(p[:end], cat(chunks...), p[end:])
}

// rebuildPNG writes a PNG from chunks, with fresh CRCs.
func rebuildPNG(cs []pngCh) []byte {
	b := []byte(pngSignature)
	for _, c := range cs {
		b = append(b, pngChunk(c.typ, c.data)...)
	}
	return b
}

func webpChunk(fourCC string, data []byte) []byte {
	b := append([]byte(fourCC), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	b = append(b, data...)
	if len(data)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

func riff(chunks ...[]byte) []byte {
	body := cat(chunks...)
	return cat([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(4+len(body))), []byte("WEBP"), body)
}

type webpCh struct {
	fourCC string
	data   []byte
}

func webpChunks(t testing.TB, b []byte) []webpCh {
	t.Helper()
	var cs []webpCh
	for i := 12; i+8 <= len(b); {
		n := int(binary.LittleEndian.Uint32(b[i+4:]))
		cs = append(cs, webpCh{string(b[i : i+4]), b[i+8 : i+8+n]})
		i += 8 + n + n%2
	}
	return cs
}

func vp8x(flags byte, w, h int) []byte {
	b := []byte{flags, 0, 0, 0}
	b = append(b, byte(w-1), byte((w-1)>>8), byte((w-1)>>16))
	return append(b, byte(h-1), byte((h-1)>>8), byte((h-1)>>16))
}

// withWebPMetadata wraps a simple WebP file (one VP8 or VP8L chunk) in an
// extended one with an ICC profile, EXIF, XMP and an unknown chunk.
func withWebPMetadata(t testing.TB, simple []byte) []byte {
	t.Helper()
	cfg, err := webp.DecodeConfig(bytes.NewReader(simple))
	if err != nil {
		t.Fatal(err)
	}
	image := simple[12:]
	return riff(
		webpChunk("VP8X", vp8x(0x20|webpEXIFFlag|webpXMPFlag, cfg.Width, cfg.Height)),
		webpChunk("ICCP", []byte("ICC-KEEP-ME")),
		image,
		webpChunk("EXIF", []byte(littleEndianEXIF(1, "WEBP-EXIF-GPS-SECRET"))),
		webpChunk("XMP ", []byte("<x:xmpmeta>WEBP-XMP-SECRET</x:xmpmeta>")),
		webpChunk("prvt", []byte("WEBP-PRIVATE-SECRET")),
	)
}

func samePixels(t *testing.T, a, b image.Image) {
	t.Helper()
	if a.Bounds() != b.Bounds() {
		t.Fatalf("bounds %v and %v", a.Bounds(), b.Bounds())
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			ar, ag, ab, aa := a.At(x, y).RGBA()
			br, bg, bb, ba := b.At(x, y).RGBA()
			if ar != br || ag != bg || ab != bb || aa != ba {
				t.Fatalf("pixel (%d, %d) differs: %v and %v", x, y, a.At(x, y), b.At(x, y))
			}
		}
	}
}

// testDir cleans images as a media folder opened by Open does.
func testDir() *Dir { return &Dir{decodes: newDecodeGate(decodeBudget, maxDecodes)} }

func cleanImage(data []byte) (*Image, error) {
	return testDir().CleanImage(context.Background(), bytes.NewReader(data))
}

func mustClean(t *testing.T, data []byte) *Image {
	t.Helper()
	img, err := cleanImage(data)
	if err != nil {
		t.Fatalf("CleanImage: %v (fields %v)", err, parley.ErrorFields(err))
	}
	return img
}

func noSecrets(t *testing.T, b []byte, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("%q survived", s)
		}
	}
	if bytes.Contains(b, []byte("SECRET")) {
		t.Errorf("something marked SECRET survived")
	}
}

func TestCleanJPEGStripsMetadataAndKeepsTheScanUnchanged(t *testing.T) {
	orig := makeJPEG(t, 64, 48)
	// The encoder writes SOI, tables, SOF, SOS ... EOI and no APPn.
	withMeta := cat(orig[:2],
		jpegSeg(jpegAPP0, "JFIF\x00\x01\x02\x01\x00\x48\x00\x48\x04\x01"+"THUMB-SECRET"), // 4 × 1 RGB thumbnail
		jpegSeg(jpegAPP1, "Exif\x00\x00"+littleEndianEXIF(1, "GPS-SECRET-LOCATION")),
		jpegSeg(jpegAPP1, "http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>XMP-SECRET-AUTHOR</x:xmpmeta>"),
		jpegSeg(jpegAPP2, "ICC_PROFILE\x00\x01\x01ICC-KEEP-ME"),
		jpegSeg(jpegAPP2, "MPF\x00MPF-SECRET"),
		jpegSeg(0xED, "Photoshop 3.0\x008BIM IPTC-SECRET-CAPTION"),
		jpegSeg(jpegAP14, "Adobe\x00\x64\x00\x00\x00\x00\x01"), // transform 1: YCbCr
		jpegSeg(jpegCOM, "COMMENT-SECRET"),
		[]byte("JUNK-SECRET between segments"),
		orig[2:len(orig)-2],
		jpegSeg(jpegCOM, "LATE-COMMENT-SECRET"), // after the scan
		orig[len(orig)-2:],
		[]byte("TRAILER-SECRET after the end of the image"),
	)
	if _, err := jpeg.Decode(bytes.NewReader(withMeta)); err != nil {
		t.Fatalf("the fixture does not decode: %v", err)
	}

	img := mustClean(t, withMeta)
	noSecrets(t, img.Data, "THUMB-SECRET", "GPS-SECRET-LOCATION", "XMP-SECRET-AUTHOR", "MPF-SECRET",
		"IPTC-SECRET-CAPTION", "COMMENT-SECRET", "JUNK-SECRET", "LATE-COMMENT-SECRET", "TRAILER-SECRET")
	if img.ContentType != "image/jpeg" || img.Ext != ".jpg" || img.Width != 64 || img.Height != 48 {
		t.Errorf("got %s %s %d×%d, want image/jpeg .jpg 64×48", img.ContentType, img.Ext, img.Width, img.Height)
	}

	segs, scan := jpegSegments(t, img.Data)
	origSegs, origScan := jpegSegments(t, orig)
	if !bytes.Equal(scan, origScan) {
		t.Errorf("the scan data changed (%d bytes, was %d)", len(scan), len(origScan))
	}
	want := append([]byte{jpegAPP0, jpegAPP2, jpegAP14}, markers(origSegs)...)
	if got := markers(segs); !bytes.Equal(got, want) {
		t.Errorf("segments % X, want % X", got, want)
	}
	if p := segs[0].payload; string(p) != "JFIF\x00\x01\x02\x01\x00\x48\x00\x48\x00\x00" {
		t.Errorf("JFIF segment %q, want the header with a 0×0 thumbnail", p)
	}
	if !bytes.Contains(img.Data, []byte("ICC_PROFILE\x00\x01\x01ICC-KEEP-ME")) {
		t.Errorf("the ICC profile was dropped")
	}

	a, err := jpeg.Decode(bytes.NewReader(orig))
	if err != nil {
		t.Fatal(err)
	}
	b, err := jpeg.Decode(bytes.NewReader(img.Data))
	if err != nil {
		t.Fatal(err)
	}
	samePixels(t, a, b)
}

func TestCleanJPEGKeepsOnlyTheOrientation(t *testing.T) {
	orig := makeJPEG(t, 64, 48)
	withMeta := cat(orig[:2], jpegSeg(jpegAPP1, "Exif\x00\x00"+littleEndianEXIF(6, "GPS-SECRET-LOCATION")), orig[2:])

	img := mustClean(t, withMeta)
	noSecrets(t, img.Data, "GPS-SECRET-LOCATION")
	segs, _ := jpegSegments(t, img.Data)
	if segs[0].marker != jpegAPP1 || !bytes.HasPrefix(segs[0].payload, []byte("Exif\x00\x00")) {
		t.Fatalf("first segment % X %q, want the EXIF orientation", segs[0].marker, segs[0].payload)
	}
	if o := exifOrientation(segs[0].payload[6:]); o != 6 {
		t.Errorf("orientation %d, want 6", o)
	}
	if len(segs[0].payload) != 32 {
		t.Errorf("EXIF of %d bytes kept, want only the 32 of the orientation", len(segs[0].payload))
	}
	// Orientation 6 turns the picture a quarter: shown 48 wide, 64 high.
	if img.Width != 48 || img.Height != 64 {
		t.Errorf("size %d×%d, want 48×64 as shown", img.Width, img.Height)
	}

	// Orientation 1 is the default and needs no EXIF at all.
	upright := cat(orig[:2], jpegSeg(jpegAPP1, "Exif\x00\x00"+littleEndianEXIF(1, "x")), orig[2:])
	if img := mustClean(t, upright); !bytes.Equal(img.Data, orig) {
		t.Errorf("an upright JPEG kept some EXIF")
	}
}

func TestCleanPNGStripsTextAndKeepsColour(t *testing.T) {
	orig := makePNG(t, 40, 30)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte("compressed comment"))
	zw.Close()
	withMeta := afterIHDR(orig,
		pngChunk("gAMA", []byte{0, 0, 0xB1, 0x8F}),
		pngChunk("pHYs", []byte{0, 0, 0x0B, 0x13, 0, 0, 0x0B, 0x13, 1}),
		pngChunk("tEXt", []byte("Comment\x00PNG-TEXT-SECRET")),
		pngChunk("zTXt", append([]byte("ZTXT-SECRET-KEYWORD\x00\x00"), z.Bytes()...)),
		pngChunk("iTXt", []byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00<x:xmpmeta>PNG-ITXT-SECRET</x:xmpmeta>")),
		pngChunk("eXIf", []byte(littleEndianEXIF(1, "PNG-EXIF-GPS-SECRET"))),
		pngChunk("tIME", []byte{0x07, 0xE9, 6, 1, 12, 0, 0}),
		pngChunk("prVt", []byte("PNG-PRIVATE-SECRET")),
	)
	withMeta = append(withMeta, "TRAILER-SECRET after IEND"...)
	if _, err := png.Decode(bytes.NewReader(withMeta)); err != nil {
		t.Fatalf("the fixture does not decode: %v", err)
	}

	img := mustClean(t, withMeta)
	noSecrets(t, img.Data, "PNG-TEXT-SECRET", "ZTXT-SECRET-KEYWORD", "PNG-ITXT-SECRET", "PNG-EXIF-GPS-SECRET",
		"PNG-PRIVATE-SECRET", "TRAILER-SECRET")
	if img.ContentType != "image/png" || img.Ext != ".png" || img.Width != 40 || img.Height != 30 {
		t.Errorf("got %s %s %d×%d, want image/png .png 40×30", img.ContentType, img.Ext, img.Width, img.Height)
	}
	origChunks := pngChunks(t, orig)
	if got, want := chunkTypes(pngChunks(t, img.Data)), "IHDR,gAMA,pHYs,"+chunkTypes(origChunks[1:]); got != want {
		t.Errorf("chunks %s, want %s", got, want)
	}
	// Nothing but the dropped chunks changed.
	if want := afterIHDR(orig, withMeta[33:33+16+21]); !bytes.Equal(img.Data, want) {
		t.Errorf("the kept chunks changed")
	}

	a, _ := png.Decode(bytes.NewReader(orig))
	b, err := png.Decode(bytes.NewReader(img.Data))
	if err != nil {
		t.Fatal(err)
	}
	samePixels(t, a, b)
}

func TestCleanWebPStripsEXIFAndXMP(t *testing.T) {
	for _, name := range []string{"gopher-doc.1bpp.lossless.webp", "blue-purple-pink.lossy.webp"} {
		t.Run(name, func(t *testing.T) {
			simple := readWebP(t, name)
			withMeta := withWebPMetadata(t, simple)
			if _, err := webp.Decode(bytes.NewReader(withMeta)); err != nil {
				t.Fatalf("the fixture does not decode: %v", err)
			}

			img := mustClean(t, withMeta)
			noSecrets(t, img.Data, "WEBP-EXIF-GPS-SECRET", "WEBP-XMP-SECRET", "WEBP-PRIVATE-SECRET")
			chunks := webpChunks(t, img.Data)
			if got, want := chunkTypes(chunks), "VP8X,ICCP,"+string(simple[12:16]); got != want {
				t.Fatalf("chunks %s, want %s", got, want)
			}
			if flags := chunks[0].data[0]; flags != 0x20 {
				t.Errorf("VP8X flags %#x, want only the ICC bit 0x20", flags)
			}
			if string(chunks[1].data) != "ICC-KEEP-ME" {
				t.Errorf("ICC profile %q", chunks[1].data)
			}
			if size := binary.LittleEndian.Uint32(img.Data[4:]); int(size) != len(img.Data)-8 {
				t.Errorf("RIFF size %d for %d bytes", size, len(img.Data))
			}
			if !bytes.Equal(chunks[2].data, webpChunks(t, simple)[0].data) {
				t.Errorf("the image chunk changed")
			}

			a, err := webp.Decode(bytes.NewReader(simple))
			if err != nil {
				t.Fatal(err)
			}
			b, err := webp.Decode(bytes.NewReader(img.Data))
			if err != nil {
				t.Fatal(err)
			}
			samePixels(t, a, b)
			if img.ContentType != "image/webp" || img.Ext != ".webp" || img.Width != a.Bounds().Dx() || img.Height != a.Bounds().Dy() {
				t.Errorf("got %s %s %d×%d, want image/webp .webp %v", img.ContentType, img.Ext, img.Width, img.Height, a.Bounds().Size())
			}

			// A file with no metadata comes back as it was.
			if img := mustClean(t, simple); !bytes.Equal(img.Data, simple) {
				t.Errorf("a WebP without metadata changed")
			}
		})
	}
}

func TestCleaningTwiceChangesNothing(t *testing.T) {
	for name, data := range fixturesWithMetadata(t) {
		once := mustClean(t, data)
		twice := mustClean(t, once.Data)
		if !bytes.Equal(once.Data, twice.Data) || !sameImageInfo(once, twice) {
			t.Errorf("%s: cleaning a clean file changed it", name)
		}
	}
}

func fixturesWithMetadata(t testing.TB) map[string][]byte {
	jpg := makeJPEG(t, 16, 8)
	p := makePNG(t, 8, 16)
	return map[string][]byte{
		"jpeg": cat(jpg[:2], jpegSeg(jpegAPP1, "Exif\x00\x00"+littleEndianEXIF(8, "GPS")), jpegSeg(jpegCOM, "hi"), jpg[2:]),
		"png":  afterIHDR(p, pngChunk("tEXt", []byte("Comment\x00hi"))),
		"webp": withWebPMetadata(t, readWebP(t, "gopher-doc.1bpp.lossless.webp")),
	}
}

func TestTypeComesFromTheContent(t *testing.T) {
	// CleanImage is never given a name, so a PNG called photo.jpg is a PNG.
	for _, c := range []struct {
		data     []byte
		typ, ext string
	}{
		{makePNG(t, 3, 2), "image/png", ".png"},
		{makeJPEG(t, 3, 2), "image/jpeg", ".jpg"},
		{readWebP(t, "gopher-doc.1bpp.lossless.webp"), "image/webp", ".webp"},
	} {
		img := mustClean(t, c.data)
		if img.ContentType != c.typ || img.Ext != c.ext {
			t.Errorf("got %s %s, want %s %s", img.ContentType, img.Ext, c.typ, c.ext)
		}
	}
}

// endless yields a prefix and then zeros forever, counting what is read.
type endless struct {
	prefix []byte
	read   int
}

func (e *endless) Read(p []byte) (int, error) {
	n := copy(p, e.prefix)
	e.prefix = e.prefix[n:]
	clear(p[n:])
	e.read += len(p)
	return len(p), nil
}

func TestOversizedUploadIsRefusedWithoutReadingItAll(t *testing.T) {
	r := &endless{prefix: makePNG(t, 8, 8)}
	_, err := testDir().CleanImage(context.Background(), r)
	var pe *parley.Error
	if !errors.As(err, &pe) || pe.Code != parley.ETOOLARGE {
		t.Fatalf("err %v, want ETOOLARGE", err)
	}
	if want := "The image is larger than 5 MB. Please make it smaller and upload it again."; pe.Message != want || pe.Fields["image"] != want {
		t.Errorf("message %q, fields %v", pe.Message, pe.Fields)
	}
	if r.read != MaxImageBytes+1 {
		t.Errorf("read %d bytes, want %d", r.read, MaxImageBytes+1)
	}

	// Exactly the limit is accepted (the padding after IEND is dropped).
	p := makePNG(t, 8, 8)
	padded := append(p, make([]byte, MaxImageBytes-len(p))...)
	if img := mustClean(t, padded); !bytes.Equal(img.Data, p) {
		t.Errorf("a PNG of exactly %d bytes was not cleaned to itself", MaxImageBytes)
	}
}

type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }

func TestReadErrors(t *testing.T) {
	_, err := testDir().CleanImage(context.Background(), failingReader{&http.MaxBytesError{Limit: 1 << 20}})
	if parley.ErrorCode(err) != parley.ETOOLARGE {
		t.Errorf("a body over the server's limit: %v, want ETOOLARGE", err)
	}
	broken := errors.New("connection reset")
	_, err = testDir().CleanImage(context.Background(), failingReader{broken})
	if !errors.Is(err, broken) || parley.ErrorCode(err) != parley.EINTERNAL {
		t.Errorf("a failing reader: %v, want it wrapped as an internal error", err)
	}
}

func TestRefusals(t *testing.T) {
	var g bytes.Buffer
	if err := gif.Encode(&g, gradient(4, 4), nil); err != nil {
		t.Fatal(err)
	}
	jpg := makeJPEG(t, 64, 48)
	_, scan := jpegSegments(t, jpg)
	sos := len(jpg) - len(scan)

	p := makePNG(t, 40, 30)
	badCRC := bytes.Clone(p)
	badCRC[len(badCRC)-12-5] ^= 0x55 // the last byte of IDAT data

	badTextCRC := afterIHDR(p, pngChunk("tEXt", []byte("Comment\x00hi")))
	badTextCRC[33+8+len("Comment\x00hi")] ^= 0x55 // the first byte of the tEXt CRC

	chunks := pngChunks(t, p)
	shortIDAT := append([]pngCh(nil), chunks...)
	for i, c := range shortIDAT {
		if c.typ == "IDAT" {
			shortIDAT[i].data = c.data[:len(c.data)/2]
		}
	}
	resized := func(w, h uint32) []byte {
		cs := append([]pngCh(nil), chunks...)
		ihdr := bytes.Clone(cs[0].data)
		binary.BigEndian.PutUint32(ihdr[0:], w)
		binary.BigEndian.PutUint32(ihdr[4:], h)
		cs[0].data = ihdr
		return rebuildPNG(cs)
	}

	lossless := readWebP(t, "gopher-doc.1bpp.lossless.webp")
	cfg, _ := webp.DecodeConfig(bytes.NewReader(lossless))
	animated := riff(webpChunk("VP8X", vp8x(webpAnimationFlag, cfg.Width, cfg.Height)), lossless[12:])

	for _, c := range []struct {
		name string
		data []byte
		want string // in the message
		not  string // not in the message
	}{
		{"empty", nil, "The file is empty.", ""},
		{"GIF", g.Bytes(), "not a JPEG, PNG or WebP image. It looks like a GIF image.", ""},
		{"SVG", []byte(`<?xml version="1.0"?>` + "\n" + `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`),
			"It looks like an SVG image.", ""},
		{"text", []byte("Just some words, not a picture.\n"), "It looks like a text file.", ""},
		{"HEIC", cat([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), make([]byte, 64)), "HEIC", ""},
		{"unknown binary", []byte{0, 1, 2, 3, 0xFE, 0xFF, 0, 0}, "This file is not a JPEG, PNG or WebP image.", "looks like"},
		{"truncated JPEG", jpg[:len(jpg)/2], "This JPEG image could not be read", ""},
		{"JPEG without its end", jpg[:len(jpg)-2], "This JPEG image could not be read", ""},
		{"JPEG with only half a scan", cat(jpg[:sos+len(scan)/2], []byte{0xFF, 0xD9}), "This JPEG image could not be read", ""},
		{"JPEG header only", jpg[:sos], "This JPEG image could not be read", ""},
		{"PNG with a bad CRC", badCRC, "This PNG image could not be read", ""},
		{"PNG with a bad CRC in a chunk that is dropped", badTextCRC, "This PNG image could not be read", ""},
		{"PNG cut short", p[:len(p)-20], "This PNG image could not be read", ""},
		{"PNG with half its pixel data", rebuildPNG(shortIDAT), "This PNG image could not be read", ""},
		{"PNG too wide", resized(20000, 30), "This image is 20000 × 30 pixels", ""},
		{"PNG with too many pixels", resized(8000, 8000), "25 megapixels", ""},
		{"WebP cut short", lossless[:len(lossless)-40], "This WebP image could not be read", ""},
		{"animated WebP", animated, "Animated WebP images are not accepted.", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			img, err := cleanImage(c.data)
			var pe *parley.Error
			if !errors.As(err, &pe) || pe.Code != parley.EINVALID {
				t.Fatalf("got %v, %v; want an EINVALID error", img, err)
			}
			msg := pe.Fields["image"]
			if !strings.Contains(msg, c.want) || c.not != "" && strings.Contains(msg, c.not) {
				t.Errorf("message %q, want it to say %q", msg, c.want)
			}
			if pe.Message != msg {
				t.Errorf("message %q and field message %q differ", pe.Message, msg)
			}
		})
	}
}

func TestSaveImage(t *testing.T) {
	d, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	img := mustClean(t, afterIHDR(makePNG(t, 5, 5), pngChunk("tEXt", []byte("Comment\x00hi"))))
	name, err := d.SaveImage(img)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Ext(name) != ".png" {
		t.Errorf("name %q, want a .png", name)
	}
	if same, _ := d.Save(".png", img.Data); same != name {
		t.Errorf("name %q is not the content-hashed name %q", name, same)
	}
	p, err := d.Path(name)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); !bytes.Equal(b, img.Data) {
		t.Errorf("stored bytes differ from the cleaned image")
	}
	if _, err := d.SaveImage(nil); err == nil {
		t.Errorf("saved no image")
	}
}

func TestExifOrientationSurvivesBadInput(t *testing.T) {
	good := []byte(littleEndianEXIF(3, "x"))
	if o := exifOrientation(good); o != 3 {
		t.Fatalf("orientation %d, want 3", o)
	}
	for n := range good {
		exifOrientation(good[:n]) // must not panic
	}
	bad := bytes.Clone(good)
	binary.LittleEndian.PutUint32(bad[4:], 0xFFFFFFF0) // IFD far outside
	if o := exifOrientation(bad); o != 0 {
		t.Errorf("orientation %d from a broken offset", o)
	}
}

func FuzzCleanImage(f *testing.F) {
	for _, data := range fixturesWithMetadata(f) {
		f.Add(data)
	}
	f.Add(readWebP(f, "blue-purple-pink.lossy.webp"))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := cleanImage(data)
		if err != nil {
			if parley.ErrorCode(err) == parley.EINTERNAL {
				t.Fatalf("not a domain error: %v", err)
			}
			return
		}
		again, err := cleanImage(img.Data)
		if err != nil {
			t.Fatalf("a cleaned image is refused: %v", err)
		}
		if !bytes.Equal(again.Data, img.Data) || !sameImageInfo(again, img) {
			t.Fatalf("cleaning twice changed the image")
		}
	})
}

func sameImageInfo(a, b *Image) bool {
	return a.ContentType == b.ContentType && a.Ext == b.Ext && a.Width == b.Width && a.Height == b.Height
}
