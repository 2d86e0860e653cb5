package web

import (
	"bytes"
	"html"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/i18n"
)

// The thread is the one part of a page that grows with the debate, so it is
// written by hand rather than by html/template: a debate page of 1,000
// comments renders in well under a millisecond this way. Comment bodies were
// sanitised when they were posted; every other string is escaped here.

// threadView is what the thread writer needs to know about the page.
type threadView struct {
	// lang is the reader's language (English when nil).
	lang   *i18n.Lang
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
	// translateText words the link to a comment's translation into the
	// reader's language ("": none; nil: never), once a page for each
	// language and kind (memo); humanTranslated are the comments the
	// editors translated into it.
	translateText   func(l *i18n.Lang, from string, human bool) string
	humanTranslated map[int64]bool
	memo            map[string]string
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
	if v.lang == nil {
		v.lang = i18n.English()
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
		b.WriteString(`">`)
		b.WriteString(v.text().deleted)
		b.WriteString(`</p>`)
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
	b.WriteString(`><summary><span class="when-closed">`)
	escape(b, v.lang.T("Show %d more replies", hidden))
	b.WriteString(`</span><span class="when-open">`)
	escape(b, v.lang.T("Hide these %d replies", hidden))
	b.WriteString(`</span></summary><ol class="thread">`)
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
	text := v.text()
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
	v.writeTime(b, c.CreatedAt)
	b.WriteString(`</time></a>`)
	if !c.EditedAt.IsZero() {
		b.WriteString(` <span class="edited">`)
		b.WriteString(text.edited)
		b.WriteString(`</span>`)
	}
	if a := v.answerOf(c); a != nil {
		b.WriteString(` <span class="in-reply-to">`)
		text.inReplyToAnswer.write(b, "#answer-"+strconv.FormatInt(a.ID, 10), a.Expert.Name)
		b.WriteString(`</span>`)
	} else if c.ReplyToName != "" {
		b.WriteString(` <span class="in-reply-to">`)
		text.inReplyTo.write(b, "#comment-"+strconv.FormatInt(c.ReplyToID, 10), c.ReplyToName)
		b.WriteString(`</span>`)
	} else if parent != nil && c.Depth >= 2 && parent.DeletedAt.IsZero() {
		// Narrow screens indent one level only: deeper replies say whom
		// they answer (the style sheet shows this there alone).
		b.WriteString(` <span class="in-reply-to implied">`)
		text.inReplyTo.write(b, "#comment-"+strconv.FormatInt(parent.ID, 10), parent.AuthorName)
		b.WriteString(`</span>`)
	}
	if c.Source != "" {
		b.WriteString(` <span class="source">`)
		escape(b, v.lang.T(c.SourceLabel()))
		b.WriteString(`</span>`)
	}
	if c.Language != "" && c.Language != v.lang.Code {
		// Said in words too: the lang attribute alone is heard, not seen.
		b.WriteString(` <span class="comment-language">`)
		escape(b, v.remember("name "+c.Language, func() string { return v.lang.LanguageName(c.Language) }))
		b.WriteString(`</span>`)
	}
	b.WriteString(`</header>`)
	if c.ID == v.posted && v.postedNote != "" {
		b.WriteString(`<p class="posted-note" role="status">`)
		escape(b, v.postedNote)
		b.WriteString(`</p>`)
	}
	if c.Status == parley.CommentPending {
		b.WriteString(`<p class="moderation-note">`)
		b.WriteString(text.awaiting)
		b.WriteString(`</p>`)
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
	translate := v.translateLinkText(c)
	if !own && !reply && !report && !v.moderator && !v.editor && translate == "" {
		return
	}
	b.WriteString(`<footer>`)
	if translate != "" {
		// A link that costs the operator: robots are asked not to follow it.
		b.WriteString(`<a class="translate" rel="nofollow" href="/comments/`)
		b.WriteString(id)
		b.WriteString(`/translation?to=`)
		b.WriteString(v.lang.Code)
		b.WriteString(`" data-comment="`)
		b.WriteString(id)
		b.WriteString(`">`)
		escape(b, translate)
		b.WriteString(`</a> `)
	}
	if reply {
		b.WriteString(`<a class="reply" href="/debates/`)
		escape(b, v.debate.Slug)
		b.WriteString(`/comments/`)
		b.WriteString(id)
		b.WriteString(`/reply#reply-form" data-reply-to="`)
		b.WriteString(id)
		b.WriteString(`">`)
		text.reply.write(b, c.AuthorName)
		b.WriteString(`</a>`)
	}
	if own {
		if v.now.Sub(c.CreatedAt) <= parley.EditWindow {
			b.WriteString(` <a class="edit" href="/comments/`)
			b.WriteString(id)
			b.WriteString(`/edit">`)
			b.WriteString(text.edit)
			b.WriteString(`</a>`)
		}
		b.WriteString(` <a class="delete" href="/comments/`)
		b.WriteString(id)
		b.WriteString(`/delete">`)
		b.WriteString(text.del)
		b.WriteString(`</a>`)
	}
	if v.moderator {
		b.WriteString(` <a class="moderate" href="/moderation/comments/`)
		b.WriteString(id)
		b.WriteString(`">`)
		b.WriteString(text.moderate)
		b.WriteString(`</a>`)
	}
	if v.editor && c.Status == parley.CommentApproved {
		b.WriteString(` <a class="pick" href="/admin/debates/`)
		b.WriteString(strconv.FormatInt(v.debate.ID, 10))
		b.WriteString(`/board?pick=`)
		b.WriteString(id)
		// No fragment: a browser skips autofocus on an address that has one,
		// and the board puts the pick form first anyway.
		b.WriteString(`">`)
		b.WriteString(text.pick)
		b.WriteString(`</a>`)
	}
	if report {
		b.WriteString(` <a class="report" href="/comments/`)
		b.WriteString(id)
		b.WriteString(`/report" rel="nofollow">`)
		text.report.write(b, c.AuthorName)
		b.WriteString(`</a>`)
	}
	b.WriteString(`</footer>`)
}

// translateLinkText is the text of the link to a comment's translation,
// "" for none.
func (v *threadView) translateLinkText(c *parley.Comment) string {
	if v.translateText == nil || c.Status != parley.CommentApproved || c.Language == "" || c.Language == v.lang.Code {
		return ""
	}
	human := v.humanTranslated[c.ID]
	return v.remember("translate "+c.Language+strconv.FormatBool(human), func() string {
		return v.translateText(v.lang, c.Language, human)
	})
}

// remember returns the text made once a page under key.
func (v *threadView) remember(key string, make func() string) string {
	text, ok := v.memo[key]
	if !ok {
		if v.memo == nil {
			v.memo = map[string]string{}
		}
		text = make()
		v.memo[key] = text
	}
	return text
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
	text := v.text()
	b.WriteString(`<div class="expert-answer" role="note" id="answer-`)
	b.WriteString(strconv.FormatInt(a.ID, 10))
	b.WriteString(`" aria-label="`)
	text.answerFrom.write(b, e.Name)
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
		b.WriteString(`#reply-form">`)
		text.replyToAnswer.write(b, e.Name)
		b.WriteString(`</a> `)
	}
	// The answer's own page carries its title, portrait and share links.
	b.WriteString(`<a class="share" href="/debates/`)
	escape(b, v.debate.Slug)
	b.WriteString(`/answers/`)
	b.WriteString(strconv.FormatInt(a.ID, 10))
	b.WriteString(`">`)
	text.shareAnswer.write(b, e.Name)
	b.WriteString(`</a></footer></div>`)
}

// threadText is the thread's words in one language. Each message is
// formatted once, when the language is first read: a debate page writes
// them once a comment.
type threadText struct {
	// Texts, escaped for HTML.
	deleted, edited, awaiting, edit, del, moderate, pick string
	// Messages with values and markup.
	reply, report, inReplyTo, inReplyToAnswer, replyToAnswer, shareAnswer phrase
	// answerFrom is an attribute's value.
	answerFrom phrase
}

// threadTexts holds each language's threadText, by language code.
var threadTexts sync.Map

// text is the thread's words in the reader's language.
func (v *threadView) text() *threadText {
	if t, ok := threadTexts.Load(v.lang.Code); ok {
		return t.(*threadText)
	}
	l := v.lang
	t := &threadText{
		deleted:         html.EscapeString(l.T("Comment deleted")),
		edited:          html.EscapeString(l.T("edited")),
		awaiting:        html.EscapeString(l.T("Awaiting moderation. Only you can see this comment until a moderator approves it.")),
		edit:            html.EscapeString(l.T("Edit")),
		del:             html.EscapeString(l.T("Delete")),
		moderate:        html.EscapeString(l.T("Moderate")),
		pick:            html.EscapeString(l.T("Add to questions")),
		reply:           cutHTML(l, "Reply<span class=\"visually-hidden\"> to %s</span>", 1),
		report:          cutHTML(l, "Report<span class=\"visually-hidden\"> the comment by %s</span>", 1),
		inReplyTo:       cutHTML(l, "in reply to <a href=\"%[1]s\">%[2]s</a>", 2),
		inReplyToAnswer: cutHTML(l, "in reply to <a href=\"%[1]s\">%[2]s's answer</a>", 2),
		replyToAnswer:   cutHTML(l, "Reply<span class=\"visually-hidden\"> to %s's answer</span>", 1),
		shareAnswer:     cutHTML(l, "Share<span class=\"visually-hidden\"> %s's answer</span>", 1),
		answerFrom:      cutAttr(l, "Answer from %s", 1),
	}
	threadTexts.Store(l.Code, t)
	return t
}

// writeTime writes a comment's time as appendTimes does, its displayed
// form in the reader's language.
func (v *threadView) writeTime(b *bytes.Buffer, t time.Time) {
	if v.lang.Code == "en" {
		b.Write(appendTimes(b.AvailableBuffer(), t))
		return
	}
	b.WriteString(t.UTC().Format(time.RFC3339))
	b.WriteString(`">`)
	escape(b, v.lang.DateTime(t))
}

// phrase is a message with values, cut where the values go, so that
// writing it escapes them into its text without formatting it again.
type phrase []phrasePart

type phrasePart struct {
	text string
	arg  int // the value written after text, -1 for none
}

// mark stands for the i-th value in a message being cut: a character of
// Unicode's private use area, which no message and no escaping holds.
func mark(i int) rune { return rune(0xE000 + i) }

// cutHTML cuts a message that holds markup (see i18n.Lang.HTML).
func cutHTML(l *i18n.Lang, key string, values int) phrase {
	return cutPhrase(string(l.HTML(key, marks(values)...)), values)
}

// cutAttr cuts a message that is an attribute's value: all of it is escaped.
func cutAttr(l *i18n.Lang, key string, values int) phrase {
	return cutPhrase(html.EscapeString(l.T(key, marks(values)...)), values)
}

func marks(n int) []any {
	m := make([]any, n)
	for i := range m {
		m[i] = string(mark(i))
	}
	return m
}

func cutPhrase(s string, values int) phrase {
	var p phrase
	for {
		at, arg := -1, -1
		for i := range values {
			if j := strings.IndexRune(s, mark(i)); j >= 0 && (at < 0 || j < at) {
				at, arg = j, i
			}
		}
		if at < 0 {
			return append(p, phrasePart{s, -1})
		}
		p = append(p, phrasePart{s[:at], arg})
		s = s[at+len(string(mark(arg))):]
	}
}

// write writes the phrase with its values, escaped.
func (p phrase) write(b *bytes.Buffer, values ...string) {
	for _, part := range p {
		b.WriteString(part.text)
		if part.arg >= 0 {
			escape(b, values[part.arg])
		}
	}
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
