package web

import (
	"bytes"
	"strconv"
	"time"

	"github.com/parley-org/parley"
)

// The thread is the one part of a page that grows with the debate, so it is
// written by hand rather than by html/template: a debate page of 1,000
// comments renders in well under a millisecond this way. Comment bodies were
// sanitised when they were posted; every other string is escaped here.

// threadView is what the thread writer needs to know about the page.
type threadView struct {
	debate *parley.Debate
	// pageQuery is the query string of the current page ("" or "?after=…"),
	// so permalinks point at the page that holds the comment.
	pageQuery string
	answers   map[int64][]*parley.Answer
	canReply  bool
	// viewer is the signed-in reader's account, 0 for a visitor: their own
	// comments get links to edit and delete them.
	viewer int64
	// moderator is set for moderators, editors and admins: each comment
	// links to its card in the moderation console. editor adds a link to
	// pick it as a question on the editors' board.
	moderator, editor bool
	now               time.Time
	// fold is how many replies of a thread show before the rest fold away
	// behind "Show N more replies" (0: all show).
	fold int
	// posted is the comment this reader has just posted, which the page
	// lands on; postedNote says what became of it.
	posted     int64
	postedNote string
}

// foldReplies is how many replies of a thread a debate page shows before
// the rest fold away behind "Show N more replies". Fewer than two hidden
// replies never fold: a button that reveals one comment saves nothing.
const foldReplies = 3

// all stands for no limit on the replies shown.
const all = -1

func (v *threadView) writeThread(b *bytes.Buffer, nodes []*parley.ThreadNode) {
	if len(nodes) == 0 {
		return
	}
	budget := all
	if v.fold > 0 {
		budget = v.fold
	}
	b.WriteString(`<ol class="thread">`)
	for _, n := range nodes {
		v.writeComment(b, n, nil, budget)
	}
	b.WriteString(`</ol>`)
}

// writeComment writes a comment with its answers and replies, of which
// budget (or all) may show before the rest fold away.
func (v *threadView) writeComment(b *bytes.Buffer, n *parley.ThreadNode, parent *parley.Comment, budget int) {
	c := n.Comment
	id := strconv.FormatInt(c.ID, 10)
	b.WriteString(`<li class="comment`)
	if c.Status == parley.CommentPending {
		b.WriteString(` pending`)
	}
	b.WriteString(`" id="comment-`)
	b.WriteString(id)
	b.WriteString(`"><article `)
	if c.ID == v.posted {
		b.WriteString(`class="posted" `) // just posted by this reader
	}
	b.WriteString(`aria-labelledby="by-`)
	b.WriteString(id)
	if !c.DeletedAt.IsZero() {
		// Deleted by its author but answered: the replies keep their place.
		b.WriteString(`"><p class="deleted" id="by-`)
		b.WriteString(id)
		b.WriteString(`">Comment deleted</p>`)
	} else {
		v.writeCommentBody(b, c, id, parent)
	}
	b.WriteString(`</article>`)
	for _, a := range v.answers[c.ID] {
		v.writeAnswer(b, a)
	}
	v.writeReplies(b, n, budget)
	b.WriteString(`</li>`)
}

// writeReplies writes a comment's replies. While the budget lasts, each
// reply shows with as many of its own as fit; the first reply that does
// not fit, and every one after it, fold into one "Show N more replies"
// that opens without JavaScript (a <details> element).
func (v *threadView) writeReplies(b *bytes.Buffer, n *parley.ThreadNode, budget int) {
	if len(n.Replies) == 0 {
		return
	}
	b.WriteString(`<ol class="thread">`)
	for i, r := range n.Replies {
		if budget == all {
			v.writeComment(b, r, n.Comment, all)
			continue
		}
		size := subtreeSize(r)
		if size > budget && (i > 0 || budget == 0) {
			if hidden := repliesIn(n.Replies[i:]); hidden >= 2 {
				v.writeFolded(b, n.Replies[i:], n.Comment, hidden)
				break
			}
		}
		inner := max(budget-1, 0)
		budget = max(budget-size, 0)
		v.writeComment(b, r, n.Comment, inner)
	}
	b.WriteString(`</ol>`)
}

