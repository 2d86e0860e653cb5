package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/markup"
	"github.com/parley-org/parley/internal/store"
)

// boardQuestion features a comment of the debate as a question.
func (c *console) boardQuestion(t *testing.T, d *parley.Debate, cm *parley.Comment, framing string) *parley.Question {
	t.Helper()
	ctx := context.Background()
	pos, err := c.store.NextQuestionPosition(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	q := &parley.Question{DebateID: d.ID, CommentID: cm.ID, Position: pos, FramingMD: framing, FramingHTML: markup.NewArticle().Render(framing)}
	if err := c.store.AddQuestion(ctx, q); err != nil {
		t.Fatal(err)
	}
	return q
}

func (c *console) boardExpert(t *testing.T, slug, name, title, email string) *parley.Expert {
	t.Helper()
	e := &parley.Expert{Slug: slug, Name: name, Title: title, ContactEmail: email}
	if err := c.store.CreateExpert(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	return e
}

func (c *console) boardSend(t *testing.T, q *parley.Question, e *parley.Expert) *parley.AnswerRequest {
	t.Helper()
	r, err := c.srv.sendQuestion(context.Background(), q.ID, e.ID, store.Actor{ID: c.editor.ID, Name: c.editor.Name})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (c *console) boardAnswer(t *testing.T, req *parley.AnswerRequest, body string) *store.AnswerDraft {
	t.Helper()
	a, err := c.store.SubmitAnswer(context.Background(), req.ID, body, markup.NewArticle().Render(body))
	if err == nil {
		// Read back as the editors' pages read it.
		a, err = c.store.AnswerByID(context.Background(), a.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// follow gets the page a post redirected to, as the editor.
func (c *console) follow(t *testing.T, r response) response {
	t.Helper()
	wantStatus(t, r, http.StatusSeeOther)
	page := c.getAs(c.ed, r.header.Get("Location"))
	wantStatus(t, page, http.StatusOK)
	return page
}

// wantWithin checks that what sits between from and to on the page holds wants.
func wantWithin(t *testing.T, body, from, to string, wants ...string) {
	t.Helper()
	i := strings.Index(body, from)
	j := strings.Index(body, to)
	if i < 0 || j < 0 || j < i {
		t.Fatalf("page lacks %q before %q", from, to)
	}
	wantContains(t, body[i:j], wants...)
}

func bid(n int64) string { return strconv.FormatInt(n, 10) }

func TestBoardShowsEachStage(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	d := c.debate("trams", parley.DebatePublished, false)
	ana := c.comment(d, 0, "Ana", "Trams are too slow.")
	ben := c.comment(d, 0, "Ben", "Buses are cheaper.")
	cem := c.comment(d, 0, "Cem", "Trams last longer.")
	dia := c.comment(d, 0, "Dia", "Nobody asked the drivers.")
	ines := c.boardExpert(t, "ines-okafor", "Ines Okafor", "Transport economist", "ines@example.org")
	omar := c.boardExpert(t, "omar-haddad", "Omar Haddad", "Urban planner", "omar@example.org")
	zoe := c.boardExpert(t, "zoe-brandt", "Zoe Brandt", "Historian", "")

	notSent := c.boardQuestion(t, d, ana, "Ana says trams are *too slow*. Are they?")
	awaiting := c.boardQuestion(t, d, ben, "Are buses cheaper?")
	answered := c.boardQuestion(t, d, cem, "Do trams last longer?")
	published := c.boardQuestion(t, d, dia, "Who asked the drivers?")

	waiting := c.boardSend(t, awaiting, ines)
	revoked := c.boardSend(t, awaiting, omar)
	if err := c.store.RevokeRequest(ctx, revoked.ID); err != nil {
		t.Fatal(err)
	}
	expired, err := c.store.SendQuestion(ctx, answered.ID, omar.ID, time.Now().Add(-time.Hour), store.Actor{ID: c.editor.ID})
	if err != nil {
		t.Fatal(err)
	}
	draft := c.boardAnswer(t, c.boardSend(t, answered, ines), "Trams last *forty* years.")
	live := c.boardAnswer(t, c.boardSend(t, published, ines), "Drivers were asked in 2019.")
	live.Status, live.LeadIn = parley.AnswerPublished, "What do we know?"
	if err := c.srv.saveAnswer(ctx, live); err != nil {
		t.Fatal(err)
	}

	board := "/admin/debates/" + bid(d.ID) + "/board"
	page := c.getAs(c.ed, board)
	wantStatus(t, page, http.StatusOK)
	b := page.body
	wantWithin(t, b, `id="stage-not-sent"`, `id="stage-awaiting"`, `id="question-`+bid(notSent.ID)+`"`,
		"Ana says trams are <em>too slow</em>. Are they?", "Trams are too slow.", "Ana")
	wantWithin(t, b, `id="stage-awaiting"`, `id="stage-answered"`, `id="question-`+bid(awaiting.ID)+`"`,
		"Ines Okafor", "Waiting</span>: sent just now; the link works until", `action="/admin/requests/`+bid(waiting.ID)+`/revoke"`,
		"Omar Haddad", "Withdrawn</span>: link withdrawn just now", "Send a fresh link",
		`<input type="hidden" name="expert_ids" value="`+bid(omar.ID)+`">`, "sent by Edith")
	wantWithin(t, b, `id="stage-answered"`, `id="stage-published"`, `id="question-`+bid(answered.ID)+`"`,
		"Draft answer</span> by Ines Okafor", `href="/admin/answers/`+bid(draft.ID)+`"`,
		"Expired</span>: link expired", `value="`+bid(expired.ExpertID)+`"`)
	wantWithin(t, b, `id="stage-published"`, `id="enter"`, `id="question-`+bid(published.ID)+`"`,
		"Published answer</span> by Ines Okafor", `under “What do we know?”`, `href="/admin/answers/`+bid(live.ID)+`"`)
	for _, q := range []*parley.Question{notSent, awaiting, answered, published} {
		if n := strings.Count(b, `id="question-`+bid(q.ID)+`"`); n != 1 {
			t.Errorf("question %d shows %d times", q.ID, n)
		}
	}
	// The expert without an address cannot be chosen, and says why; one who
	// answered cannot be asked again.
	wantContains(t, b, `id="send-`+bid(notSent.ID)+`-`+bid(zoe.ID)+`" name="expert_ids" value="`+bid(zoe.ID)+`" disabled`,
		"no contact address: add one on their expert page",
		`id="send-`+bid(answered.ID)+`-`+bid(ines.ID)+`" name="expert_ids" value="`+bid(ines.ID)+`" disabled`,
		"asked already: sending again replaces the link")
	wantLacks(t, b, `id="send-`+bid(notSent.ID)+`-`+bid(ines.ID)+`" name="expert_ids" value="`+bid(ines.ID)+`" disabled`)
	// The console's debate page links to the board.
	wantContains(t, c.getAs(c.ed, "/admin/debates/"+bid(d.ID)).body, `href="`+board+`">Editors' board</a>`)

	// Sending to several experts: the ones who can be reached get the
	// question, the others are named with the reason.
	send := "/admin/debates/" + bid(d.ID) + "/questions/" + bid(notSent.ID) + "/send"
	r := c.postForm(c.ed, send, url.Values{"expert_ids": {bid(ines.ID), bid(omar.ID), bid(zoe.ID)}})
	if loc := r.header.Get("Location"); !strings.HasPrefix(loc, board+"?") || !strings.HasSuffix(loc, "#question-"+bid(notSent.ID)) {
		t.Errorf("redirected to %q", loc)
	}
	page = c.follow(t, r)
	wantContains(t, page.body, `<p class="saved" role="status">Sent to Ines Okafor and Omar Haddad.</p>`,
		"Zoe Brandt has no contact address")
	wantWithin(t, page.body, `id="stage-awaiting"`, `id="stage-answered"`, `id="question-`+bid(notSent.ID)+`"`)
	bq, err := c.store.Board(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(bq[0].Requests) != 2 {
		t.Errorf("%d requests sent, want 2", len(bq[0].Requests))
	}
	page = c.follow(t, c.postForm(c.ed, send, url.Values{}))
	wantContains(t, page.body, "Choose the experts to send the question to.")
	wantStatus(t, c.postForm(c.ed, "/admin/debates/"+bid(d.ID)+"/questions/99999/send", url.Values{"expert_ids": {bid(ines.ID)}}), http.StatusNotFound)

	// A fresh link for the expired request.
	page = c.follow(t, c.postForm(c.ed, "/admin/debates/"+bid(d.ID)+"/questions/"+bid(answered.ID)+"/send", url.Values{"expert_ids": {bid(omar.ID)}}))
	wantContains(t, page.body, "Sent to Omar Haddad.")
	v, err := c.store.RequestView(ctx, expired.ID)
	if err != nil || v.Request.State(time.Now()) != parley.RequestWaiting {
		t.Errorf("the expired request after a fresh link: %v, %v", v, err)
	}

	// Withdrawing a link, then again.
	r = c.postForm(c.ed, "/admin/requests/"+bid(waiting.ID)+"/revoke", nil)
	if loc := r.header.Get("Location"); !strings.HasPrefix(loc, board+"?") {
		t.Errorf("redirected to %q", loc)
	}
	page = c.follow(t, r)
	wantContains(t, page.body, "Withdrew the link sent to Ines Okafor")
	if v, _ := c.store.RequestView(ctx, waiting.ID); v.Request.State(time.Now()) != parley.RequestRevoked {
		t.Errorf("the request is %s", v.Request.State(time.Now()))
	}
	page = c.follow(t, c.postForm(c.ed, "/admin/requests/"+bid(waiting.ID)+"/revoke", nil))
	wantContains(t, page.body, "This request is answered or revoked already.")
	wantStatus(t, c.postForm(c.ed, "/admin/requests/99999/revoke", nil), http.StatusNotFound)

	// A note is the server's own: a forged one shows nothing.
	wantLacks(t, c.getAs(c.ed, board+"?note=You+have+been+hacked").body, "You have been hacked")
}

func TestBoardPicksACommentFromTheDebate(t *testing.T) {
	c := newConsole(t)
	d := c.debate("ferries", parley.DebatePublished, false)
	other := c.debate("other", parley.DebatePublished, false)
	eva := c.comment(d, 0, "Eva", "Ferries should run at night.")
	elsewhere := c.comment(other, 0, "Finn", "Elsewhere.")
	board := "/admin/debates/" + bid(d.ID) + "/board"

	page := c.getAs(c.ed, board+"?pick="+bid(eva.ID))
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.body, "Add a comment to the questions", "Ferries should run at night.",
		`action="/admin/debates/`+bid(d.ID)+`/questions"`, `name="comment" value="`+bid(eva.ID)+`"`, `name="framing"`)
	wantContains(t, c.getAs(c.ed, board+"?pick="+bid(elsewhere.ID)).body, "belongs to another debate")
	wantContains(t, c.getAs(c.ed, board+"?pick=99999").body, "There is no comment number 99999.")

	wantStatus(t, c.postForm(c.ed, "/admin/debates/"+bid(d.ID)+"/questions", url.Values{"comment": {bid(eva.ID)}, "framing": {"Eva asks for night ferries."}}), http.StatusSeeOther)
	page = c.getAs(c.ed, board+"?pick="+bid(eva.ID))
	wantContains(t, page.body, "is a question already")
	wantWithin(t, page.body, `id="stage-not-sent"`, `id="stage-awaiting"`, "Eva asks for night ferries.")
}

func TestBoardEntersACommentOnAReadersBehalf(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	d := c.debate("bridges", parley.DebatePublished, false)
	path := "/admin/debates/" + bid(d.ID) + "/comments"
	board := "/admin/debates/" + bid(d.ID) + "/board"

	// Bad input comes back with everything kept and each problem beside its field.
	r := c.postForm(c.ed, path, url.Values{"author_name": {"  "}, "author_email": {"not-an-address"}, "source": {"pigeon"},
		"body": {"Kept *letter*"}, "feature": {"1"}, "framing": {"Kept framing"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.body, `id="author_name-problem">Give the reader&#39;s name`, `id="author_email-problem">This does not look like an email address.`,
		`id="source-problem">Say how the comment reached you.`, `value="not-an-address"`, ">Kept *letter*</textarea>", ">Kept framing</textarea>",
		`id="feature" name="feature" value="1" checked`, `id="author_name" name="author_name" value="" required maxlength="80" aria-describedby="author_name-help author_name-problem" aria-invalid="true" autofocus`)
	r = c.postForm(c.ed, path, url.Values{"author_name": {"Maria Keller"}, "source": {"post"}, "body": {""}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.body, `id="body-problem">Write or paste the reader&#39;s comment.`, `value="Maria Keller"`, `id="source-post" name="source" value="post" checked`)
	if n := c.debateByID(t, d.ID).CommentCount; n != 0 {
		t.Fatalf("%d comments stored after bad input", n)
	}

	// A letter without an address, made a question at once.
	form := url.Values{"author_name": {"Maria Keller"}, "author_email": {""}, "source": {"email"},
		"body": {"The old bridge carried *trams* once."}, "feature": {"1"}, "framing": {"Maria remembers **trams** on the bridge. Could they return?"}}
	r = c.postForm(c.ed, path, form)
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); !strings.HasPrefix(loc, board+"?") {
		t.Errorf("redirected to %q", loc)
	}
	page := c.follow(t, r)
	wantContains(t, page.body, "Entered Maria Keller&#39;s comment", "It is a question now")
	wantWithin(t, page.body, `id="stage-not-sent"`, `id="stage-awaiting"`, "Maria Keller", "sent in by email",
		"Maria remembers <strong>trams</strong> on the bridge.")

	qs, err := c.store.Questions(ctx, d.ID)
	if err != nil || len(qs) != 1 {
		t.Fatalf("questions: %v, %v", qs, err)
	}
	cm := qs[0].Comment
	if cm.AuthorEmail != "" || cm.Source != "email" || cm.Status != parley.CommentApproved || cm.AuthorName != "Maria Keller" {
		t.Errorf("stored %+v", cm)
	}
	public := c.get("/debates/bridges")
	wantStatus(t, public, http.StatusOK)
	wantContains(t, public.body, "sent in by email", "The old bridge carried <em>trams</em> once.", "Maria remembers <strong>trams</strong> on the bridge.")

	// Entering the same letter twice stores it once.
	wantStatus(t, c.postForm(c.ed, path, form), http.StatusSeeOther)
	if n := c.debateByID(t, d.ID).CommentCount; n != 1 {
		t.Errorf("%d comments after entering the letter twice", n)
	}

	// Without "feature", a comment only.
	r = c.postForm(c.ed, path, url.Values{"author_name": {"Nils"}, "author_email": {"nils@example.org"}, "source": {"social"}, "body": {"Seen on a forum."}})
	wantContains(t, c.follow(t, r).body, "Entered Nils&#39;s comment")
	if qs, _ := c.store.Questions(ctx, d.ID); len(qs) != 1 {
		t.Errorf("%d questions, want 1", len(qs))
	}
	wantContains(t, c.get("/debates/bridges").body, "Seen on a forum.", "sent in on social media")

	// A draft debate takes no comments yet.
	draft := c.debate("draft", parley.DebateDraft, false)
	r = c.postForm(c.ed, "/admin/debates/"+bid(draft.ID)+"/comments", url.Values{"author_name": {"Olga"}, "source": {"email"}, "body": {"Kept letter"}})
	wantStatus(t, r, http.StatusConflict)
	wantContains(t, r.body, "This debate is a draft", "Kept letter")

	// Only editors.
	_, reader := c.account("Rita", parley.RoleParticipant)
	wantStatus(t, c.getAs(reader, board), http.StatusForbidden)
	wantStatus(t, c.postForm(reader, path, form), http.StatusForbidden)
}

func TestBoardEditsAndPublishesAnAnswer(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	d := c.debate("parks", parley.DebatePublished, false)
	cm := c.comment(d, 0, "Lena", "Parks cool the city.")
	q := c.boardQuestion(t, d, cm, "Do parks cool the city?")
	vera := c.boardExpert(t, "vera-lind", "Vera Lind", "Climate scientist", "vera@example.org")
	a := c.boardAnswer(t, c.boardSend(t, q, vera), "My *own* words, unedited.")
	path := "/admin/answers/" + bid(a.ID)

	page := c.getAs(c.ed, path)
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.body, "Parks cool the city.", "Lena", "Vera Lind", "Climate scientist", "Do parks cool the city?",
		`<div class="mail-text">My *own* words, unedited.</div>`, ">My *own* words, unedited.</textarea>", "My <em>own</em> words",
		`name="lead_in"`, `name="position" type="number" min="1" step="1" value="1"`, ">Save draft</button>", ">Publish</button>")
	wantLacks(t, c.get("/debates/parks").body, "words, unedited")

	// Bad input: kept, with a problem beside each field.
	r := c.postForm(c.ed, path, url.Values{"lead_in": {strings.Repeat("x", 201)}, "body": {"  "}, "position": {"first"}, "action": {"publish"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.body, `id="lead_in-problem">The lead-in is longer than 200 characters.`, `id="body-problem">`,
		`id="position-problem">Give the answer`, `value="`+strings.Repeat("x", 201)+`"`, `value="first"`)
	if got, _ := c.store.AnswerByID(ctx, a.ID); got.Status != parley.AnswerDraft {
		t.Fatal("a refused post published the answer")
	}

	// Publishing puts it under the comment on the debate's page.
	r = c.postForm(c.ed, path, url.Values{"lead_in": {"What would she say?"}, "body": {"Parks cool the city by **two degrees**."}, "position": {"1"}, "action": {"publish"}})
	if loc := r.header.Get("Location"); !strings.HasPrefix(loc, "/admin/debates/"+bid(d.ID)+"/board?") || !strings.HasSuffix(loc, "#question-"+bid(q.ID)) {
		t.Errorf("redirected to %q", loc)
	}
	page = c.follow(t, r)
	wantContains(t, page.body, "Published Vera Lind&#39;s answer under Lena&#39;s comment.")
	wantWithin(t, page.body, `id="stage-published"`, `id="enter"`, `id="question-`+bid(q.ID)+`"`)
	public := c.get("/debates/parks")
	wantContains(t, public.body, "What would she say?", "Parks cool the city by <strong>two degrees</strong>.", "Vera Lind")
	if i, j := strings.Index(public.body, "Parks cool the city."), strings.Index(public.body, "two degrees"); i < 0 || j < i {
		t.Error("the answer is not under the comment")
	}
	got, err := c.store.AnswerByID(ctx, a.ID)
	if err != nil || got.Status != parley.AnswerPublished || got.SubmittedMD != "My *own* words, unedited." || got.LeadIn != "What would she say?" {
		t.Errorf("stored %+v, %v", got, err)
	}
	page = c.getAs(c.ed, path)
	wantContains(t, page.body, ">Save</button>", ">Unpublish</button>", "My *own* words, unedited.")

	// Unpublishing takes it off the page.
	page = c.follow(t, c.postForm(c.ed, path, url.Values{"lead_in": {"What would she say?"}, "body": {"Parks cool the city by **two degrees**."},
		"position": {"1"}, "action": {"unpublish"}}))
	wantContains(t, page.body, "Unpublished Vera Lind&#39;s answer")
	wantLacks(t, c.get("/debates/parks").body, "two degrees")

	wantStatus(t, c.getAs(c.ed, "/admin/answers/99999"), http.StatusNotFound)
	_, reader := c.account("Rita", parley.RoleParticipant)
	wantStatus(t, c.getAs(reader, path), http.StatusForbidden)
	wantStatus(t, c.postForm(reader, path, url.Values{"action": {"publish"}}), http.StatusForbidden)
}
