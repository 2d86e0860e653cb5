package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/spam"
	"github.com/parley-org/parley/internal/store"
)

var commentIDPattern = regexp.MustCompile(`#comment-(\d+)$`)

// post posts a comment through the form and returns the stored comment.
func (s *site) post(b *http.Client, slug string, form url.Values) *parley.Comment {
	s.t.Helper()
	r := s.postForm(b, "/debates/"+slug+"/comments", form)
	wantStatus(s.t, r, http.StatusSeeOther)
	m := commentIDPattern.FindStringSubmatch(r.header.Get("Location"))
	if m == nil {
		s.t.Fatalf("posted comment: redirect to %q", r.header.Get("Location"))
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	c, err := s.store.Comment(context.Background(), id)
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

// queueItem finds a comment in a moderation queue.
func (s *site) queueItem(q store.Queue, id int64) *store.QueueItem {
	s.t.Helper()
	items, err := s.store.ModerationQueue(context.Background(), store.QueueFilter{Queue: q, Limit: 200})
	if err != nil {
		s.t.Fatal(err)
	}
	for _, it := range items {
		if it.Comment.ID == id {
			return it
		}
	}
	return nil
}

func (s *site) setPolicy(d *parley.Debate, mode string, p parley.Policy) {
	s.t.Helper()
	_, mod := s.account("Policy Maker "+strconv.FormatInt(time.Now().UnixNano(), 36), parley.RoleModerator)
	r := s.postForm(mod, "/moderation/debates/"+strconv.FormatInt(d.ID, 10)+"/policy", url.Values{"mode": {mode},
		"max_links": {strconv.Itoa(p.MaxLinks)}, "report_threshold": {strconv.Itoa(p.ReportThreshold)},
		"hold_words": {p.HoldWords}, "reject_words": {p.RejectWords}})
	wantStatus(s.t, r, http.StatusSeeOther)
	fresh, err := s.store.DebateByID(context.Background(), d.ID)
	if err != nil {
		s.t.Fatal(err)
	}
	*d = *fresh
}

func TestFirstTimeCommentersWaitAndAreTrustedOnceApproved(t *testing.T) {
	s := newSite(t, Config{})
	d := s.debate("trees", parley.DebatePublished, false)
	s.setPolicy(d, "first", parley.DefaultPolicy())
	_, mod := s.account("Mona Moderator", parley.RoleModerator)

	first := s.post(newBrowser(), "trees", formValues("Tomas", "tomas@example.org", "Plant lime trees along the ring road, they survive the salt."))
	if first.Status != parley.CommentPending {
		t.Fatalf("first comment is %s, want pending", first.Status)
	}
	wantLacks(t, s.get("/debates/trees").body, "lime trees")
	it := s.queueItem(store.QueuePending, first.ID)
	if it == nil || !strings.Contains(strings.Join(it.HoldReasons, "|"), "First comment by this author") || !it.Scored {
		t.Fatalf("pending queue item: %+v", it)
	}
	page := s.getAs(mod, "/moderation?queue=pending")
	wantContains(t, page.body, "lime trees", "First comment by this author", "Spam score", `data-key="a"`, "moderation.js")

	r := s.postForm(mod, "/moderation/decisions", url.Values{"ids": {strconv.FormatInt(first.ID, 10)}, "action": {"approve"}, "back": {"/moderation?queue=pending"}})
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); !strings.Contains(loc, "done=") {
		t.Errorf("decision redirect %q has no note", loc)
	}
	wantContains(t, s.get("/debates/trees").body, "lime trees")

	// Trusted now: the next comment shows at once, from any debate.
	second := s.post(newBrowser(), "trees", formValues("Tomas", "tomas@example.org", "And water them in the first two summers."))
	if second.Status != parley.CommentApproved {
		t.Errorf("second comment of a trusted author is %s", second.Status)
	}
	log := s.getAs(mod, "/moderation/log")
	wantContains(t, log.body, "Mona Moderator", "approve", "pending → approved", "policy", "first-time commenters held")
}

func TestPolicyHoldsLinksWordsAndDuplicatesAndRejectsWithTheTextKept(t *testing.T) {
	s := newSite(t, Config{})
	d := s.debate("bins", parley.DebatePublished, false)
	s.setPolicy(d, "post", parley.Policy{MaxLinks: 1, ReportThreshold: 3, HoldWords: "idiot\n# a note\ngo back to", RejectWords: "scum*"})
	// A trusted author, so that only the policy holds them.
	s.comment(d, 0, "Rita", "Earlier.")
	rita := func(body string) url.Values { return formValues("Rita", "rita@example.org", body) }

	links := s.post(newBrowser(), "bins", rita("See https://example.org/a and https://example.org/b for the figures."))
	if links.Status != parley.CommentPending || !strings.Contains(s.queueItem(store.QueuePending, links.ID).HoldReasons[0], "2 links") {
		t.Errorf("two links over a limit of one: %s", links.Status)
	}
	for _, body := range []string{"Only an I D I O T would empty bins at 5am.", "Only an іdіot would do that (Cyrillic і).", "They should go   back...to their office."} {
		c := s.post(newBrowser(), "bins", rita(body))
		if c.Status != parley.CommentPending {
			t.Errorf("%q is %s, want held by the hold list", body, c.Status)
		}
	}
	fine := s.post(newBrowser(), "bins", rita("The idiotic schedule is the council's, and the class sizes too."))
	if fine.Status != parley.CommentApproved {
		t.Errorf("innocent words held: %s %v", fine.Status, s.queueItem(store.QueuePending, fine.ID))
	}

	// Rejected: refused with the reason, the text kept, nothing stored.
	before, _ := s.store.QueueCounts(context.Background(), d.ID)
	r := s.postForm(newBrowser(), "/debates/bins/comments", rita("You are all S C U M B A G S and I will say it again."))
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.body, "does not accept comments containing", "scum*", "I will say it again.")
	after, _ := s.store.QueueCounts(context.Background(), d.ID)
	if before[store.QueuePending] != after[store.QueuePending] {
		t.Errorf("a rejected comment was stored")
	}

	// The same text from someone else is held; a copy of spam is spam.
	text := "Our street has had no collection for three weeks and the rats are back in the courtyard."
	s.post(newBrowser(), "bins", rita(text))
	copied := s.post(newBrowser(), "bins", formValues("Other", "other@example.org", text))
	if copied.Status != parley.CommentPending || !strings.Contains(strings.Join(s.queueItem(store.QueuePending, copied.ID).HoldReasons, "|"), "Same text as comment") {
		t.Errorf("duplicate from another author: %s", copied.Status)
	}
	_, mod := s.account("Mo", parley.RoleModerator)
	wantStatus(t, s.postForm(mod, "/moderation/decisions", url.Values{"ids": {strconv.FormatInt(copied.ID, 10)}, "action": {"spam"}}), http.StatusSeeOther)
	third := s.post(newBrowser(), "bins", formValues("Third", "third@example.org", text))
	if third.Status != parley.CommentSpam {
		t.Errorf("copy of a spam comment is %s, want spam", third.Status)
	}

	// A word list that does not compile comes back with the text kept.
	_, mod2 := s.account("Policy Two", parley.RoleModerator)
	bad := s.postForm(mod2, "/moderation/debates/"+strconv.FormatInt(d.ID, 10)+"/policy", url.Values{"mode": {"post"}, "max_links": {"2"},
		"report_threshold": {"3"}, "hold_words": {"fine\n!!!\n"}, "reject_words": {"keep me"}})
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	wantContains(t, bad.body, "line 2", "keep me")
}

