package web

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/media"
)

// console is a site with an editor signed in, whose media folder the test
// can look into.
type console struct {
	*site
	editor   *parley.User
	ed       *http.Client
	mediaDir string
}

func newConsole(t *testing.T) *console {
	t.Helper()
	s := newSite(t, Config{})
	dir := t.TempDir()
	md, err := media.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.srv.media = md // before any request
	u, ed := s.account("Edith", parley.RoleEditor)
	return &console{site: s, editor: u, ed: ed, mediaDir: dir}
}

// debateValues is the debate editor's form as an editor fills it in.
func debateValues(action, title, question, body string, more ...string) url.Values {
	v := url.Values{"action": {action}, "title": {title}, "question": {question}, "body": {body}, "commenters": {"guests"}}
	for i := 0; i+1 < len(more); i += 2 {
		v.Set(more[i], more[i+1])
	}
	return v
}

// locationID reads the ID from a redirect to prefix+ID+"?…".
func locationID(t *testing.T, r response, prefix string) int64 {
	t.Helper()
	wantStatus(t, r, http.StatusSeeOther)
	loc := r.header.Get("Location")
	rest, ok := strings.CutPrefix(loc, prefix)
	id, err := strconv.ParseInt(strings.TrimSuffix(strings.SplitN(rest, "?", 2)[0], "/"), 10, 64)
	if !ok || err != nil {
		t.Fatalf("redirected to %q, want %sID", loc, prefix)
	}
	return id
}

// createDebate makes a draft through the console and returns its ID.
func (c *console) createDebate(t *testing.T, slug string) int64 {
	t.Helper()
	r := c.postForm(c.ed, "/admin/debates", debateValues("save", "Night trains "+slug, "Would you take a sleeper?", "Sleepers are *back*.",
		"slug", slug, "topics", "transport, Climate"))
	return locationID(t, r, "/admin/debates/")
}

