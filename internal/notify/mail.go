package notify

import (
	"bytes"
	"context"
	"embed"
	htmltemplate "html/template"
	"mime"
	"net/url"
	"strings"
	texttemplate "text/template"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/mail"
	"github.com/parley-org/parley/internal/store"
)

// Mail is written from templates, one folder a language; a recipient whose
// language has no folder gets English.

//go:embed templates
var templateFiles embed.FS

type mailTemplates struct {
	text *texttemplate.Template
	html *htmltemplate.Template
	// subjects are the subject lines, by message.
	subjects map[string]string
}

var languages = map[string]*mailTemplates{
	"en": {
		text: texttemplate.Must(texttemplate.ParseFS(templateFiles, "templates/en/*.txt")),
		html: htmltemplate.Must(htmltemplate.ParseFS(templateFiles, "templates/en/*.html")),
		subjects: map[string]string{
			"debate":  "New comment on “{title}”",
			"thread":  "New reply in a conversation you follow on “{title}”",
			"replies": "{author} replied to your comment on “{title}”",
			"mention": "{author} mentioned you on “{title}”",
			"confirm": "Please confirm: mail from {site}",
			"daily":   "Your daily digest from {site}",
			"weekly":  "Your weekly digest from {site}",
		},
	},
}

func templatesFor(lang string) *mailTemplates {
	if t, ok := languages[lang]; ok {
		return t
	}
	return languages["en"]
}

// render fills both parts of a message from the templates named name.
func (t *mailTemplates) render(name string, data any) (text, html string, err error) {
	var tb, hb bytes.Buffer
	if err := t.text.ExecuteTemplate(&tb, name+".txt", data); err != nil {
		return "", "", err
	}
	if err := t.html.ExecuteTemplate(&hb, name+".html", data); err != nil {
		return "", "", err
	}
	return tb.String(), hb.String(), nil
}

// subject fills a subject line's {author}, {title} and {site} in one pass,
// so that a name containing "{title}" stays as it is.
func subject(format string, author, title, site string) string {
	return strings.NewReplacer("{author}", author, "{title}", title, "{site}", site).Replace(format)
}

// listHeaders are the headers of mail about what an address follows:
// one-click unsubscribe (RFC 8058: a POST to the link, with no page to
// visit); a List-Id (RFC 2919), one per debate, <SLUG.debates.HOST>, or
// <digest.HOST> for digests, which mail programs filter on; and
// Auto-Submitted (RFC 3834), so that out-of-office replies are not sent.
func (n *Notifier) listHeaders(unsubscribe, label, name string) map[string]string {
	return map[string]string{
		"List-Unsubscribe": "<" + unsubscribe + ">", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"List-Id":        listPhrase(name) + " <" + dotAtom(label) + "." + n.listHost() + ">",
		"Auto-Submitted": "auto-generated",
	}
}

// listHost is the site's host name, the namespace of its List-Ids.
func (n *Notifier) listHost() string {
	host := "localhost"
	if u, err := url.Parse(n.cfg.BaseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return dotAtom(host)
}

// dotAtom keeps what a List-Id allows (RFC 5322 dot-atom text, here
// lower-case letters, digits, dots and dashes); an IPv6 address's colons
// become dashes.
func dotAtom(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '-':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, strings.Trim(s, "."))
}

// listPhrase is a List-Id's description: a quoted string, or RFC 2047
// words in base64 when the name is not plain ASCII (go-mail would encode
// the whole field otherwise, the identifier included).
func listPhrase(name string) string {
	for i := 0; i < len(name); i++ {
		if name[i] < ' ' || name[i] > '~' {
			return mime.BEncoding.Encode("utf-8", name)
		}
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name) + `"`
}

type commentData struct {
	Site, What, DebateTitle, DebateURL   string
	Author, ParentAuthor, Text           string
	HTML                                 htmltemplate.HTML
	Permalink, ManageURL, UnsubscribeURL string
}

func (n *Notifier) commentURL(c *parley.Comment) string {
	return n.cfg.BaseURL + "/comments/" + itoa(c.ID)
}

func (n *Notifier) debateURL(slug string) string { return n.cfg.BaseURL + "/debates/" + slug }

// commentMail tells one recipient of a new comment.
func (n *Notifier) commentMail(r store.Recipient, d *parley.Debate, c, parent *parley.Comment) (mail.Message, error) {
	t := templatesFor(r.Language)
	data := commentData{
		Site: n.siteName(), DebateTitle: d.Title, DebateURL: n.debateURL(d.Slug), Author: c.AuthorName, Text: c.BodyMD,
		// Sanitised when the comment was posted.
		HTML:      htmltemplate.HTML(c.BodyHTML),
		Permalink: n.commentURL(c), ManageURL: n.ManageURL(r.AddressID), UnsubscribeURL: n.UnsubscribeURL(r.SubscriptionID),
	}
	if parent != nil {
		data.ParentAuthor = parent.AuthorName
	}
	var subj string
	switch {
	case r.Scope == parley.ScopeReplies && r.CommentID == c.ReplyToID && c.ReplyToID != 0:
		subj = subject(t.subjects["replies"], c.AuthorName, d.Title, n.siteName())
		data.What = "replies to your comment"
	case r.Scope == parley.ScopeReplies:
		subj = subject(t.subjects["mention"], c.AuthorName, d.Title, n.siteName())
		data.What = "replies to your comment, and mentions of you"
	case r.Scope == parley.ScopeThread:
		subj = subject(t.subjects["thread"], c.AuthorName, d.Title, n.siteName())
		data.What = "a conversation in “" + d.Title + "”"
	default:
		subj = subject(t.subjects["debate"], c.AuthorName, d.Title, n.siteName())
		data.What = "the debate “" + d.Title + "”"
	}
	text, html, err := t.render("comment", data)
	if err != nil {
		return mail.Message{}, err
	}
	return mail.Message{To: r.Email, Subject: subj, Text: text, HTML: html,
		Headers: n.listHeaders(data.UnsubscribeURL, d.Slug+".debates", d.Title)}, nil
}