func TestReportsHideACommentUntilAModeratorDecides(t *testing.T) {
	s := newSite(t, Config{})
	d := s.debate("parks", parley.DebatePublished, false)
	c := s.comment(d, 0, "Loud", "Everyone who disagrees with me is a fool.")
	path := "/comments/" + strconv.FormatInt(c.ID, 10) + "/report"
	wantContains(t, s.get("/debates/parks").body, `href="`+path+`"`)

	report := func(b *http.Client, reason string) response {
		return s.postForm(b, path, url.Values{"reason": {reason}, "detail": {"Insults readers."}})
	}
	// Bad input comes back with what was typed.
	bad := s.postForm(newBrowser(), path, url.Values{"reason": {"other"}, "detail": {""}})
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	wantContains(t, bad.body, "Please say in a few words")

	_, r1 := s.account("Reader One", parley.RoleParticipant)
	_, r2 := s.account("Reader Two", parley.RoleParticipant)
	_, r3 := s.account("Reader Three", parley.RoleParticipant)
	wantStatus(t, report(r1, "harassment"), http.StatusOK)
	wantStatus(t, report(r1, "harassment"), http.StatusOK) // the same reader again counts once
	wantStatus(t, report(newBrowser(), "hate"), http.StatusOK)
	if got, _ := s.store.Comment(context.Background(), c.ID); got.Status != parley.CommentApproved {
		t.Fatalf("hidden after two readers: %s", got.Status)
	}
	it := s.queueItem(store.QueueReported, c.ID)
	if it == nil || len(it.Reports) != 2 {
		t.Fatalf("reported queue: %+v", it)
	}
	// Guests' reports reach the moderators but hide nothing: three
	// signed-in readers do.
	wantStatus(t, report(r2, "harassment"), http.StatusOK)
	if got, _ := s.store.Comment(context.Background(), c.ID); got.Status != parley.CommentApproved {
		t.Fatalf("hidden after two signed-in readers and a guest: %s", got.Status)
	}
	wantStatus(t, report(r3, "harassment"), http.StatusOK)
	got, _ := s.store.Comment(context.Background(), c.ID)
	if got.Status != parley.CommentPending {
		t.Fatalf("after three readers' reports the comment is %s, want hidden (pending)", got.Status)
	}
	wantLacks(t, s.get("/debates/parks").body, "a fool")
	if d2, _ := s.store.DebateByID(context.Background(), d.ID); d2.CommentCount != 0 {
		t.Errorf("hidden comment still counted: %d", d2.CommentCount)
	}

	// The moderator keeps it: reports are closed and it is back.
	_, mod := s.account("Mia", parley.RoleModerator)
	wantContains(t, s.getAs(mod, "/moderation?queue=reported").body, "Harassment or personal attack: 3", "Hate speech: 1", "Hidden after 3 reports")
	wantStatus(t, s.postForm(mod, "/moderation/decisions", url.Values{"ids": {strconv.FormatInt(c.ID, 10)}, "action": {"approve"}}), http.StatusSeeOther)
	wantContains(t, s.get("/debates/parks").body, "a fool")
	if s.queueItem(store.QueueReported, c.ID) != nil {
		t.Errorf("still in the reported queue after a decision")
	}
	// New reports start again from zero.
	_, r4 := s.account("Reader Four", parley.RoleParticipant)
	wantStatus(t, report(r4, "spam"), http.StatusOK)
	if got, _ := s.store.Comment(context.Background(), c.ID); got.Status != parley.CommentApproved {
		t.Errorf("one new report hid it again: %s", got.Status)
	}

	// The API takes reports too.
	api := s.api("POST", "/api/v1/comments/"+strconv.FormatInt(c.ID, 10)+"/reports", map[string]string{"reason": "nonsense"})
	wantStatus(t, api, http.StatusUnprocessableEntity)
}

