package web

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/parley-org/parley"
)

func TestHomeListsPublicDebatesNewestFirst(t *testing.T) {
	s := newSite(t, Config{})
	s.debate("older", parley.DebatePublished, false)
	closed := s.debate("finished", parley.DebateClosed, false)
	s.debate("secret-draft", parley.DebateDraft, false)
	s.comment(closed, 0, "Ana", "First!")
	r := s.get("/")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, "/debates/older", "/debates/finished", "What should older do?", "1 comment", "0 comments", "Closed", "Open for comments")
	wantLacks(t, r.body, "secret-draft")
	if strings.Index(r.body, "/debates/finished") > strings.Index(r.body, "/debates/older") {
		t.Errorf("the newer debate must come first")
	}
	wantStatus(t, s.get("/?page=9"), http.StatusNotFound)
	wantStatus(t, s.get("/debates/secret-draft"), http.StatusNotFound)
}

func TestHomePages(t *testing.T) {
	s := newSite(t, Config{})
	for i := 0; i < debatesPerPage+3; i++ {
		s.debate(fmt.Sprintf("d%02d", i), parley.DebatePublished, false)
	}
	first := s.get("/")
	wantContains(t, first.body, "Page 1 of 2", `href="/?page=2"`)
	second := s.get("/?page=2")
	wantStatus(t, second, http.StatusOK)
	if n := strings.Count(second.body, `class="debate-card"`); n != 3 {
		t.Errorf("second page shows %d debates, want 3", n)
	}
}

func TestDebatePageShowsArticleQuestionsAndThread(t *testing.T) {
	s := newSite(t, Config{})
	ctx := context.Background()
	d := s.debate("cars", parley.DebatePublished, false)
	c := s.comment(d, 0, "Zofia", "Trams *first*, then fewer cars.")
	s.comment(d, c.ID, "Malte", "Trams cost a fortune.")
	e := &parley.Expert{Slug: "expert", Name: "Dr Ines Okafor", Title: "Transport economist", Affiliation: "Institute of Streets", PortraitURL: "/media/p.svg"}
	if err := s.store.SaveExpert(ctx, e); err != nil {
		t.Fatal(err)
	}
	q := &parley.Question{DebateID: d.ID, CommentID: c.ID, FramingMD: "Zofia says trams first.", FramingHTML: "<p>Zofia says trams first. Is she right?</p>"}
	if err := s.store.AddQuestion(ctx, q); err != nil {
		t.Fatal(err)
	}
	a := &parley.Answer{QuestionID: q.ID, ExpertID: e.ID, LeadIn: "What would she say?", BodyHTML: "<p>Trams pay back in twenty years.</p>", BodyMD: "x", Status: parley.AnswerPublished}
	if err := s.store.AddAnswer(ctx, a); err != nil {
		t.Fatal(err)
	}
	s.srv.Invalidate(d.ID)
	r := s.get("/debates/cars")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body,
		"<h1>Debate cars</h1>", "What should cars do?", "An article about cars.",
		"Zofia says trams first. Is she right?", `href="/comments/`+strconv.FormatInt(c.ID, 10)+`"`,
		"What would she say?", "Dr Ines Okafor", "Transport economist, Institute of Streets", "Trams pay back in twenty years.",
		`id="answer-`+strconv.FormatInt(a.ID, 10)+`"`, "2 comments", `<form class="comment-form"`,
		"Your email address will never be shown", `id="comment-`+strconv.FormatInt(c.ID, 10)+`"`, "Trams <em>first</em>",
		`href="/debates/cars#comment-`+strconv.FormatInt(c.ID, 10)+`"`, "/privacy")
	// The answer sits under the comment it answers, before that comment's replies.
	answerAt := strings.Index(r.body, `class="expert-answer"`)
	if answerAt < strings.Index(r.body, `id="comment-`+strconv.FormatInt(c.ID, 10)+`"`) || answerAt > strings.Index(r.body, "Trams cost a fortune.") {
		t.Errorf("the expert answer is not between the comment and its replies")
	}
}

