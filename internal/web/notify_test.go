package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/mail/mailtest"
	"github.com/parley-org/parley/internal/store"
)

// settle waits until every notification and mail that is due now is done
// (by this test or by the server's own workers), so that a test can check
// what was not sent.
func (s *site) settle() {
	s.t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := s.srv.notify.Flush(ctx); err != nil {
			s.t.Fatal(err)
		}
		if _, err := s.srv.outbox.Flush(ctx); err != nil {
			s.t.Fatal(err)
		}
		n, err := s.store.DueJobs(ctx)
		if err != nil {
			s.t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%d jobs still due after 20 s", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var anyLink = regexp.MustCompile(`https?://\S+`)

// linkTo returns the first link in a mail whose path starts with prefix.
func linkTo(t *testing.T, m mailtest.Received, prefix string) string {
	t.Helper()
	for _, l := range anyLink.FindAllString(m.Text, -1) {
		if u, err := url.Parse(l); err == nil && strings.HasPrefix(u.Path, prefix) {
			return u.RequestURI()
		}
	}
	t.Fatalf("mail %q has no link to %s:\n%s", m.Subject, prefix, m.Text)
	return ""
}

func TestFollowADebateConfirmReceiveAndUnsubscribeWithOneClick(t *testing.T) {
	s, smtp := mailSite(t)
	s.debate("parks", parley.DebatePublished, false)

	page := s.get("/debates/parks")
	wantContains(t, page.body, `action="/debates/parks/subscriptions#subscribe"`, "Follow this debate")
	r := s.postForm(newBrowser(), "/debates/parks/subscriptions", url.Values{"email": {"not an address"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.body, `value="not an address"`, "valid email address")

	r = s.postForm(newBrowser(), "/debates/parks/subscriptions", url.Values{"email": {"Follower@example.org"}, "delivery": {"immediate"}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, "we have sent it a message")
	confirm, _ := nextMail(t, smtp, 1)
	if confirm.To[0] != "follower@example.org" || !strings.Contains(confirm.Subject, "Please confirm") {
		t.Fatalf("confirmation: to %v, subject %q", confirm.To, confirm.Subject)
	}
	// Until confirmed, nothing is sent.
	wantStatus(t, s.postForm(newBrowser(), "/debates/parks/comments", formValues("Early", "early@example.org", "Before confirming.")), http.StatusSeeOther)
	s.settle()
	if n := len(smtp.Received()); n != 1 {
		t.Fatalf("%d mails before the address confirmed, want only the confirmation", n)
	}
	link := linkTo(t, confirm, "/subscriptions/confirm/")
	wantStatus(t, s.get(link), http.StatusOK)
	wantStatus(t, s.get(link+"x"), http.StatusNotFound)
	r = s.postForm(newBrowser(), link, url.Values{})
	wantStatus(t, r, http.StatusSeeOther)
	manage := r.header.Get("Location")
	wantContains(t, s.get(manage).body, "your mail starts now", "Debate parks", "every new comment")

	// A new comment: exactly one mail, with one-click unsubscribe.
	wantStatus(t, s.postForm(newBrowser(), "/debates/parks/comments", formValues("Nadia", "nadia@example.org", "More trees, please.")), http.StatusSeeOther)
	m, _ := nextMail(t, smtp, 2)
	if m.To[0] != "follower@example.org" || !strings.Contains(m.Subject, "New comment on “Debate parks”") ||
		!strings.Contains(m.Text, "More trees, please.") || !strings.Contains(m.HTML, "More trees, please.") {
		t.Fatalf("notification: to %v, subject %q, text:\n%s", m.To, m.Subject, m.Text)
	}
	if m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || !strings.HasPrefix(m.Header.Get("List-Unsubscribe"), "<http") {
		t.Fatalf("one-click headers: %q, %q", m.Header.Get("List-Unsubscribe"), m.Header.Get("List-Unsubscribe-Post"))
	}
	if strings.Contains(m.Text, "follower@example.org") && strings.Contains(linkTo(t, m, "/subscriptions/"), "follower") {
		t.Error("a link in the mail carries the address")
	}
	s.settle()
	if n := len(smtp.Received()); n != 2 {
		t.Fatalf("%d mails after one comment, want the confirmation and one notification", n)
	}

	// What a mail program does for one-click unsubscribe (RFC 8058).
	unsub, _ := url.Parse(strings.Trim(m.Header.Get("List-Unsubscribe"), "<>"))
	req, _ := http.NewRequest(http.MethodPost, s.http.URL+unsub.RequestURI(), strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r = s.do(newBrowser(), req)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, "no more mail about “Debate parks”")

	wantStatus(t, s.postForm(newBrowser(), "/debates/parks/comments", formValues("Nadia", "nadia@example.org", "And benches.")), http.StatusSeeOther)
	s.settle()
	time.Sleep(100 * time.Millisecond)
	if n := len(smtp.Received()); n != 2 {
		t.Fatalf("%d mails after unsubscribing, want no more", n)
	}
	if strings.Contains(s.logs.String(), unsub.Path[len("/unsubscribe/"):]) {
		t.Error("the request log holds an unsubscribe token")
	}
}

func TestTheSubscribeFormSendsOneConfirmationADay(t *testing.T) {
	s, smtp := mailSite(t)
	for _, slug := range []string{"one", "two", "three"} {
		s.debate(slug, parley.DebatePublished, false)
		wantStatus(t, s.postForm(newBrowser(), "/debates/"+slug+"/subscriptions", url.Values{"email": {"stranger@example.org"}}), http.StatusOK)
	}
	s.settle()
	time.Sleep(100 * time.Millisecond)
	if n := len(smtp.Received()); n != 1 {
		t.Fatalf("%d confirmations to one address in a day, want 1", n)
	}
	// A day later the address may be asked again.
	s.clock.setAhead(25 * time.Hour)
	defer s.clock.setAhead(0)
	wantStatus(t, s.postForm(newBrowser(), "/debates/one/subscriptions", url.Values{"email": {"stranger@example.org"}}), http.StatusOK)
	nextMail(t, smtp, 2)
	// Requests from one network are limited, whatever the address.
	var last response
	for i := range 6 {
		last = s.postForm(newBrowser(), "/debates/two/subscriptions", url.Values{"email": {"many" + itoa(int64(i)) + "@example.org"}})
	}
	wantStatus(t, last, http.StatusTooManyRequests)
}

func TestRepliesMentionsAndModeration(t *testing.T) {
	s, smtp := mailSite(t)
	open := s.debate("open", parley.DebatePublished, false)
	held := s.debate("held", parley.DebatePublished, true)
	ctx := context.Background()

	// Ana comments under her account and asks to hear of replies: her
	// address is proven, so no confirmation is needed.
	ana, b := s.account("Ana Lima", parley.RoleParticipant)
	wantStatus(t, s.postForm(b, "/debates/open/comments", url.Values{"body": {"Parks need benches."}, "notify_replies": {"1"}}), http.StatusSeeOther)
	list, _ := s.store.UserComments(ctx, ana.ID, 0, 1)
	anaComment := list[0].Comment

	// A reply: Ana hears of it.
	s.comment(open, anaComment.ID, "Ben", "Benches where?")
	s.srv.notify.Kick()
	m, _ := nextMail(t, smtp, 1)
	if m.To[0] != ana.Email || m.Subject != "Ben replied to your comment on “Debate open”" {
		t.Fatalf("reply notification: to %v, %q", m.To, m.Subject)
	}

	// A mention links to Ana's latest comment, and Ana hears of it through
	// the reply notifications she asked for on her first.
	wantStatus(t, s.postForm(b, "/debates/open/comments", url.Values{"body": {"Second point, no mail asked."}}), http.StatusSeeOther)
	list, _ = s.store.UserComments(ctx, ana.ID, 0, 1)
	latest := list[0].Comment
	wantStatus(t, s.postForm(newBrowser(), "/debates/open/comments", formValues("Cleo", "cleo@example.org", "I agree with @Ana Lima here.")), http.StatusSeeOther)
	m, _ = nextMail(t, smtp, 2)
	if m.To[0] != ana.Email || m.Subject != "Cleo mentioned you on “Debate open”" {
		t.Fatalf("mention notification: to %v, %q", m.To, m.Subject)
	}
	wantContains(t, s.get("/debates/open").body, `<a href="`+s.http.URL+`/comments/`+itoa(latest.ID)+`">@Ana Lima</a>`)

	// In a held debate: nobody hears of a comment until it is approved, and
	// never of one marked spam.
	if _, _, err := s.store.Subscribe(ctx, subscription(ana.Email, held.ID)); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, s.postForm(newBrowser(), "/debates/held/comments", formValues("Dan", "dan@example.org", "Waiting for a moderator.")), http.StatusSeeOther)
	wantStatus(t, s.postForm(newBrowser(), "/debates/held/comments", formValues("Spammer", "spam@example.org", "Buy now.")), http.StatusSeeOther)
	s.settle()
	if n := len(smtp.Received()); n != 2 {
		t.Fatalf("%d mails: a held comment was announced before approval", n)
	}
	pending, err := s.store.PendingComments(ctx, held.ID, []int64{anaComment.ID + 4, anaComment.ID + 5, anaComment.ID + 6})
	if err != nil || len(pending) != 2 {
		t.Fatalf("pending comments %v, %v", pending, err)
	}
	for _, c := range pending {
		status := parley.CommentApproved
		if c.AuthorName == "Spammer" {
			status = parley.CommentSpam
		}
		if err := s.store.SetCommentStatus(ctx, c.ID, status); err != nil {
			t.Fatal(err)
		}
	}
	s.srv.notify.Kick()
	m, _ = nextMail(t, smtp, 3)
	if !strings.Contains(m.Text, "Waiting for a moderator.") {
		t.Errorf("after approval, the mail says:\n%s", m.Text)
	}
	s.settle()
	time.Sleep(100 * time.Millisecond)
	for _, m := range smtp.Received() {
		if strings.Contains(m.Text, "Buy now.") {
			t.Error("a subscriber was told of a comment marked spam")
		}
	}
}

func TestDailyDigest(t *testing.T) {
	s, smtp := mailSite(t)
	d := s.debate("digest", parley.DebatePublished, false)
	sub := subscription("daily@example.org", d.ID)
	sub.Delivery = parley.DeliverDaily
	if _, _, err := s.store.Subscribe(context.Background(), sub); err != nil {
		t.Fatal(err)
	}
	s.comment(d, 0, "Eva", "First thought of the day.")
	s.comment(d, 0, "Finn", "Second thought of the day.")
	s.settle()
	if n := len(smtp.Received()); n != 0 {
		t.Fatalf("%d mails before the digest was due", n)
	}
	s.clock.setAhead(25 * time.Hour)
	defer s.clock.setAhead(0)
	s.settle()
	m, _ := nextMail(t, smtp, 1)
	if m.Subject != "Your daily digest from Parley" || !strings.Contains(m.Text, "First thought") || !strings.Contains(m.Text, "Second thought") ||
		!strings.Contains(m.Text, "2 new comments") || m.Header.Get("List-Unsubscribe") == "" {
		t.Fatalf("digest %q:\n%s", m.Subject, m.Text)
	}
	s.settle()
	if n := len(smtp.Received()); n != 1 {
		t.Fatalf("%d digests, want one", n)
	}
}

func TestABouncedAddressGetsNoMoreMail(t *testing.T) {
	s, smtp := mailSite(t)
	d := s.debate("bounce", parley.DebatePublished, false)
	if _, _, err := s.store.Subscribe(context.Background(), subscription("gone@example.org", d.ID)); err != nil {
		t.Fatal(err)
	}
	smtp.FailNext(mailtest.RCPT, 1, 550, "no such mailbox")
	s.comment(d, 0, "Gil", "Anyone there?")
	s.settle()
	a, err := s.store.AddressByEmail(context.Background(), "gone@example.org")
	if err != nil || a.SuppressedWhy != "bounced" || a.Mailable() {
		t.Fatalf("after a permanent rejection the address is %+v (%v)", a, err)
	}
	s.comment(d, 0, "Gil", "Hello again?")
	s.settle()
	if n := len(smtp.Received()); n != 0 {
		t.Fatalf("%d mails to an undeliverable address", n)
	}
	_, admin := s.account("Admin", parley.RoleAdmin)
	wantContains(t, s.getAs(admin, "/admin/mail").body, "gone@example.org", "no such mailbox")
}

// subscription is a confirmed subscription to every comment of a debate.
func subscription(email string, debateID int64) store.NewSubscription {
	return store.NewSubscription{Email: email, DebateID: debateID, Scope: parley.ScopeDebate, Delivery: parley.DeliverImmediately, Proven: true}
}

func TestAStrangerCannotStartOrChangeSomeoneElsesMail(t *testing.T) {
	s, smtp := mailSite(t)
	d := s.debate("consent", parley.DebatePublished, false)
	other := s.debate("other", parley.DebatePublished, false)
	ctx := context.Background()
	sub, _, err := s.store.Subscribe(ctx, subscription("owner@example.org", d.ID))
	if err != nil {
		t.Fatal(err)
	}
	// The owner stops it with one click.
	if err := s.store.EndSubscription(ctx, sub.AddressID, sub.ID); err != nil {
		t.Fatal(err)
	}
	// A stranger types the owner's address into both debates' forms, and
	// ticks "every new comment" on a comment of their own.
	for _, slug := range []string{"consent", "other"} {
		wantStatus(t, s.postForm(newBrowser(), "/debates/"+slug+"/subscriptions", url.Values{"email": {"owner@example.org"}, "delivery": {"daily"}}), http.StatusOK)
	}
	wantStatus(t, s.postForm(newBrowser(), "/debates/other/comments", url.Values{"author_name": {"Stranger"}, "author_email": {"owner@example.org"},
		"body": {"Typed with someone else's address."}, "notify_all": {"1"}}), http.StatusSeeOther)
	s.settle()
	confirmations := len(smtp.Received()) // at most one, which asks
	if confirmations > 1 {
		t.Fatalf("%d confirmations to one address in a day", confirmations)
	}
	s.comment(d, 0, "Writer", "News in the first debate.")
	s.comment(other, 0, "Writer", "News in the second debate.")
	s.settle()
	if n := len(smtp.Received()); n != confirmations {
		t.Fatalf("the stranger's requests started mail: %d mails beyond the confirmation", n-confirmations)
	}
	// A live subscription is not the stranger's to change.
	live, _, err := s.store.Subscribe(ctx, subscription("keeper@example.org", d.ID))
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, s.postForm(newBrowser(), "/debates/consent/subscriptions", url.Values{"email": {"keeper@example.org"}, "delivery": {"weekly"}}), http.StatusOK)
	after, err := s.store.Subscription(ctx, live.ID)
	if err != nil || after.Delivery != parley.DeliverImmediately || !after.Active() {
		t.Errorf("after a stranger's request the subscription is %+v (%v)", after, err)
	}
}

func TestQueuedMailThatIsNoLongerWantedIsNotSent(t *testing.T) {
	s, smtp := mailSite(t)
	d := s.debate("late", parley.DebatePublished, false)
	ctx := context.Background()
	if _, _, err := s.store.Subscribe(ctx, subscription("reader@example.org", d.ID)); err != nil {
		t.Fatal(err)
	}
	smtp.Stop()
	c := s.comment(d, 0, "Spammer", "Cheap pills.")
	s.settle() // queued, and the first attempt failed
	if err := s.store.SetCommentStatus(ctx, c.ID, parley.CommentSpam); err != nil {
		t.Fatal(err)
	}
	smtp.Start()
	s.clock.setAhead(2 * time.Hour)
	defer s.clock.setAhead(0)
	s.settle()
	time.Sleep(100 * time.Millisecond)
	if n := len(smtp.Received()); n != 0 {
		t.Fatalf("%d mails about a comment marked spam after it was queued", n)
	}
}

func TestDigestsFollowTheSubscription(t *testing.T) {
	s, smtp := mailSite(t)
	d := s.debate("digests", parley.DebatePublished, false)
	ctx := context.Background()
	subscribe := func(email string) *parley.Subscription {
		t.Helper()
		req := subscription(email, d.ID)
		req.Delivery = parley.DeliverDaily
		sub, _, err := s.store.Subscribe(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return sub
	}
	stopped, switched := subscribe("stopped@example.org"), subscribe("switched@example.org")
	s.comment(d, 0, "Writer", "Something for the digest.")
	s.settle()
	// One stops before the digest is due; the other switches to mail as it comes.
	if err := s.store.EndSubscription(ctx, stopped.AddressID, stopped.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.store.SetDelivery(ctx, switched.AddressID, switched.ID, parley.DeliverImmediately); err != nil {
		t.Fatal(err)
	}
	s.clock.setAhead(25 * time.Hour)
	defer s.clock.setAhead(0)
	s.settle()
	_, _ = nextMail(t, smtp, 1)
	time.Sleep(100 * time.Millisecond)
	got := smtp.Received()
	if len(got) != 1 || got[0].To[0] != "switched@example.org" {
		var to []string
		for _, m := range got {
			to = append(to, m.To[0])
		}
		t.Fatalf("digests went to %v; want only the one still subscribed, whose pending comment its change of delivery kept", to)
	}
}
