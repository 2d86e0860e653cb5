package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/mail"
)

func TestDevMailboxShowsHeadersAndBothParts(t *testing.T) {
	s := newSite(t, Config{BaseURL: "http://localhost:8080"})
	_, admin := s.account("Ada Admin", parley.RoleAdmin)
	_, editor := s.account("Ed Editor", parley.RoleEditor)
	sender := s.srv.outbox.Sender().(*mail.Log)

	r := s.getAs(admin, "/admin/mailbox")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, `<a href="/admin/mailbox" aria-current="page">`, "keeps the last 100 messages", "No mail yet.")
	wantLacks(t, r.body, "It holds")

	err := sender.Send(context.Background(), mail.Message{To: "Zoë <zoe@example.org>", Subject: "Grüße from the debate",
		Text: "Plain words.\nhttp://localhost:8080/debates/x", HTML: `<!doctype html><p style="color: red">Rich <b>words</b></p><script>alert(1)</script>`,
		Headers: map[string]string{"List-Unsubscribe": "<http://localhost:8080/unsubscribe/s1.abc>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
		Key:     "n-1-2"})
	if err != nil {
		t.Fatal(err)
	}
	if err := sender.Send(context.Background(), mail.Message{To: "ben@example.org", Subject: "Text only", Text: "Just text."}); err != nil {
		t.Fatal(err)
	}

	r = s.getAs(admin, "/admin/mailbox")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, "keeps the last 100 messages", "It holds 2 messages.",
		"<th scope=\"row\">From</th>", "<th scope=\"row\">To</th>", "Zoë", "&lt;zoe@example.org&gt;",
		"<th scope=\"row\">Subject</th><td>Grüße from the debate</td>", "<th scope=\"row\">Date</th>",
		"<th scope=\"row\">Message-ID</th><td>&lt;n-1-2@localhost&gt;</td>",
		"<th scope=\"row\">List-Unsubscribe</th><td>&lt;http://localhost:8080/unsubscribe/s1.abc&gt;</td>",
		"<th scope=\"row\">List-Unsubscribe-Post</th>", "<th scope=\"row\">MIME-Version</th>",
		`<iframe class="mail-html" src="/admin/mailbox/n-1-2@localhost/html"`, `sandbox="allow-popups allow-popups-to-escape-sandbox"`,
		"<h3>Text part</h3>", "Plain words.", "Just text.")
	if strings.Index(r.body, "Text only") > strings.Index(r.body, "Grüße from the debate") {
		t.Error("the newest message must come first")
	}
	if strings.Count(r.body, "<iframe") != 1 {
		t.Error("a message without an HTML part has no frame")
	}
	wantLacks(t, r.body, "<script>alert", `<p style="color: red">`)

	// The HTML part, under a policy of its own.
	h := s.getAs(admin, "/admin/mailbox/n-1-2@localhost/html")
	wantStatus(t, h, http.StatusOK)
	if !strings.HasPrefix(h.body, `<!doctype html><base target="_blank"><p style="color: red">Rich <b>words</b></p>`) {
		t.Errorf("HTML part served as %q", h.body)
	}
	csp := h.header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "style-src 'unsafe-inline'", "img-src 'self' https: data: http://localhost:8080",
		"frame-ancestors 'self'", "sandbox allow-popups allow-popups-to-escape-sandbox", "form-action 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("the HTML part's policy %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "script-src") || strings.Contains(csp, "allow-scripts") || strings.Contains(csp, "allow-same-origin") {
		t.Errorf("the HTML part's policy allows scripts or the site's origin: %q", csp)
	}
	if h.header.Get("X-Frame-Options") != "SAMEORIGIN" || h.header.Get("X-Content-Type-Options") != "nosniff" || h.header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers: %v", h.header)
	}
	// Unknown messages, and anyone but an admin, get nothing.
	missing := s.getAs(admin, "/admin/mailbox/nothing@localhost/html")
	wantStatus(t, missing, http.StatusNotFound)
	if csp := missing.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("a missing message is answered under the site's policy, got %q", csp)
	}
	wantStatus(t, s.getAs(editor, "/admin/mailbox/n-1-2@localhost/html"), http.StatusForbidden)
	wantStatus(t, s.get("/admin/mailbox/n-1-2@localhost/html"), http.StatusSeeOther)
}

func TestDevMailboxSaysWhenItIsFull(t *testing.T) {
	s := newSite(t, Config{})
	_, admin := s.account("Ada Admin", parley.RoleAdmin)
	sender := s.srv.outbox.Sender().(*mail.Log)
	for range mail.MailboxSize + 1 {
		if err := sender.Send(context.Background(), mail.Message{To: "a@example.org", Subject: "One more", Text: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	wantContains(t, s.getAs(admin, "/admin/mailbox").body, "It holds 100 messages, as many as it keeps: older ones are gone.")
}

func TestMailHeadersAreUnfoldedAndDecoded(t *testing.T) {
	raw := "From: \"Parley\" <noreply@example.org>\r\nSubject: =?UTF-8?q?Gr=C3=BC=C3=9Fe?=\r\n =?UTF-8?q?_aus_Wien?=\r\n" +
		"List-Unsubscribe: <https://example.org/u/1>,\r\n\t<mailto:u@example.org>\r\n\r\nBody: not a header\r\n"
	got := mailHeaders([]byte(raw))
	want := []mailHeader{{"From", `"Parley" <noreply@example.org>`}, {"Subject", "Grüße aus Wien"},
		{"List-Unsubscribe", "<https://example.org/u/1>,\t<mailto:u@example.org>"}}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("header %d: got %q, want %q", i, got[i], want[i])
		}
	}
}