func TestPostCommentThroughTheForm(t *testing.T) {
	s := newSite(t, Config{})
	s.debate("cars", parley.DebatePublished, false)
	// Ana has commented before: her link is not held as a newcomer's would be.
	s.debate("earlier", parley.DebatePublished, false)
	s.post(newBrowser(), "earlier", formValues("Ana Lima", "ana@example.org", "Buses!"))
	r := s.postForm(s.reader, "/debates/cars/comments", formValues("Ana Lima", "ana@example.org", "Buses are *cheaper*. See https://example.org/study"))
	wantStatus(t, r, http.StatusSeeOther)
	loc := r.header.Get("Location")
	if !regexp.MustCompile(`^/debates/cars#comment-\d+$`).MatchString(loc) {
		t.Fatalf("redirect to %q, want /debates/cars#comment-N", loc)
	}
	page := s.get("/debates/cars")
	wantContains(t, page.body, "Ana Lima", "Buses are <em>cheaper</em>", `rel="nofollow ugc noopener"`, "1 comment")
	wantLacks(t, page.body, "ana@example.org")

	// Posting the same form again (refresh, back button) does not duplicate it.
	again := s.postForm(s.reader, "/debates/cars/comments", formValues("Ana Lima", "ana@example.org", "Buses are *cheaper*. See https://example.org/study"))
	wantStatus(t, again, http.StatusSeeOther)
	if again.header.Get("Location") != loc {
		t.Errorf("resubmission went to %q, want the first comment %q", again.header.Get("Location"), loc)
	}
	if n := strings.Count(s.get("/debates/cars").body, "Buses are <em>cheaper</em>"); n != 1 {
		t.Errorf("comment shown %d times, want 1", n)
	}
}

func TestInvalidCommentKeepsTextAndExplains(t *testing.T) {
	s := newSite(t, Config{MaxCommentLen: 50})
	s.debate("cars", parley.DebatePublished, false)
	cases := []struct {
		name   string
		form   url.Values
		fields []string
	}{
		{"all missing", formValues("", "", ""), []string{"Please give a name", "Please give your email address", "Please write a comment"}},
		{"bad email", formValues("Ana", "not-an-email", "<b>bold</b> claim & more"), []string{"does not look like an email address"}},
		{"too long", formValues(strings.Repeat("n", 81), "a@example.org", strings.Repeat("word ", 20)), []string{"longer than 80 characters", "the limit is 50"}},
		{"invalid utf-8", formValues("Ana", "a@example.org", "bad \xff\xfe bytes"), []string{"not valid UTF-8"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := s.postForm(s.reader, "/debates/cars/comments", tc.form)
			wantStatus(t, r, http.StatusUnprocessableEntity)
			wantContains(t, r.body, tc.fields...)
			wantContains(t, r.body, `aria-invalid="true"`, "your text is kept")
			if b := tc.form.Get("body"); b != "" && strings.ToValidUTF8(b, "") == b {
				// What the reader typed comes back, escaped.
				wantContains(t, r.body, strings.NewReplacer("<", "&lt;", ">", "&gt;", "&", "&amp;").Replace(b))
			}
		})
	}
	d, _ := s.store.DebateBySlug(context.Background(), "cars")
	if d.CommentCount != 0 {
		t.Errorf("comment count %d after refused posts, want 0", d.CommentCount)
	}
}

func TestControlCharactersAreStripped(t *testing.T) {
	s := newSite(t, Config{})
	s.debate("cars", parley.DebatePublished, false)
	wantStatus(t, s.postForm(s.reader, "/debates/cars/comments", formValues("An\x00a\u202e", "a@example.org", "Hello\x07 there\r\nfriend")), http.StatusSeeOther)
	page := s.get("/debates/cars")
	wantContains(t, page.body, `>Ana</span>`, "Hello there<br>")
	wantLacks(t, page.body, "\x07", "\x00", "\u202e")
}

func TestOversizedBodyIsRefused(t *testing.T) {
	s := newSite(t, Config{})
	s.debate("cars", parley.DebatePublished, false)
	r := s.postForm(s.reader, "/debates/cars/comments", formValues("Ana", "a@example.org", strings.Repeat("x", 70_000)))
	wantStatus(t, r, http.StatusRequestEntityTooLarge)
	wantContains(t, r.body, "larger than this site accepts")
}

