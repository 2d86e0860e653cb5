package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/markup"
	"github.com/parley-org/parley/internal/notify"
)

// FuzzSignedTokens: a token signed with a key verifies only with that key,
// unmodified, and only for the purpose it was made for; made-up input
// verifies only if it is exactly what the key would sign.
func FuzzSignedTokens(f *testing.F) {
	f.Add([]byte("a 32-byte secret for the cookies"), int64(42), int64(1767225600), uint16(5), "appeal.42.1767225600~AAAAAAAAAAAAAAAAAAAAAA")
	f.Add([]byte{}, int64(0), int64(-1), uint16(0), "")
	f.Add([]byte("k"), int64(-7), int64(1<<62), uint16(300), "~")
	f.Add([]byte(strings.Repeat("long key ", 20)), int64(9), int64(9), uint16(17), "form.9.9~x~y")
	f.Add([]byte("k"), int64(1), int64(2), uint16(1), "posted.1~")
	f.Fuzz(func(t *testing.T, key []byte, a, b int64, at uint16, junk string) {
		s := &Server{cookieKey: key}
		// Another key: one byte changed (HMAC pads short keys with zeros,
		// so "k" and "k\x00" would be one key).
		other := &Server{cookieKey: []byte("x")}
		if len(key) > 0 {
			other.cookieKey = slices.Clone(key)
			other.cookieKey[0] ^= 1
		}
		purposes := []string{"appeal", "answer", "form"}
		for _, p := range purposes {
			tok := s.signPair(p, a, b)
			if ga, gb, ok := s.verifyPair(p, tok); !ok || ga != a || gb != b {
				t.Fatalf("%s token %q reads %d, %d, %v; want %d, %d", p, tok, ga, gb, ok, a, b)
			}
			if _, _, ok := other.verifyPair(p, tok); ok {
				t.Fatalf("%s token %q verifies under another key", p, tok)
			}
			for _, q := range purposes {
				if _, _, ok := s.verifyPair(q, tok); ok && q != p {
					t.Fatalf("%s token %q verifies as a %s token", p, tok, q)
				}
			}
			if id := postedID(s, tok); id != 0 {
				t.Fatalf("%s token %q is taken as the comment just posted, %d", p, tok, id)
			}
			i, flip := int(at)%len(tok), byte(1+(at>>8)%255)
			for _, bad := range []string{tok[:i] + string(tok[i]^flip) + tok[i+1:], tok[:i], tok + "x", strings.ToUpper(tok)} {
				if _, _, ok := s.verifyPair(p, bad); ok && bad != tok {
					t.Fatalf("%s token %q, altered to %q, still verifies", p, tok, bad)
				}
			}
		}

		// A comment form's stamp works for its own debate only.
		shown := time.UnixMilli(b)
		stamp := s.formStamp(a, shown)
		if got, ok := s.formStarted(stamp, a); !ok || !got.Equal(shown) {
			t.Fatalf("stamp %q reads %v, %v; want %v", stamp, got, ok, shown)
		}
		if _, ok := s.formStarted(stamp, a+1); ok {
			t.Fatalf("stamp %q of debate %d works for debate %d", stamp, a, a+1)
		}
		if _, ok := other.formStarted(stamp, a); ok {
			t.Fatalf("stamp %q verifies under another key", stamp)
		}

		// The cookie naming the comment just posted.
		if a > 0 {
			posted := s.sign("posted", "posted."+strconv.FormatInt(a, 10))
			if id := postedID(s, posted); id != a {
				t.Fatalf("posted cookie %q reads %d, want %d", posted, id, a)
			}
			if id := postedID(other, posted); id != 0 {
				t.Fatalf("posted cookie %q verifies under another key", posted)
			}
			if _, _, ok := s.verifyPair("form", posted); ok {
				t.Fatalf("posted cookie %q passes as a form stamp", posted)
			}
		}

		// Made-up input.
		if v, ok := s.verify("pending", junk); ok && junk != s.sign("pending", v) {
			t.Fatalf("junk %q verifies as %q", junk, v)
		}
		for _, p := range purposes {
			if ga, gb, ok := s.verifyPair(p, junk); ok && junk != s.signPair(p, ga, gb) {
				t.Fatalf("junk %q verifies as a %s token of %d, %d", junk, p, ga, gb)
			}
		}
		if id := postedID(s, junk); id != 0 && junk != s.sign("posted", "posted."+strconv.FormatInt(id, 10)) {
			t.Fatalf("junk %q is taken as the comment just posted, %d", junk, id)
		}
		if ids := pendingIDs(s, junk); len(ids) > 0 {
			if v, _ := s.verify("pending", junk); junk != s.sign("pending", v) {
				t.Fatalf("junk %q is taken as a list of pending comments %v", junk, ids)
			}
		}
	})
}

