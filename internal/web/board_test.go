package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/auth"
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
	// Each question links to its send form, which lists the experts of no
	// other question.
	for _, q := range []*parley.Question{notSent, awaiting, answered, published} {
		wantContains(t, b, `href="`+board+`?send=`+bid(q.ID)+`">Send to experts</a>`)
	}
	wantLacks(t, b, `name="expert_ids" type="checkbox"`, `id="send-`)
	// The expert without an address cannot be chosen, and says why; one who
	// answered cannot be asked again.
	b = c.getAs(c.ed, board+"?send="+bid(notSent.ID)).body
	wantContains(t, b, `id="send-`+bid(notSent.ID)+`-`+bid(zoe.ID)+`" name="expert_ids" value="`+bid(zoe.ID)+`" disabled`,
		"no contact address: add one on their expert page")
	wantLacks(t, b, `id="send-`+bid(notSent.ID)+`-`+bid(ines.ID)+`" name="expert_ids" value="`+bid(ines.ID)+`" disabled`)
	wantContains(t, c.getAs(c.ed, board+"?send="+bid(answered.ID)).body,
		`id="send-`+bid(answered.ID)+`-`+bid(ines.ID)+`" name="expert_ids" value="`+bid(ines.ID)+`" disabled`)
	wantContains(t, c.getAs(c.ed, board+"?send="+bid(awaiting.ID)).body, "asked already: sending again replaces the link")
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
	bq, err := c.store.BoardQuestions(ctx, d.ID, store.StageAwaiting, 0, 10, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(bq) != 2 || bq[0].ID != notSent.ID || bq[0].RequestCount != 2 {
		t.Errorf("awaiting an answer: %+v, want the question sent to two experts first", bq)
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

// stageOf is what a board page shows of one stage: from its heading to the
// next stage's, or to the enter form.
func stageOf(t *testing.T, body, stage string) string {
	t.Helper()
	i := strings.Index(body, `id="stage-`+stage+`"`)
	if i < 0 {
		t.Fatalf("the board has no stage %q", stage)
	}
	rest := body[i+1:]
	if j := strings.Index(rest, `<section class="board-stage"`); j >= 0 {
		return rest[:j]
	}
	if j := strings.Index(rest, `id="enter"`); j >= 0 {
		return rest[:j]
	}
	return rest
}

var questionItem = regexp.MustCompile(`<li id="question-(\d+)">`)

func TestBoardStaysBoundedAsTheSiteGrows(t *testing.T) {
	c := newConsole(t)
	d := c.debate("growth", parley.DebatePublished, false)
	experts := seedBoardExperts(t, c.site, 0, 30)
	qs := seedBoardQuestions(t, c.site, d, 120, experts, c.editor.ID)
	board := "/admin/debates/" + bid(d.ID) + "/board"

	small := c.getAs(c.ed, board)
	wantStatus(t, small, http.StatusOK)
	seedBoardExperts(t, c.site, 30, 90)
	large := c.getAs(c.ed, board)
	wantStatus(t, large, http.StatusOK)
	// The board lists no expert per question: four times the experts add
	// nothing to it.
	if n := len(large.body); n > 300<<10 {
		t.Errorf("the board of 120 questions and 120 experts is %d bytes, want under 300 KB", n)
	}
	if grew := len(large.body) - len(small.body); grew != 0 {
		t.Errorf("the board grew by %d bytes from 30 to 120 experts, want it unchanged", grew)
	}
	wantLacks(t, large.body, `type="checkbox" id="send-`)

	// Each stage shows a page of its questions and links to the next.
	seen := map[string]bool{}
	for _, stage := range []string{"not-sent", "awaiting", "answered", "published"} {
		part := stageOf(t, large.body, stage)
		wantContains(t, part, "(30)</span>", "Page 1 of 2", `href="`+board+`?`+stage+`-page=2#stage-`+stage+`" rel="next"`)
		first := questionItem.FindAllStringSubmatch(part, -1)
		if len(first) != boardPageSize {
			t.Errorf("%s shows %d questions on its first page, want %d", stage, len(first), boardPageSize)
		}
		next := c.getAs(c.ed, board+"?"+stage+"-page=2")
		wantStatus(t, next, http.StatusOK)
		part = stageOf(t, next.body, stage)
		wantContains(t, part, "Page 2 of 2", `href="`+board+`#stage-`+stage+`" rel="prev"`)
		wantLacks(t, part, `rel="next"`)
		for _, m := range append(first, questionItem.FindAllStringSubmatch(part, -1)...) {
			if seen[m[1]] {
				t.Errorf("question %s shows twice", m[1])
			}
			seen[m[1]] = true
		}
	}
	if len(seen) != len(qs) {
		t.Errorf("the stages' pages show %d questions, want %d", len(seen), len(qs))
	}

	// The send form of a question on a later page opens that page, with a
	// page of the experts.
	last := qs[116] // not sent, the 30th of its stage
	send := board + "?send=" + bid(last.ID)
	page := c.getAs(c.ed, send)
	wantStatus(t, page, http.StatusOK)
	part := stageOf(t, page.body, "not-sent")
	wantContains(t, part, `<li id="question-`+bid(last.ID)+`">`, `id="send"`, "Page 2 of 2", "120 experts, page 1 of 3",
		`href="`+board+`?experts-page=2&amp;not-sent-page=2&amp;send=`+bid(last.ID)+`" rel="next">More experts</a>`)
	if n := strings.Count(page.body, `type="checkbox" id="send-`); n != pickerPageSize {
		t.Errorf("the send form lists %d experts, want %d", n, pickerPageSize)
	}
	if n := len(page.body); n > 300<<10 {
		t.Errorf("the board with a send form is %d bytes, want under 300 KB", n)
	}
	page = c.getAs(c.ed, send+"&experts-page=3")
	if n := strings.Count(page.body, `type="checkbox" id="send-`); n != 20 {
		t.Errorf("the send form's last page lists %d experts, want 20", n)
	}

	// The search finds experts by name, title or affiliation.
	page = c.getAs(c.ed, send+"&q=urban+STUDIES+7")
	wantContains(t, page.body, "11 experts match “urban STUDIES 7”")
	page = c.getAs(c.ed, send+"&q=%25")
	wantContains(t, page.body, "No expert matches “%”.")
	page = c.getAs(c.ed, send+"&q=Somewhere+60")
	wantContains(t, page.body, "1 expert matches", `send-`+bid(last.ID)+`-`, "(no contact address: add one on their expert page)")
	page = c.getAs(c.ed, send+"&q=expert+0117")
	wantContains(t, page.body, "1 expert matches", "Expert 0117, Professor of urban studies 117", "University of Somewhere 117")
	m := regexp.MustCompile(`id="send-` + bid(last.ID) + `-(\d+)" name="expert_ids" value="(\d+)"`).FindStringSubmatch(page.body)
	if m == nil || m[1] != m[2] {
		t.Fatalf("the search offers no expert to choose:\n%s", stageOf(t, page.body, "not-sent"))
	}

	// Sending it: the board opens the page of the question's new stage.
	r := c.postForm(c.ed, "/admin/debates/"+bid(d.ID)+"/questions/"+bid(last.ID)+"/send", url.Values{"expert_ids": {m[1]}})
	if loc := r.header.Get("Location"); !strings.Contains(loc, "&question="+bid(last.ID)+"#question-"+bid(last.ID)) {
		t.Errorf("sending redirected to %q", loc)
	}
	page = c.follow(t, r)
	wantContains(t, page.body, "Sent to Expert 0117.")
	part = stageOf(t, page.body, "awaiting")
	wantContains(t, part, "(31)</span>", "Page 2 of 2", `<li id="question-`+bid(last.ID)+`">`, "Expert 0117")

	// A send of more experts than the form lists sends the first of them;
	// the question shows its first requests and counts the rest.
	all, _, err := c.store.ExpertChoices(context.Background(), store.ExpertFilter{QuestionID: qs[4].ID, Limit: 60})
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{}
	for _, e := range all[:pickerPageSize+1] {
		form.Add("expert_ids", bid(e.ID))
	}
	page = c.follow(t, c.postForm(c.ed, "/admin/debates/"+bid(d.ID)+"/questions/"+bid(qs[4].ID)+"/send", form))
	wantContains(t, page.body, "Send to at most 50 experts at a time", "Expert 0000 has no contact address")
	item := page.body[strings.Index(page.body, `<li id="question-`+bid(qs[4].ID)+`">`):]
	item = item[:strings.Index(item, "</li>")]
	if n := strings.Count(item, ">Withdraw the link</button>"); n != boardShown {
		t.Errorf("the question sent to 45 experts shows %d requests, want %d", n, boardShown)
	}
	wantContains(t, item, "35 more requests not shown")
	// A page of experts past the last shows the last.
	page = c.getAs(c.ed, send+"&experts-page=9")
	wantContains(t, page.body, "120 experts, page 3 of 3")
}

// seedBoardExperts adds experts numbered from..from+n-1, every tenth
// without a contact address.
func seedBoardExperts(tb testing.TB, s *site, from, n int) []*parley.Expert {
	tb.Helper()
	var list []*parley.Expert
	err := s.store.Atomically(context.Background(), func(ctx context.Context) error {
		for i := from; i < from+n; i++ {
			e := &parley.Expert{Slug: fmt.Sprintf("expert-%04d", i), Name: fmt.Sprintf("Expert %04d", i),
				Title: fmt.Sprintf("Professor of urban studies %d", i), Affiliation: fmt.Sprintf("University of Somewhere %d", i)}
			if i%10 != 0 {
				e.ContactEmail = fmt.Sprintf("expert%d@example.org", i)
			}
			if err := s.store.CreateExpert(ctx, e); err != nil {
				return err
			}
			list = append(list, e)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return list
}

// seedBoardQuestions makes n readers' comments of d questions, a quarter
// on each stage of the board: not sent, sent to three experts, answered by
// one of them, and published.
func seedBoardQuestions(tb testing.TB, s *site, d *parley.Debate, n int, experts []*parley.Expert, editor int64) []*parley.Question {
	tb.Helper()
	var list []*parley.Question
	md, art := markup.NewComments(), markup.NewArticle()
	err := s.store.Atomically(context.Background(), func(ctx context.Context) error {
		for i := 0; i < n; i++ {
			body := fmt.Sprintf("Comment %d: ", i) + strings.Repeat("the city should fund better buses before closing streets to cars. ", 5)
			c, _, err := s.store.CreateComment(ctx, store.CreateComment{DebateID: d.ID, AuthorName: fmt.Sprintf("Reader %d", i),
				AuthorEmail: fmt.Sprintf("reader%d@example.org", i), AvatarKey: "0123456789abcdef0123", BodyMD: body, BodyHTML: md.Render(body), MaxDepth: 4})
			if err != nil {
				return err
			}
			framing := fmt.Sprintf("Reader %d asks whether buses come first. Do they?", i)
			q := &parley.Question{DebateID: d.ID, CommentID: c.ID, Position: i + 1, FramingMD: framing, FramingHTML: art.Render(framing)}
			if err := s.store.AddQuestion(ctx, q); err != nil {
				return err
			}
			list = append(list, q)
			if i%4 == 0 {
				continue
			}
			var reqs []*parley.AnswerRequest
			for k := 0; k < 3; k++ {
				e := experts[(i*3+k)%len(experts)]
				if e.ContactEmail == "" {
					continue
				}
				r, err := s.store.SendQuestion(ctx, q.ID, e.ID, time.Now().Add(21*24*time.Hour), store.Actor{ID: editor})
				if err != nil {
					return err
				}
				reqs = append(reqs, r)
			}
			if i%4 == 1 || len(reqs) == 0 {
				continue
			}
			answer := "Buses come first where the trams do not reach."
			a, err := s.store.SubmitAnswer(ctx, reqs[0].ID, answer, art.Render(answer))
			if err != nil {
				return err
			}
			if i%4 == 3 {
				a.Status = parley.AnswerPublished
				if err := s.store.SaveAnswer(ctx, a); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return list
}

// BenchmarkBoard365x370 renders the board of a debate with 365 questions
// and 370 experts, as an editor sees it, beside the baseline of serving
// the same bytes from memory.
func BenchmarkBoard365x370(b *testing.B) {
	s := newSite(b, Config{})
	u, _ := s.account("Edith", parley.RoleEditor)
	token, hash := auth.NewToken()
	if err := s.store.CreateSession(context.Background(), u.ID, hash); err != nil {
		b.Fatal(err)
	}
	session := &http.Cookie{Name: sessionCookie, Value: token}
	d := s.debate("bench", parley.DebatePublished, false)
	experts := seedBoardExperts(b, s, 0, 370)
	qs := seedBoardQuestions(b, s, d, 365, experts, u.ID)
	board := "/admin/debates/" + bid(d.ID) + "/board"
	send := board + "?send=" + bid(qs[len(qs)-1].ID)
	for _, view := range []struct{ name, path string }{{"board", board}, {"send-form", send}, {"send-search", send + "&q=expert+0123"}} {
		name, path := view.name, view.path
		page := s.serve(b, "GET", path, "", session).Body.Bytes()
		b.Run(name+"-baseline-static-bytes", func(b *testing.B) {
			b.SetBytes(int64(len(page)))
			for i := 0; i < b.N; i++ {
				w := httptest.NewRecorder()
				http.ServeContent(w, httptest.NewRequest("GET", "/x", nil), "x.html", time.Time{}, bytes.NewReader(page))
			}
		})
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(page)))
			for i := 0; i < b.N; i++ {
				s.serve(b, "GET", path, "", session)
			}
			b.ReportMetric(float64(len(page)), "page-bytes")
		})
	}
}