// writeFolded writes replies folded away behind a summary that counts
// them. The fold starts open when it holds what the reader came for: the
// comment they just posted, one of theirs awaiting moderation, or a comment
// an expert answered (the article links to the answer).
func (v *threadView) writeFolded(b *bytes.Buffer, nodes []*parley.ThreadNode, parent *parley.Comment, hidden int) {
	b.WriteString(`<li class="more-replies"><details`)
	for _, r := range nodes {
		if v.holdsWanted(r) {
			b.WriteString(` open`)
			break
		}
	}
	count := strconv.Itoa(hidden)
	b.WriteString(`><summary><span class="when-closed">Show `)
	b.WriteString(count)
	b.WriteString(` more replies</span><span class="when-open">Hide these `)
	b.WriteString(count)
	b.WriteString(` replies</span></summary><ol class="thread">`)
	for _, r := range nodes {
		v.writeComment(b, r, parent, all)
	}
	b.WriteString(`</ol></details></li>`)
}

// holdsWanted reports whether a subtree holds a comment that must not be
// hidden when the page opens.
func (v *threadView) holdsWanted(n *parley.ThreadNode) bool {
	c := n.Comment
	if c.ID == v.posted || c.Status == parley.CommentPending || len(v.answers[c.ID]) > 0 {
		return true
	}
	for _, r := range n.Replies {
		if v.holdsWanted(r) {
			return true
		}
	}
	return false
}

// subtreeSize counts a comment and all its replies.
func subtreeSize(n *parley.ThreadNode) int { return 1 + repliesIn(n.Replies) }

// repliesIn counts the comments in a list of subtrees.
func repliesIn(nodes []*parley.ThreadNode) int {
	total := 0
	for _, r := range nodes {
		total += subtreeSize(r)
	}
	return total
}