func postedID(s *Server, value string) int64 {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(&http.Cookie{Name: postedCookie, Value: value})
	return s.postedID(r)
}

func pendingIDs(s *Server, value string) []int64 {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(&http.Cookie{Name: pendingCookie, Value: value})
	return s.pendingIDs(r)
}

// FuzzDecodeJSON: every API request body goes through decodeJSON. It
// refuses what is not one JSON value of known fields in valid UTF-8, with
// a parley.Error, and what it accepts reads back the same written out.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"author_name":"Ana","author_email":"ana@example.org","body":"Hi","parent_id":3,"notify_replies":true}`,
		`{"name":"Ana","email":"a@b.c","password":"correct horse battery"}`, `{"purpose":"reset","token":"x","password":"p"}`,
		`{"title":"T","topics":["a","b"],"publish_at":null,"status":"draft","hold_for_review":false}`,
		`{"publish_at":"2026-05-01T08:00:00Z"}`, `{"comment":123,"framing":"Ana argues"}`, `{"comment":"/comments/5"}`,
		`{"comment":{"a":1}}`, `{"comment":1e3}`, `{"by":"up"}`, `{"reason":"spam","detail":"x"}`,
		`{"email":"a@b.c","thread_id":5,"delivery":"daily"}`, `{"body":"x"} {"body":"y"}`, `{"body":"x"}   `,
		`{"Body":"case"}`, `{"body":"x","unknown":1}`, `{"body":"\ud800"}`, "{\"body\":\"\xff\"}", `[]`, `null`, ``,
		`{"parent_id":9223372036854775808}`, `{"parent_id":1.5}`, `{"body":"x","body":"y"}`,
	} {
		f.Add(s, "application/json")
	}
	f.Add(`{"body":"x"}`, "text/plain")
	f.Add(`{"body":"x"}`, "application/json; charset=utf-8")
	f.Add(`{"body":"x"}`, "application/json;;")
	f.Fuzz(func(t *testing.T, body, contentType string) {
		for _, v := range []any{
			&apiNewComment{}, &apiSignUpBody{}, &apiSignInBody{}, &apiUseLinkBody{}, &apiLinkBody{}, &apiEditBody{},
			&apiRoleBody{}, &apiDebateInput{}, &apiFeatureInput{}, &apiMoveBody{}, &apiTokenBody{}, &apiExpertInput{},
			&apiPartnerInput{}, &apiReport{}, &apiSubscribeBody{},
		} {
			r := httptest.NewRequest(http.MethodPost, "/api/v1/x", strings.NewReader(body))
			if contentType != "" {
				r.Header.Set("Content-Type", contentType)
			}
			err := decodeJSON(r, v)
			if err != nil {
				var pe *parley.Error
				if !errors.As(err, &pe) || pe.Code != parley.EBADREQUEST && pe.Code != parley.EINVALID || pe.Message == "" {
					t.Fatalf("decodeJSON(%q) into %T: %v is not a bad request", body, v, err)
				}
				continue
			}
			// It takes one JSON value, and nothing after it: not even a
			// stray closing bracket, "{}}{", before which Decoder.More is false.
			if !json.Valid([]byte(body)) {
				t.Fatalf("decodeJSON took %q, which is not one JSON value, into %T", body, v)
			}
			// Written out and read again, the value is the same (compared
			// written out: a raw publish_at that was absent reads back null).
			out, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("%T decoded from %q does not encode: %v", v, body, err)
			}
			again := reflect.New(reflect.TypeOf(v).Elem()).Interface()
			r2 := httptest.NewRequest(http.MethodPost, "/api/v1/x", bytes.NewReader(out))
			if err := decodeJSON(r2, again); err != nil {
				t.Fatalf("%T from %q, written as %s, does not read back: %v", v, body, out, err)
			}
			if out2, _ := json.Marshal(again); !bytes.Equal(out2, out) {
				t.Fatalf("%T from %q, written as %s, reads back as %s", v, body, out, out2)
			}
			if in, ok := v.(*apiDebateInput); ok {
				d := &parley.Debate{Status: parley.DebateDraft}
				in.apply(d, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
				if !d.PublishAt.IsZero() && d.PublishAt.Location() != time.UTC {
					t.Fatalf("publish_at %s kept as %v", in.PublishAt, d.PublishAt)
				}
			}
		}
	})
}