func (c *console) debateByID(t *testing.T, id int64) *parley.Debate {
	t.Helper()
	d, err := c.store.DebateByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestConsoleDebateLifecycle(t *testing.T) {
	c := newConsole(t)
	id := c.createDebate(t, "night-trains")
	path := "/admin/debates/" + strconv.FormatInt(id, 10)

	d := c.debateByID(t, id)
	if d.Status != parley.DebateDraft || d.BodyHTML != "<p>Sleepers are <em>back</em>.</p>" || strings.Join(d.Topics, ",") != "climate,transport" {
		t.Errorf("stored %s %q %v, want a draft with rendered body and topics", d.Status, d.BodyHTML, d.Topics)
	}
	wantContains(t, c.getAs(c.ed, path+"?saved=1").body, "Saved.", `value="Night trains night-trains"`, "Sleepers are *back*.")
	list := c.getAs(c.ed, "/admin")
	wantStatus(t, list, http.StatusOK)
	wantContains(t, list.body, `href="`+path+`"`, "Night trains night-trains", `class="state draft">Draft`)
	wantLacks(t, c.get("/").body, "night-trains")
	wantStatus(t, c.get("/debates/night-trains"), http.StatusNotFound)

	publish := debateValues("publish", "Night trains", "Would you take a sleeper?", "Sleepers are *back*.", "slug", "night-trains",
		"commenters", "accounts", "hold_for_review", "1")
	wantStatus(t, c.postForm(c.ed, path, publish), http.StatusSeeOther)
	d = c.debateByID(t, id)
	if d.Status != parley.DebatePublished || d.PublishedAt.IsZero() || !d.AccountsOnly || !d.HoldForReview {
		t.Fatalf("after publishing: %+v", d)
	}
	wantContains(t, c.get("/").body, "/debates/night-trains", "Would you take a sleeper?")
	wantContains(t, c.getAs(c.ed, "/admin").body, `class="state published">Published`)

	wantStatus(t, c.postForm(c.ed, path, debateValues("close", "Night trains", "Would you take a sleeper?", "Sleepers.")), http.StatusSeeOther)
	if d := c.debateByID(t, id); d.Status != parley.DebateClosed || d.AccountsOnly {
		t.Errorf("after closing: status %s accounts only %v, want closed, guests welcome", d.Status, d.AccountsOnly)
	}
	wantContains(t, c.get("/debates/night-trains").body, "This debate is closed")
	wantContains(t, c.getAs(c.ed, path).body, `value="reopen"`)

	published := c.debateByID(t, id).PublishedAt
	wantStatus(t, c.postForm(c.ed, path, debateValues("reopen", "Night trains", "Would you take a sleeper?", "Sleepers.")), http.StatusSeeOther)
	d = c.debateByID(t, id)
	if d.Status != parley.DebatePublished || !d.PublishedAt.Equal(published) {
		t.Errorf("after reopening: %s published %v, want published at %v", d.Status, d.PublishedAt, published)
	}
	wantLacks(t, c.get("/debates/night-trains").body, "This debate is closed")

	// The slug can change: the debate moves.
	wantStatus(t, c.postForm(c.ed, path, debateValues("save", "Night trains", "Would you take a sleeper?", "Sleepers.", "slug", "sleepers")), http.StatusSeeOther)
	wantStatus(t, c.get("/debates/sleepers"), http.StatusOK)
	wantStatus(t, c.get("/debates/night-trains"), http.StatusNotFound)
}

func TestConsoleSchedulesADraft(t *testing.T) {
	c := newConsole(t)
	id := c.createDebate(t, "later")
	path := "/admin/debates/" + strconv.FormatInt(id, 10)

	past := time.Now().UTC().Add(-time.Hour).Format(datetimeLocal)
	r := c.postForm(c.ed, path, debateValues("schedule", "Later", "Soon?", "Text typed before scheduling", "publish_at", past))
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.body, "This time has passed", `id="publish_at" name="publish_at" type="datetime-local" value="`+past+`"`, "Text typed before scheduling")
	if d := c.debateByID(t, id); d.Title == "Later" || !d.PublishAt.IsZero() {
		t.Errorf("a refused schedule changed the debate: %+v", d)
	}

	at := time.Now().UTC().Add(time.Hour).Truncate(time.Minute)
	wantStatus(t, c.postForm(c.ed, path, debateValues("schedule", "Later", "Soon?", "Text.", "publish_at", at.Format(datetimeLocal))), http.StatusSeeOther)
	d := c.debateByID(t, id)
	if d.Status != parley.DebateDraft || !d.PublishAt.Equal(at) {
		t.Fatalf("scheduled: %s at %v, want a draft publishing at %v", d.Status, d.PublishAt, at)
	}
	wantContains(t, c.getAs(c.ed, "/admin").body, `class="state scheduled">Scheduled`, at.Format("2 January 2006, 15:04 UTC"))
	wantContains(t, c.getAs(c.ed, path).body, `value="unschedule"`)
	wantLacks(t, c.get("/").body, "/debates/later")

	// Not yet due: nothing happens. Once due, the draft publishes itself.
	if n, err := c.store.PublishDue(context.Background()); n != 0 || err != nil {
		t.Fatalf("PublishDue before its time: %d, %v", n, err)
	}
	c.clock.setAhead(2 * time.Hour)
	// The server's own background work may publish it first; either way it publishes once.
	if _, err := c.store.PublishDue(context.Background()); err != nil {
		t.Fatalf("PublishDue when due: %v", err)
	}
	if n, err := c.store.PublishDue(context.Background()); n != 0 || err != nil {
		t.Fatalf("PublishDue again: %d, %v", n, err)
	}
	wantContains(t, c.get("/").body, "/debates/later")
	if d := c.debateByID(t, id); d.Status != parley.DebatePublished || !d.PublishedAt.Equal(at) {
		t.Errorf("after PublishDue: %s published %v, want published at %v", d.Status, d.PublishedAt, at)
	}
}