// answerMail tells a subscriber of an expert's published answer. It uses
// the comment template: the expert speaks, in reply to the reader.
func (n *Notifier) answerMail(r store.Recipient, d *parley.Debate, answered *parley.Comment, a *parley.Answer) (mail.Message, error) {
	t := templatesFor(r.Language)
	author := a.Expert.Name
	if a.Expert.Title != "" {
		author += " (" + a.Expert.Title + ")"
	}
	data := commentData{
		Site: n.siteName(), DebateTitle: d.Title, DebateURL: n.debateURL(d.Slug), Author: author, ParentAuthor: answered.AuthorName,
		Text: a.BodyMD, HTML: htmltemplate.HTML(a.BodyHTML), // sanitised when it was saved
		Permalink: n.cfg.BaseURL + "/answers/" + itoa(a.ID), ManageURL: n.ManageURL(r.AddressID), UnsubscribeURL: n.UnsubscribeURL(r.SubscriptionID),
		What: "the debate “" + d.Title + "”",
	}
	if r.Scope == parley.ScopeThread || r.Scope == parley.ScopeReplies {
		data.What = "a conversation in “" + d.Title + "”"
	}
	text, html, err := t.render("comment", data)
	if err != nil {
		return mail.Message{}, err
	}
	subj := a.Expert.Name + " answered " + answered.AuthorName + " on “" + d.Title + "” · " + n.siteName()
	return mail.Message{To: r.Email, Subject: subj, Text: text, HTML: html,
		Headers: n.listHeaders(data.UnsubscribeURL, d.Slug+".debates", d.Title)}, nil
}

// confirmationMail asks an address's owner to confirm a subscription.
func (n *Notifier) confirmationMail(ctx context.Context, a *parley.Address, sub *parley.Subscription) (mail.Message, error) {
	d, err := n.store.DebateByID(ctx, sub.DebateID)
	if err != nil {
		return mail.Message{}, err
	}
	what := "the debate “" + d.Title + "”"
	if sub.Scope != parley.ScopeDebate {
		what = "replies in the debate “" + d.Title + "”"
	}
	t := templatesFor(a.Language)
	data := map[string]string{"Site": n.siteName(), "What": what, "ConfirmURL": n.ConfirmURL(a)}
	text, html, err := t.render("confirm", data)
	if err != nil {
		return mail.Message{}, err
	}
	return mail.Message{To: a.Email, Subject: subject(t.subjects["confirm"], "", "", n.siteName()), Text: text, HTML: html,
		Headers: map[string]string{"Auto-Submitted": "auto-generated"}}, nil
}

type digestDebate struct {
	Title, URL string
	Comments   []commentData
}

// digestMail gathers a digest's comments by debate, in the order they came.
func (n *Notifier) digestMail(a *parley.Address, d parley.Delivery, items []store.DigestItem) (mail.Message, error) {
	t := templatesFor(a.Language)
	var debates []*digestDebate
	bySlug := map[string]*digestDebate{}
	for _, it := range items {
		dd := bySlug[it.DebateSlug]
		if dd == nil {
			dd = &digestDebate{Title: it.DebateTitle, URL: n.debateURL(it.DebateSlug)}
			bySlug[it.DebateSlug] = dd
			debates = append(debates, dd)
		}
		c := it.Comment
		if a := it.Answer; a != nil {
			author := a.Expert.Name
			if a.Expert.Title != "" {
				author += " (" + a.Expert.Title + ")"
			}
			dd.Comments = append(dd.Comments, commentData{Author: author, ParentAuthor: c.AuthorName, Text: a.BodyMD,
				HTML: htmltemplate.HTML(a.BodyHTML), Permalink: n.cfg.BaseURL + "/answers/" + itoa(a.ID)})
			continue
		}
		dd.Comments = append(dd.Comments, commentData{Author: c.AuthorName, ParentAuthor: c.ReplyToName, Text: c.BodyMD,
			HTML: htmltemplate.HTML(c.BodyHTML), Permalink: n.commentURL(c)})
	}
	unsubscribe := n.digestUnsubscribeURL(a.ID, d)
	period := map[parley.Delivery]string{parley.DeliverDaily: "daily", parley.DeliverWeekly: "weekly"}[d]
	data := map[string]any{"Site": n.siteName(), "Period": period, "Count": len(items), "Debates": debates,
		"ManageURL": n.ManageURL(a.ID), "UnsubscribeURL": unsubscribe}
	text, html, err := t.render("digest", data)
	if err != nil {
		return mail.Message{}, err
	}
	return mail.Message{To: a.Email, Subject: subject(t.subjects[period], "", "", n.siteName()), Text: text, HTML: html,
		Headers: n.listHeaders(unsubscribe, "digest", n.siteName())}, nil
}