// FuzzCommentRef: what an editor pastes to name a comment (its number, its
// permalink or its place in a page) gives that comment, or 0.
func FuzzCommentRef(f *testing.F) {
	for _, s := range []string{
		"123", " 123 ", "/comments/123", "https://parley.example/comments/123/", "https://parley.example/debates/x?page=2#comment-123",
		"#comment-7", "comment-7", "0", "-5", "+5", "007", "9223372036854775808", "/comments/%31%32", "1e3", "", "%zz",
		"/comments/", "http://[::1/comments/5", "5#comment-6", "/comments/5#comment-", "１２３",
	} {
		f.Add(s, int64(123))
	}
	f.Fuzz(func(t *testing.T, ref string, id int64) {
		got := commentRef(ref)
		if got < 0 {
			t.Fatalf("commentRef(%q) = %d", ref, got)
		}
		if again := commentRef(ref); again != got {
			t.Fatalf("commentRef(%q) = %d, then %d", ref, got, again)
		}
		// Through the API, a string is read as pasted and a number as itself.
		var in apiFeatureInput
		js, _ := json.Marshal(map[string]string{"comment": ref})
		if err := json.Unmarshal(js, &in); err != nil || commentRef(string(in.Comment)) != got {
			t.Fatalf("API comment %s reads %q, %v", js, in.Comment, err)
		}
		if id <= 0 {
			return
		}
		n := strconv.FormatInt(id, 10)
		for _, form := range []string{n, " " + n + "\n", "/comments/" + n, "/comments/" + n + "/", "https://parley.example/comments/" + n,
			"https://parley.example/debates/a-b?page=3#comment-" + n, "/debates/x#comment-" + n} {
			if got := commentRef(form); got != id {
				t.Fatalf("commentRef(%q) = %d, want %d", form, got, id)
			}
		}
		var num apiFeatureInput
		if err := json.Unmarshal([]byte(`{"comment":`+n+`}`), &num); err != nil || commentRef(string(num.Comment)) != id {
			t.Fatalf("API comment %s reads %q, %v", n, num.Comment, err)
		}
	})
}

// FuzzThreadJSON holds the hand-written thread JSON to encoding/json:
// byte for byte the same, so valid JSON that decodes to the same values.
func FuzzThreadJSON(f *testing.F) {
	f.Add("Ána \"quoted\"", "<p>Hi \"there\"\n</p>", "k1", "cars", "http://example.org", "de", "email", "B", "42", []byte{0, 1, 1, 2, 9}, int64(1764151445123))
	f.Add("", "", "", "", "", "", "", "", "", []byte{}, int64(0))
	f.Add("\x00\x1f\x7f\u2028\u2029\b\f\t", "bad \xff byte <&>", "\\", "\"", "\u2028", "\xed\xa0\x80", "é", "\ufffd", "\xff", []byte{255, 3, 0, 7}, int64(-62135596800000))
	f.Add("a", "b", "c", "d", "e", "f", "g", "h", "i", []byte{5, 5, 5, 5, 5, 5}, int64(253402300799999))
	f.Fuzz(func(t *testing.T, name, body, avatar, slug, base, lang, source, replyTo, next string, shape []byte, ms int64) {
		srv := &Server{cfg: Config{BaseURL: base}}
		// Times come from the database as Unix milliseconds; encoding/json
		// refuses years past 9999, which no comment has.
		ms %= 250000000000000
		created := time.UnixMilli(ms).UTC()
		if created.Year() < 0 {
			created = time.UnixMilli(-ms).UTC()
		}
		if len(shape) > 24 {
			shape = shape[:24]
		}
		var comments []*parley.Comment
		answers := map[int64][]*parley.Answer{}
		for i, b := range shape {
			id := int64(i + 1)
			c := &parley.Comment{ID: id, RootID: id, AuthorName: name, AvatarKey: avatar, BodyHTML: body, Language: lang,
				Status: parley.CommentStatus(source), CreatedAt: created.Add(time.Duration(i) * time.Second)}
			// Each byte places its comment: under an earlier one, or at the top.
			if p := int64(b) % (id + 1); p > 0 && p < id {
				c.ParentID, c.ReplyToID, c.RootID, c.Depth = p, p, comments[p-1].RootID, comments[p-1].Depth+1
			}
			if b&1 == 1 {
				c.Source, c.UserID, c.ReplyToName = source, int64(b), replyTo
			}
			if b&2 == 2 {
				c.EditedAt = created.Add(time.Minute)
			}
			if b&4 == 4 {
				c.DeletedAt = created.Add(time.Hour)
			}
			if b&8 == 8 {
				answers[id] = []*parley.Answer{{ID: id, CommentID: id, LeadIn: replyTo, BodyHTML: body, PublishedAt: created,
					Expert: &parley.Expert{Slug: slug, Name: name}}}
			}
			comments = append(comments, c)
		}
		var cursor *string
		if len(shape)%2 == 1 {
			cursor = &next
		}
		nodes := parley.BuildThread(comments)
		want, err := marshalNoEscape(apiThreadPage{Comments: srv.apiTree(slug, nodes, answers), NextCursor: cursor, Total: len(comments)})
		if err != nil {
			t.Fatalf("encoding/json: %v", err)
		}
		want = append(want, '\n')
		j := &threadJSON{s: srv, slug: slug, answers: answers}
		got := j.appendPage(nil, nodes, cursor, len(comments))
		if !bytes.Equal(got, want) {
			t.Fatalf("thread JSON differs from encoding/json's\n got %s\nwant %s", got, want)
		}
		if !json.Valid(got) {
			t.Fatalf("thread JSON is not valid: %s", got)
		}
		var back, ref apiThreadPage
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("thread JSON does not decode: %v", err)
		}
		json.Unmarshal(want, &ref)
		if !reflect.DeepEqual(back, ref) {
			t.Fatalf("thread JSON decodes to %+v, encoding/json's to %+v", back, ref)
		}
	})
}

