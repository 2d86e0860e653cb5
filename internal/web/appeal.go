package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/i18n"
	"github.com/parley-org/parley/internal/mail"
	"github.com/parley-org/parley/internal/markup"
	"github.com/parley-org/parley/internal/store"
)

// When moderators remove a comment, its author gets a statement of reasons
// by mail (what was decided and why, on what facts, whether automated
// means were involved, and how to seek redress), as the EU Digital
// Services Act expects, with a link to appeal once. Appeals land in their
// own queue; the author hears the outcome.

// appealWindow is how long the appeal link in a statement works: the
// Digital Services Act keeps complaints open for at least six months.
const appealWindow = 183 * 24 * time.Hour

// appealToken signs a comment's right to appeal until a time.
func (s *Server) appealToken(commentID int64, until time.Time) string {
	return s.signPair("appeal", commentID, until.Unix())
}

// appealTarget reads an appeal token: the comment, and whether the link
// still works.
func (s *Server) appealTarget(token string) (commentID int64, expired bool, ok bool) {
	id, until, ok := s.verifyPair("appeal", token)
	return id, ok && time.Now().After(time.Unix(until, 0)), ok
}

// recipientLang is the language of a notice to someone other than the
// person whose request sends it: that of their account (by id, else by
// address) when they have one, else English.
func (s *Server) recipientLang(ctx context.Context, userID int64, email string) *i18n.Lang {
	var u *parley.User
	if userID != 0 {
		u, _ = s.store.User(ctx, userID)
	} else if email != "" {
		// Only a confirmed address speaks for the account's holder.
		if v, _, err := s.store.UserByEmail(ctx, email); err == nil && v.Verified() {
			u = v
		}
	}
	if u != nil {
		if l := i18n.Get(u.Language); l != nil {
			return l
		}
	}
	return i18n.English()
}

// statement is what a statement of reasons, or an appeal's outcome, says.
type statement struct {
	Lang                                     *i18n.Lang
	Site, Name, Debate, DebateURL, Excerpt   string
	Decision, Rule, Reason, Facts, Automated string
	AppealURL, AppealUntil                   string
	Outcome                                  string
}

// message writes the statement as a notice.
func (st statement) message(to, subject string) (mail.Message, error) {
	l := st.Lang
	n := notice{Lang: l, Site: st.Site, Greeting: l.T("Hello %s,", st.Name), Intro: []string{st.Decision}, Quote: st.Excerpt,
		Facts: []noticeFact{{l.T("Debate"), st.Debate + " (" + st.DebateURL + ")"}}}
	if st.Outcome != "" {
		n.Intro = []string{st.Outcome}
	}
	for _, f := range []noticeFact{{l.T("The rule it breaks"), st.Rule}, {l.T("The moderator's reasons"), st.Reason},
		{l.T("What the decision rests on"), st.Facts}, {l.T("Automated means"), st.Automated}} {
		if f.Text != "" {
			n.Facts = append(n.Facts, f)
		}
	}
	if st.AppealURL != "" {
		n.LinkIntro = l.T("If you disagree, you can appeal once, until %s: a person will look at the decision again and tell you the outcome.", st.AppealUntil)
		n.Link, n.Button = st.AppealURL, l.T("Appeal against this decision")
		n.Outro = []string{l.T("You may also turn to a certified out-of-court dispute settlement body, or to the courts.")}
	}
	return n.message(to, subject)
}

// baseStatement fills in what every statement about a comment says.
func (s *Server) baseStatement(ctx context.Context, c *parley.Comment) (statement, error) {
	d, err := s.store.DebateByID(ctx, c.DebateID)
	if err != nil {
		return statement{}, err
	}
	// A guest's address is unproven: their statement is in English.
	l := s.recipientLang(ctx, c.UserID, "")
	st := statement{Lang: l, Site: s.siteName(), Name: c.AuthorName, Debate: d.Title, DebateURL: s.cfg.BaseURL + "/debates/" + d.Slug,
		Excerpt: markup.Excerpt(c.BodyHTML, 400)}
	if c.UserID == 0 {
		// Nobody proved a guest's address: quoting the text to it would let
		// anyone mail any text to anyone, by a moderator's hand.
		st.Excerpt = l.T("Your comment #%[1]s, posted %[2]s (its text is on the appeal page).", strconv.FormatInt(c.ID, 10), l.DateTime(c.CreatedAt))
	}
	return st, nil
}

