package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/i18n"
	"github.com/parley-org/parley/internal/mail"
	"github.com/parley-org/parley/internal/markup"
	"github.com/parley-org/parley/internal/store"
)

// Experts answer through a private link: signed with the site's key, it
// names one request (one expert, one question) and the generation it was
// sent with, and works until the request expires, is revoked, is sent
// again or is answered. No account is needed. The answer arrives as a
// draft for the editors.

// Defaults of the pipeline's timing.
const (
	defaultAnswerLinkTTL = 21 * 24 * time.Hour
	defaultReminderAfter = 4 * 24 * time.Hour
	maxReminders         = 2
)

// sendQuestion sends a question to an expert: a new private link (any
// earlier one stops working) and the mail that carries it, in one
// transaction.
func (s *Server) sendQuestion(ctx context.Context, questionID, expertID int64, by store.Actor) (*parley.AnswerRequest, error) {
	v, err := s.store.QuestionFor(ctx, questionID, expertID)
	if err != nil {
		return nil, err
	}
	if v.Expert.ContactEmail == "" {
		return nil, parley.Errorf(parley.EINVALID, "%s has no contact address: add one on their expert page first.", v.Expert.Name)
	}
	var req *parley.AnswerRequest
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		var err error
		if req, err = s.store.SendQuestion(ctx, questionID, expertID, s.store.Clock().Add(s.cfg.AnswerLinkTTL), by); err != nil {
			return err
		}
		v.Request = req
		msg, err := s.requestMail(ctx, v, 0)
		if err != nil {
			return err
		}
		return s.outbox.Queue(ctx, "ask-"+strconv.FormatInt(req.ID, 10)+"-"+strconv.FormatInt(req.Generation, 10), msg)
	})
	return req, err
}

// answerToken is the private link's token for a request's generation.
func (s *Server) answerToken(r *parley.AnswerRequest) string {
	return s.signPair("answer", r.ID, r.Generation)
}

// answerTarget reads a link's token: the request and generation it names.
func (s *Server) answerTarget(token string) (id, generation int64, ok bool) {
	return s.verifyPair("answer", token)
}

// requestMail asks an expert to answer (reminder 0), or reminds them, in
// the language of their account when their contact address has one.
func (s *Server) requestMail(ctx context.Context, v *store.RequestView, reminder int) (mail.Message, error) {
	l := s.recipientLang(ctx, 0, v.Expert.ContactEmail)
	m := notice{Lang: l, Site: s.siteName(), Greeting: l.T("Dear %s,", v.Expert.Name), Lead: markup.PlainText(v.Question.FramingHTML),
		Quote: markup.Excerpt(v.Comment.BodyHTML, 1200), Button: l.T("Read the question and answer"),
		Link: s.cfg.BaseURL + "/answer/" + s.answerToken(v.Request)}
	by, title := v.Request.SentBy, v.Debate.Title
	switch {
	case reminder > 0 && by != "":
		m.Intro = []string{l.T("A reminder: %[1]s would still like your answer to a reader's comment in the debate “%[2]s”.", by, title)}
	case reminder > 0:
		m.Intro = []string{l.T("A reminder: the editors would still like your answer to a reader's comment in the debate “%s”.", title)}
	case by != "":
		m.Intro = []string{l.T("%[1]s of %[2]s would like your answer to a reader's comment in the debate “%[3]s”. Readers will see your answer under the comment, with your name and title, once the editors publish it.", by, s.siteName(), title)}
	default:
		m.Intro = []string{l.T("The editors of %[1]s would like your answer to a reader's comment in the debate “%[2]s”. Readers will see your answer under the comment, with your name and title, once the editors publish it.", s.siteName(), title)}
	}
	ignore := l.T("If you cannot answer, simply ignore this message.")
	if reminder >= maxReminders {
		ignore = l.T("If you cannot answer, simply ignore this message; this was the last reminder.")
	}
	m.Outro = []string{l.T("The link is yours alone: it opens this question, needs no account, and works until %s. You can answer once; the editors may shorten or correct it lightly, and you will see what they changed.", l.Date(v.Request.ExpiresAt)),
		ignore}
	subject := l.T("A reader's question for you: “%s”", title)
	if reminder > 0 {
		subject = l.T("Reminder: a reader's question for you: “%s”", title)
	}
	return m.message(v.Expert.ContactEmail, subject+" · "+s.siteName())
}