var appealLink = regexp.MustCompile(`https?://[^\s]+/appeals/[^\s]+`)

func TestARemovedCommentsAuthorIsToldWhyAndMayAppealOnce(t *testing.T) {
	s, smtp := mailSite(t)
	d := s.debate("votes", parley.DebatePublished, false)
	c := s.post(newBrowser(), "votes", formValues("Petra", "petra@example.org", "Sixteen-year-olds pay taxes on their wages, so they should vote."))
	if c.Status != parley.CommentApproved {
		t.Fatalf("comment is %s", c.Status)
	}
	_, mod := s.account("Marek", parley.RoleModerator)
	id := strconv.FormatInt(c.ID, 10)

	// Trash needs the rule it breaks: the author is told.
	r := s.postForm(mod, "/moderation/decisions", url.Values{"ids": {id}, "action": {"trash"}})
	wantStatus(t, r, http.StatusSeeOther)
	if !strings.Contains(r.header.Get("Location"), "problem=") {
		t.Fatalf("trash without a rule: %s", r.header.Get("Location"))
	}
	r = s.postForm(mod, "/moderation/decisions", url.Values{"ids": {id}, "action": {"trash"}, "category": {"harassment"},
		"reason": {"It names\va classmate.\u0085"}})
	wantStatus(t, r, http.StatusSeeOther)
	wantLacks(t, s.get("/debates/votes").body, "pay taxes")

	m, _ := nextMail(t, smtp, 1)
	if m.To[0] != "petra@example.org" || !strings.Contains(m.Subject, "was removed") {
		t.Fatalf("statement: to %v, %q", m.To, m.Subject)
	}
	// A guest's address is unproven: the mail names the comment without quoting it.
	wantContains(t, m.Text, "Harassment or personal attack", "It namesa classmate.", "a person decided", "appeal once", "Your comment #"+id)
	wantLacks(t, m.Text, "pay taxes")
	// The control characters the moderator's text held are stripped, as in the log.
	for _, part := range []string{m.Text, m.HTML} {
		if strings.ContainsAny(part, "\v\u0085") {
			t.Errorf("the statement keeps control characters: %q", part)
		}
	}
	link := appealLink.FindString(m.Text)
	if link == "" {
		t.Fatalf("no appeal link in:\n%s", m.Text)
	}
	form := s.get(linkPath(t, link))
	wantStatus(t, form, http.StatusOK)
	wantContains(t, form.body, "Send my appeal", "pay taxes")
	if strings.Contains(s.logs.String(), strings.TrimPrefix(linkPath(t, link), "/appeals/")) {
		t.Errorf("the appeal token is in the log")
	}

	empty := s.postForm(newBrowser(), linkPath(t, link), url.Values{"body": {"  "}})
	wantStatus(t, empty, http.StatusUnprocessableEntity)
	sent := s.postForm(newBrowser(), linkPath(t, link), url.Values{"body": {"The classmate is my sister and she agreed."}})
	wantStatus(t, sent, http.StatusOK)
	wantContains(t, sent.body, "Your appeal was received")
	again := s.postForm(newBrowser(), linkPath(t, link), url.Values{"body": {"Once more."}})
	wantContains(t, again.body, "can be appealed once")
	if a, _ := s.store.AppealOf(context.Background(), c.ID); a == nil || a.Body != "The classmate is my sister and she agreed." {
		t.Fatalf("appeal stored: %+v", a)
	}

	// A link for another comment, or a forged one, gives nothing away.
	wantStatus(t, s.get("/appeals/"+strings.Replace(strings.TrimPrefix(linkPath(t, link), "/appeals/"), id, id+"1", 1)), http.StatusNotFound)
	expired := s.srv.appealToken(c.ID, time.Now().Add(-time.Hour))
	late := s.postForm(newBrowser(), "/appeals/"+expired, url.Values{"body": {"Late."}})
	wantContains(t, late.body, "received") // already appealed: shown, not taken again

	// The appeals queue; the moderator restores it and the author hears.
	queue := s.getAs(mod, "/moderation?queue=appeals")
	wantContains(t, queue.body, "The classmate is my sister", "Restore the comment")
	wantStatus(t, s.postForm(mod, "/moderation/appeals/"+id, url.Values{"outcome": {"reverse"}, "reason": {"Fair enough."}}), http.StatusSeeOther)
	wantContains(t, s.get("/debates/votes").body, "pay taxes")
	m, _ = nextMail(t, smtp, 2)
	wantContains(t, m.Text, "restored your comment", "Fair enough.")
	if strings.Contains(m.Text, "/appeals/") {
		t.Errorf("the outcome offers another appeal")
	}
	decided := s.postForm(mod, "/moderation/appeals/"+id, url.Values{"outcome": {"uphold"}, "reason": {"Twice?"}})
	if !strings.Contains(decided.header.Get("Location"), "problem=") {
		t.Errorf("an appeal was decided twice")
	}
	wantContains(t, s.getAs(mod, "/moderation/log").body, "appeal-reversed", "trash", "It namesa classmate.")

	// Pending spam filed by a moderator sends nothing (no backscatter).
	spamC := s.comment(d, 0, "Bot", "Cheap watches here")
	if err := s.store.SetCommentStatus(context.Background(), spamC.ID, parley.CommentPending); err != nil {
		t.Fatal(err)
	}
	if _, err := s.srv.decide(context.Background(), parley.Decision{Verb: parley.VerbSpam, CommentIDs: []int64{spamC.ID}}, store.Actor{ID: 1, Name: "x"}); err != nil {
		t.Fatal(err)
	}
	s.settle()
	if n := len(smtp.Received()); n != 2 {
		t.Errorf("%d mails after filing spam, want still 2", n)
	}
}

