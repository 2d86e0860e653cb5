package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/parley-org/parley"
)

// postedCookie names, for the next page view only, the comment this
// browser has just posted, so that the page it lands on says what became
// of it. It is signed, and it makes that page personal (not cached).
const postedCookie = "parley_posted"

// setPosted remembers the comment just posted for the page the post
// redirects to.
func (s *Server) setPosted(w http.ResponseWriter, id int64) {
	http.SetCookie(w, &http.Cookie{
		Name: postedCookie, Value: s.sign("posted", "posted."+strconv.FormatInt(id, 10)), Path: "/", MaxAge: 600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: strings.HasPrefix(s.cfg.BaseURL, "https://"),
	})
}

// postedID is the comment this browser has just posted, 0 for none.
func (s *Server) postedID(r *http.Request) int64 {
	c, err := r.Cookie(postedCookie)
	if err != nil {
		return 0
	}
	v, ok := s.verify("posted", c.Value)
	if !ok {
		return 0
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(v, "posted."), 10, 64)
	if err != nil || !strings.HasPrefix(v, "posted.") || id <= 0 {
		return 0
	}
	return id
}

// clearPosted forgets the comment just posted once its page has said so.
func clearPosted(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: postedCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// postedNote tells the author of a comment just posted what became of it,
// in English: a catalogue key. A held comment says why in plain words when
// the reason is the debate's published rule (every comment, first
// comments, many links); reasons that would teach a spammer how comments
// are screened (the classifier, the form's traps, duplicates, word lists)
// go unnamed.
func (s *Server) postedNote(ctx context.Context, d *parley.Debate, c *parley.Comment) string {
	if c.Status == parley.CommentApproved {
		return "Thank you: your comment is published."
	}
	reasons, err := s.store.HoldReasons(ctx, c.ID)
	if err != nil {
		s.log.Warn("reasons for a held comment", "comment", c.ID, "err", err)
	}
	// The comment's own note says who can see it meanwhile.
	return heldNote(reasons)
}

// heldNote turns the reasons screening recorded (see screen) into the
// note a reader may read: why the comment waits, when that may be told.
func heldNote(reasons []string) string {
	for _, why := range reasons {
		switch {
		case why == "This debate holds every comment for review":
			return "Thank you. Your comment is waiting for a moderator because this debate reviews every comment before it is published."
		case why == "First comment by this author":
			return "Thank you. Your comment is waiting for a moderator because this debate reviews first comments: once one of yours is approved, the next ones appear at once."
		case strings.Contains(why, " links; this debate holds comments with more than "):
			return "Thank you. Your comment is waiting for a moderator because it has more links than this debate publishes without a check."
		}
	}
	return "Thank you. Your comment is waiting for a moderator."
}