// queueStatement queues the statement of reasons for a removed comment,
// in the transaction of the decision.
func (s *Server) queueStatement(ctx context.Context, m store.Moderated, d parley.Decision) error {
	c := m.Comment
	st, err := s.baseStatement(ctx, c)
	if err != nil {
		return err
	}
	l := st.Lang
	st.Decision = l.T("A moderator has removed your comment from the debate. It is no longer shown to anyone, on this site or in its feeds.")
	if m.To == parley.CommentSpam {
		st.Decision = l.T("A moderator has removed your comment from the debate as spam. It is no longer shown to anyone, on this site or in its feeds.")
	}
	if d.Category != "" {
		st.Rule = l.T(d.Category.Label()) + "."
	} else if m.To == parley.CommentSpam {
		st.Rule = l.T(parley.ReportSpam.Label()) + "."
	}
	st.Reason = d.Reason
	reports, hidden, err := s.removalFacts(ctx, c.ID)
	if err != nil {
		return err
	}
	switch {
	case reports > 0:
		st.Facts = l.T("the comment's text, and %d reports from readers.", reports)
	default:
		st.Facts = l.T("the comment's text, reviewed by a moderator on their own initiative.")
	}
	st.Automated = l.T("none: a person decided.")
	if hidden {
		st.Automated = l.T("the comment was hidden automatically once readers' reports reached the debate's limit, until a moderator decided; the decision was a person's.")
	}
	earlier, err := s.store.AppealOf(ctx, c.ID)
	if err != nil {
		return err
	}
	if earlier == nil {
		until := time.Now().Add(appealWindow)
		st.AppealURL = s.cfg.BaseURL + "/appeals/" + s.appealToken(c.ID, until)
		st.AppealUntil = l.Date(until)
	} else {
		st.Reason += " " + l.T("You appealed once about this comment already; you may still turn to a certified out-of-court dispute settlement body, or to the courts.")
	}
	msg, err := st.message(c.AuthorEmail, l.T("Your comment on “%s” was removed", st.Debate)+" · "+s.siteName())
	if err != nil {
		return err
	}
	return s.outbox.Queue(ctx, "statement-"+strconv.FormatInt(m.ActionID, 10), msg)
}

// removalFacts says how many readers reported a comment and whether the
// reports hid it automatically.
func (s *Server) removalFacts(ctx context.Context, commentID int64) (reports int, hidden bool, err error) {
	actions, err := s.store.ModerationLog(ctx, store.LogFilter{CommentID: commentID, Limit: 50})
	if err != nil {
		return 0, false, err
	}
	for _, a := range actions {
		if a.Verb == parley.VerbHide {
			hidden = true
		}
	}
	c, err := s.store.ReportCount(ctx, commentID)
	return c, hidden, err
}

// queueAppealOutcome tells an author what became of their appeal.
func (s *Server) queueAppealOutcome(ctx context.Context, m store.Moderated, reversed bool, reason string) error {
	c := m.Comment
	if c.AuthorEmail == "" {
		return nil
	}
	st, err := s.baseStatement(ctx, c)
	if err != nil {
		return err
	}
	l := st.Lang
	st.Outcome = l.T("A moderator has looked at your appeal again and the removal of your comment stands.")
	if reversed {
		st.Outcome = l.T("A moderator has looked at your appeal and restored your comment.")
	}
	st.Reason = reason
	msg, err := st.message(c.AuthorEmail, l.T("Your appeal about your comment on “%s”", st.Debate)+" · "+s.siteName())
	if err != nil {
		return err
	}
	return s.outbox.Queue(ctx, "appeal-"+strconv.FormatInt(m.ActionID, 10), msg)
}

type appealPage struct {
	pageMeta
	Token    string
	Comment  *parley.Comment
	Debate   *parley.Debate
	Appeal   *parley.Appeal
	Expired  bool
	Body     string
	Problems map[string]string
	Message  string
}

// appealContext reads the token and the comment it is about; a link that
// is not valid gives nothing away.
func (s *Server) appealContext(r *http.Request) (*appealPage, error) {
	token := r.PathValue("token")
	id, expired, ok := s.appealTarget(token)
	if !ok {
		return nil, parley.Errorf(parley.ENOTFOUND, "This appeal link is not valid. Please use the link from the email that told you about the decision.")
	}
	c, err := s.store.Comment(r.Context(), id)
	if err != nil {
		return nil, err
	}
	d, err := s.store.DebateByID(r.Context(), c.DebateID)
	if err != nil {
		return nil, err
	}
	a, err := s.store.AppealOf(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return &appealPage{pageMeta: s.meta(r, lang(r).T("Appeal a moderation decision")), Token: token, Comment: c, Debate: d, Appeal: a, Expired: expired}, nil
}

func (s *Server) handleAppealForm(w http.ResponseWriter, r *http.Request) {
	p, err := s.appealContext(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "appeal", p)
}

// handleAppeal records an appeal. The author's text comes back with any
// problem; an appeal is taken once.
func (s *Server) handleAppeal(w http.ResponseWriter, r *http.Request) {
	p, err := s.appealContext(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	r.ParseForm()
	body, ok := parley.CleanText(r.PostForm.Get("body"))
	p.Body = r.PostForm.Get("body")
	switch {
	case p.Expired:
		p.Message = "The time to appeal against this decision has passed."
		s.render(w, r, http.StatusGone, "appeal", p)
		return
	case !ok || strings.TrimSpace(body) == "":
		p.Problems = map[string]string{"body": "Please say why the decision is wrong."}
	case utf8.RuneCountInString(body) > parley.MaxAppealLen:
		p.Problems = map[string]string{"body": "Your appeal is longer than 4,000 characters."}
	}
	if p.Problems != nil {
		s.render(w, r, http.StatusUnprocessableEntity, "appeal", p)
		return
	}
	if p.Appeal, err = s.store.AppealComment(r.Context(), p.Comment.ID, body); err != nil {
		if status(err) >= 500 {
			s.fail(w, r, err)
			return
		}
		p.Message = parley.ErrorMessage(err)
		s.render(w, r, status(err), "appeal", p)
		return
	}
	s.render(w, r, http.StatusOK, "appeal", p)
}
