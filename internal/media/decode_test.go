package media

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-org/parley"
)

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// pngSized is p with the size in its header changed, and a fresh CRC.
func pngSized(t testing.TB, p []byte, w, h uint32) []byte {
	t.Helper()
	cs := pngChunks(t, p)
	ihdr := bytes.Clone(cs[0].data)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	cs[0].data = ihdr
	return rebuildPNG(cs)
}

// jpegSized is j with the size in its frame header changed and, when
// marker is not 0, the frame's kind (0xC2: progressive).
func jpegSized(t testing.TB, j []byte, w, h uint16, marker byte) []byte {
	t.Helper()
	j = bytes.Clone(j)
	for i := 2; i+4 <= len(j); {
		n := int(binary.BigEndian.Uint16(j[i+2:]))
		if j[i+1] == 0xC0 {
			binary.BigEndian.PutUint16(j[i+5:], h)
			binary.BigEndian.PutUint16(j[i+7:], w)
			if marker != 0 {
				j[i+1] = marker
			}
			return j
		}
		i += 2 + n
	}
	t.Fatal("no SOF0")
	return nil
}

// vp8lSized is the VP8L chunk of a simple lossless WebP file with the size
// in its header changed.
func vp8lSized(t testing.TB, simple []byte, w, h uint32) []byte {
	t.Helper()
	c := bytes.Clone(simple[12:])
	if string(c[:4]) != "VP8L" || c[8] != 0x2F {
		t.Fatal("not a simple lossless WebP file")
	}
	bits := binary.LittleEndian.Uint32(c[9:])
	bits = bits&^(1<<28-1) | (w - 1) | (h-1)<<14
	binary.LittleEndian.PutUint32(c[9:], bits)
	return c
}

// Files of a few hundred bytes that claim 49 megapixels, as the images of a
// decompression bomb do, are refused from their header: nothing near the
// decoded size is ever allocated.
func TestHugeImagesAreRefusedBeforeDecoding(t *testing.T) {
	const side = 7000 // 49 megapixels: at least 49 MB decoded, 196 MB as RGBA
	lossless := readWebP(t, "gopher-doc.1bpp.lossless.webp")
	jpg := makeJPEG(t, 16, 8)
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"PNG", pngSized(t, makePNG(t, 8, 8), side, side)},
		{"JPEG", jpegSized(t, jpg, side, side, 0)},
		{"progressive JPEG", jpegSized(t, jpg, side, side, 0xC2)},
		{"WebP", riff(vp8lSized(t, lossless, side, side))},
		{"WebP canvas", riff(webpChunk("VP8X", vp8x(0, side, side)), lossless[12:])},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := testDir()
			var err error
			n := allocated(func() { _, err = d.CleanImage(context.Background(), bytes.NewReader(c.data)) })
			pe, ok := errors.AsType[*parley.Error](err)
			if !ok || pe.Code != parley.EINVALID {
				t.Fatalf("got %v, want an EINVALID error", err)
			}
			for _, want := range []string{"This image is 7000 × 7000 pixels", "25 megapixels"} {
				if !strings.Contains(pe.Fields["image"], want) {
					t.Errorf("message %q, want it to say %q", pe.Fields["image"], want)
				}
			}
			if n > 1<<20 {
				t.Errorf("allocated %d bytes for a %d-byte file, want under 1 MB", n, len(c.data))
			}
		})
	}

	// A small canvas around a huge bitstream must not get the bitstream
	// decoded either.
	small := riff(webpChunk("VP8X", vp8x(0, 100, 100)), vp8lSized(t, lossless, side, side))
	var err error
	n := allocated(func() { _, err = cleanImage(small) })
	if parley.ErrorCode(err) != parley.EINVALID || !strings.Contains(err.Error(), "could not be read") {
		t.Errorf("a WebP whose canvas and image differ: %v, want it refused as damaged", err)
	}
	if n > 1<<20 {
		t.Errorf("allocated %d bytes for a WebP whose canvas and image differ, want under 1 MB", n)
	}
}