func TestBansByAccountAddressAndNetwork(t *testing.T) {
	s := newSite(t, Config{})
	d := s.debate("rail", parley.DebatePublished, false)
	_, mod := s.account("Ban Hammer", parley.RoleModerator)
	troll := s.comment(d, 0, "Troll", "First.")
	ban := func(c *parley.Comment, kind string, days string) {
		t.Helper()
		r := s.postForm(mod, "/moderation/comments/"+strconv.FormatInt(c.ID, 10)+"/ban", url.Values{"kind": {kind}, "reason": {"Abuse"}, "days": {days}})
		wantStatus(t, r, http.StatusSeeOther)
		if !strings.Contains(r.header.Get("Location"), "done=") {
			t.Fatalf("ban %s: %s", kind, r.header.Get("Location"))
		}
	}
	ban(troll, "email", "0")
	r := s.postForm(newBrowser(), "/debates/rail/comments", formValues("Troll", "TROLL@example.org", "Still here, keep this text."))
	wantStatus(t, r, http.StatusForbidden)
	wantContains(t, r.body, "email address cannot be posted", "Still here, keep this text.")

	// An account ban.
	u, b := s.account("Banned Reader", parley.RoleParticipant)
	own := s.post(b, "rail", url.Values{"body": {"I have an account."}})
	if own.UserID != u.ID {
		t.Fatal("not posted with the account")
	}
	ban(own, "account", "7")
	r = s.postForm(b, "/debates/rail/comments", url.Values{"body": {"Again."}})
	wantStatus(t, r, http.StatusForbidden)
	wantContains(t, r.body, "account cannot be posted", "The suspension ends on")

	// A network ban catches every address from it (all of the test's requests come from 127.0.0.1).
	net := s.post(newBrowser(), "rail", formValues("Someone", "someone@example.org", "From the network."))
	ban(net, "network", "1")
	r = s.postForm(newBrowser(), "/debates/rail/comments", formValues("New", "new@example.org", "Fresh address."))
	wantStatus(t, r, http.StatusForbidden)
	wantContains(t, r.body, "from your network")

	page := s.getAs(mod, "/moderation/bans")
	wantContains(t, page.body, "troll@example.org", "account of Banned Reader", "network of comment #")
	wantLacks(t, page.body, "127.0.0.0") // the network is kept as a keyed hash
	bans, _ := s.store.Bans(context.Background())
	for _, b := range bans {
		wantStatus(t, s.postForm(mod, "/moderation/bans/"+strconv.FormatInt(b.ID, 10)+"/lift", nil), http.StatusSeeOther)
	}
	s.post(newBrowser(), "rail", formValues("New", "new@example.org", "Fresh address, after the bans are lifted."))
	wantContains(t, s.getAs(mod, "/moderation/log").body, "lifted the ban on the network")
}

