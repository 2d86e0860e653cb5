package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/markup"
	"github.com/parley-org/parley/internal/store"
)

var answerLink = regexp.MustCompile(`https?://[^\s]+/answer/[A-Za-z0-9_.~-]+`)

// pipeline is a debate with a reader's comment picked as a question, an
// editor and an expert with a contact address.
type pipeline struct {
	s         *site
	debate    *parley.Debate
	comment   *parley.Comment
	question  *parley.Question
	expert    *parley.Expert
	editor    *parley.User
	edBrowser *http.Client
}

func newPipeline(t *testing.T, s *site) *pipeline {
	t.Helper()
	ctx := context.Background()
	p := &pipeline{s: s}
	p.debate = s.debate("trains", parley.DebatePublished, false)
	p.comment = s.post(newBrowser(), "trains", formValues("Saul", "saul@example.org", "Night trains should get the same subsidies as airports do."))
	p.question = &parley.Question{DebateID: p.debate.ID, CommentID: p.comment.ID, Position: 1, FramingMD: "Saul believes night trains deserve airport-style subsidies. Is he right?"}
	p.question.FramingHTML = markup.NewArticle().Render(p.question.FramingMD)
	if err := s.store.AddQuestion(ctx, p.question); err != nil {
		t.Fatal(err)
	}
	p.expert = &parley.Expert{Slug: "vera-lind", Name: "Vera Lind", Title: "Rail economist", ContactEmail: "vera@example.org"}
	if err := s.store.CreateExpert(ctx, p.expert); err != nil {
		t.Fatal(err)
	}
	p.editor, p.edBrowser = s.account("Edda Editor", parley.RoleEditor)
	return p
}

// requestOf is the request a link's token opens.
func (s *site) requestOf(token string) (*store.RequestView, error) {
	id, _, ok := s.srv.answerTarget(token)
	if !ok {
		return nil, parley.Errorf(parley.ENOTFOUND, "bad token %q", token)
	}
	return s.store.RequestView(context.Background(), id)
}