func TestClosedDebateRefusesComments(t *testing.T) {
	s := newSite(t, Config{})
	d := s.debate("old", parley.DebateClosed, false)
	c := s.comment(d, 0, "Ana", "Before it closed.") // imports may add to closed debates
	_ = c
	page := s.get("/debates/old")
	wantContains(t, page.body, "This debate is closed")
	wantLacks(t, page.body, `<form class="comment-form"`, `class="reply"`)
	r := s.postForm(s.reader, "/debates/old/comments", formValues("Ben", "b@example.org", "Too late? My careful thoughts."))
	wantStatus(t, r, http.StatusConflict)
	wantContains(t, r.body, "closed and no longer takes comments", "My careful thoughts.", "readonly")
}

func TestUnreadableFormIsABadRequestNotAnError(t *testing.T) {
	s := newSite(t, Config{})
	s.debate("cars", parley.DebatePublished, false)
	req, _ := http.NewRequest("POST", s.http.URL+"/debates/cars/comments", strings.NewReader("body=%zz&author_name=A"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r := s.do(s.reader, req)
	wantStatus(t, r, http.StatusBadRequest)
	wantLacks(t, s.logs.String(), "level=ERROR")
}

func TestCannotReplyToSomeoneElsesHeldComment(t *testing.T) {
	s := newSite(t, Config{})
	s.debate("held", parley.DebatePublished, true)
	wantStatus(t, s.postForm(s.reader, "/debates/held/comments", formValues("Ana", "a@example.org", "Held one")), http.StatusSeeOther)
	mine, err := s.store.PendingComments(context.Background(), 1, []int64{1})
	if err != nil || len(mine) != 1 {
		t.Fatalf("pending comment not found: %v", err)
	}
	id := strconv.FormatInt(mine[0].ID, 10)
	stranger := newBrowser()
	r := s.postForm(stranger, "/debates/held/comments", url.Values{"parent_id": {id}, "author_name": {"Ben"}, "author_email": {"b@example.org"}, "body": {"Sneaky reply"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.body, "no longer available", "Sneaky reply")
	// Its author may answer it.
	wantStatus(t, s.postForm(s.reader, "/debates/held/comments", url.Values{"parent_id": {id}, "author_name": {"Ana"}, "author_email": {"a@example.org"}, "body": {"Adding to it"}}), http.StatusSeeOther)
}

func TestWritesOutsideTheWebLayerReachCachedPages(t *testing.T) {
	s := newSite(t, Config{})
	d := s.debate("cars", parley.DebatePublished, false)
	c := s.comment(d, 0, "Ana", "Visible for now")
	for i := 0; i < 3; i++ {
		wantContains(t, s.get("/debates/cars").body, "Visible for now")
	}
	// A moderator's decision goes through the store, not a web handler.
	if err := s.store.SetCommentStatus(context.Background(), c.ID, parley.CommentSpam); err != nil {
		t.Fatal(err)
	}
	wantLacks(t, s.get("/debates/cars").body, "Visible for now")
	d.Status = parley.DebateClosed
	if _, err := s.store.SaveDebate(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	wantContains(t, s.get("/debates/cars").body, "This debate is closed")
}

func TestUnknownPagesAreRealNotFound(t *testing.T) {
	s := newSite(t, Config{})
	for _, path := range []string{"/debates/nope", "/comments/999", "/comments/abc", "/nothing-here", "/debates/nope/comments/1/reply"} {
		r := s.get(path)
		wantStatus(t, r, http.StatusNotFound)
		wantContains(t, r.body, "<title>Page not found")
	}
	wantStatus(t, s.postForm(s.reader, "/debates/nope/comments", formValues("A", "a@example.org", "x")), http.StatusNotFound)
}

func TestReplyWithoutJavaScript(t *testing.T) {
	s := newSite(t, Config{})
	d := s.debate("cars", parley.DebatePublished, false)
	parent := s.comment(d, 0, "Ana", "Parent text here.")
	id := strconv.FormatInt(parent.ID, 10)
	page := s.get("/debates/cars")
	wantContains(t, page.body, `href="/debates/cars/comments/`+id+`/reply#reply-form"`)

	form := s.get("/debates/cars/comments/" + id + "/reply")
	wantStatus(t, form, http.StatusOK)
	wantContains(t, form.body, "Reply to Ana", "Parent text here.", `name="parent_id" value="`+id+`"`)

	bad := s.postForm(s.reader, "/debates/cars/comments", url.Values{"parent_id": {id}, "author_name": {"Ben"}, "author_email": {"nope"}, "body": {"My reply"}})
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	wantContains(t, bad.body, "Reply to Ana", "My reply", "does not look like an email")

	ok := s.postForm(s.reader, "/debates/cars/comments", url.Values{"parent_id": {id}, "author_name": {"Ben"}, "author_email": {"b@example.org"}, "body": {"My reply"}})
	wantStatus(t, ok, http.StatusSeeOther)
	page = s.get("/debates/cars")
	li := page.body[strings.Index(page.body, `id="comment-`+id+`"`):]
	if !strings.Contains(li[:strings.Index(li, "</li></ol>")+1], "My reply") {
		t.Errorf("the reply is not nested under its parent")
	}
}

func TestReplyToAVanishedCommentKeepsTheText(t *testing.T) {
	s := newSite(t, Config{})
	d := s.debate("cars", parley.DebatePublished, false)
	parent := s.comment(d, 0, "Ana", "Soon gone.")
	if err := s.store.SetCommentStatus(context.Background(), parent.ID, parley.CommentTrash); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // the second time must explain as well as the first
		r := s.postForm(s.reader, "/debates/cars/comments", url.Values{"parent_id": {strconv.FormatInt(parent.ID, 10)},
			"author_name": {"Ben"}, "author_email": {"b@example.org"}, "body": {"My careful reply"}})
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantContains(t, r.body, "no longer available", "My careful reply")
	}
	// After the form's refusals, the API still names the field.
	api := s.api("POST", "/api/v1/debates/cars/comments", map[string]any{"author_name": "Ben", "author_email": "b@example.org", "body": "x", "parent_id": parent.ID})
	wantStatus(t, api, http.StatusUnprocessableEntity)
	wantContains(t, api.body, `"parent_id"`)
}

func TestDeepRepliesSitBesideTheirParent(t *testing.T) {
	s := newSite(t, Config{MaxDepth: 2})
	d := s.debate("cars", parley.DebatePublished, false)
	a := s.comment(d, 0, "Ana", "level one")
	b := s.comment(d, a.ID, "Ben", "level two")
	s.comment(d, b.ID, "Cleo", "would be level three")
	page := s.get("/debates/cars")
	wantContains(t, page.body, `in reply to <a href="#comment-`+strconv.FormatInt(b.ID, 10)+`">Ben</a>`)
	if strings.Count(page.body, `<ol class="thread">`) != 2 {
		t.Errorf("got %d nested lists, want 2 (depth capped at 2)", strings.Count(page.body, `<ol class="thread">`))
	}
}

func TestHeldCommentIsShownToItsAuthorOnly(t *testing.T) {
	s := newSite(t, Config{})
	s.debate("held", parley.DebatePublished, true)
	r := s.postForm(s.reader, "/debates/held/comments", formValues("Ana", "a@example.org", "Please approve me."))
	wantStatus(t, r, http.StatusSeeOther)
	mine := s.get("/debates/held")
	wantContains(t, mine.body, "Please approve me.", "Awaiting moderation", "0 comments")
	stranger := s.getAs(newBrowser(), "/debates/held")
	wantLacks(t, stranger.body, "Please approve me.")
	// A tampered cookie shows nothing.
	u, _ := url.Parse(s.http.URL)
	jar := newBrowser()
	jar.Jar.SetCookies(u, []*http.Cookie{{Name: pendingCookie, Value: "1.2.3~forged"}})
	wantLacks(t, s.getAs(jar, "/debates/held").body, "Please approve me.")

	// Once a moderator approves it, the browser forgets it and reads the
	// shared pages again.
	held, _ := s.store.DebateBySlug(context.Background(), "held")
	page, _ := s.store.Threads(context.Background(), parley.CommentFilter{DebateID: held.ID})
	if len(page.Comments) != 0 {
		t.Fatalf("a held comment is in the public thread")
	}
	ids := s.srv.pendingIDs(func() *http.Request {
		req, _ := http.NewRequest("GET", s.http.URL, nil)
		for _, c := range s.reader.Jar.Cookies(req.URL) {
			req.AddCookie(c)
		}
		return req
	}())
	if len(ids) != 1 {
		t.Fatalf("the browser remembers %d pending comments, want 1", len(ids))
	}
	if err := s.store.SetCommentStatus(context.Background(), ids[0], parley.CommentApproved); err != nil {
		t.Fatal(err)
	}
	approved := s.get("/debates/held")
	wantContains(t, approved.body, "Please approve me.", "1 comment")
	wantLacks(t, approved.body, "Awaiting moderation")
	if left := s.reader.Jar.Cookies(u); len(left) != 0 {
		t.Errorf("the pending cookie is still there after approval: %v", left)
	}
}

func TestSortAndCursorPages(t *testing.T) {
	s := newSite(t, Config{ThreadsPerPage: 2})
	d := s.debate("cars", parley.DebatePublished, false)
	var ids []int64
	for i := 0; i < 5; i++ {
		c := s.comment(d, 0, fmt.Sprintf("Person%d", i), fmt.Sprintf("Comment number %d", i))
		ids = append(ids, c.ID)
	}
	first := s.get("/debates/cars")
	wantContains(t, first.body, "Comment number 0", "Comment number 1", "More comments")
	wantLacks(t, first.body, "Comment number 2")
	next := regexp.MustCompile(`href="(/debates/cars\?after=\d+)#comments"`).FindStringSubmatch(first.body)
	if next == nil {
		t.Fatal("no link to the next page")
	}
	second := s.get(next[1])
	wantContains(t, second.body, "Comment number 2", "Comment number 3", "First comments")
	// Permalinks on later pages carry the page.
	wantContains(t, second.body, `href="/debates/cars?after=`+strconv.FormatInt(ids[1], 10)+`#comment-`+strconv.FormatInt(ids[2], 10)+`"`)
	newest := s.get("/debates/cars?sort=newest")
	if strings.Index(newest.body, "Comment number 4") > strings.Index(newest.body, "Comment number 3") || strings.Contains(newest.body, "Comment number 2") {
		t.Errorf("newest first: want 4 then 3 on the first page")
	}
	// The permalink route finds the page that holds an old comment.
	r := s.get("/comments/" + strconv.FormatInt(ids[4], 10))
	wantStatus(t, r, http.StatusFound)
	if want := "/debates/cars?after=" + strconv.FormatInt(ids[3], 10) + "#comment-" + strconv.FormatInt(ids[4], 10); r.header.Get("Location") != want {
		t.Errorf("permalink redirect %q, want %q", r.header.Get("Location"), want)
	}
}

func TestEmailNeverAppears(t *testing.T) {
	s := newSite(t, Config{})
	s.debate("cars", parley.DebatePublished, false)
	const email = "very.private.person@example.org"
	wantStatus(t, s.postForm(s.reader, "/debates/cars/comments", formValues("Private", email, "Hello")), http.StatusSeeOther)
	r := s.api("POST", "/api/v1/debates/cars/comments", map[string]any{"author_name": "Api", "author_email": "api." + email, "body": "Hi"})
	wantStatus(t, r, http.StatusCreated)
	wantLacks(t, r.body, email)
	for _, path := range []string{"/", "/debates/cars", "/debates/cars?sort=newest", "/debates/cars/comments.atom", "/feeds/debates.atom",
		"/api/v1/debates", "/api/v1/debates/cars", "/api/v1/debates/cars/comments", "/comments/1", "/api/v1/comments/1"} {
		wantLacks(t, s.get(path).body, email, "very.private")
	}
	wantLacks(t, s.logs.String(), email, "very.private")
}

func TestCommentMarkdownIsSanitised(t *testing.T) {
	s := newSite(t, Config{})
	s.debate("cars", parley.DebatePublished, false)
	body := "<script>alert(1)</script>\n\n[click](javascript:alert(1)) ![img](https://example.org/x.png) [ok](https://example.org)"
	wantStatus(t, s.postForm(s.reader, "/debates/cars/comments", formValues(`<img src=x onerror=alert(1)>`, "a@example.org", body)), http.StatusSeeOther)
	page := s.get("/debates/cars")
	wantLacks(t, page.body, "<script>alert", "javascript:", "<img src=x", `<img src="https://example.org/x.png"`)
	wantContains(t, page.body, "&lt;img src=x onerror=alert(1)&gt;", `<a href="https://example.org" rel="nofollow ugc noopener">ok</a>`)
}

func TestAtomFeeds(t *testing.T) {
	s := newSite(t, Config{})
	d := s.debate("cars", parley.DebatePublished, false)
	s.comment(d, 0, "Ana", "First *thought*.")
	s.comment(d, 0, "Ben", "Second thought.")
	type feed struct {
		Title   string `xml:"title"`
		Entries []struct {
			Title  string `xml:"title"`
			Author string `xml:"author>name"`
			Link   struct {
				Href string `xml:"href,attr"`
			} `xml:"link"`
		} `xml:"entry"`
	}
	r := s.get("/debates/cars/comments.atom")
	wantStatus(t, r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
		t.Errorf("content type %q", ct)
	}
	var f feed
	if err := xml.Unmarshal([]byte(r.body), &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Entries) != 2 || f.Entries[0].Author != "Ben" || !strings.Contains(f.Entries[1].Title, "First thought.") {
		t.Fatalf("got %+v, want Ben's then Ana's comment", f.Entries)
	}
	r = s.get("/feeds/debates.atom")
	f = feed{}
	if err := xml.Unmarshal([]byte(r.body), &f); err != nil || len(f.Entries) != 1 || f.Entries[0].Link.Href != s.http.URL+"/debates/cars" {
		t.Fatalf("debates feed: %v %+v", err, f.Entries)
	}
	wantStatus(t, s.get("/debates/nope/comments.atom"), http.StatusNotFound)
}

func TestCachedPagesChangeAfterAPost(t *testing.T) {
	s := newSite(t, Config{})
	s.debate("cars", parley.DebatePublished, false)
	for i := 0; i < 3; i++ { // fill the cache
		wantLacks(t, s.get("/debates/cars").body, "Fresh news")
		wantLacks(t, s.get("/api/v1/debates/cars/comments").body, "Fresh news")
	}
	first := s.get("/debates/cars")
	if first.header.Get("ETag") == "" {
		t.Fatal("a cached page has no ETag")
	}
	req, _ := http.NewRequest("GET", s.http.URL+"/debates/cars", nil)
	req.Header.Set("If-None-Match", first.header.Get("ETag"))
	wantStatus(t, s.do(s.reader, req), http.StatusNotModified)

	wantStatus(t, s.api("POST", "/api/v1/debates/cars/comments", map[string]any{"author_name": "A", "author_email": "a@example.org", "body": "Fresh news"}), http.StatusCreated)
	wantContains(t, s.get("/debates/cars").body, "Fresh news", "1 comment")
	wantContains(t, s.get("/api/v1/debates/cars/comments").body, "Fresh news")
	wantContains(t, s.get("/").body, "1 comment")
}

func TestSecurityHeadersAndCrossOriginPosts(t *testing.T) {
	s := newSite(t, Config{})
	s.debate("cars", parley.DebatePublished, false)
	r := s.get("/debates/cars")
	for h, want := range map[string]string{
		"Content-Security-Policy": "script-src 'self'", "X-Content-Type-Options": "nosniff",
		"Referrer-Policy": "strict-origin-when-cross-origin",
	} {
		if !strings.Contains(r.header.Get(h), want) {
			t.Errorf("%s = %q, want it to contain %q", h, r.header.Get(h), want)
		}
	}
	if !strings.Contains(r.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("no frame-ancestors in CSP")
	}
	wantLacks(t, r.body, "<script>", " onclick=", "style=\"")
	if r.header.Get("Strict-Transport-Security") != "" {
		t.Errorf("HSTS on plain http")
	}
	req, _ := http.NewRequest("POST", s.http.URL+"/debates/cars/comments", strings.NewReader(formValues("Evil", "e@example.org", "forged").Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	wantStatus(t, s.do(s.reader, req), http.StatusForbidden)
	wantLacks(t, s.get("/debates/cars").body, "forged")
}

func TestHealthMetricsAvatarsAndStatic(t *testing.T) {
	s := newSite(t, Config{})
	s.debate("cars", parley.DebatePublished, false)
	wantStatus(t, s.get("/healthz"), http.StatusOK)
	s.postForm(s.reader, "/debates/cars/comments", formValues("Ana", "a@example.org", "Counted"))
	wantContains(t, s.metrics(), `parley_http_requests_total{route="POST /debates/{slug}/comments",status="303"} 1`,
		`parley_comments_posted_total{status="approved"} 1`, "parley_http_request_duration_seconds_bucket")
	a1, a2 := s.get("/avatars/abc.svg"), s.get("/avatars/abc.svg")
	if a1.body != a2.body || !strings.HasPrefix(a1.body, "<svg") || a1.body == s.get("/avatars/abd.svg").body {
		t.Errorf("avatars must be SVG, stable per key and differ between keys")
	}
	css := s.get(staticURL("app.css"))
	wantStatus(t, css, http.StatusOK)
	if !strings.Contains(css.header.Get("Cache-Control"), "immutable") {
		t.Errorf("versioned static file not cached long: %q", css.header.Get("Cache-Control"))
	}
	wantStatus(t, s.get("/static/nope.css"), http.StatusNotFound)
	wantStatus(t, s.get("/media/..%2f..%2fetc%2fpasswd"), http.StatusNotFound)
	wantStatus(t, s.get("/media/0123456789abcdef0123456789abcdef.png"), http.StatusNotFound)
}

func TestThreadEscapesEverythingButTheSanitisedBody(t *testing.T) {
	var b strings.Builder
	for _, in := range []string{`<script>`, `"quoted" & 'single'`, "plain"} {
		var buf = new(bytesBuffer)
		escape(&buf.Buffer, in)
		b.WriteString(buf.String())
	}
	if got, want := b.String(), `&lt;script&gt;&#34;quoted&#34; &amp; &#39;single&#39;plain`; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// Formatting cannot blow a short comment up into a large page; links and
// escaped characters, which double or triple the text, still pass.
func TestCommentHTMLIsBounded(t *testing.T) {
	s := newSite(t, Config{})
	d := s.debate("bounded", parley.DebatePublished, false)
	for _, body := range []string{strings.Repeat(">", 4990) + "a", strings.Repeat("- - - - - a\n", 400)} {
		r := s.postForm(newBrowser(), "/debates/bounded/comments", formValues("Nester", "nest@example.org", body))
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantContains(t, r.body, "formatting (nested quotes or lists)", `value="Nester"`)
	}
	for _, body := range []string{strings.Repeat("https://example.org/a/b/c?d=e ", 160), strings.Repeat("<&> ", 1250)} {
		wantStatus(t, s.postForm(newBrowser(), "/debates/bounded/comments", formValues("Linker", "link@example.org", body)), http.StatusSeeOther)
	}
	comments, err := s.store.RecentComments(context.Background(), d.ID, 10)
	// The comment of links waits for a moderator (too many links): one is shown.
	if err != nil || len(comments) != 1 {
		t.Fatalf("comments %d, %v; want the one shown", len(comments), err)
	}
	for _, c := range comments {
		if len(c.BodyHTML) > maxCommentHTML(5000) {
			t.Errorf("comment %d renders to %d bytes", c.ID, len(c.BodyHTML))
		}
	}
}