// FuzzRenderMentions: a comment's "@Name"s become links to the named
// comments, as renderComment writes them, without changing what readers
// read and without a link anywhere else than this site.
func FuzzRenderMentions(f *testing.F) {
	names := "Ana\nAna Lima\nJörg\nbob"
	for _, text := range []string{
		"@Ana Lima is right", "@ana, and @Jörg: yes", "mail me at x@bob", "`@Ana` in code, (@Jörg) out",
		"> @Ana said\n\n- @bob\n- [@Ana](https://x.example)", "**@Ana**", "@Ana_", "    @Ana in an indented block",
		"```\n@Ana\n```\n@bob", "[see @Ana]", "<@Ana>", "@Ana's point", "\\@Ana",
	} {
		f.Add(text, names)
	}
	f.Add("@x](https://evil.example) y", "x](https://evil.example)")
	f.Add("@*Ana* and @a_b_", "*Ana*\na_b_")
	const base = "https://parley.example"
	comments := markup.NewComments()
	f.Fuzz(func(t *testing.T, text, nameList string) {
		if !utf8.ValidString(text) {
			return // comments are refused unless valid UTF-8 before they are rendered
		}
		authors := map[string]int64{}
		for i, name := range strings.Split(nameList, "\n") {
			if name != "" && i < 20 {
				authors[name] = int64(i + 1)
			}
		}
		ms := notify.FindMentions(text, authors)
		plain := comments.Render(text)
		linked := comments.Render(notify.LinkMentions(text, base, ms))
		if len(ms) == 0 && linked != plain {
			t.Fatalf("no mentions in %q, but rendering changed", text)
		}
		// Readers read the same words, some of them now links. (Compared
		// without punctuation: a name such as "*Ana*" may show its stars
		// once it is a link. A link's Markdown shown as typed, in code or
		// in a reader's own link, adds the letters of its address.)
		if a, b := words(markup.PlainText(linked)), words(markup.PlainText(plain)); a != b {
			t.Fatalf("linking the mentions of %q changes what it reads:\n%q\n%q\n%s", text, b, a, linked)
		}
		// Every link leads to this site's comments or was in the text.
		for rest := linked; ; {
			i := strings.Index(rest, `href="`)
			if i < 0 {
				break
			}
			rest = rest[i+len(`href="`):]
			href, _, _ := strings.Cut(rest, `"`)
			if !strings.HasPrefix(href, base+"/comments/") && !strings.Contains(plain, `href="`+href+`"`) {
				t.Fatalf("%q renders a link to %q that the text did not have:\n%s", text, href, linked)
			}
		}
	})
}

// words is text without its spaces and ASCII punctuation.
func words(s string) string {
	return strings.Map(func(r rune) rune {
		if r <= ' ' || r < utf8.RuneSelf && strings.ContainsRune("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", r) {
			return -1
		}
		return r
	}, s)
}