func TestConsoleFormKeepsInputAndExplains(t *testing.T) {
	c := newConsole(t)
	c.createDebate(t, "taken")
	body := "My long article, <kept> & typed with care."
	r := c.postForm(c.ed, "/admin/debates", debateValues("publish", "", "", body, "slug", "Not A Slug!", "image_credit", "Photo: Kept"))
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.body,
		"The debate was not saved yet",
		"My long article, &lt;kept&gt; &amp; typed with care.",
		`value="Photo: Kept"`,
		`id="title-problem">A debate needs a title.`,
		`id="question-problem">A debate needs a lead question.`,
		`id="slug-problem">The slug may hold only`,
		`value="Not A Slug!"`,
	)
	if !regexp.MustCompile(`<input id="title" name="title" value="" required aria-invalid="true" aria-describedby="title-problem" autofocus>`).MatchString(r.body) {
		t.Error("the title field is not marked invalid and focused")
	}
	if n := strings.Count(r.body, " autofocus"); n != 1 {
		t.Errorf("%d fields have autofocus, want 1", n)
	}

	// A slug another debate has is explained beside the slug.
	r = c.postForm(c.ed, "/admin/debates", debateValues("save", "Another", "Why?", "Text", "slug", "taken"))
	wantStatus(t, r, http.StatusConflict)
	wantContains(t, r.body, `id="slug-problem">Another debate already uses this address.`, `value="taken"`, ">Text</textarea>")
	if list, total, _ := c.store.Debates(context.Background(), parley.DebateFilter{}); total != 1 {
		t.Errorf("refused forms stored debates: %d, %v", total, list)
	}
}

func TestConsolePreview(t *testing.T) {
	c := newConsole(t)
	md := "## Heading\n\n<script>alert(1)</script> and **bold** [x](javascript:alert(1))"
	r := c.postForm(c.ed, "/admin/preview", url.Values{"body": {md}})
	wantStatus(t, r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	wantContains(t, r.body, "<h2", "<strong>bold</strong>", "&lt;script&gt;")
	wantLacks(t, r.body, "<script", "javascript:")

	// Without JavaScript, the Preview button shows the same beside the form.
	r = c.postForm(c.ed, "/admin/debates", debateValues("preview", "Draft title", "Q?", md))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, `<div id="preview" class="article-body" aria-live="polite"><h2`, "<strong>bold</strong>", `value="Draft title"`,
		`src="`+staticURL("console.js")+`"`)
	wantLacks(t, r.body, "<script>alert")
	if _, total, _ := c.store.Debates(context.Background(), parley.DebateFilter{}); total != 0 {
		t.Error("previewing stored the debate")
	}
	wantStatus(t, c.postForm(c.reader, "/admin/preview", url.Values{"body": {"x"}}), http.StatusUnauthorized)
}

