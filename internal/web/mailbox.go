package web

import (
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/mail"
)

// The dev mailbox: without an SMTP server, admins read here the mail the
// site would have sent.

type mailboxPage struct {
	pageMeta
	Enabled bool
	// Keeps is how many messages the mailbox keeps at most.
	Keeps    int
	Messages []mailboxMessage
}

type mailboxMessage struct {
	Time    time.Time
	Subject string
	// Headers are the message's header fields as sent, in their order.
	Headers []mailHeader
	Text    string
	// HTMLURL is where the HTML part is served, if there is one.
	HTMLURL string
}

type mailHeader struct{ Name, Value string }

// handleMailbox shows the mail a site without SMTP would have sent, newest first.
func (s *Server) handleMailbox(w http.ResponseWriter, r *http.Request) {
	p := mailboxPage{pageMeta: s.meta(r, lang(r).T("Dev mailbox")), Keeps: mail.MailboxSize}
	if l, ok := s.outbox.Sender().(*mail.Log); ok {
		p.Enabled = true
		msgs := l.Mailbox().Messages()
		for i := len(msgs) - 1; i >= 0; i-- {
			e := msgs[i]
			m := mailboxMessage{Time: e.Time, Subject: e.Message.Subject, Headers: mailHeaders(e.Raw), Text: e.Message.Text}
			if e.Message.HTML != "" {
				m.HTMLURL = "/admin/mailbox/" + url.PathEscape(strings.Trim(e.MessageID, "<>")) + "/html"
			}
			p.Messages = append(p.Messages, m)
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "mailbox", p)
}

// mailHeaders reads the header fields of a raw message in their order,
// unfolded and with encoded words (RFC 2047) decoded.
func mailHeaders(raw []byte) []mailHeader {
	text := strings.ReplaceAll(string(raw), "\r\n", "\n")
	head, _, _ := strings.Cut(text, "\n\n")
	var out []mailHeader
	for _, line := range strings.Split(head, "\n") {
		if line == "" {
			continue
		}
		if (line[0] == ' ' || line[0] == '\t') && len(out) > 0 {
			out[len(out)-1].Value += line // a folded line goes on the field before
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		out = append(out, mailHeader{Name: name, Value: value})
	}
	var dec mime.WordDecoder
	for i := range out {
		v := strings.TrimSpace(out[i].Value)
		if d, err := dec.DecodeHeader(v); err == nil {
			v = d
		}
		out[i].Value = v
	}
	return out
}

// mailHTMLPolicy is the Content-Security-Policy of a message's HTML part.
// The mailbox page frames it rather than inlining it with srcdoc: a srcdoc
// frame inherits the site's policy, which forbids the inline styles mail is
// written with, so the preview would not look like the mail. This policy
// allows those styles and images, and nothing else: no script, no fonts or
// requests, no forms; it sandboxes the document (an opaque origin, so it
// cannot reach the site as the admin) and lets only the mailbox frame it.
// Links may open a new top-level tab, so that a mailed link can be followed.
func mailHTMLPolicy(baseURL string) string {
	img := "'self' https: data:"
	if u, err := url.Parse(baseURL); err == nil && u.Scheme == "http" && u.Host != "" {
		img += " " + u.Scheme + "://" + u.Host // a local site's own images, in mail that names them in full
	}
	return "default-src 'none'; img-src " + img + "; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'; " +
		"frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox"
}

// handleMailboxHTML serves the HTML part of a message in the dev mailbox,
// named by its Message-ID, under mailHTMLPolicy.
func (s *Server) handleMailboxHTML(w http.ResponseWriter, r *http.Request) {
	l, ok := s.outbox.Sender().(*mail.Log)
	if !ok {
		s.fail(w, r, parley.Errorf(parley.ENOTFOUND, "Mail goes out through the configured SMTP server; there is no dev mailbox."))
		return
	}
	id := "<" + r.PathValue("id") + ">"
	msgs := l.Mailbox().Messages()
	for i := len(msgs) - 1; i >= 0; i-- { // newest first: a retry reuses its Message-ID
		if e := msgs[i]; e.MessageID == id && e.Message.HTML != "" {
			h := w.Header()
			h.Set("Content-Security-Policy", mailHTMLPolicy(s.cfg.BaseURL))
			h.Set("X-Frame-Options", "SAMEORIGIN")
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Cache-Control", "no-store")
			w.Write([]byte(linksInNewTab(e.Message.HTML)))
			return
		}
	}
	s.fail(w, r, parley.Errorf(parley.ENOTFOUND, "The mailbox no longer holds this message: it keeps the last %d, and none after a restart.", mail.MailboxSize))
}

// linksInNewTab makes the links of a framed mail open a tab of their own: in
// the frame they would load pages that refuse to be framed. The base element
// goes after any doctype, which must come first.
func linksInNewTab(html string) string {
	const base = `<base target="_blank">`
	if strings.HasPrefix(strings.ToLower(html), "<!doctype") {
		if end := strings.IndexByte(html, '>'); end >= 0 {
			return html[:end+1] + base + html[end+1:]
		}
	}
	return base + html
}