func TestTheLargestAcceptedImage(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes a 25-megapixel image")
	}
	p := pngSized(t, makePNG(t, 8, 8), 5000, MaxImagePixels/5000)
	_, err := cleanImage(p)
	// Accepted by size: refused only because its pixel data is a few rows.
	if err == nil || !strings.Contains(err.Error(), "could not be read") {
		t.Errorf("5000 × 5000: %v, want it decoded (and found damaged)", err)
	}
	if _, err := cleanImage(pngSized(t, makePNG(t, 8, 8), 5001, 5000)); !strings.Contains(err.Error(), "25 megapixels") {
		t.Errorf("5001 × 5000: %v, want it refused by size", err)
	}
}

// holdGate takes n bytes of d's decode budget until the test ends or the
// returned function is called.
func holdGate(t *testing.T, d *Dir, cost int64) func() {
	t.Helper()
	release, err := d.decodes.enter(context.Background(), cost)
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	done := func() { once.Do(release) }
	t.Cleanup(done)
	return done
}

func TestDecodesWaitTheirTurn(t *testing.T) {
	img := makePNG(t, 40, 30)
	d := testDir()
	short := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), 50*time.Millisecond)
	}

	// Two decodes are running: a third waits, and gives up with its upload.
	first := holdGate(t, d, 1)
	second := holdGate(t, d, 1)
	ctx, cancel := short()
	defer cancel()
	start := time.Now()
	if _, err := d.CleanImage(ctx, bytes.NewReader(img)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a third decode: %v, want it to wait until its context ends", err)
	}
	if time.Since(start) < 40*time.Millisecond {
		t.Errorf("gave up after %v, before the context ended", time.Since(start))
	}

	// One finishes: the next starts, and the waiter that gave up holds
	// nothing.
	first()
	ctx, cancel = short()
	defer cancel()
	if _, err := d.CleanImage(ctx, bytes.NewReader(img)); err != nil {
		t.Fatalf("with a decode free: %v", err)
	}
	// And again: the decode above gave its turn back.
	ctx, cancel = short()
	defer cancel()
	if _, err := d.CleanImage(ctx, bytes.NewReader(img)); err != nil {
		t.Fatalf("after a decode finished: %v", err)
	}
	second()

	// A cancelled upload is not decoded, even with room to spare.
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	_, err := d.CleanImage(ctx, bytes.NewReader(img))
	if !errors.Is(err, context.Canceled) || parley.ErrorFields(err) != nil {
		t.Errorf("a cancelled upload: %v, want context.Canceled and no problem with the image", err)
	}
}

func TestLargeDecodesWaitForMemory(t *testing.T) {
	d := testDir()
	// A decode of half the budget and more leaves room for nothing large.
	holdGate(t, d, decodeBudget/2+1)
	if _, err := tryEnter(d, decodeBudget/2); err == nil {
		t.Error("a decode of half the budget started beside one of more than half")
	}
	// One that needs more than the whole budget waits for all of it, then
	// runs alone.
	if _, err := tryEnter(d, 4*decodeBudget); err == nil {
		t.Error("a decode larger than the budget started beside another")
	}
	d = testDir()
	release, err := tryEnter(d, 4*decodeBudget)
	if err != nil {
		t.Fatalf("a decode larger than the budget never starts: %v", err)
	}
	if _, err := tryEnter(d, 1); err == nil {
		t.Error("a decode started beside one larger than the budget")
	}
	release()
	if _, err := tryEnter(d, 1); err != nil {
		t.Errorf("after the large decode: %v", err)
	}
}

func tryEnter(d *Dir, cost int64) (func(), error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	return d.decodes.enter(ctx, cost)
}

