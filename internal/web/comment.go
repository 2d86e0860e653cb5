package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/notify"
	"github.com/parley-org/parley/internal/store"
)

// postComment validates, renders and stores a reader's comment. The same
// path serves the form and the API. created is false when the same
// submission was already stored (a refresh, a back button, a retry).
// hold, when set, is the status a suspicious form post is stored with
// (see formTrap); screen decides the rest.
func (s *Server) postComment(r *http.Request, d *parley.Debate, in *parley.NewComment, trap trapVerdict) (c *parley.Comment, created bool, err error) {
	u := currentUser(r)
	if ok, wait := s.posts.allow(s.clientNet(r), time.Now()); !ok {
		return nil, false, rateLimited(wait, "posting comments")
	}
	if u != nil {
		// An account is limited wherever it posts from.
		if ok, wait := s.posts.allow("user:"+strconv.FormatInt(u.ID, 10), time.Now()); !ok {
			return nil, false, rateLimited(wait, "posting comments")
		}
		if !u.Verified() {
			return nil, false, parley.Errorf(parley.EFORBIDDEN, "Please confirm your email address before you comment: open the link we sent you, or ask for a new one on your account page. Your text is kept below.")
		}
		// Signed in, the account speaks: its name and address, not the form's.
		in.AuthorName, in.AuthorEmail = u.Name, u.Email
	}
	if err := in.Validate(s.cfg.MaxCommentLen); err != nil {
		return nil, false, err
	}
	if u == nil {
		// A guest is limited by address too, from whatever network.
		if ok, wait := s.posts.allow("email:"+parley.NormalizeEmail(in.AuthorEmail), time.Now()); !ok {
			return nil, false, rateLimited(wait, "posting comments")
		}
	}
	if !d.Open() {
		return nil, false, parley.Errorf(parley.ECLOSED, "This debate is closed and no longer takes comments.")
	}
	if d.AccountsOnly && u == nil {
		return nil, false, parley.Errorf(parley.EUNAUTHORIZED, "This debate takes comments from readers with an account only. Please sign in or create an account; your text is kept below.")
	}
	if in.ParentID != 0 {
		// Only a comment this reader can see may be answered: someone else's
		// comment awaiting moderation is not there for them.
		if _, err := s.visibleComment(r, in.ParentID); err != nil {
			return nil, false, parentGone()
		}
	}
	key := in.SubmissionKey
	if key == "" {
		key = s.contentKey(d.ID, in)
	}
	var userID int64
	if u != nil {
		userID = u.ID
	}
	html, err := s.renderComment(r.Context(), d, in.Body)
	if err != nil {
		return nil, false, err
	}
	status, screening, err := s.screen(r, d, u, in, html, trap, 0)
	if err != nil {
		return nil, false, err
	}
	c, created, err = s.store.CreateComment(r.Context(), store.CreateComment{
		DebateID: d.ID, ParentID: in.ParentID, UserID: userID,
		AuthorName: in.AuthorName, AuthorEmail: in.AuthorEmail, AvatarKey: s.AvatarKey(in.AuthorEmail),
		BodyMD: in.Body, BodyHTML: html, Language: s.detectLanguage(in.Body),
		SubmissionKey: key, MaxDepth: s.cfg.MaxDepth, Status: status, Screening: screening, AnswerID: in.AnswerID,
	})
	if err != nil {
		return nil, false, err
	}
	if !created {
		return c, false, nil
	}
	s.metrics.posted.WithLabelValues(string(c.Status)).Inc()
	if c.Status == parley.CommentApproved {
		s.notify.Kick() // its subscribers hear of it now
	}
	// The comment is stored: a subscription that fails is logged, not
	// reported as a failed post (the reader would post again).
	proven := u != nil && u.Verified()
	if !proven && (in.NotifyReplies || in.NotifyAll) {
		// Asking for mail to an unproven address sends a confirmation: it
		// counts against the network's limit, as on the subscribe form.
		if ok, _ := s.limits.links.allow(s.clientNet(r), time.Now()); !ok {
			s.log.Info("subscribe with a comment: over the network's limit", "comment", c.ID)
			return c, true, nil
		}
	}
	for _, want := range []struct {
		on        bool
		scope     parley.Scope
		commentID int64
	}{{in.NotifyReplies, parley.ScopeReplies, c.ID}, {in.NotifyAll, parley.ScopeDebate, 0}} {
		if !want.on {
			continue
		}
		_, err := s.notify.Subscribe(r.Context(), store.NewSubscription{Email: c.AuthorEmail, DebateID: d.ID, Scope: want.scope,
			CommentID: want.commentID, Delivery: parley.DeliverImmediately, Proven: proven, Language: lang(r).Code})
		if err != nil {
			s.log.Warn("subscribe with a comment", "comment", c.ID, "err", err)
		}
	}
	return c, true, nil
}

