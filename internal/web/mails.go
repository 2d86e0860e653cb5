package web

import (
	"bytes"
	"html/template"
	"strings"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/mail"
	"github.com/parley-org/parley/internal/store"
)

// linkMail is what a mail carrying a link says, by purpose.
type linkMail struct {
	Subject string
	Intro   string
	Button  string
	Expiry  string
}

var linkMails = map[store.LinkPurpose]linkMail{
	store.LinkVerify: {
		Subject: "Confirm your email address",
		Intro:   "Thank you for joining %s. Please confirm that this is your email address, so that you can comment under your name.",
		Button:  "Confirm my address",
		Expiry:  "The link works for 48 hours.",
	},
	store.LinkReset: {
		Subject: "Choose a new password",
		Intro:   "Someone, hopefully you, asked to reset the password of your %s account.",
		Button:  "Choose a new password",
		Expiry:  "The link works for one hour and only once. Your password stays as it is until you choose a new one.",
	},
	store.LinkSignIn: {
		Subject: "Your sign-in link",
		Intro:   "Here is your link to sign in to %s without a password.",
		Button:  "Sign in",
		Expiry:  "The link works for 20 minutes and only once.",
	},
}

var linkMailHTML = template.Must(template.New("mail").Parse(`<!doctype html>
<html><body style="font-family: sans-serif; line-height: 1.5; max-width: 36em">
<p>Hello {{.Name}},</p>
<p>{{.Intro}}</p>
<p><a href="{{.Link}}" style="display: inline-block; padding: .6em 1.2em; background: #1d4ed8; color: #fff; text-decoration: none; border-radius: 4px">{{.Button}}</a></p>
<p>Or copy this address into your browser:<br><span style="word-break: break-all">{{.Link}}</span></p>
<p>{{.Expiry}} If you did not ask for this, you can ignore this message; nothing changes.</p>
<p>— {{.Site}}</p>
</body></html>`))

// linkMessage is the mail that carries an emailed link.
func (s *Server) linkMessage(u *parley.User, purpose store.LinkPurpose, link string) (mail.Message, error) {
	lm := linkMails[purpose]
	data := map[string]string{
		"Name": u.Name, "Intro": strings.Replace(lm.Intro, "%s", s.cfg.SiteName, 1), "Button": lm.Button,
		"Link": link, "Expiry": lm.Expiry, "Site": s.cfg.SiteName,
	}
	var html bytes.Buffer
	if err := linkMailHTML.Execute(&html, data); err != nil {
		return mail.Message{}, err
	}
	text := "Hello " + u.Name + ",\n\n" + data["Intro"] + "\n\n" + lm.Button + ":\n" + link + "\n\n" +
		lm.Expiry + " If you did not ask for this, you can ignore this message; nothing changes.\n\n— " + s.cfg.SiteName + "\n"
	return mail.Message{To: u.Email, Subject: lm.Subject + " · " + s.cfg.SiteName, Text: text, HTML: html.String()}, nil
}