// remind mails the reminders that are due, at most two a request, each
// claimed in the transaction that queues it so that one node sends it.
func (s *Server) remind(ctx context.Context) error {
	ids, err := s.store.DueReminders(ctx, s.cfg.ReminderAfter, maxReminders)
	if err != nil {
		return err
	}
	for _, id := range ids {
		v, err := s.store.RequestView(ctx, id)
		if err != nil {
			return err
		}
		// The reminder carries the same link; the claim checks, in the
		// transaction that queues it, that it is still due.
		n := v.Request.Reminders + 1
		err = s.store.Atomically(ctx, func(ctx context.Context) error {
			claimed, err := s.store.ClaimReminder(ctx, id, v.Request.Generation, v.Request.Reminders, s.cfg.ReminderAfter)
			if err != nil || !claimed {
				return err
			}
			msg, err := s.requestMail(ctx, v, n)
			if err != nil {
				return err
			}
			return s.outbox.Queue(ctx, "remind-"+strconv.FormatInt(id, 10)+"-"+strconv.FormatInt(v.Request.Generation, 10)+"-"+strconv.Itoa(n), msg)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

type answerPage struct {
	pageMeta
	// Action is where the answer form posts: the private link, or the
	// expert's own page when they are signed in.
	Action   string
	Token    string
	View     *store.RequestView
	State    parley.RequestState
	Answers  []*parley.Answer // published answers already given to the question
	Body     string
	Problems map[string]string
	Message  string
	Renewed  bool
	// KeptBelow says that Message is followed by the note that the text
	// sent is kept below.
	KeptBelow bool
	// Changed says the editors changed the expert's words.
	Changed bool
}

// answerContext opens the request a link names. A link that is not
// valid, or was replaced or withdrawn, says only that.
func (s *Server) answerContext(r *http.Request) (*answerPage, error) {
	token := r.PathValue("token")
	notValid := parley.Errorf(parley.ENOTFOUND, "This link is not valid. If an editor sent it to you, please use the newest link from your mail, or write to them.")
	id, generation, ok := s.answerTarget(token)
	if !ok {
		return nil, notValid
	}
	v, err := s.store.RequestView(r.Context(), id)
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return nil, notValid
	} else if err != nil {
		return nil, err
	}
	p := &answerPage{pageMeta: s.meta(r, lang(r).T("A question for %s", v.Expert.Name)), Action: "/answer/" + token, Token: token, View: v,
		State: v.Request.State(s.store.Clock())}
	if v.Request.Generation != generation || p.State == parley.RequestRevoked {
		return nil, notValid
	}
	return p, s.fillAnswerPage(r, p)
}

// expertContext opens a request for the signed-in expert it was sent to
// (their confirmed address is the expert's contact address).
func (s *Server) expertContext(r *http.Request) (*answerPage, error) {
	u := currentUser(r)
	v, err := s.store.RequestView(r.Context(), pathID(r, "rid"))
	if err != nil || !u.Verified() || v.Expert.ContactEmail == "" || parley.NormalizeEmail(v.Expert.ContactEmail) != parley.NormalizeEmail(u.Email) ||
		v.Request.State(s.store.Clock()) == parley.RequestRevoked {
		return nil, parley.Errorf(parley.ENOTFOUND, "There is no such question for you.")
	}
	p := &answerPage{pageMeta: s.meta(r, lang(r).T("A question for %s", v.Expert.Name)), Action: "/expert/questions/" + strconv.FormatInt(v.Request.ID, 10),
		View: v, State: v.Request.State(s.store.Clock())}
	return p, s.fillAnswerPage(r, p)
}

// fillAnswerPage adds the answers already published to the question.
func (s *Server) fillAnswerPage(r *http.Request, p *answerPage) error {
	v := p.View
	questions, err := s.store.Questions(r.Context(), v.Debate.ID)
	if err != nil {
		return err
	}
	for _, q := range questions {
		if q.ID != v.Question.ID {
			continue
		}
		for _, a := range q.Answers {
			if a.ExpertID != v.Expert.ID { // their own is shown as theirs
				p.Answers = append(p.Answers, a)
			}
		}
	}
	if a := v.Answer; a != nil {
		p.Changed = a.SubmittedMD != "" && strings.TrimSpace(a.SubmittedMD) != strings.TrimSpace(a.BodyMD)
	}
	return nil
}

func (s *Server) handleAnswerForm(w http.ResponseWriter, r *http.Request) {
	p, err := s.answerContext(r)
	s.showAnswerPage(w, r, p, err)
}

func (s *Server) handleExpertQuestion(w http.ResponseWriter, r *http.Request) {
	p, err := s.expertContext(r)
	s.showAnswerPage(w, r, p, err)
}

func (s *Server) showAnswerPage(w http.ResponseWriter, r *http.Request, p *answerPage, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	code := http.StatusOK
	if p.State == parley.RequestExpired {
		code = http.StatusGone
	}
	s.render(w, r, code, "answer", p)
}

// handleAnswer takes an expert's answer. A problem brings the form back
// with the text kept; an expired or used link keeps the text too, so that
// nothing the expert wrote is lost.
func (s *Server) handleAnswer(w http.ResponseWriter, r *http.Request) {
	p, err := s.answerContext(r)
	s.takeAnswer(w, r, p, err)
}

func (s *Server) handleExpertAnswer(w http.ResponseWriter, r *http.Request) {
	p, err := s.expertContext(r)
	s.takeAnswer(w, r, p, err)
}

func (s *Server) takeAnswer(w http.ResponseWriter, r *http.Request, p *answerPage, err error) {
	r.ParseForm()
	if err != nil {
		// Whatever is wrong with the link, the expert's text comes back.
		s.failForm(w, r, err, commentForm{Body: r.PostForm.Get("body")})
		return
	}
	p.Body = r.PostForm.Get("body")
	if p.State != parley.RequestWaiting {
		p.Message = "This link can no longer take an answer. Your text is kept below: copy it, and ask the editors for a fresh link."
		s.render(w, r, http.StatusConflict, "answer", p)
		return
	}
	body, err := parley.CleanAnswer(p.Body)
	if err == nil {
		_, err = s.submitAnswer(r.Context(), p.View, body)
	}
	if err != nil {
		if status(err) >= 500 {
			s.log.Error("submit an answer", "err", err)
		}
		p.Problems = parley.ErrorFields(err)
		if len(p.Problems) == 0 {
			p.Message, p.KeptBelow = parley.ErrorMessage(err), true
		}
		s.render(w, r, status(err), "answer", p)
		return
	}
	redirect(w, r, p.Action, http.StatusSeeOther)
}

// submitAnswer stores the answer and tells the editor who asked, in one
// transaction.
func (s *Server) submitAnswer(ctx context.Context, v *store.RequestView, body string) (*store.AnswerDraft, error) {
	var a *store.AnswerDraft
	err := s.store.Atomically(ctx, func(ctx context.Context) error {
		var err error
		if a, err = s.store.SubmitAnswer(ctx, v.Request.ID, body, s.articles.Render(body)); err != nil {
			return err
		}
		if v.SentByEmail == "" {
			return nil
		}
		l := s.recipientLang(ctx, 0, v.SentByEmail)
		m := notice{Lang: l, Site: s.siteName(), Greeting: l.T("Dear %s,", v.Request.SentBy), Lead: markup.PlainText(v.Question.FramingHTML),
			Intro: []string{l.T("%[1]s has answered the question you sent in the debate “%[2]s”. The answer waits for you as a draft.", v.Expert.Name, v.Debate.Title)},
			Link:  s.cfg.BaseURL + "/admin/answers/" + strconv.FormatInt(a.ID, 10), Button: l.T("Read, edit and publish it")}
		msg, err := m.message(v.SentByEmail, l.T("%s answered", v.Expert.Name)+" · "+s.siteName())
		if err != nil {
			return err
		}
		return s.outbox.Queue(ctx, "answered-"+strconv.FormatInt(a.ID, 10)+"-"+strconv.FormatInt(a.SubmittedAt.UnixMilli(), 10), msg)
	})
	return a, err
}

// handleAskRenewal lets an expert whose link expired ask the editors for a
// fresh one: the editor who sent it (or the site's admins) hear of it, at
// most once a day.
func (s *Server) handleAskRenewal(w http.ResponseWriter, r *http.Request) {
	p, err := s.answerContext(r)
	s.askRenewal(w, r, p, err)
}

func (s *Server) handleExpertAskRenewal(w http.ResponseWriter, r *http.Request) {
	p, err := s.expertContext(r)
	s.askRenewal(w, r, p, err)
}

func (s *Server) askRenewal(w http.ResponseWriter, r *http.Request, p *answerPage, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p.State != parley.RequestExpired {
		redirect(w, r, p.Action, http.StatusSeeOther)
		return
	}
	v := p.View
	err = s.store.Atomically(r.Context(), func(ctx context.Context) error {
		tell, err := s.store.AskRenewal(ctx, v.Request.ID)
		if err != nil || !tell {
			return err
		}
		to, name := v.SentByEmail, v.Request.SentBy
		var l *i18n.Lang
		if to == "" {
			admins, err := s.store.UsersWithRole(ctx, parley.RoleAdmin)
			if err != nil || len(admins) == 0 {
				return err
			}
			to, name = admins[0].Email, admins[0].Name
			l = s.recipientLang(ctx, admins[0].ID, "")
		} else {
			l = s.recipientLang(ctx, 0, to)
		}
		m := notice{Lang: l, Site: s.siteName(), Greeting: l.T("Dear %s,", name),
			Intro: []string{l.T("%[1]s's link to answer a question in the debate “%[2]s” has expired, and they ask for a fresh one.", v.Expert.Name, v.Debate.Title)},
			Link:  s.cfg.BaseURL + "/admin/debates/" + strconv.FormatInt(v.Debate.ID, 10) + "/board", Button: l.T("Send a fresh link from the board")}
		msg, err := m.message(to, l.T("%s asks for a fresh link", v.Expert.Name)+" · "+s.siteName())
		if err != nil {
			return err
		}
		return s.outbox.Queue(ctx, "renew-"+strconv.FormatInt(v.Request.ID, 10)+"-"+strconv.FormatInt(s.store.Clock().UnixMilli()/86_400_000, 10), msg)
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Renewed = true
	s.render(w, r, http.StatusOK, "answer", p)
}

// saveAnswer saves the editors' version of an answer; when it is first
// published, the reader whose comment it answers is told by mail, in the
// same transaction.
func (s *Server) saveAnswer(ctx context.Context, a *store.AnswerDraft) error {
	before, err := s.store.AnswerByID(ctx, a.ID)
	if err != nil {
		return err
	}
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		if err := s.store.SaveAnswer(ctx, a); err != nil {
			return err
		}
		if a.Status != parley.AnswerPublished || !before.PublishedAt.IsZero() {
			return nil
		}
		return s.queueAnsweredReader(ctx, a)
	})
	if err == nil && a.Status == parley.AnswerPublished && before.PublishedAt.IsZero() {
		s.notify.Kick()
	}
	return err
}

// queueAnsweredReader tells the reader whose comment an answer answers.
func (s *Server) queueAnsweredReader(ctx context.Context, a *store.AnswerDraft) error {
	c, err := s.store.Comment(ctx, a.CommentID)
	if err != nil {
		return err
	}
	if c.AuthorEmail == "" || !c.DeletedAt.IsZero() {
		return nil
	}
	e, err := s.store.ExpertByID(ctx, a.ExpertID)
	if err != nil {
		return err
	}
	d, err := s.store.DebateByID(ctx, c.DebateID)
	if err != nil {
		return err
	}
	l := s.recipientLang(ctx, c.UserID, "")
	intro := l.T("%[1]s has answered your comment in the debate “%[2]s”.", e.Name, d.Title)
	if e.Title != "" {
		intro = l.T("%[1]s, %[2]s, has answered your comment in the debate “%[3]s”.", e.Name, e.Title, d.Title)
	}
	m := notice{Lang: l, Site: s.siteName(), Greeting: l.T("Dear %s,", c.AuthorName),
		Intro: []string{intro},
		Quote: markup.Excerpt(a.BodyHTML, 600),
		Link:  s.cfg.BaseURL + "/answers/" + strconv.FormatInt(a.ID, 10), Button: l.T("Read the whole answer")}
	msg, err := m.message(c.AuthorEmail, l.T("%s answered your comment", e.Name)+" · "+s.siteName())
	if err != nil {
		return err
	}
	return s.outbox.Queue(ctx, "answer-"+strconv.FormatInt(a.ID, 10)+"-reader", msg)
}

// handleAnswerPermalink sends a reader to a published answer on its
// debate's page.
func (s *Server) handleAnswerPermalink(w http.ResponseWriter, r *http.Request) {
	a, err := s.store.AnswerByID(r.Context(), pathID(r, "id"))
	if err == nil && a.Status != parley.AnswerPublished {
		err = parley.Errorf(parley.ENOTFOUND, "There is no such answer.")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.store.Comment(r.Context(), a.CommentID)
	if err == nil && (c.Status != parley.CommentApproved || !c.DeletedAt.IsZero()) {
		err = parley.Errorf(parley.ENOTFOUND, "There is no such answer.")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	loc, err := s.commentLocation(r, c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if i := strings.Index(loc, "#"); i >= 0 {
		loc = loc[:i]
	}
	redirect(w, r, loc+"#answer-"+strconv.FormatInt(a.ID, 10), http.StatusFound)
}

type expertQuestionsPage struct {
	pageMeta
	Requests []*store.RequestView
	Now      time.Time
}

// handleExpertQuestions shows an expert with an account the questions
// sent to them (matched by their confirmed address).
func (s *Server) handleExpertQuestions(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	var list []*store.RequestView
	if u.Verified() {
		var err error
		if list, err = s.store.ExpertRequests(r.Context(), u.Email); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "expert_questions", expertQuestionsPage{pageMeta: s.meta(r, lang(r).T("Questions for you")), Requests: list, Now: s.store.Clock()})
}