// pngWithText is a PNG holding a tEXt chunk with the secret after its header.
func pngWithText(t *testing.T, secret string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for i := range img.Pix {
		img.Pix[i] = byte(i)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	data := append([]byte("Comment\x00"), secret...)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	chunk = append(chunk, "tEXt"...)
	chunk = append(chunk, data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(append([]byte("tEXt"), data...)))
	raw := b.Bytes()
	const afterIHDR = 8 + 8 + 13 + 4
	return append(append(append([]byte{}, raw[:afterIHDR]...), chunk...), raw[afterIHDR:]...)
}

// jpegWithExif is a JPEG holding an EXIF segment with the secret.
func jpegWithExif(t *testing.T, secret string) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	payload := append([]byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00"), secret...)
	seg := append([]byte{0xFF, 0xE1}, byte((len(payload)+2)>>8), byte(len(payload)+2))
	seg = append(seg, payload...)
	raw := b.Bytes()
	return append(append(append([]byte{}, raw[:2]...), seg...), raw[2:]...)
}

// uploadRequest is a multipart upload of a file with a credit line.
func (c *console) uploadRequest(t *testing.T, path string, file []byte, credit string) *http.Request {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("credit", credit)
	fw, _ := mw.CreateFormFile("image", "photo.png") // the name says PNG whatever the content
	fw.Write(file)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.http.URL+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

// mediaFiles lists the files in the media folder.
func (c *console) mediaFiles(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(c.mediaDir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestConsoleUploadsImagesWithoutMetadata(t *testing.T) {
	c := newConsole(t)
	for _, tc := range []struct {
		name, credit, contentType string
		file                      []byte
		w, h                      int
	}{
		{"png", "Photo: P. Ng", "image/png", pngWithText(t, "SECRET-PNG-LOCATION"), 40, 30},
		{"jpeg", "Photo: J. Peg / Agency", "image/jpeg", jpegWithExif(t, "SECRET-GPS-48.85N"), 64, 48},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantStatus(t, c.do(c.ed, c.uploadRequest(t, "/admin/images", tc.file, tc.credit)), http.StatusSeeOther)
			list, err := c.store.Uploads(context.Background(), 0)
			if err != nil || len(list) == 0 {
				t.Fatalf("uploads: %v, %v", list, err)
			}
			up := list[0]
			if up.Credit != tc.credit || up.ContentType != tc.contentType || up.Width != tc.w || up.Height != tc.h || up.UserID != c.editor.ID {
				t.Errorf("stored %+v", up)
			}
			page := c.getAs(c.ed, "/admin/images?saved=1")
			wantContains(t, page.body, "The image was uploaded", `src="`+up.URL()+`"`, tc.credit)

			served := c.get(up.URL())
			wantStatus(t, served, http.StatusOK)
			if cc := served.header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
				t.Errorf("Cache-Control %q, want immutable", cc)
			}
			if ct := served.header.Get("Content-Type"); ct != tc.contentType {
				t.Errorf("served as %q", ct)
			}
			if strings.Contains(served.body, "SECRET") {
				t.Error("the metadata was served")
			}
			if int64(len(served.body)) != up.Bytes || len(served.body) >= len(tc.file) {
				t.Errorf("served %d bytes, stored %d, uploaded %d: want the stored, smaller file", len(served.body), up.Bytes, len(tc.file))
			}
			cfg, _, err := image.DecodeConfig(strings.NewReader(served.body))
			if err != nil || cfg.Width != tc.w || cfg.Height != tc.h {
				t.Errorf("served image: %+v, %v", cfg, err)
			}
		})
	}
	if n := len(c.mediaFiles(t)); n != 2 {
		t.Errorf("%d files in the media folder, want 2", n)
	}
}

func TestConsoleRefusesBadUploads(t *testing.T) {
	c := newConsole(t)
	var gifData bytes.Buffer
	gif.Encode(&gifData, image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black, color.White}), nil)
	justOver := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, media.MaxImageBytes)...)
	huge := bytes.Repeat([]byte{0xFF}, media.MaxImageBytes+200<<10)

	for _, tc := range []struct {
		name, credit string
		file         []byte
		status       int
		want         []string
	}{
		{"gif", "Photo: Kept credit", gifData.Bytes(), http.StatusUnprocessableEntity,
			[]string{`id="image-problem">This file is not a JPEG, PNG or WebP image. It looks like a GIF image.`, `value="Photo: Kept credit"`}},
		{"over 5 MB", "Photo: X", justOver, http.StatusRequestEntityTooLarge,
			[]string{`id="image-problem">The image is larger than 5 MB.`}},
		{"body over the limit", "Photo: X", huge, http.StatusRequestEntityTooLarge,
			[]string{`id="image-problem">The image is larger than 5 MB.`}},
		{"no credit", "", pngWithText(t, "x"), http.StatusUnprocessableEntity,
			[]string{`id="credit-problem">Please give the credit line`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.do(c.ed, c.uploadRequest(t, "/admin/images", tc.file, tc.credit))
			wantStatus(t, r, tc.status)
			wantContains(t, r.body, append(tc.want, "Nothing was uploaded.")...)
		})
	}
	if list, _ := c.store.Uploads(context.Background(), 0); len(list) != 0 {
		t.Errorf("refused uploads were stored: %v", list)
	}
	if files := c.mediaFiles(t); len(files) != 0 {
		t.Errorf("refused uploads left files: %v", files)
	}
}