func (v *threadView) writeCommentBody(b *bytes.Buffer, c *parley.Comment, id string, parent *parley.Comment) {
	b.WriteString(`"><header><img class="avatar" src="/avatars/`)
	escape(b, c.AvatarKey)
	b.WriteString(`.svg" alt="" width="40" height="40" loading="lazy">`)
	if c.UserID != 0 {
		b.WriteString(`<a class="author" href="/people/`)
		b.WriteString(strconv.FormatInt(c.UserID, 10))
		b.WriteString(`" id="by-`)
		b.WriteString(id)
		b.WriteString(`">`)
		escape(b, c.AuthorName)
		b.WriteString(`</a>`)
	} else {
		b.WriteString(`<span class="author" id="by-`)
		b.WriteString(id)
		b.WriteString(`">`)
		escape(b, c.AuthorName)
		b.WriteString(`</span>`)
	}
	b.WriteString(` <a class="permalink" href="/debates/`)
	escape(b, v.debate.Slug)
	escape(b, v.pageQuery)
	b.WriteString(`#comment-`)
	b.WriteString(id)
	b.WriteString(`"><time datetime="`)
	b.Write(appendTimes(b.AvailableBuffer(), c.CreatedAt))
	b.WriteString(`</time></a>`)
	if !c.EditedAt.IsZero() {
		b.WriteString(` <span class="edited">edited</span>`)
	}
	if a := v.answerOf(c); a != nil {
		b.WriteString(` <span class="in-reply-to">in reply to <a href="#answer-`)
		b.WriteString(strconv.FormatInt(a.ID, 10))
		b.WriteString(`">`)
		escape(b, a.Expert.Name)
		b.WriteString(`'s answer</a></span>`)
	} else if c.ReplyToName != "" {
		b.WriteString(` <span class="in-reply-to">in reply to <a href="#comment-`)
		b.WriteString(strconv.FormatInt(c.ReplyToID, 10))
		b.WriteString(`">`)
		escape(b, c.ReplyToName)
		b.WriteString(`</a></span>`)
	} else if parent != nil && c.Depth >= 2 && parent.DeletedAt.IsZero() {
		// Narrow screens indent one level only: deeper replies say whom
		// they answer (the style sheet shows this there alone).
		b.WriteString(` <span class="in-reply-to implied">in reply to <a href="#comment-`)
		b.WriteString(strconv.FormatInt(parent.ID, 10))
		b.WriteString(`">`)
		escape(b, parent.AuthorName)
		b.WriteString(`</a></span>`)
	}
	if c.Source != "" {
		b.WriteString(` <span class="source">`)
		escape(b, c.SourceLabel())
		b.WriteString(`</span>`)
	}
	b.WriteString(`</header>`)
	if c.ID == v.posted && v.postedNote != "" {
		b.WriteString(`<p class="posted-note" role="status">`)
		escape(b, v.postedNote)
		b.WriteString(`</p>`)
	}
	if c.Status == parley.CommentPending {
		b.WriteString(`<p class="moderation-note">Awaiting moderation. Only you can see this comment until a moderator approves it.</p>`)
	}
	b.WriteString(`<div class="body"`)
	if c.Language != "" {
		b.WriteString(` lang="`)
		escape(b, c.Language)
		b.WriteString(`"`)
	}
	b.WriteString(`>`)
	b.WriteString(c.BodyHTML)
	b.WriteString(`</div>`)
	own := v.viewer != 0 && c.UserID == v.viewer
	reply := v.canReply && c.Status == parley.CommentApproved
	report := !own && c.Status == parley.CommentApproved
	if !own && !reply && !report && !v.moderator && !v.editor {
		return
	}
	b.WriteString(`<footer>`)
	if reply {
		b.WriteString(`<a class="reply" href="/debates/`)
		escape(b, v.debate.Slug)
		b.WriteString(`/comments/`)
		b.WriteString(id)
		b.WriteString(`/reply#reply-form" data-reply-to="`)
		b.WriteString(id)
		b.WriteString(`">Reply<span class="visually-hidden"> to `)
		escape(b, c.AuthorName)
		b.WriteString(`</span></a>`)
	}
	if own {
		if v.now.Sub(c.CreatedAt) <= parley.EditWindow {
			b.WriteString(` <a class="edit" href="/comments/`)
			b.WriteString(id)
			b.WriteString(`/edit">Edit</a>`)
		}
		b.WriteString(` <a class="delete" href="/comments/`)
		b.WriteString(id)
		b.WriteString(`/delete">Delete</a>`)
	}
	if v.moderator {
		b.WriteString(` <a class="moderate" href="/moderation/comments/`)
		b.WriteString(id)
		b.WriteString(`">Moderate</a>`)
	}
	if v.editor && c.Status == parley.CommentApproved {
		b.WriteString(` <a class="pick" href="/admin/debates/`)
		b.WriteString(strconv.FormatInt(v.debate.ID, 10))
		b.WriteString(`/board?pick=`)
		b.WriteString(id)
		// No fragment: a browser skips autofocus on an address that has one,
		// and the board puts the pick form first anyway.
		b.WriteString(`">Add to questions</a>`)
	}
	if report {
		b.WriteString(` <a class="report" href="/comments/`)
		b.WriteString(id)
		b.WriteString(`/report" rel="nofollow">Report<span class="visually-hidden"> the comment by `)
		escape(b, c.AuthorName)
		b.WriteString(`</span></a>`)
	}
	b.WriteString(`</footer>`)
}

// answerOf is the published answer a comment replies to, if any.
func (v *threadView) answerOf(c *parley.Comment) *parley.Answer {
	if c.ReplyToAnswerID == 0 {
		return nil
	}
	for _, a := range v.answers[c.ReplyToID] {
		if a.ID == c.ReplyToAnswerID {
			return a
		}
	}
	return nil
}