func TestIPAddressesAreForgottenAfterTheRetentionPeriod(t *testing.T) {
	s := newSite(t, Config{IPRetention: 48 * time.Hour})
	s.debate("ip", parley.DebatePublished, false)
	c := s.post(newBrowser(), "ip", formValues("Ivo", "ivo@example.org", "Where is my address kept?"))
	ctx := context.Background()
	if ip, _ := s.store.CommentIP(ctx, c.ID); ip != "127.0.0.1" {
		t.Fatalf("IP kept: %q", ip)
	}
	wantContains(t, s.get("/privacy").body, "for 2 days", "keyed hash", "None. Your comment")
	if n, err := s.store.ForgetAddresses(ctx, time.Now().Add(-48*time.Hour)); err != nil || n != 0 {
		t.Fatalf("forgot %d (%v) within the period", n, err)
	}
	if n, err := s.store.ForgetAddresses(ctx, time.Now().Add(time.Minute)); err != nil || n != 1 {
		t.Fatalf("forgot %d (%v) after the period", n, err)
	}
	if ip, _ := s.store.CommentIP(ctx, c.ID); ip != "" {
		t.Errorf("IP still kept: %q", ip)
	}
	_, mod := s.account("Mod", parley.RoleModerator)
	// The network's keyed hash remains: a ban by network still works.
	r := s.postForm(mod, "/moderation/comments/"+strconv.FormatInt(c.ID, 10)+"/ban", url.Values{"kind": {"network"}, "reason": {"x"}, "days": {"0"}})
	if !strings.Contains(r.header.Get("Location"), "done=") {
		t.Errorf("network ban after the IP was forgotten: %s", r.header.Get("Location"))
	}
}