func TestConsoleFeaturesComments(t *testing.T) {
	c := newConsole(t)
	d := c.debate("cars", parley.DebatePublished, false)
	other := c.debate("other", parley.DebatePublished, false)
	ana := c.comment(d, 0, "Ana", "Deliveries would suffer.")
	ben := c.comment(d, 0, "Ben", "Trams first.")
	elsewhere := c.comment(other, 0, "Cem", "Wrong debate.")
	path := "/admin/debates/" + strconv.FormatInt(d.ID, 10)

	for _, ref := range []string{"/comments/" + strconv.FormatInt(ana.ID, 10), c.http.URL + "/debates/cars?after=3#comment-" + strconv.FormatInt(ben.ID, 10)} {
		r := c.postForm(c.ed, path+"/questions", url.Values{"comment": {ref}, "framing": {"Is this **right**?"}})
		wantStatus(t, r, http.StatusSeeOther)
		if loc := r.header.Get("Location"); loc != path+"?saved=1#featured" {
			t.Errorf("redirected to %q", loc)
		}
	}
	page := c.get("/debates/cars")
	wantContains(t, page.body, "Is this <strong>right</strong>?", "Deliveries would suffer.", "Trams first.")
	if strings.Index(page.body, "Deliveries would suffer.") > strings.Index(page.body, "Trams first.") {
		t.Error("the featured comments are not in the order added")
	}

	for _, tc := range []struct{ ref, want string }{
		{strconv.FormatInt(elsewhere.ID, 10), "This comment belongs to another debate."},
		{"99999", "There is no comment number 99999."},
		{"a comment", "Give the comment&#39;s number or paste its link"},
		{strconv.FormatInt(ana.ID, 10), "This comment is already featured in this debate."},
	} {
		r := c.postForm(c.ed, path+"/questions", url.Values{"comment": {tc.ref}, "framing": {"Framing kept"}})
		if r.status != http.StatusUnprocessableEntity && r.status != http.StatusConflict {
			t.Errorf("%q: status %d", tc.ref, r.status)
		}
		wantContains(t, r.body, `id="comment-problem">`+tc.want, ">Framing kept</textarea>", `value="`+tc.ref+`"`)
	}

	questions, _ := c.store.Questions(context.Background(), d.ID)
	if len(questions) != 2 {
		t.Fatalf("%d featured, want 2", len(questions))
	}
	wantStatus(t, c.postForm(c.ed, path+"/questions/"+strconv.FormatInt(questions[1].ID, 10)+"/move", url.Values{"by": {"up"}}), http.StatusSeeOther)
	page = c.get("/debates/cars")
	if strings.Index(page.body, "Deliveries would suffer.") < strings.Index(page.body, "Trams first.") {
		t.Error("moving Ben's comment up did not change the order")
	}
	wantStatus(t, c.postForm(c.ed, path+"/questions/"+strconv.FormatInt(questions[0].ID, 10)+"/remove", nil), http.StatusSeeOther)
	if q, _ := c.store.Questions(context.Background(), d.ID); len(q) != 1 || q[0].CommentID != ben.ID {
		t.Errorf("after removing Ana's: %v", q)
	}
	wantContains(t, c.getAs(c.ed, path).body, "Trams first.", "Remove")
}

