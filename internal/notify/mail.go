package notify

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"mime"
	"net/url"
	"strings"
	"sync"
	texttemplate "text/template"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/i18n"
	"github.com/parley-org/parley/internal/mail"
	"github.com/parley-org/parley/internal/store"
)

// Mail is written in its recipient's language from one set of templates,
// whose t, th, date and num functions read that language's catalogue, as
// the pages' do; a recipient whose language the interface does not speak
// gets English.

//go:embed templates
var templateFiles embed.FS

// mailTemplates are the templates of one language.
type mailTemplates struct {
	lang *i18n.Lang
	text *texttemplate.Template
	html *htmltemplate.Template
}

var (
	parseOnce sync.Once
	// byLanguage holds every language's templates, by language code.
	byLanguage map[string]*mailTemplates
	parseErr   error
)

// parseMailTemplates parses the templates once and clones them for each
// language. The parsed set is never executed, so that it can be cloned.
func parseMailTemplates() (map[string]*mailTemplates, error) {
	funcs := func(l *i18n.Lang) map[string]any {
		f := l.Funcs()
		f["langcode"] = func() string { return l.Code }
		return f
	}
	en := i18n.English()
	text, err := texttemplate.New("mail").Funcs(funcs(en)).ParseFS(templateFiles, "templates/*.txt")
	if err != nil {
		return nil, err
	}
	html, err := htmltemplate.New("mail").Funcs(funcs(en)).ParseFS(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*mailTemplates{}
	for _, l := range i18n.All() {
		t := &mailTemplates{lang: l}
		if t.text, err = text.Clone(); err != nil {
			return nil, err
		}
		if t.html, err = html.Clone(); err != nil {
			return nil, err
		}
		t.text.Funcs(funcs(l))
		t.html.Funcs(funcs(l))
		out[l.Code] = t
	}
	return out, nil
}

// templatesFor returns the templates of a language by its code, English's
// for a language the interface does not speak (or none).
func templatesFor(lang string) (*mailTemplates, error) {
	parseOnce.Do(func() { byLanguage, parseErr = parseMailTemplates() })
	if parseErr != nil {
		return nil, fmt.Errorf("mail templates: %w", parseErr)
	}
	if t, ok := byLanguage[lang]; ok {
		return t, nil
	}
	return byLanguage["en"], nil
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
	Site, DebateTitle, DebateURL         string
	Author, ParentAuthor, Text           string
	HTML                                 htmltemplate.HTML
	Permalink, ManageURL, UnsubscribeURL string
	// Follows is what the recipient follows: "debate", "thread", "replies"
	// (to their comment) or "mentions" (replies to it and mentions of them).
	Follows string
}

func (n *Notifier) commentURL(c *parley.Comment) string {
	return n.cfg.BaseURL + "/comments/" + itoa(c.ID)
}

func (n *Notifier) debateURL(slug string) string { return n.cfg.BaseURL + "/debates/" + slug }

// commentMail tells one recipient of a new comment.
func (n *Notifier) commentMail(r store.Recipient, d *parley.Debate, c, parent *parley.Comment) (mail.Message, error) {
	t, err := templatesFor(r.Language)
	if err != nil {
		return mail.Message{}, err
	}
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
		subj = t.lang.T("%[1]s replied to your comment on “%[2]s”", c.AuthorName, d.Title)
		data.Follows = "replies"
	case r.Scope == parley.ScopeReplies:
		subj = t.lang.T("%[1]s mentioned you on “%[2]s”", c.AuthorName, d.Title)
		data.Follows = "mentions"
	case r.Scope == parley.ScopeThread:
		subj = t.lang.T("New reply in a conversation you follow on “%s”", d.Title)
		data.Follows = "thread"
	default:
		subj = t.lang.T("New comment on “%s”", d.Title)
		data.Follows = "debate"
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
	t, err := templatesFor(r.Language)
	if err != nil {
		return mail.Message{}, err
	}
	author := a.Expert.Name
	if a.Expert.Title != "" {
		author += " (" + a.Expert.Title + ")"
	}
	data := commentData{
		Site: n.siteName(), DebateTitle: d.Title, DebateURL: n.debateURL(d.Slug), Author: author, ParentAuthor: answered.AuthorName,
		Text: a.BodyMD, HTML: htmltemplate.HTML(a.BodyHTML), // sanitised when it was saved
		Permalink: n.cfg.BaseURL + "/answers/" + itoa(a.ID), ManageURL: n.ManageURL(r.AddressID), UnsubscribeURL: n.UnsubscribeURL(r.SubscriptionID),
		Follows: "debate",
	}
	if r.Scope == parley.ScopeThread || r.Scope == parley.ScopeReplies {
		data.Follows = "thread"
	}
	text, html, err := t.render("comment", data)
	if err != nil {
		return mail.Message{}, err
	}
	subj := t.lang.T("%[1]s answered %[2]s on “%[3]s”", a.Expert.Name, answered.AuthorName, d.Title) + " · " + n.siteName()
	return mail.Message{To: r.Email, Subject: subj, Text: text, HTML: html,
		Headers: n.listHeaders(data.UnsubscribeURL, d.Slug+".debates", d.Title)}, nil
}

// confirmationMail asks an address's owner to confirm a subscription.
func (n *Notifier) confirmationMail(ctx context.Context, a *parley.Address, sub *parley.Subscription) (mail.Message, error) {
	d, err := n.store.DebateByID(ctx, sub.DebateID)
	if err != nil {
		return mail.Message{}, err
	}
	t, err := templatesFor(a.Language)
	if err != nil {
		return mail.Message{}, err
	}
	// Replies: a subscription to one conversation, not the whole debate.
	data := map[string]any{"Site": n.siteName(), "DebateTitle": d.Title, "Replies": sub.Scope != parley.ScopeDebate,
		"ConfirmURL": n.ConfirmURL(a)}
	text, html, err := t.render("confirm", data)
	if err != nil {
		return mail.Message{}, err
	}
	return mail.Message{To: a.Email, Subject: t.lang.T("Please confirm: mail from %s", n.siteName()), Text: text, HTML: html,
		Headers: map[string]string{"Auto-Submitted": "auto-generated"}}, nil
}

type digestDebate struct {
	Title, URL string
	Comments   []commentData
}

// digestMail gathers a digest's comments by debate, in the order they came.
func (n *Notifier) digestMail(a *parley.Address, d parley.Delivery, items []store.DigestItem) (mail.Message, error) {
	t, err := templatesFor(a.Language)
	if err != nil {
		return mail.Message{}, err
	}
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
	// Weekly, or else daily.
	weekly := d == parley.DeliverWeekly
	data := map[string]any{"Site": n.siteName(), "Weekly": weekly, "Count": len(items), "Debates": debates,
		"ManageURL": n.ManageURL(a.ID), "UnsubscribeURL": unsubscribe}
	text, html, err := t.render("digest", data)
	if err != nil {
		return mail.Message{}, err
	}
	subj := t.lang.T("Your daily digest from %s", n.siteName())
	if weekly {
		subj = t.lang.T("Your weekly digest from %s", n.siteName())
	}
	return mail.Message{To: a.Email, Subject: subj, Text: text, HTML: html,
		Headers: n.listHeaders(unsubscribe, "digest", n.siteName())}, nil
}