func TestModeratorsDecisionsTeachTheClassifierOnEveryNode(t *testing.T) {
	s := newSite(t, Config{})
	d := s.debate("learn", parley.DebatePublished, false)
	text := "Our neighbourhood bakery sells the best rye bread in town, ask for Jana."
	fresh, err := spam.Load()
	if err != nil {
		t.Fatal(err)
	}
	before := fresh.Score(text, 0).Score
	var ids []int64
	for i := 0; i < 3; i++ {
		ids = append(ids, s.comment(d, 0, "Seller"+strconv.Itoa(i), text+strings.Repeat(" !", i)).ID)
	}
	_, mod := s.account("Teacher", parley.RoleModerator)
	form := url.Values{"action": {"spam"}}
	for _, id := range ids {
		form.Add("ids", strconv.FormatInt(id, 10))
	}
	r := s.postForm(mod, "/moderation/decisions", form)
	wantStatus(t, r, http.StatusSeeOther)
	wantContains(t, r.header.Get("Location"), url.QueryEscape("3 comments marked spam."))
	learnt := s.srv.spam.model.Score(text, 0).Score
	if learnt <= before+0.05 {
		t.Errorf("score after three spam decisions %.3f, before %.3f", learnt, before)
	}
	// Another node (a new server on the same database) replays them.
	other := newSiteOn(t, s.store, Config{})
	if got := other.srv.spam.model.Score(text, 0).Score; got != learnt {
		t.Errorf("another node scores %.4f, this one %.4f", got, learnt)
	}
	// Restoring one is a not-spam lesson.
	wantStatus(t, s.postForm(mod, "/moderation/decisions", url.Values{"ids": {strconv.FormatInt(ids[0], 10)}, "action": {"restore"}}), http.StatusSeeOther)
	if got := s.srv.spam.model.Score(text, 0).Score; got >= learnt {
		t.Errorf("restoring did not lower the score: %.3f >= %.3f", got, learnt)
	}
	if c, _ := s.store.Comment(context.Background(), ids[0]); c.Status != parley.CommentApproved {
		t.Errorf("restored comment is %s", c.Status)
	}
}