func TestConsoleExpertsAndPartners(t *testing.T) {
	c := newConsole(t)
	r := c.postForm(c.ed, "/admin/experts", url.Values{"name": {""}, "title": {"Economist"}, "bio": {"A *bio* kept."}, "contact_email": {"not-an-address"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.body, `id="name-problem">An expert needs a name.`, `id="contact_email-problem">This does not look like an email address.`,
		`value="Economist"`, "A *bio* kept.", `value="not-an-address"`)

	r = c.postForm(c.ed, "/admin/experts", url.Values{"name": {"Ines Okafor"}, "title": {"Economist"}, "bio": {"A *bio*."}, "contact_email": {"ines@example.org"}})
	id := locationID(t, r, "/admin/experts/")
	path := "/admin/experts/" + strconv.FormatInt(id, 10)
	wantContains(t, c.getAs(c.ed, "/admin/experts").body, "Ines Okafor", "ines@example.org", `href="`+path+`"`)
	wantStatus(t, c.postForm(c.ed, path, url.Values{"name": {"Ines Okafor"}, "slug": {"ines-okafor"}, "title": {"Chief economist"},
		"bio": {"A *bio*."}, "contact_email": {"ines@example.org"}}), http.StatusSeeOther)
	public := c.get("/experts/ines-okafor")
	wantContains(t, public.body, "Chief economist", "A <em>bio</em>.")
	wantLacks(t, public.body, "ines@example.org")

	r = c.postForm(c.ed, "/admin/partners", url.Values{"name": {"City Radio"}, "url": {"ftp://radio"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.body, `id="url-problem">The link must be an http(s) address.`, `value="City Radio"`, `value="ftp://radio"`)
	r = c.postForm(c.ed, "/admin/partners", url.Values{"name": {"City Radio"}, "url": {"https://radio.example.org"}})
	pid := locationID(t, r, "/admin/partners/")
	ppath := "/admin/partners/" + strconv.FormatInt(pid, 10)
	wantStatus(t, c.postForm(c.ed, ppath, url.Values{"name": {"City Radio FM"}, "slug": {"city-radio"}, "url": {"https://radio.example.org"}}), http.StatusSeeOther)
	wantContains(t, c.getAs(c.ed, "/admin/partners").body, "City Radio FM", "https://radio.example.org")
	wantStatus(t, c.postForm(c.ed, ppath+"/delete", nil), http.StatusSeeOther)
	wantLacks(t, c.getAs(c.ed, "/admin/partners").body, "City Radio FM")
	wantStatus(t, c.getAs(c.ed, ppath), http.StatusNotFound)
}

// bearer sends an API request with a token.
func (c *console) bearer(token, method, path string, body any) response {
	c.t.Helper()
	return c.api(method, path, body, "Authorization", "Bearer "+token)
}

func TestConsoleAPI(t *testing.T) {
	c := newConsole(t)
	token := c.apiToken(c.editor)

	r := c.bearer(token, "POST", "/api/v1/admin/debates", map[string]any{"title": "Night trains", "question": "Sleeper or plane?",
		"body_md": "Sleepers are *back*.", "topics": []string{"transport"}})
	wantStatus(t, r, http.StatusCreated)
	var d apiAdminDebate
	r.json(t, &d)
	if d.Status != "draft" || d.Slug != "night-trains" || d.BodyHTML != "<p>Sleepers are <em>back</em>.</p>" || r.header.Get("Location") != "/api/v1/admin/debates/"+strconv.FormatInt(d.ID, 10) {
		t.Errorf("created %+v at %q", d, r.header.Get("Location"))
	}
	path := "/api/v1/admin/debates/" + strconv.FormatInt(d.ID, 10)

	r = c.bearer(token, "PATCH", path, map[string]any{"publish_at": time.Now().Add(-time.Minute).Format(time.RFC3339), "title": ""})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	var e apiError
	r.json(t, &e)
	if e.Error.Fields["publish_at"] == "" || e.Error.Fields["title"] == "" {
		t.Errorf("fields %v, want publish_at and title", e.Error.Fields)
	}
	wantStatus(t, c.bearer(token, "PATCH", path, map[string]any{"text": "x"}), http.StatusBadRequest)
	wantStatus(t, c.bearer(token, "PATCH", "/api/v1/admin/debates/999", map[string]any{}), http.StatusNotFound)

	r = c.bearer(token, "PATCH", path, map[string]any{"status": "published", "accounts_only": true, "topics": []string{"rail", "climate"}})
	wantStatus(t, r, http.StatusOK)
	r.json(t, &d)
	if d.Status != "published" || d.PublishedAt == nil || !d.AccountsOnly || strings.Join(d.Topics, ",") != "climate,rail" || d.Title != "Night trains" {
		t.Errorf("patched %+v", d)
	}
	wantContains(t, c.get("/").body, "/debates/night-trains")

	// Feature a comment, then stop.
	stored := c.debateByID(t, d.ID)
	ana := c.comment(stored, 0, "Ana", "Cheaper beds, please.")
	r = c.bearer(token, "POST", path+"/questions", map[string]any{"comment": ana.ID, "framing": "Is Ana right?"})
	wantStatus(t, r, http.StatusCreated)
	var q apiAdminQuestion
	r.json(t, &q)
	if q.Comment == nil || q.Comment.ID != ana.ID || q.FramingHTML != "<p>Is Ana right?</p>" {
		t.Errorf("featured %+v", q)
	}
	wantStatus(t, c.bearer(token, "POST", path+"/questions", map[string]any{"comment": "/comments/" + strconv.FormatInt(ana.ID, 10)}), http.StatusConflict)
	r = c.bearer(token, "GET", path, nil)
	wantStatus(t, r, http.StatusOK)
	r.json(t, &d)
	if len(d.Questions) != 1 || d.Questions[0].ID != q.ID {
		t.Errorf("questions %+v", d.Questions)
	}
	wantContains(t, c.get("/debates/night-trains").body, "Is Ana right?")
	wantStatus(t, c.bearer(token, "DELETE", path+"/questions/"+strconv.FormatInt(q.ID, 10), nil), http.StatusNoContent)
	wantLacks(t, c.get("/debates/night-trains").body, "Is Ana right?")
	wantStatus(t, c.bearer(token, "DELETE", path+"/questions/"+strconv.FormatInt(q.ID, 10), nil), http.StatusNotFound)

	// Upload an image as the raw body, then as a form; use it as the hero.
	req, _ := http.NewRequest(http.MethodPost, c.http.URL+"/api/v1/admin/images?credit="+url.QueryEscape("Photo: API"), bytes.NewReader(jpegWithExif(t, "SECRET")))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "image/jpeg")
	r = c.do(http.DefaultClient, req)
	wantStatus(t, r, http.StatusCreated)
	var up apiUpload
	r.json(t, &up)
	if up.Credit != "Photo: API" || up.ContentType != "image/jpeg" || r.header.Get("Location") != up.URL {
		t.Errorf("uploaded %+v", up)
	}
	req = c.uploadRequest(t, "/api/v1/admin/images", []byte("GIF89a not really"), "Photo: X")
	req.Header.Set("Authorization", "Bearer "+token)
	wantStatus(t, c.do(http.DefaultClient, req), http.StatusUnprocessableEntity)
	req = c.uploadRequest(t, "/api/v1/admin/images", pngWithText(t, "x"), "Photo: Form")
	req.Header.Set("Authorization", "Bearer "+token)
	wantStatus(t, c.do(http.DefaultClient, req), http.StatusCreated)
	r = c.bearer(token, "GET", "/api/v1/admin/images", nil)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, "Photo: Form", "Photo: API")

	r = c.bearer(token, "PATCH", path, map[string]any{"image_url": up.URL})
	wantStatus(t, r, http.StatusOK)
	r.json(t, &d)
	if d.ImageURL != up.URL || d.ImageCredit != "Photo: API" {
		t.Errorf("hero %q credit %q, want the upload and its credit", d.ImageURL, d.ImageCredit)
	}

	// Schedule a draft.
	at := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	r = c.bearer(token, "POST", "/api/v1/admin/debates", map[string]any{"title": "Later", "question": "Q?", "publish_at": at.Format(time.RFC3339)})
	wantStatus(t, r, http.StatusCreated)
	r.json(t, &d)
	if d.Status != "draft" || d.PublishAt == nil || !d.PublishAt.Equal(at) {
		t.Errorf("scheduled %+v", d)
	}
	wantStatus(t, c.bearer(token, "POST", "/api/v1/admin/debates", map[string]any{"title": "Later", "question": "Q?"}), http.StatusConflict)
	r = c.bearer(token, "GET", "/api/v1/admin/debates?per_page=1", nil)
	wantStatus(t, r, http.StatusOK)
	var list apiAdminDebateList
	r.json(t, &list)
	if list.Total != 2 || len(list.Debates) != 1 {
		t.Errorf("list: total %d, %d debates", list.Total, len(list.Debates))
	}

	// Experts and partners.
	r = c.bearer(token, "POST", "/api/v1/admin/experts", map[string]any{"name": "Maria Costa", "bio_md": "*Logistics*", "contact_email": "m@example.org"})
	wantStatus(t, r, http.StatusCreated)
	var ex apiAdminExpert
	r.json(t, &ex)
	r = c.bearer(token, "PATCH", "/api/v1/admin/experts/"+strconv.FormatInt(ex.ID, 10), map[string]any{"title": "Professor", "portrait_url": "javascript:x"})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	r.json(t, &e)
	if e.Error.Fields["portrait_url"] == "" {
		t.Errorf("fields %v, want portrait_url", e.Error.Fields)
	}
	r = c.bearer(token, "PATCH", "/api/v1/admin/experts/"+strconv.FormatInt(ex.ID, 10), map[string]any{"title": "Professor"})
	wantStatus(t, r, http.StatusOK)
	r.json(t, &ex)
	if ex.Title != "Professor" || ex.BioHTML != "<p><em>Logistics</em></p>" || ex.ContactEmail != "m@example.org" {
		t.Errorf("expert %+v", ex)
	}
	wantStatus(t, c.bearer(token, "GET", "/api/v1/admin/experts", nil), http.StatusOK)
	r = c.bearer(token, "POST", "/api/v1/admin/partners", map[string]any{"name": "City Radio", "url": "https://radio.example.org"})
	wantStatus(t, r, http.StatusCreated)
	var p apiPartner
	r.json(t, &p)
	ppath := "/api/v1/admin/partners/" + strconv.FormatInt(p.ID, 10)
	wantStatus(t, c.bearer(token, "PATCH", ppath, map[string]any{"name": "Radio"}), http.StatusOK)
	wantStatus(t, c.bearer(token, "DELETE", ppath, nil), http.StatusNoContent)
	r = c.bearer(token, "GET", "/api/v1/admin/partners", nil)
	wantStatus(t, r, http.StatusOK)
	wantLacks(t, r.body, "Radio")
}

func TestConsoleTokensAreShownOnceAndRevocable(t *testing.T) {
	c := newConsole(t)
	r := c.postForm(c.ed, "/admin/tokens", url.Values{"name": {""}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.body, `id="name-problem">Name the token`)

	r = c.postForm(c.ed, "/admin/tokens", url.Values{"name": {"Newsroom CMS"}})
	wantStatus(t, r, http.StatusCreated)
	token := regexp.MustCompile(`value="(pk_[A-Za-z0-9_-]+)"`).FindStringSubmatch(r.body)
	if token == nil {
		t.Fatalf("the page does not show the new token:\n%s", r.body)
	}
	wantContains(t, r.body, "it is shown only this once", "Newsroom CMS", token[1][:10]+"…")
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	wantLacks(t, c.getAs(c.ed, "/admin/tokens").body, token[1])

	wantStatus(t, c.bearer(token[1], "GET", "/api/v1/admin/debates", nil), http.StatusOK)
	tokens, _ := c.store.APITokens(context.Background(), c.editor.ID)
	if len(tokens) != 1 || tokens[0].LastUsedAt.IsZero() {
		t.Fatalf("tokens %+v, want one, used", tokens)
	}
	wantStatus(t, c.postForm(c.ed, "/admin/tokens/"+strconv.FormatInt(tokens[0].ID, 10)+"/revoke", nil), http.StatusSeeOther)
	wantContains(t, c.getAs(c.ed, "/admin/tokens").body, "Revoked")
	wantStatus(t, c.bearer(token[1], "GET", "/api/v1/admin/debates", nil), http.StatusUnauthorized)

	// Another editor cannot revoke this editor's tokens.
	_, other := c.account("Otto", parley.RoleEditor)
	wantStatus(t, c.postForm(other, "/admin/tokens/"+strconv.FormatInt(tokens[0].ID, 10)+"/revoke", nil), http.StatusNotFound)
}

func TestConsoleIsForEditors(t *testing.T) {
	c := newConsole(t)
	participant, browser := c.account("Pat", parley.RoleParticipant)
	moderator, _ := c.account("Mo", parley.RoleModerator)
	admin, adminBrowser := c.account("Ada", parley.RoleAdmin)

	r := c.get("/admin")
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/signin?next=%2Fadmin" {
		t.Errorf("anonymous: redirected to %q", loc)
	}
	wantStatus(t, c.postForm(c.reader, "/admin/debates", debateValues("save", "T", "Q", "")), http.StatusUnauthorized)
	wantStatus(t, c.api("GET", "/api/v1/admin/debates", nil), http.StatusUnauthorized)
	wantStatus(t, c.getAs(browser, "/admin"), http.StatusForbidden)
	wantStatus(t, c.getAs(browser, "/admin/images"), http.StatusForbidden)
	wantStatus(t, c.postForm(browser, "/admin/debates", debateValues("save", "T", "Q", "")), http.StatusForbidden)
	wantStatus(t, c.bearer(c.apiToken(participant), "GET", "/api/v1/admin/debates", nil), http.StatusForbidden)
	wantStatus(t, c.bearer(c.apiToken(moderator), "POST", "/api/v1/admin/debates", map[string]any{"title": "T", "question": "Q"}), http.StatusForbidden)
	if _, total, _ := c.store.Debates(context.Background(), parley.DebateFilter{}); total != 0 {
		t.Error("a refused request stored a debate")
	}
	wantStatus(t, c.getAs(adminBrowser, "/admin"), http.StatusOK)
	wantStatus(t, c.bearer(c.apiToken(admin), "GET", "/api/v1/admin/experts", nil), http.StatusOK)
	wantStatus(t, c.bearer("pk_not-a-token", "GET", "/api/v1/admin/debates", nil), http.StatusUnauthorized)
}