func (p *pipeline) send(t *testing.T) *parley.AnswerRequest {
	t.Helper()
	r, err := p.s.srv.sendQuestion(context.Background(), p.question.ID, p.expert.ID, store.Actor{ID: p.editor.ID, Name: p.editor.Name})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestAnExpertAnswersThroughTheirPrivateLink(t *testing.T) {
	s, smtp := mailSite(t)
	p := newPipeline(t, s)
	p.send(t)
	m, _ := nextMail(t, smtp, 1)
	if m.To[0] != "vera@example.org" || !strings.Contains(m.Subject, "A reader's question for you") {
		t.Fatalf("request mail: %v %q", m.To, m.Subject)
	}
	wantContains(t, m.Text, "Edda Editor", "Saul believes night trains", "same subsidies as airports")
	link := linkPath(t, answerLink.FindString(m.Text))

	page := s.get(link)
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.body, "Debate trains", "Saul believes night trains", "same subsidies as airports", "Send my answer")
	if strings.Contains(s.logs.String(), strings.TrimPrefix(link, "/answer/")) {
		t.Errorf("the link's token is in the log")
	}
	// A link for nothing, or a changed one, gives nothing away.
	wantStatus(t, s.get(link+"x"), http.StatusNotFound)
	wantStatus(t, s.get("/answer/"+strings.Repeat("A", 43)), http.StatusNotFound)

	empty := s.postForm(newBrowser(), link, url.Values{"body": {"  "}})
	wantStatus(t, empty, http.StatusUnprocessableEntity)
	wantContains(t, empty.body, "Please write your answer")
	r := s.postForm(newBrowser(), link, url.Values{"body": {"Yes, within limits: a sleeper seat costs the public purse less per passenger-kilometre than a regional airport."}})
	wantStatus(t, r, http.StatusSeeOther)
	done := s.get(link)
	wantContains(t, done.body, "we received your answer", "regional airport")
	wantLacks(t, done.body, "Send my answer")
	again := s.postForm(newBrowser(), link, url.Values{"body": {"A second thought."}})
	wantStatus(t, again, http.StatusConflict)
	wantContains(t, again.body, "A second thought.")

	// The editor hears of it; the answer is a draft, not on the page yet.
	m, _ = nextMail(t, smtp, 2)
	if m.To[0] != p.editor.Email || !strings.Contains(m.Subject, "Vera Lind answered") {
		t.Fatalf("editor's mail: %v %q", m.To, m.Subject)
	}
	wantLacks(t, s.get("/debates/trains").body, "regional airport")

	// The editors edit lightly and publish; the reader hears, the expert sees what changed.
	v, err := s.requestOf(strings.TrimPrefix(link, "/answer/"))
	if err != nil {
		t.Fatal(err)
	}
	a := v.Answer
	a.LeadIn, a.BodyMD, a.Status = "What would she say?", "Yes, within limits: a sleeper seat costs the public less per passenger-kilometre than a regional airport.", parley.AnswerPublished
	a.BodyHTML = markup.NewArticle().Render(a.BodyMD)
	if err := s.srv.saveAnswer(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	m, _ = nextMail(t, smtp, 3)
	if m.To[0] != "saul@example.org" || !strings.Contains(m.Subject, "Vera Lind answered your comment") {
		t.Fatalf("reader's mail: %v %q", m.To, m.Subject)
	}
	wantContains(t, m.Text, "Rail economist", "/answers/"+strconv.FormatInt(a.ID, 10))
	debate := s.get("/debates/trains")
	wantContains(t, debate.body, "What would she say?", "costs the public less", "Vera Lind", `id="answer-`+strconv.FormatInt(a.ID, 10)+`"`)
	perma := s.get("/answers/" + strconv.FormatInt(a.ID, 10))
	wantStatus(t, perma, http.StatusFound)
	wantContains(t, perma.header.Get("Location"), "/debates/trains", "#answer-"+strconv.FormatInt(a.ID, 10))
	wantContains(t, s.get(link).body, "What you sent", "the public purse", "As published", "published")
	// Publishing again tells nobody twice.
	if err := s.srv.saveAnswer(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	s.settle()
	if n := len(smtp.Received()); n != 3 {
		t.Errorf("%d mails after saving a published answer again, want 3", n)
	}
}

func TestExpiredRevokedAndReplacedLinks(t *testing.T) {
	s, smtp := mailSite(t)
	p := newPipeline(t, s)
	p.send(t)
	m, _ := nextMail(t, smtp, 1)
	first := linkPath(t, answerLink.FindString(m.Text))
	// Sending again replaces the link: the first one gives nothing away.
	req := p.send(t)
	m, _ = nextMail(t, smtp, 2)
	second := linkPath(t, answerLink.FindString(m.Text))
	wantStatus(t, s.get(first), http.StatusNotFound)
	wantStatus(t, s.get(second), http.StatusOK)

	// Expired: it says so, keeps a text sent to it, and asks the editors for a fresh link once a day.
	s.settle() // the mails are done before the clock jumps
	s.clock.setAhead(s.srv.cfg.AnswerLinkTTL + time.Hour)
	defer s.clock.setAhead(0)
	token := strings.TrimPrefix(second, "/answer/")
	exp := s.get("/answer/" + token)
	wantStatus(t, exp, http.StatusGone)
	wantContains(t, exp.body, "This link expired", "Ask the editors for a fresh link")
	late := s.postForm(newBrowser(), "/answer/"+token, url.Values{"body": {"My late answer."}})
	wantStatus(t, late, http.StatusConflict)
	wantContains(t, late.body, "My late answer.")
	wantStatus(t, s.postForm(newBrowser(), "/answer/"+token+"/renew", nil), http.StatusOK)
	m, _ = nextMail(t, smtp, 3)
	if m.To[0] != p.editor.Email || !strings.Contains(m.Subject, "asks for a fresh link") {
		t.Fatalf("renewal mail: %v %q", m.To, m.Subject)
	}
	wantStatus(t, s.postForm(newBrowser(), "/answer/"+token+"/renew", nil), http.StatusOK)
	s.settle()
	if n := len(smtp.Received()); n != 3 {
		t.Errorf("%d mails after asking twice, want 3", n)
	}

	// Revoked: nothing.
	p.send(t)
	m, _ = nextMail(t, smtp, 4)
	fresh := linkPath(t, answerLink.FindString(m.Text))
	if err := s.store.RevokeRequest(context.Background(), req.ID); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, s.get(fresh), http.StatusNotFound)
}

func TestRemindersComeTwiceAtMost(t *testing.T) {
	s, smtp := mailSite(t)
	p := newPipeline(t, s)
	p.send(t)
	nextMail(t, smtp, 1)
	s.settle() // the request's mail is done before the clock jumps
	ctx := context.Background()
	for i, ahead := range []time.Duration{1, 2, 3, 4} {
		s.clock.setAhead(ahead * (s.srv.cfg.ReminderAfter + time.Minute))
		if err := s.srv.remind(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.srv.remind(ctx); err != nil { // a second node, or sweep, sends nothing more
			t.Fatal(err)
		}
		s.settle()
		want := min(1+i+1, 3)
		if n := len(smtp.Received()); n != want {
			t.Fatalf("after %d periods: %d mails, want %d", i+1, n, want)
		}
	}
	m, _ := nextMail(t, smtp, 3)
	wantContains(t, m.Subject, "Reminder:")
	wantContains(t, m.Text, "this was the last reminder")
	// A reminder carries the link of the first mail: a link the expert
	// has open keeps working.
	first, _ := nextMail(t, smtp, 1)
	if answerLink.FindString(m.Text) != answerLink.FindString(first.Text) {
		t.Errorf("the reminder's link differs from the request's")
	}
	s.clock.setAhead(0)
	wantStatus(t, s.get(linkPath(t, answerLink.FindString(m.Text))), http.StatusOK)

	// Sent again: a new link, and its reminders are mailed too.
	p.send(t)
	resent, _ := nextMail(t, smtp, 4)
	s.settle()
	s.clock.setAhead(s.srv.cfg.ReminderAfter + time.Minute)
	if err := s.srv.remind(ctx); err != nil {
		t.Fatal(err)
	}
	again, _ := nextMail(t, smtp, 5)
	if !strings.Contains(again.Subject, "Reminder:") || answerLink.FindString(again.Text) != answerLink.FindString(resent.Text) {
		t.Errorf("reminder after a new send: %q", again.Subject)
	}
	s.clock.setAhead(0)
	wantStatus(t, s.get(linkPath(t, answerLink.FindString(first.Text))), http.StatusNotFound)
	wantStatus(t, s.get(linkPath(t, answerLink.FindString(resent.Text))), http.StatusOK)
}

func TestExpertsWithAnAccountSeeTheirQuestions(t *testing.T) {
	s, smtp := mailSite(t)
	p := newPipeline(t, s)
	req := p.send(t)
	nextMail(t, smtp, 1)
	vera := &parley.User{Email: "vera@example.org", Name: "Vera Lind", Role: parley.RoleExpert, EmailVerifiedAt: time.Now()}
	if err := s.store.CreateUser(context.Background(), vera, ""); err != nil {
		t.Fatal(err)
	}
	b := s.signedIn(vera)
	list := s.getAs(b, "/expert/questions")
	wantContains(t, list.body, "Debate trains", "Saul's comment", "waiting for your answer")
	path := "/expert/questions/" + strconv.FormatInt(req.ID, 10)
	wantContains(t, s.getAs(b, path).body, "Send my answer", "same subsidies as airports")
	wantStatus(t, s.postForm(b, path, url.Values{"body": {"Answered from my account."}}), http.StatusSeeOther)
	wantContains(t, s.getAs(b, path).body, "we received your answer")
	// Expired, the signed-in expert asks for a fresh link from their page.
	freight := &parley.Question{DebateID: p.debate.ID, CommentID: s.post(newBrowser(), "trains", formValues("Uwe", "uwe@example.org", "And freight?")).ID, Position: 2}
	if err := s.store.AddQuestion(context.Background(), freight); err != nil {
		t.Fatal(err)
	}
	late, err := s.srv.sendQuestion(context.Background(), freight.ID, p.expert.ID, store.Actor{ID: p.editor.ID, Name: p.editor.Name})
	if err != nil {
		t.Fatal(err)
	}
	s.settle()
	s.clock.setAhead(s.srv.cfg.AnswerLinkTTL + time.Hour)
	latePath := "/expert/questions/" + strconv.FormatInt(late.ID, 10)
	expired := s.getAs(b, latePath)
	wantStatus(t, expired, http.StatusGone)
	wantContains(t, expired.body, `action="`+latePath+`/renew"`)
	wantStatus(t, s.postForm(b, latePath+"/renew", nil), http.StatusOK)
	s.clock.setAhead(0)
	// Someone else's account sees nothing.
	_, other := s.account("Other Reader", parley.RoleExpert)
	wantStatus(t, s.getAs(other, path), http.StatusNotFound)
	wantLacks(t, s.getAs(other, "/expert/questions").body, "Debate trains")
}

func TestSubscribersHearOfAPublishedAnswer(t *testing.T) {
	s, smtp := mailSite(t)
	p := newPipeline(t, s)
	ctx := context.Background()
	now := subscription("now@example.org", p.debate.ID)
	daily := subscription("daily@example.org", p.debate.ID)
	daily.Delivery = parley.DeliverDaily
	// The reader follows replies to their comment: the publication's own mail is enough.
	reader := store.NewSubscription{Email: "saul@example.org", DebateID: p.debate.ID, Scope: parley.ScopeReplies, CommentID: p.comment.ID,
		Delivery: parley.DeliverImmediately, Proven: true}
	for _, sub := range []store.NewSubscription{now, daily, reader} {
		if _, _, err := s.store.Subscribe(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	s.settle()
	before := len(smtp.Received())
	p.send(t)
	m, _ := nextMail(t, smtp, before+1)
	link := linkPath(t, answerLink.FindString(m.Text))
	wantStatus(t, s.postForm(newBrowser(), link, url.Values{"body": {"Subsidise the seats, not the routes."}}), http.StatusSeeOther)
	s.settle()
	v, err := s.requestOf(strings.TrimPrefix(link, "/answer/"))
	if err != nil {
		t.Fatal(err)
	}
	v.Answer.Status, v.Answer.LeadIn = parley.AnswerPublished, "What would she say?"
	if err := s.srv.saveAnswer(ctx, v.Answer); err != nil {
		t.Fatal(err)
	}
	s.settle()
	got := map[string][]string{}
	for _, m := range smtp.Received()[before:] {
		got[m.To[0]] = append(got[m.To[0]], m.Subject)
	}
	if len(got["now@example.org"]) != 1 || !strings.Contains(got["now@example.org"][0], "Vera Lind answered Saul") {
		t.Errorf("immediate subscriber got %q", got["now@example.org"])
	}
	if len(got["saul@example.org"]) != 1 || !strings.Contains(got["saul@example.org"][0], "answered your comment") {
		t.Errorf("the reader got %q, want the one publication mail", got["saul@example.org"])
	}
	if len(got["daily@example.org"]) != 0 {
		t.Errorf("daily subscriber mailed at once: %q", got["daily@example.org"])
	}
	s.clock.setAhead(25 * time.Hour)
	defer s.clock.setAhead(0)
	s.settle()
	var digest string
	for _, m := range smtp.Received() {
		if m.To[0] == "daily@example.org" {
			digest = m.Text
		}
	}
	wantContains(t, digest, "Vera Lind (Rail economist) (in reply to Saul)", "Subsidise the seats", "/answers/"+strconv.FormatInt(v.Answer.ID, 10))
}

func TestReadersReplyToAnAnswerInTheThread(t *testing.T) {
	s := newSite(t, Config{})
	p := newPipeline(t, s)
	ctx := context.Background()
	req, err := s.store.SendQuestion(ctx, p.question.ID, p.expert.ID, time.Now().Add(time.Hour), store.Actor{ID: p.editor.ID})
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.store.SubmitAnswer(ctx, req.ID, "Subsidise seats.", "<p>Subsidise seats.</p>")
	if err != nil {
		t.Fatal(err)
	}
	a.Status = parley.AnswerPublished
	if err := s.srv.saveAnswer(ctx, a); err != nil {
		t.Fatal(err)
	}
	aid, cid := strconv.FormatInt(a.ID, 10), strconv.FormatInt(p.comment.ID, 10)
	page := s.get("/debates/trains")
	replyPath := "/debates/trains/comments/" + cid + "/reply?answer=" + aid
	wantContains(t, page.body, `href="`+strings.ReplaceAll(replyPath, "&", "&amp;")+`#reply-form"`, "Reply<span class=\"visually-hidden\"> to Vera Lind's answer")
	form := s.get(replyPath)
	wantContains(t, form.body, `name="answer_id" value="`+aid+`"`, "Subsidise seats.")
	post := url.Values{"parent_id": {cid}, "answer_id": {aid}}
	for k, v := range formValues("Nora", "nora@example.org", "Seats for whom, though?") {
		post[k] = v
	}
	c := s.post(newBrowser(), "trains", post)
	if c.ReplyToAnswerID != a.ID || c.ReplyToID != p.comment.ID {
		t.Fatalf("reply stored with answer %d, reply to %d", c.ReplyToAnswerID, c.ReplyToID)
	}
	wantContains(t, s.get("/debates/trains").body, `in reply to <a href="#answer-`+aid+`">Vera Lind's answer</a>`, "Seats for whom")

	// An answer that is not the parent's: the text comes back, kept.
	post.Set("answer_id", "999999")
	post.Set("body", "A reply to nothing.")
	r := s.postForm(newBrowser(), "/debates/trains/comments", post)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.body, "no longer available", "A reply to nothing.")
}

func TestPickingFromTheDebatePageReturnsToTheBoard(t *testing.T) {
	s := newSite(t, Config{})
	p := newPipeline(t, s)
	other := s.post(newBrowser(), "trains", formValues("Ilse", "ilse@example.org", "Sleepers need showers, or nobody arrives fit for work."))
	id := strconv.FormatInt(p.debate.ID, 10)
	page := s.getAs(p.edBrowser, "/debates/trains")
	wantContains(t, page.body, `href="/admin/debates/`+id+`/board?pick=`+strconv.FormatInt(other.ID, 10)+`">Add to questions</a>`)
	wantLacks(t, s.get("/debates/trains").body, "Add to questions")
	add := func(commentID int64, framing string) response {
		return s.postForm(p.edBrowser, "/admin/debates/"+id+"/questions", url.Values{"comment": {strconv.FormatInt(commentID, 10)},
			"framing": {framing}, "next": {"board"}})
	}
	r := add(other.ID, "Ilse wants showers on sleepers. Is she right?")
	wantStatus(t, r, http.StatusSeeOther)
	wantContains(t, r.header.Get("Location"), "/admin/debates/"+id+"/board", "#question-")
	// A framing line too long: back to the pick form, the line kept.
	third := s.post(newBrowser(), "trains", formValues("Jan", "jan@example.org", "Bikes on night trains, please."))
	long := "A framing kept. " + strings.Repeat("Very long. ", 300)
	r = add(third.ID, long)
	wantStatus(t, r, http.StatusSeeOther)
	board := s.getAs(p.edBrowser, linkPath(t, s.http.URL+r.header.Get("Location")))
	wantContains(t, board.body, "A framing kept. Very long.", `id="pick-framing"`, "Bikes on night trains")
}
