package web

import (
	"context"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/mail/mailtest"
)

// parseListID splits a List-Id field (RFC 2919) into its decoded
// description and its identifier.
func parseListID(t *testing.T, field string) (name, id string) {
	t.Helper()
	i := strings.LastIndexByte(field, '<')
	if i < 0 || !strings.HasSuffix(field, ">") {
		t.Fatalf("List-Id %q has no <identifier>", field)
	}
	id = field[i+1 : len(field)-1]
	phrase := strings.TrimSpace(field[:i])
	if q, ok := strings.CutPrefix(phrase, `"`); ok {
		q, ok = strings.CutSuffix(q, `"`)
		if !ok {
			t.Fatalf("List-Id %q: unterminated quoted string", field)
		}
		var b strings.Builder
		for j := 0; j < len(q); j++ {
			if q[j] == '\\' && j+1 < len(q) {
				j++
			}
			b.WriteByte(q[j])
		}
		return b.String(), id
	}
	name, err := new(mime.WordDecoder).DecodeHeader(phrase)
	if err != nil {
		t.Fatalf("List-Id %q: %v", field, err)
	}
	return name, id
}

// Notifications arrive (over SMTP) with a List-Id per debate, which mail
// programs filter on, and marked Auto-Submitted, so that out-of-office
// replies are not sent back.
func TestNotificationsCarryListIDAndAutoSubmitted(t *testing.T) {
	s, smtp := mailSite(t)
	ctx := context.Background()
	titles := map[string]string{
		"trains": `Nachtzüge: "jetzt" oder nie? Eine sehr lange Frage über Schlafwagen, Fahrpläne und Preise in Europa`,
		"parks":  `More "parks" \ fewer cars?`,
	}
	for slug, title := range titles {
		d := s.debate(slug, parley.DebatePublished, false)
		d.Title = title
		if err := s.store.UpdateDebate(ctx, d); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.store.Subscribe(ctx, subscription("follower@example.org", d.ID)); err != nil {
			t.Fatal(err)
		}
		s.comment(d, 0, "Nadia", "A comment on "+slug+".")
	}
	got := map[string]mailtest.Received{}
	for _, m := range smtp.Wait(t.Context(), 2) {
		got[m.Header.Get("List-Id")] = m
	}
	if len(got) != 2 {
		t.Fatalf("want two mails with two List-Ids, got %v", got)
	}
	for field, m := range got {
		name, id := parseListID(t, field)
		slug, _, _ := strings.Cut(id, ".")
		if id != slug+".debates.127.0.0.1" || name != titles[slug] {
			t.Errorf("List-Id %q: name %q, id %q; want %q, <%s.debates.127.0.0.1>", field, name, id, titles[slug], slug)
		}
		if a := m.Header.Get("Auto-Submitted"); a != "auto-generated" {
			t.Errorf("Auto-Submitted %q on %q", a, m.Subject)
		}
		if m.Header.Get("List-Unsubscribe") == "" {
			t.Errorf("no List-Unsubscribe on %q", m.Subject)
		}
		for _, line := range strings.Split(string(m.Raw), "\r\n") {
			if len(line) > 998 {
				t.Errorf("a header line of %d characters", len(line))
			}
		}
	}

	// A digest: one list for the site's digests.
	d := s.debate("digest", parley.DebatePublished, false)
	sub := subscription("daily@example.org", d.ID)
	sub.Delivery = parley.DeliverDaily
	if _, _, err := s.store.Subscribe(ctx, sub); err != nil {
		t.Fatal(err)
	}
	s.comment(d, 0, "Eva", "A thought for the digest.")
	s.settle()
	s.clock.setAhead(25 * time.Hour)
	defer s.clock.setAhead(0)
	s.settle()
	m, _ := nextMail(t, smtp, 3)
	if !strings.Contains(m.Subject, "digest") {
		t.Fatalf("third mail %q, want the digest", m.Subject)
	}
	if name, id := parseListID(t, m.Header.Get("List-Id")); id != "digest.127.0.0.1" || name != "Parley" {
		t.Errorf("digest List-Id %q", m.Header.Get("List-Id"))
	}
	if a := m.Header.Get("Auto-Submitted"); a != "auto-generated" {
		t.Errorf("digest Auto-Submitted %q", a)
	}

	// A confirmation is not list mail, but it is automatic.
	wantStatus(t, s.postForm(newBrowser(), "/debates/parks/subscriptions", url.Values{"email": {"new@example.org"}}), http.StatusOK)
	m, _ = nextMail(t, smtp, 4)
	if !strings.Contains(m.Subject, "confirm") || m.Header.Get("Auto-Submitted") != "auto-generated" || m.Header.Get("List-Id") != "" {
		t.Errorf("confirmation %q: Auto-Submitted %q, List-Id %q", m.Subject, m.Header.Get("Auto-Submitted"), m.Header.Get("List-Id"))
	}
}