func TestEditsAreScreenedLikeNewComments(t *testing.T) {
	s := newSite(t, Config{})
	d := s.debate("edits", parley.DebatePublished, false)
	s.setPolicy(d, "post", parley.Policy{MaxLinks: 2, ReportThreshold: 3, HoldWords: "boycott", RejectWords: "idiot"})
	_, b := s.account("Edith", parley.RoleParticipant)
	c := s.post(b, "edits", url.Values{"body": {"The new bus lanes work well."}})
	if c.Status != parley.CommentApproved {
		t.Fatalf("comment is %s", c.Status)
	}
	path := "/comments/" + strconv.FormatInt(c.ID, 10) + "/edit"
	r := s.postForm(b, path, url.Values{"body": {"The new bus lanes work well, you i.d.i.o.t."}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.body, "does not accept comments containing", "you i.d.i.o.t.")
	wantStatus(t, s.postForm(b, path, url.Values{"body": {"The new bus lanes work well. BOYCOTT the shops that complain."}}), http.StatusSeeOther)
	it := s.queueItem(store.QueuePending, c.ID)
	if it == nil || !strings.Contains(strings.Join(it.HoldReasons, "|"), "After an edit: Contains “boycott”") {
		t.Fatalf("an edit that adds a held word: %+v", it)
	}
}

func TestRestoringAReportHiddenCommentPublishesItAndClosesItsAppeal(t *testing.T) {
	s, smtp := mailSite(t)
	s.debate("hide", parley.DebatePublished, false)
	_, author := s.account("Hanna", parley.RoleParticipant)
	c := s.post(author, "hide", url.Values{"body": {"The mayor's plan is a gift to developers."}})
	id := strconv.FormatInt(c.ID, 10)
	for _, name := range []string{"R1", "R2", "R3"} {
		_, b := s.account(name, parley.RoleParticipant)
		wantStatus(t, s.postForm(b, "/comments/"+id+"/report", url.Values{"reason": {"spam"}}), http.StatusOK)
	}
	_, mod := s.account("Moderator", parley.RoleModerator)
	// Hidden by reports, then filed as spam: its author is told, as it was public.
	wantStatus(t, s.postForm(mod, "/moderation/decisions", url.Values{"ids": {id}, "action": {"spam"}, "reason": {"Advert."}}), http.StatusSeeOther)
	m, _ := nextMail(t, smtp, 1)
	wantContains(t, m.Text, "as spam", "3 reports from readers", "hidden automatically", "gift to developers")
	link := appealLink.FindString(m.Text)
	wantStatus(t, s.postForm(newBrowser(), linkPath(t, link), url.Values{"body": {"It is an opinion, not an advert."}}), http.StatusOK)

	// Restored from the spam queue: public again (not back to pending),
	// and the appeal is answered.
	wantStatus(t, s.postForm(mod, "/moderation/decisions", url.Values{"ids": {id}, "action": {"restore"}}), http.StatusSeeOther)
	if got, _ := s.store.Comment(context.Background(), c.ID); got.Status != parley.CommentApproved {
		t.Fatalf("restored comment is %s, want approved", got.Status)
	}
	if s.queueItem(store.QueueAppeals, c.ID) != nil {
		t.Errorf("the appeal is still open after the comment was restored")
	}
	r := s.postForm(mod, "/moderation/appeals/"+id, url.Values{"outcome": {"uphold"}, "reason": {"Late."}})
	wantContains(t, r.header.Get("Location"), "problem=")

	// Moderators reach any comment from the debate page.
	page := s.getAs(mod, "/debates/hide")
	wantContains(t, page.body, `href="/moderation/comments/`+id+`"`)
	wantLacks(t, s.get("/debates/hide").body, "/moderation/comments/")
	card := s.getAs(mod, "/moderation/comments/"+id)
	wantContains(t, card.body, "gift to developers", "Hidden after 3 reports", "spam (pending → spam)", "restore (spam → approved)")

	// A ban's length must make sense.
	bad := s.postForm(mod, "/moderation/comments/"+id+"/ban", url.Values{"kind": {"account"}, "reason": {"x"}, "days": {"7 days"}})
	wantContains(t, bad.header.Get("Location"), "problem=")
	if bans, _ := s.store.Bans(context.Background()); len(bans) != 0 {
		t.Errorf("a ban of unreadable length was made: %+v", bans[0])
	}
}

func TestAFailedConsoleFormKeepsWhatTheModeratorTyped(t *testing.T) {
	s := newSite(t, Config{})
	d := s.debate("keep", parley.DebatePublished, true)
	c := s.comment(d, 0, "Kim", "Held for review.")
	_, mod := s.account("Moderator", parley.RoleModerator)
	id := strconv.FormatInt(c.ID, 10)
	// Trash without a rule fails: the reason comes back in the card's form.
	r := s.postForm(mod, "/moderation/decisions", url.Values{"ids": {id}, "action": {"trash"}, "for": {"c" + id},
		"reason": {"Off topic & rude"}, "back": {"/moderation?queue=pending"}})
	page := s.getAs(mod, linkPath(t, s.http.URL+r.header.Get("Location")))
	wantContains(t, page.body, "Please choose the rule", `value="Off topic &amp; rude"`)
	r = s.postForm(mod, "/moderation/comments/"+id+"/ban", url.Values{"kind": {"email"}, "days": {"forever"}, "for": {"b" + id},
		"reason": {"Spamming the thread"}})
	page = s.getAs(mod, linkPath(t, s.http.URL+r.header.Get("Location")))
	wantContains(t, page.body, "how long the ban lasts", `value="Spamming the thread"`, `<details class="ban" open>`)
}