// writeAnswer writes an expert's published answer under the comment it
// answers, with a link to reply to it in the thread.
func (v *threadView) writeAnswer(b *bytes.Buffer, a *parley.Answer) {
	e := a.Expert
	b.WriteString(`<div class="expert-answer" role="note" id="answer-`)
	b.WriteString(strconv.FormatInt(a.ID, 10))
	b.WriteString(`" aria-label="Answer from `)
	escape(b, e.Name)
	b.WriteString(`">`)
	if a.LeadIn != "" {
		b.WriteString(`<p class="lead-in">`)
		escape(b, a.LeadIn)
		b.WriteString(`</p>`)
	}
	b.WriteString(`<div class="expert">`)
	if e.PortraitURL != "" {
		b.WriteString(`<img class="portrait" src="`)
		escape(b, e.PortraitURL)
		// The name stands beside the portrait, so the image itself is decorative.
		b.WriteString(`" alt="" width="64" height="64" loading="lazy">`)
	}
	b.WriteString(`<div><a class="expert-name" href="/experts/`)
	escape(b, e.Slug)
	b.WriteString(`">`)
	escape(b, e.Name)
	b.WriteString(`</a><span class="expert-title">`)
	escape(b, e.Title)
	if e.Affiliation != "" {
		if e.Title != "" {
			b.WriteString(`, `)
		}
		escape(b, e.Affiliation)
	}
	b.WriteString(`</span>`)
	if e.PortraitCredit != "" {
		b.WriteString(`<span class="credit">`)
		escape(b, e.PortraitCredit)
		b.WriteString(`</span>`)
	}
	b.WriteString(`</div></div><div class="body">`)
	b.WriteString(a.BodyHTML)
	b.WriteString(`</div>`)
	b.WriteString(`<footer>`)
	if v.canReply {
		b.WriteString(`<a class="reply-answer" href="/debates/`)
		escape(b, v.debate.Slug)
		b.WriteString(`/comments/`)
		b.WriteString(strconv.FormatInt(a.CommentID, 10))
		b.WriteString(`/reply?answer=`)
		b.WriteString(strconv.FormatInt(a.ID, 10))
		b.WriteString(`#reply-form">Reply<span class="visually-hidden"> to `)
		escape(b, e.Name)
		b.WriteString(`'s answer</span></a> `)
	}
	// The answer's own page carries its title, portrait and share links.
	b.WriteString(`<a class="share" href="/debates/`)
	escape(b, v.debate.Slug)
	b.WriteString(`/answers/`)
	b.WriteString(strconv.FormatInt(a.ID, 10))
	b.WriteString(`">Share<span class="visually-hidden"> `)
	escape(b, e.Name)
	b.WriteString(`'s answer</span></a></footer></div>`)
}

// escape writes s with the five HTML-special characters escaped.
func escape(b *bytes.Buffer, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case '&':
			rep = "&amp;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '"':
			rep = "&#34;"
		case '\'':
			rep = "&#39;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(rep)
		last = i + 1
	}
	b.WriteString(s[last:])
}

var months = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// appendTimes writes t in UTC as `2026-11-26T14:05:09Z">26 Nov 2026, 14:05 UTC`:
// the machine-readable and the displayed form of a comment's time (app.js
// shows it in the reader's own time zone). It is
// what AppendFormat with time.RFC3339 and "2 Jan 2006, 15:04 UTC" write
// (TestAppendTimes holds it to that), without reading a layout per call,
// which cost an eighth of a debate page.
func appendTimes(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, min, sec := t.Clock()
	b = appendDigits(b, year, 4)
	b = append(b, '-')
	b = appendDigits(b, int(month), 2)
	b = append(b, '-')
	b = appendDigits(b, day, 2)
	b = append(b, 'T')
	b = appendDigits(b, hour, 2)
	b = append(b, ':')
	b = appendDigits(b, min, 2)
	b = append(b, ':')
	b = appendDigits(b, sec, 2)
	b = append(b, `Z">`...)
	b = strconv.AppendInt(b, int64(day), 10)
	b = append(b, ' ')
	b = append(b, months[month-1]...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(year), 10)
	b = append(b, ", "...)
	b = appendDigits(b, hour, 2)
	b = append(b, ':')
	b = appendDigits(b, min, 2)
	return append(b, " UTC"...)
}

// appendDigits writes n with at least width digits, zero-padded.
func appendDigits(b []byte, n, width int) []byte {
	var d [20]byte
	i := len(d)
	for n >= 10 || len(d)-i < width-1 {
		i--
		d[i] = byte('0' + n%10)
		n /= 10
	}
	i--
	d[i] = byte('0' + n)
	return append(b, d[i:]...)
}