// renderComment renders a comment's Markdown, with each "@Name" of another
// commenter of the debate linked to their comment, and refuses a text whose
// formatting alone would make it a large page (thousands of nested quotes
// or lists render to a hundred kilobytes from five thousand characters).
func (s *Server) renderComment(ctx context.Context, d *parley.Debate, body string) (string, error) {
	source := body
	if strings.Contains(body, "@") {
		authors, err := s.store.DebateAuthors(ctx, d.ID)
		if err != nil {
			return "", err
		}
		source = notify.LinkMentions(body, s.cfg.BaseURL, notify.FindMentions(body, authors))
	}
	html := s.comments.Render(source)
	if len(html) > maxCommentHTML(len(source)) {
		const msg = "This comment's formatting (nested quotes or lists) makes it too large to show. Please use less of it; your text is kept below."
		return "", &parley.Error{Code: parley.EINVALID, Message: msg, Fields: map[string]string{"body": msg}}
	}
	return html, nil
}

// maxCommentHTML bounds the HTML a comment of n bytes may render to. Links
// (the address shown and in href) and escaped characters ("&" is "&amp;")
// reach five times the text; deeper nesting is formatting for its own sake.
func maxCommentHTML(n int) int { return 6*n + 4<<10 }

// formStampLifetime is how long a comment form's stamp is taken as a
// person's: a day covers an article read in the evening and answered in the
// morning. An older stamp only holds the comment for a moderator.
const formStampLifetime = 24 * time.Hour

// formStamp signs the time a comment form of the debate is shown, for
// formTrap. It names the debate, so a stamp works for that debate's forms only.
func (s *Server) formStamp(debateID int64, shown time.Time) string {
	return s.signPair("form", debateID, shown.UnixMilli())
}

// formStarted reads a form's signed time, if the stamp is the debate's.
func (s *Server) formStarted(stamp string, debateID int64) (time.Time, bool) {
	id, ms, ok := s.verifyPair("form", stamp)
	if !ok || id != debateID {
		return time.Time{}, false
	}
	return time.UnixMilli(ms), true
}

// trapVerdict is what formTrap makes of a comment form: the status a
// suspicious post is stored with ("" when it looked human), why, and the
// stamp whose reuse screen counts.
type trapVerdict struct {
	status parley.CommentStatus
	reason string
	stamp  string
}

// formTrap catches comment forms filled in by programs, without a third
// party: a field people never see (the honeypot) that was filled in sends
// the comment to spam; a form sent back within seconds of being shown, a
// day or more after, with another debate's stamp or none, holds it for a
// moderator (and so does a stamp used again: see screen). None of this
// tells the sender: the post looks accepted.
func (s *Server) formTrap(r *http.Request, d *parley.Debate) trapVerdict {
	if r.PostForm.Get("website") != "" {
		return trapVerdict{status: parley.CommentSpam, reason: "The hidden form field that only programs fill in was filled in"}
	}
	if s.cfg.MinFillTime < 0 {
		return trapVerdict{}
	}
	stamp := r.PostForm.Get("started")
	started, ok := s.formStarted(stamp, d.ID)
	switch age := time.Since(started); {
	case !ok:
		return trapVerdict{status: parley.CommentPending, reason: "The form came without the time it was shown, or with another debate's"}
	case age < s.cfg.MinFillTime: // a person takes longer than that to write a comment
		return trapVerdict{status: parley.CommentPending, reason: "The form was sent back faster than a person writes", stamp: stamp}
	case age > formStampLifetime:
		return trapVerdict{status: parley.CommentPending, reason: "The form was sent back more than a day after it was shown", stamp: stamp}
	}
	return trapVerdict{stamp: stamp}
}

// parentGone is a new error each time: callers may change its fields.
func parentGone() error {
	const msg = "The comment you are replying to is no longer available."
	return &parley.Error{Code: parley.EINVALID, Message: msg, Fields: map[string]string{"parent_id": msg}}
}

// parentGoneKept is the form's message when what a reply answers is gone:
// the problem, and that the text can go up as a new comment.
func parentGoneKept(problem string) string {
	switch problem {
	case "The answer you are replying to is no longer available.":
		return "The answer you are replying to is no longer available. Your text is kept below; you can post it as a new comment."
	case "The comment you reply to does not exist.":
		return "The comment you reply to does not exist. Your text is kept below; you can post it as a new comment."
	}
	return "The comment you are replying to is no longer available. Your text is kept below; you can post it as a new comment."
}