// The estimate that admits a decode must cover what the decoder allocates,
// without counting so much more that ordinary images queue for nothing.
func TestDecodeCostCoversTheDecoder(t *testing.T) {
	const w, h = 640, 480
	rgba := gradient(w, h)
	encodePNG := func(m image.Image) []byte {
		var b bytes.Buffer
		if err := png.Encode(&b, m); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	gray, wide := image.NewGray(rgba.Bounds()), image.NewNRGBA64(rgba.Bounds())
	pal := image.NewPaletted(rgba.Bounds(), color.Palette{color.Black, color.White})
	for y := range h {
		for x := range w {
			gray.Set(x, y, rgba.At(x, y))
			wide.Set(x, y, rgba.At(x, y))
			pal.Set(x, y, rgba.At(x, y))
		}
	}
	var gj bytes.Buffer
	if err := jpeg.Encode(&gj, gray, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"JPEG", makeJPEG(t, w, h)},
		{"grey JPEG", gj.Bytes()},
		{"PNG", makePNG(t, w, h)},
		{"16-bit PNG", encodePNG(wide)},
		{"grey PNG", encodePNG(gray)},
		{"paletted PNG", encodePNG(pal)},
		{"lossy WebP", readWebP(t, "blue-purple-pink.lossy.webp")},
		{"lossless WebP", readWebP(t, "gopher-doc.1bpp.lossless.webp")},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, _ := sniffImage(c.data)
			cfg, err := f.decodeConfig(bytes.NewReader(c.data))
			if err != nil {
				t.Fatal(err)
			}
			cost := decodeCost(f, cfg, c.data)
			used := int64(allocated(func() {
				if _, err := f.decode(bytes.NewReader(c.data)); err != nil {
					t.Fatal(err)
				}
			}))
			if cost < used || f.name != "WebP" && cost > 2*used {
				t.Errorf("estimated %d bytes, the decoder allocated %d", cost, used)
			}
		})
	}

	// A progressive JPEG keeps every coefficient until its last scan.
	jpg := makeJPEG(t, w, h)
	f, _ := sniffImage(jpg)
	cfg, _ := f.decodeConfig(bytes.NewReader(jpg))
	baseline, progressive := pixelCost(f, cfg, jpg), pixelCost(f, cfg, jpegSized(t, jpg, w, h, 0xC2))
	if progressive != 5*baseline {
		t.Errorf("progressive %d, baseline %d: want five times as much", progressive, baseline)
	}
}

// BenchmarkConcurrentUploads cleans uploads of 24-megapixel PNGs (96 MB
// decoded) four at a time, as the editors' library may receive them, with
// the server's bound on decodes and without one. It reports the most heap
// the decodes held at once and, meaningful when one of the two runs alone
// (-bench ConcurrentUploads/bounded), the process's peak resident memory.
func BenchmarkConcurrentUploads(b *testing.B) {
	const uploads = 4
	data := stripedPNG(b, 6000, 4000)
	for _, c := range []struct {
		name string
		gate *decodeGate
	}{
		{"bounded", newDecodeGate(decodeBudget, maxDecodes)},
		{"unbounded", newDecodeGate(1<<50, 1<<20)},
	} {
		b.Run(c.name, func(b *testing.B) {
			d := &Dir{decodes: c.gate}
			runtime.GC()
			peak := watchHeap()
			for b.Loop() {
				var wg sync.WaitGroup
				for range uploads {
					wg.Go(func() {
						if _, err := d.CleanImage(context.Background(), bytes.NewReader(data)); err != nil {
							b.Error(err)
						}
					})
				}
				wg.Wait()
			}
			b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MB")
			if hwm := peakRSS(); hwm > 0 {
				b.ReportMetric(float64(hwm)/(1<<20), "peak-RSS-MB")
			}
		})
	}
}

// stripedPNG is a w × h RGBA PNG made a row at a time, so that making it
// takes no memory to speak of.
func stripedPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestSpeed)
	row := make([]byte, 1+4*w) // filter type 0, then the pixels
	for y := range h {
		for x := range w {
			copy(row[1+4*x:], []byte{byte(x >> 6), byte(y >> 6), 128, 255}) // blocks of colour
		}
		if _, err := zw.Write(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8-bit RGBA, not interlaced
	return cat(pngSignature, pngChunk("IHDR", ihdr), pngChunk("IDAT", z.Bytes()), pngChunk("IEND", nil))
}

// peakRSS is the most resident memory the process has had (Linux's VmHWM),
// or 0 where that cannot be read.
func peakRSS() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// watchHeap samples the heap's objects, live or not yet swept, until the
// returned function is called, which returns the most seen.
func watchHeap() func() uint64 {
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		var most uint64
		tick := time.NewTicker(200 * time.Microsecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			most = max(most, s[0].Value.Uint64())
			select {
			case <-stop:
				done <- most
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 { close(stop); return <-done }
}
