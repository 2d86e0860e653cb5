package web

import (
	"bytes"
	"context"
	"html/template"
	"strings"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/i18n"
	"github.com/parley-org/parley/internal/mail"
	"github.com/parley-org/parley/internal/store"
)

// linkMail is what a mail carrying a link says.
type linkMail struct {
	Subject string
	Intro   string
	Button  string
	Expiry  string
}

// linkMailFor says what the mail of a purpose says, in l, for the site.
func linkMailFor(l *i18n.Lang, purpose store.LinkPurpose, site string) linkMail {
	switch purpose {
	case store.LinkVerify:
		return linkMail{
			Subject: l.T("Confirm your email address"),
			Intro:   l.T("Thank you for joining %s. Please confirm that this is your email address, so that you can comment under your name.", site),
			Button:  l.T("Confirm my address"),
			Expiry:  l.T("The link works for 48 hours."),
		}
	case store.LinkReset:
		return linkMail{
			Subject: l.T("Choose a new password"),
			Intro:   l.T("Someone, hopefully you, asked to reset the password of your %s account.", site),
			Button:  l.T("Choose a new password"),
			Expiry:  l.T("The link works for one hour and only once. Your password stays as it is until you choose a new one."),
		}
	case store.LinkSignIn:
		return linkMail{
			Subject: l.T("Your sign-in link"),
			Intro:   l.T("Here is your link to sign in to %s without a password.", site),
			Button:  l.T("Sign in"),
			Expiry:  l.T("The link works for 20 minutes and only once."),
		}
	}
	return linkMail{}
}

// requesterLang is the language of a mail to the person whose request ctx
// serves: the request's; for work done later, without a request, the
// language their account chose, else English.
func requesterLang(ctx context.Context, u *parley.User) *i18n.Lang {
	if l, ok := ctx.Value(langKey{}).(*i18n.Lang); ok {
		return l
	}
	if u != nil {
		if l := i18n.Get(u.Language); l != nil {
			return l
		}
	}
	return i18n.English()
}

// linkMessage is the mail that carries an emailed link, in l (English when
// l is nil).
func (s *Server) linkMessage(l *i18n.Lang, u *parley.User, purpose store.LinkPurpose, link string) (mail.Message, error) {
	if l == nil {
		l = i18n.English()
	}
	lm := linkMailFor(l, purpose, s.siteName())
	n := notice{Lang: l, Site: s.siteName(), Greeting: l.T("Hello %s,", u.Name), Intro: []string{lm.Intro},
		Link: link, Button: lm.Button, Outro: []string{lm.Expiry + " " + l.T("If you did not ask for this, you can ignore this message; nothing changes.")}}
	return n.message(u.Email, lm.Subject+" · "+s.siteName())
}

// notice is a mail to one person about one thing (a moderation decision,
// a question for an expert, an answer): a greeting, paragraphs, a bold
// lead and a quote, labelled facts, a button with its link, closing
// paragraphs, in text and HTML alike.
type notice struct {
	// Lang is the recipient's language, that of the words the notice adds
	// itself; English when nil. Whoever writes a notice writes its texts
	// in the same language.
	Lang           *i18n.Lang
	Site, Greeting string
	Intro          []string
	Lead, Quote    string
	Facts          []noticeFact
	// LinkIntro, when set, is the sentence before the button.
	LinkIntro, Link, Button string
	Outro                   []string
}

type noticeFact struct{ Label, Text string }

// clean strips from every text of the notice the control characters (a
// vertical tab, NEL) that stored text never holds: a notice quotes what
// people typed, and a mail must say what the site would show.
func (n *notice) clean() {
	text := func(s string) string { c, _ := parley.CleanText(s); return c }
	n.Greeting, n.Lead, n.Quote, n.LinkIntro, n.Button = text(n.Greeting), text(n.Lead), text(n.Quote), text(n.LinkIntro), text(n.Button)
	for i := range n.Intro {
		n.Intro[i] = text(n.Intro[i])
	}
	for i := range n.Facts {
		n.Facts[i].Label, n.Facts[i].Text = text(n.Facts[i].Label), text(n.Facts[i].Text)
	}
	for i := range n.Outro {
		n.Outro[i] = text(n.Outro[i])
	}
}

var noticeHTML = template.Must(template.New("notice").Parse(`<!doctype html>
<html><body style="font-family: sans-serif; line-height: 1.5; max-width: 38em">
<p>{{.Greeting}}</p>
{{range .Intro}}<p>{{.}}</p>{{end}}
{{with .Lead}}<p><strong>{{.}}</strong></p>{{end}}
{{with .Quote}}<blockquote style="border-left: 3px solid #ccc; margin: 0 0 1em; padding-left: 1em; color: #333">{{.}}</blockquote>{{end}}
{{range .Facts}}<p><strong>{{.Label}}:</strong> {{.Text}}</p>{{end}}
{{with .LinkIntro}}<p>{{.}}</p>{{end}}
{{with .Link}}<p><a href="{{.}}" style="display: inline-block; padding: .6em 1.2em; background: #1d4ed8; color: #fff; text-decoration: none; border-radius: 4px">{{$.Button}}</a></p>
<p>{{$.CopyAddress}}<br><span style="word-break: break-all">{{.}}</span></p>{{end}}
{{range .Outro}}<p>{{.}}</p>{{end}}
<p>— {{.Site}}</p>
</body></html>`))

func (n notice) message(to, subject string) (mail.Message, error) {
	n.clean()
	subject, _ = parley.CleanLine(subject)
	l := n.Lang
	if l == nil {
		l = i18n.English()
	}
	var html bytes.Buffer
	page := struct {
		notice
		CopyAddress string
	}{n, l.T("Or copy this address into your browser:")}
	if err := noticeHTML.Execute(&html, page); err != nil {
		return mail.Message{}, err
	}
	var b strings.Builder
	b.WriteString(n.Greeting + "\n\n")
	for _, p := range n.Intro {
		b.WriteString(p + "\n\n")
	}
	if n.Lead != "" {
		b.WriteString(n.Lead + "\n\n")
	}
	if n.Quote != "" {
		b.WriteString("> " + strings.ReplaceAll(n.Quote, "\n", "\n> ") + "\n\n")
	}
	for _, f := range n.Facts {
		b.WriteString(f.Label + ": " + f.Text + "\n\n")
	}
	if n.LinkIntro != "" {
		b.WriteString(n.LinkIntro + "\n")
	}
	if n.Link != "" {
		b.WriteString(n.Button + ":\n" + n.Link + "\n\n")
	}
	for _, p := range n.Outro {
		b.WriteString(p + "\n\n")
	}
	b.WriteString("— " + n.Site + "\n")
	return mail.Message{To: to, Subject: subject, Text: b.String(), HTML: html.String()}, nil
}