// contentKey identifies a submission by what it says, so posting the same
// comment twice (a refreshed form, a double click) stores it once.
func (s *Server) contentKey(debateID int64, in *parley.NewComment) string {
	return "c:" + s.keyed(strconv.FormatInt(debateID, 10), strconv.FormatInt(in.ParentID, 10), strings.ToLower(in.AuthorEmail), in.AuthorName, in.Body)
}

// keyed is a keyed hash of its parts, for submission keys that reveal nothing.
func (s *Server) keyed(parts ...string) string { return s.hashWith(s.submissionKey, parts...) }

// hashWith is a keyed hash of its parts under one of the site's secrets.
func (s *Server) hashWith(key []byte, parts ...string) string {
	m := hmac.New(sha256.New, key)
	for _, part := range parts {
		m.Write([]byte(part))
		m.Write([]byte{0})
	}
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// handlePostComment takes the comment form. On success it redirects to the
// comment (POST-redirect-GET); on failure it shows the same page again with
// everything the reader typed and a message beside each wrong field.
func (s *Server) handlePostComment(w http.ResponseWriter, r *http.Request) {
	d, err := s.publicDebate(r)
	if err != nil {
		// The reader's text survives even when the debate cannot be read.
		r.ParseForm()
		s.failForm(w, r, err, commentForm{Body: r.PostForm.Get("body")})
		return
	}
	if err := r.ParseForm(); err != nil {
		if _, tooLarge := asDomain(err).(*parley.Error); !tooLarge {
			err = &parley.Error{Code: parley.EBADREQUEST, Message: "Your browser sent a form we could not read. Please go back and try again."}
		}
		s.fail(w, r, err)
		return
	}
	parentID, _ := strconv.ParseInt(r.PostForm.Get("parent_id"), 10, 64)
	answerID, _ := strconv.ParseInt(r.PostForm.Get("answer_id"), 10, 64)
	in := &parley.NewComment{
		ParentID: parentID, AnswerID: answerID,
		AuthorName: r.PostForm.Get("author_name"), AuthorEmail: r.PostForm.Get("author_email"), Body: r.PostForm.Get("body"),
		NotifyReplies: r.PostForm.Get("notify_replies") != "", NotifyAll: r.PostForm.Get("notify_all") != "",
	}
	form := s.newForm(r, d)
	form.ParentID, form.AnswerID, form.Name, form.Email, form.Body = parentID, answerID, in.AuthorName, in.AuthorEmail, in.Body
	form.NotifyReplies, form.NotifyAll = in.NotifyReplies, in.NotifyAll
	trap := s.formTrap(r, d)
	if _, ok := s.formStarted(r.PostForm.Get("started"), d.ID); ok {
		form.Started = r.PostForm.Get("started") // a corrected form keeps the time it was first shown
	}

	c, _, err := s.postComment(r, d, in, trap)
	if err != nil {
		// Whatever went wrong, the reader gets the form back with their text.
		code := status(err)
		if code >= 500 && code != http.StatusServiceUnavailable {
			s.log.Error("post comment", "debate", d.Slug, "err", err)
		}
		setRetryAfter(w, err)
		form.Problems = parley.ErrorFields(err)
		if len(form.Problems) == 0 {
			form.Message = parley.ErrorMessage(err)
		}
		if fields := form.Problems; fields["parent_id"] != "" {
			// The comment replied to is gone: keep the text, post it at the top level instead.
			form.ParentID, form.AnswerID, form.Message = 0, 0, parentGoneKept(fields["parent_id"])
			delete(fields, "parent_id")
		}
		if form.ParentID != 0 {
			if _, err := s.visibleComment(r, form.ParentID); err == nil {
				s.renderReply(w, r, d, form, code)
				return
			}
			form.ParentID, form.AnswerID = 0, 0
		}
		s.renderDebate(w, r, d, form, code)
		return
	}
	if c.Status == parley.CommentPending {
		s.rememberPending(w, r, c.ID)
	}
	if c.Status == parley.CommentApproved || c.Status == parley.CommentPending {
		s.setPosted(w, c.ID) // the page it lands on says what became of it
	}
	loc, err := s.commentLocation(r, c)
	if err != nil {
		// The comment is stored: say so even when finding its page failed
		// (the database went away just after the commit). An error page here
		// would have the reader post it again.
		s.log.Warn("posted comment: could not find its page", "comment", c.ID, "err", err)
		loc = "/debates/" + url.PathEscape(d.Slug) + "#comment-" + strconv.FormatInt(c.ID, 10)
	}
	redirect(w, r, loc, http.StatusSeeOther)
}
