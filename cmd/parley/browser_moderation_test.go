package main

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/parley-org/parley/internal/mail/mailtest"
)

// The moderation browser tests drive the moderation console in Chromium
// against the real server, its SQLite database and the in-test SMTP server:
// a debate that holds first-time commenters, readers' reports that hide a
// comment, and a removal that its author appeals and a moderator reverses.
// A moderator works in the browser's first tab; each reader, guest or
// author gets a tab of their own in a separate browser context, so that
// their cookies (session, pending comments) are theirs alone.

const modDebateSlug = "car-free-city-centres"

// modSession is one moderation test's server, mailbox and browser.
type modSession struct {
	t     *testing.T
	start time.Time
	base  string
	dir   string
	smtp  *mailtest.Server
	mod   *browser // the moderator's tab
}

// debateURL is the public page of the demo debate the tests use.
func (s *modSession) debateURL() string { return s.base + "/debates/" + modDebateSlug }

// startModeration starts the in-test SMTP server, parley (SQLite, with the
// demo content) and Chromium, and signs the moderator in in the first tab.
func startModeration(t *testing.T) *modSession {
	t.Helper()
	smtp := mailtest.New(t, mailtest.Options{})
	dir := t.TempDir()
	// Chromium fills forms faster than a person could, and every tab posts
	// from 127.0.0.1.
	base, execPath, start := browserParley(t, "--data-dir", dir, "--smtp-url", smtp.URL(), "--post-rate", "0", "--min-fill-time=0")
	s := &modSession{t: t, start: start, base: base, dir: dir, smtp: smtp}
	s.mod = startBrowser(t, execPath, start)
	s.signIn(s.mod, "maud.moderator@example.org", "Maud Moderator", "moderator")
	return s
}

// signIn makes (or finds) an account with a role on the command line, as an
// operator does, and signs it in in tab b with the printed one-time link.
func (s *modSession) signIn(b *browser, email, name, role string) {
	s.t.Helper()
	var out, errOut bytes.Buffer
	args := []string{"user", "create", "--data-dir", s.dir, "--email", email, "--name", name, "--role", role, "--base-url", s.base}
	if err := run(context.Background(), args, noEnv, &out, &errOut); err != nil {
		s.t.Fatalf("user create %s: %v\n%s", email, err, errOut.String())
	}
	link := mailedLink.FindString(out.String())
	if !strings.Contains(link, "/links/signin/") {
		s.t.Fatalf("user create %s printed no sign-in link:\n%s", email, out.String())
	}
	b.navigate("open the sign-in link of "+name, link)
	b.submit("sign in as "+name, "form.account-form button[type=submit]")
	if n := eval[int](b, "check that "+name+" is signed in", `document.querySelectorAll("form[action='/signout']").length`); n == 0 {
		s.t.Fatalf("after signing in as %s the page at %s has no sign-out button", name, b.location())
	}
}

// newTab opens a tab in a new browser context (no cookies shared with the
// other tabs), which fails the test, as the first tab does, when a page in
// it throws or breaks the Content-Security-Policy.
func (s *modSession) newTab(who string) *browser {
	s.t.Helper()
	ctx, cancel := chromedp.NewContext(s.mod.ctx, chromedp.WithNewBrowserContext())
	s.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		s.t.Fatalf("open a tab for %s: %v", who, err)
	}
	watchConsole(s.t, ctx, who)
	return &browser{t: s.t, ctx: ctx}
}

// typeText fills a text field: the text but its last character at once,
// then the last one typed, so that the page sees key and input events
// without the seconds that typing a paragraph key by key takes.
func typeText(sel, text string) chromedp.Action[chromedp.Void] {
	r := []rune(text)
	if len(r) < 2 {
		return chromedp.SendKeys(chromedp.CSS(sel), text)
	}
	return chromedp.Steps(
		chromedp.SetValue(chromedp.CSS(sel), string(r[:len(r)-1])),
		chromedp.SendKeys(chromedp.CSS(sel), string(r[len(r)-1:])),
	)
}

// pressAndLoad types keys on the page, as a moderator does, waits for the
// page that the keys' form post leads to and checks it with axe-core.
func (b *browser) pressAndLoad(step, keys string) *network.Response {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(keys))
	if err != nil {
		b.t.Fatalf("%s: press %q and wait for the next page: %v", step, keys, err)
	}
	b.checkA11y(step)
	return res
}

// filterDebate picks the demo debate in the console's debate filter and
// returns its id, read from the filtered page's address.
func (s *modSession) filterDebate(b *browser) int64 {
	s.t.Helper()
	value := eval[string](b, "choose the debate in the filter", `(function () {
  var sel = document.getElementById("debate-filter");
  var o = sel && Array.from(sel.options).find(function (o) { return o.textContent.indexOf("Car-free city centres") === 0; });
  if (!o) return "";
  sel.value = o.value;
  return o.value;
})()`)
	if value == "" {
		s.t.Fatalf("the console's debate filter at %s has no option for the car-free debate", b.location())
	}
	b.submit("filter the queue by debate", "form.filter button[type=submit]")
	u, err := url.Parse(b.location())
	if err != nil {
		s.t.Fatal(err)
	}
	id, err := strconv.ParseInt(u.Query().Get("debate"), 10, 64)
	if err != nil || strconv.FormatInt(id, 10) != value {
		s.t.Fatalf("after filtering, the console is at %s, want debate=%s in the address", b.location(), value)
	}
	return id
}

// postAsGuest posts a top-level comment on the demo debate from tab b,
// without an account, and returns its id.
func (s *modSession) postAsGuest(b *browser, name, email, body string) int64 {
	s.t.Helper()
	if code := b.navigate("open the debate to comment", s.debateURL()); code != 200 {
		s.t.Fatalf("GET %s: status %d, want 200", s.debateURL(), code)
	}
	b.do("write a comment as "+name,
		chromedp.WaitVisible(chromedp.CSS("form#comment-form")),
		chromedp.SendKeys(chromedp.CSS("#comment-form #author_name"), name),
		chromedp.SendKeys(chromedp.CSS("#comment-form #author_email"), email),
		typeText("#comment-form #body", body),
	)
	if res := b.submit("post the comment of "+name, "#comment-form button[type=submit]"); res.Status != 200 {
		s.t.Fatalf("after posting the comment of %s: status %d for %s, want 200", name, res.Status, res.URL)
	}
	_, id := b.postedID("post the comment of " + name)
	return id
}

// visible reports whether the public debate page, opened afresh in tab b,
// shows a comment containing marker, and returns the heading's count. It
// checks the page as served to a client without a browser too.
func (s *modSession) visible(b *browser, step, marker string) (bool, int) {
	s.t.Helper()
	if code := b.navigate(step, s.debateURL()); code != 200 {
		s.t.Fatalf("%s: GET %s: status %d, want 200", step, s.debateURL(), code)
	}
	b.do(step+": wait for the thread", chromedp.WaitReady(chromedp.CSS("#comments-title")))
	shown := b.countWith(marker)
	if shown > 1 {
		s.t.Errorf("%s: %d comments contain %q, want at most 1", step, shown, marker)
	}
	_, page := get(s.t, s.debateURL())
	if served := strings.Contains(page, marker); served != (shown > 0) {
		s.t.Errorf("%s: the browser shows the comment %q: %v, but the page served to a plain client has it: %v", step, marker, shown > 0, served)
	}
	return shown > 0, b.commentCount(step + ": read the comment count")
}

// cardInfo is what a card in the moderation queue shows.
type cardInfo struct {
	Found   bool     `json:"found"`
	First   bool     `json:"first"`   // it is the queue's first card
	Status  string   `json:"status"`  // the state badge
	Body    string   `json:"body"`    // the comment's text
	Why     []string `json:"why"`     // the "Why it is here" lines
	Reports []string `json:"reports"` // the "Reports" lines, with their details
	Appeal  string   `json:"appeal"`  // the appeal's text, if any
	Buttons []string `json:"buttons"` // the decide form's actions
}

func (b *browser) card(id int64) cardInfo {
	b.t.Helper()
	return eval[cardInfo](b, fmt.Sprintf("read the card of comment %d", id), fmt.Sprintf(`(function (id) {
  var card = document.getElementById("card-" + id);
  if (!card) return {found: false};
  var dts = Array.from(card.querySelectorAll("dl.why > dt"));
  function lines(label) {
    var dt = dts.find(function (dt) { return dt.textContent.trim() === label; });
    if (!dt) return [];
    return Array.from(dt.nextElementSibling.querySelectorAll("li")).map(function (li) { return li.textContent.replace(/\s+/g, " ").trim(); });
  }
  var appeal = card.querySelector(".appeal .appeal-text");
  return {
    found: true,
    first: document.querySelector("[data-card]") === card,
    status: (card.querySelector("header .state") || {textContent: ""}).textContent.trim(),
    body: (card.querySelector(".body") || {textContent: ""}).textContent.trim(),
    why: lines("Why it is here"),
    reports: lines("Reports"),
    appeal: appeal ? appeal.textContent.trim() : "",
    buttons: Array.from(card.querySelectorAll("form.decide button[name=action]")).map(function (b) { return b.value; })
  };
})(%d)`, id))
}

// notice is the console's note after a decision ("" when there is none).
func (b *browser) notice() string {
	b.t.Helper()
	return b.text(".moderation .notice")
}

// waitMailTo waits for a message to an address whose subject contains
// subject, among those received after the first skip.
func (s *modSession) waitMailTo(ctx context.Context, skip int, to, subject string) mailtest.Received {
	s.t.Helper()
	for n := skip + 1; ; n++ {
		got := s.smtp.Wait(ctx, n)
		for _, m := range got[min(skip, len(got)):] {
			if len(m.To) == 1 && strings.EqualFold(m.To[0], to) && strings.Contains(m.Subject, subject) {
				return m
			}
		}
		if len(got) < n {
			var subjects []string
			for _, m := range got {
				subjects = append(subjects, fmt.Sprintf("%q to %v", m.Subject, m.To))
			}
			s.t.Fatalf("no mail to %s with %q in its subject within the time allowed; received: %s", to, subject, strings.Join(subjects, "; "))
		}
		n = len(got)
	}
}

// TestBrowserModerationFirstTimeHeld: a moderator holds first-time
// commenters on a debate through its policy page; a guest's first comment
// waits, unseen by other visitors, until the moderator approves it from the
// pending queue with the keyboard.
func TestBrowserModerationFirstTimeHeld(t *testing.T) {
	s := startModeration(t)
	mod := s.mod
	marker := strconv.FormatInt(time.Now().UnixNano(), 36)

	// 1. The moderator finds the debate in the console and holds first-time
	// commenters on it.
	mod.navigate("open the console", s.base+"/moderation")
	debateID := s.filterDebate(mod)
	mod.submit("open the debate's policy", fmt.Sprintf("a[href='/moderation/debates/%d/policy']", debateID))
	if loc, want := mod.location(), fmt.Sprintf("%s/moderation/debates/%d/policy", s.base, debateID); loc != want {
		t.Fatalf("the policy link led to %s, want %s", loc, want)
	}
	if checked := eval[string](mod, "read the policy's mode", `(document.querySelector("input[name=mode]:checked") || {value: ""}).value`); checked != "post" {
		t.Errorf("a demo debate's policy: mode %q is checked, want \"post\" (post-moderation)", checked)
	}
	mod.do("hold first-time commenters", chromedp.Click(chromedp.CSS("input[name=mode][value=first]")))
	if res := mod.submit("save the policy", "form[action$='/policy'] button[type=submit]"); res.Status != 200 {
		t.Fatalf("after saving the policy: status %d for %s, want 200", res.Status, res.URL)
	}
	if saved := mod.text(".notice.success"); !strings.Contains(saved, "The policy is saved") {
		t.Fatalf("after saving the policy the page at %s says %q, want that the policy is saved", mod.location(), saved)
	}
	if checked := eval[string](mod, "read the saved mode", `(document.querySelector("input[name=mode]:checked") || {value: ""}).value`); checked != "first" {
		t.Fatalf("the saved policy: mode %q is checked, want \"first\"", checked)
	}

	// 2. A guest who never commented before posts: the comment waits, and
	// its author alone sees it, marked as awaiting moderation.
	visitor := s.newTab("a visitor")
	_, before := s.visible(visitor, "open the debate as a visitor before", marker)
	guest := s.newTab("the guest")
	body := "First time here (" + marker + "): the Saturday market on the old square only works because nobody can park on it."
	id := s.postAsGuest(guest, "Greta Lindqvist", "greta."+marker+"@example.org", body)
	if c := guest.comment(id); !c.Found || !strings.Contains(c.Body, marker) {
		t.Fatalf("the guest's own page does not show the held comment %d: %+v", id, c)
	}
	if note := guest.text(fmt.Sprintf("#comment-%d .moderation-note", id)); !strings.Contains(note, "Awaiting moderation") {
		t.Errorf("the guest's held comment is marked %q, want \"Awaiting moderation…\"", note)
	}
	if shown, n := s.visible(visitor, "open the debate as another visitor", marker); shown || n != before {
		t.Fatalf("another visitor sees the held comment: shown %v, heading %d comments (was %d)", shown, n, before)
	}

	// 3. The moderator opens the pending queue: the comment is its newest
	// card, with the reason it waits.
	mod.navigate("open the pending queue", s.base+"/moderation")
	mod.do("wait for the held comment's card", chromedp.WaitVisible(chromedp.ID(fmt.Sprintf("card-%d", id))))
	c := mod.card(id)
	if !c.First || c.Status != "pending" || !strings.Contains(c.Body, marker) {
		t.Fatalf("card of the held comment: %+v, want the first card, pending, with the comment's text", c)
	}
	if !containsLine(c.Why, "First comment by this author") {
		t.Errorf("the card says the comment is here because %q, want \"First comment by this author\"", c.Why)
	}
	saveScreenshot(t, t.TempDir(), "moderation-pending.png", runStep(mod, "screenshot the pending queue", chromedp.CaptureScreenshot()))

	// 4. j selects the first card, a approves it.
	mod.do("press j", chromedp.KeyEvent("j"))
	type focus struct {
		Active  string   `json:"active"`
		Current []string `json:"current"`
	}
	f := eval[focus](mod, "read the focus", `({active: document.activeElement ? document.activeElement.id : "",
  current: Array.from(document.querySelectorAll("[data-card].current")).map(function (c) { return c.id; })})`)
	if want := fmt.Sprintf("card-%d", id); f.Active != want || len(f.Current) != 1 || f.Current[0] != want {
		t.Fatalf("after pressing j: focus on %q and current cards %q, want %s focused and the only current card", f.Active, f.Current, want)
	}
	if res := mod.pressAndLoad("approve with a", "a"); res.Status != 200 {
		t.Fatalf("after pressing a: status %d for %s, want 200", res.Status, res.URL)
	}
	if n := mod.notice(); n != "1 comment approved." {
		t.Errorf("after approving, the console says %q, want \"1 comment approved.\"", n)
	}
	if loc := mod.location(); !strings.Contains(loc, "/moderation?") || !strings.Contains(loc, "queue=pending") {
		t.Errorf("after approving, the console is at %s, want the pending queue", loc)
	}
	if mod.card(id).Found {
		t.Errorf("the approved comment %d is still in the pending queue", id)
	}

	// 5. Every visitor now sees it.
	if shown, n := s.visible(visitor, "open the debate as a visitor after the approval", marker); !shown || n != before+1 {
		t.Fatalf("after the approval a visitor sees the comment: %v, heading %d comments; want it shown and %d", shown, n, before+1)
	}
	if c := visitor.comment(id); c.Author != "Greta Lindqvist" || c.List != "ol.thread" || c.ParentLi != "" {
		t.Errorf("the approved comment as a visitor sees it: %+v", c)
	}
	if n := eval[int](visitor, "look for the moderation note", fmt.Sprintf(`document.querySelectorAll("#comment-%d .moderation-note").length`, id)); n != 0 {
		t.Errorf("the approved comment still says it awaits moderation")
	}
	t.Logf("moderation test took %v", time.Since(s.start).Round(time.Millisecond))
}

// TestBrowserModerationReportsHide: three signed-in readers report a
// comment with the Report link under it; the third report hides it, and it
// waits in the moderators' "reported" queue with the reports' reasons.
func TestBrowserModerationReportsHide(t *testing.T) {
	s := startModeration(t)
	marker := strconv.FormatInt(time.Now().UnixNano(), 36)

	// 1. A guest posts a heated comment; the debate is post-moderated, so it
	// shows at once.
	visitor := s.newTab("a visitor")
	_, before := s.visible(visitor, "open the debate as a visitor before", marker)
	author := s.newTab("the author")
	body := "Honestly (" + marker + "), anyone who still drives into the old town at rush hour is a selfish idiot and should lose their licence."
	id := s.postAsGuest(author, "Bruno Keller", "bruno."+marker+"@example.org", body)
	if shown, n := s.visible(visitor, "open the debate as a visitor after the post", marker); !shown || n != before+1 {
		t.Fatalf("the new comment is shown to visitors: %v, heading %d comments; want it shown and %d", shown, n, before+1)
	}

	// 2. Three readers with accounts report it, each from their own tab.
	readers := []struct{ name, email, reason, detail string }{
		{"Ingrid Holm", "ingrid." + marker + "@example.org", "harassment", "Calls everyone who drives an idiot (" + marker + ")."},
		{"Tomasz Wójcik", "tomasz." + marker + "@example.org", "harassment", ""},
		{"Aisha Bello", "aisha." + marker + "@example.org", "hate", ""},
	}
	for i, r := range readers {
		tab := s.newTab(r.name)
		s.signIn(tab, r.email, r.name, "participant")
		tab.navigate(r.name+" opens the debate", fmt.Sprintf("%s#comment-%d", s.debateURL(), id))
		link := fmt.Sprintf("#comment-%d > article footer a.report", id)
		tab.do(r.name+" finds the Report link", chromedp.WaitVisible(chromedp.CSS(link)))
		if res := tab.submit(r.name+" follows the Report link", link); res.Status != 200 {
			t.Fatalf("%s's Report link: status %d for %s, want 200", r.name, res.Status, res.URL)
		}
		if loc, want := tab.location(), fmt.Sprintf("%s/comments/%d/report", s.base, id); loc != want {
			t.Fatalf("%s's Report link led to %s, want %s", r.name, loc, want)
		}
		if q := tab.text("blockquote.reported"); !strings.Contains(q, marker) {
			t.Errorf("the report form quotes %q, want the reported comment", q)
		}
		tab.do(r.name+" fills in the report", chromedp.Click(chromedp.CSS(fmt.Sprintf("input[name=reason][value=%s]", r.reason))))
		if r.detail != "" {
			tab.do(r.name+" adds a note", typeText("textarea#detail", r.detail))
		}
		if res := tab.submit(r.name+" sends the report", fmt.Sprintf("form[action='/comments/%d/report'] button[type=submit]", id)); res.Status != 200 {
			t.Fatalf("%s's report: status %d for %s, want 200", r.name, res.Status, res.URL)
		}
		if msg := tab.text("[role=status]"); !strings.HasPrefix(msg, "Thank you.") {
			t.Fatalf("after %s's report the page says %q, want the thanks", r.name, msg)
		}
		if i == 0 {
			continue // the second report's check covers the first
		}
		shown, n := s.visible(visitor, fmt.Sprintf("open the debate as a visitor after report %d", i+1), marker)
		if last := i == len(readers)-1; shown == last || (last && n != before) || (!last && n != before+1) {
			t.Fatalf("after %d reports a visitor sees the comment: %v, heading %d comments; want it shown until the third (heading %d, then %d)",
				i+1, shown, n, before+1, before)
		}
	}

	// 3. It waits in the moderators' "reported" queue, with the reasons.
	mod := s.mod
	mod.navigate("open the reported queue", s.base+"/moderation?queue=reported")
	debateID := s.filterDebate(mod)
	if loc := mod.location(); !strings.Contains(loc, "queue=reported") {
		t.Errorf("filtering the reported queue by debate led to %s, want the reported queue still", loc)
	}
	mod.do("wait for the reported comment's card", chromedp.WaitVisible(chromedp.ID(fmt.Sprintf("card-%d", id))))
	c := mod.card(id)
	if !c.First || c.Status != "pending" || !strings.Contains(c.Body, marker) {
		t.Errorf("card of the reported comment in debate %d: %+v, want the first card, pending (hidden), with the comment's text", debateID, c)
	}
	if !containsLine(c.Why, "Hidden after 3 reports from readers") {
		t.Errorf("the card says the comment is here because %q, want \"Hidden after 3 reports from readers\"", c.Why)
	}
	if len(c.Reports) != 2 || !strings.HasPrefix(c.Reports[0], "Harassment or personal attack: 2") || !strings.Contains(c.Reports[0], readers[0].detail) ||
		c.Reports[1] != "Hate speech: 1" {
		t.Errorf("the card's reports: %q, want \"Harassment or personal attack: 2\" with the note %q, and \"Hate speech: 1\"", c.Reports, readers[0].detail)
	}
	// The demo debate may have reported comments of its own: the tab counts
	// what the queue lists.
	cards := eval[int](mod, "count the reported queue's cards", `document.querySelectorAll("[data-card]").length`)
	if tab, want := mod.text(".queue-tabs a[aria-current=page]"), fmt.Sprintf("Reported %d", cards); tab != want {
		t.Errorf("the current queue's tab reads %q, want %q (the cards it lists)", tab, want)
	}
	saveScreenshot(t, t.TempDir(), "moderation-reported.png", runStep(mod, "screenshot the reported queue", chromedp.CaptureScreenshot()))
	t.Logf("moderation test took %v", time.Since(s.start).Round(time.Millisecond))
}

var (
	appealLink     = regexp.MustCompile(`https?://\S+/appeals/[A-Za-z0-9._~-]+`)
	oneReportFacts = regexp.MustCompile(`What the decision rests on: the comment's text, and (a|1) report from readers\.`)
)

// TestBrowserModerationTrashAndAppeal: a moderator trashes a reported
// comment under a rule, with a reason; its author receives the statement
// of reasons by mail, appeals with its link, and the moderator restores
// the comment from the appeals queue; the author hears the outcome.
func TestBrowserModerationTrashAndAppeal(t *testing.T) {
	s := startModeration(t)
	mod := s.mod
	marker := strconv.FormatInt(time.Now().UnixNano(), 36)
	mailCtx, cancelMail := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancelMail()

	// 1. A guest who gives an address posts; one reader reports the comment,
	// which brings it to the moderators (one report does not hide it).
	visitor := s.newTab("a visitor")
	_, before := s.visible(visitor, "open the debate as a visitor before", marker)
	author := s.newTab("the author")
	authorEmail := "arno." + marker + "@example.org"
	body := "Ironic (" + marker + "): the councillor who pushed the car ban drives his SUV to the town hall every single morning."
	id := s.postAsGuest(author, "Arno Vermeulen", authorEmail, body)
	reader := s.newTab("the reader")
	s.signIn(reader, "lena."+marker+"@example.org", "Lena Fischer", "participant")
	reader.navigate("the reader opens the report form", fmt.Sprintf("%s/comments/%d/report", s.base, id))
	reader.do("the reader fills in the report", chromedp.Click(chromedp.CSS("input[name=reason][value=harassment]")))
	reader.submit("the reader sends the report", fmt.Sprintf("form[action='/comments/%d/report'] button[type=submit]", id))
	if shown, n := s.visible(visitor, "open the debate as a visitor after one report", marker); !shown || n != before+1 {
		t.Fatalf("after one report a visitor sees the comment: %v, heading %d comments; want it still shown, heading %d", shown, n, before+1)
	}

	// 2. The moderator opens the reported queue; t without a rule chosen
	// does not trash: it moves to the rule's select.
	queue := s.base + "/moderation?queue=reported"
	mod.navigate("open the reported queue", queue)
	mod.do("wait for the reported comment's card", chromedp.WaitVisible(chromedp.ID(fmt.Sprintf("card-%d", id))))
	c := mod.card(id)
	if !c.First || c.Status != "approved" || !containsLine(c.Reports, "Harassment or personal attack: 1") {
		t.Fatalf("card of the reported comment: %+v, want the first card, still approved, with one harassment report", c)
	}
	if strings.Join(c.Buttons, " ") != "approve spam trash" {
		t.Errorf("the approved comment's card offers %q, want approve (Keep), spam and trash", c.Buttons)
	}
	mod.do("press j then t without a rule", chromedp.KeyEvent("j"), chromedp.KeyEvent("t"))
	if focused := eval[bool](mod, "read the focus", fmt.Sprintf(`document.activeElement === document.querySelector("#card-%d select[data-category]")`, id)); !focused {
		t.Errorf("t on a card without a rule chosen: the focus is not on the card's rule select")
	}
	if loc := mod.location(); loc != queue {
		t.Fatalf("t without a rule chosen led to %s, want to stay on %s", loc, queue)
	}

	// 3. The moderator chooses the rule, writes the reason and trashes it.
	reason := "Personal accusation against a named councillor, with nothing to back it up (" + marker + ")."
	mod.do("choose the rule and write the reason",
		chromedp.SetValue(chromedp.CSS(fmt.Sprintf("#card-%d select[data-category]", id)), "harassment"),
		typeText(fmt.Sprintf("#card-%d form.decide input[name=reason]", id), reason),
	)
	if res := mod.submit("trash the comment", fmt.Sprintf("#card-%d form.decide button[value=trash]", id)); res.Status != 200 {
		t.Fatalf("after trashing: status %d for %s, want 200", res.Status, res.URL)
	}
	if n := mod.notice(); n != "1 comment moved to the trash." {
		t.Errorf("after trashing, the console says %q, want \"1 comment moved to the trash.\"", n)
	}
	if shown, n := s.visible(visitor, "open the debate as a visitor after the removal", marker); shown || n != before {
		t.Fatalf("after the removal a visitor sees the comment: %v, heading %d comments; want it gone, heading %d", shown, n, before)
	}

	// 4. The author's statement of reasons arrives by mail.
	statement := s.waitMailTo(mailCtx, 0, authorEmail, "removed")
	if !strings.Contains(statement.Subject, "Car-free city centres") {
		t.Errorf("the statement's subject %q does not name the debate", statement.Subject)
	}
	for _, want := range []string{"Hello Arno Vermeulen", "A moderator has removed your comment", marker,
		"The rule it breaks: Harassment or personal attack.", "The moderator's reasons: " + reason, "/appeals/"} {
		if !strings.Contains(statement.Text, want) {
			t.Errorf("the statement's text lacks %q:\n%s", want, statement.Text)
		}
	}
	if !oneReportFacts.MatchString(statement.Text) {
		t.Errorf("the statement's text does not say the decision rests on the text and one report (%s):\n%s", oneReportFacts, statement.Text)
	}
	link := appealLink.FindString(statement.Text)
	if link == "" || !strings.HasPrefix(link, s.base+"/appeals/") {
		t.Fatalf("the statement has no appeal link to %s/appeals/…:\n%s", s.base, statement.Text)
	}
	if !strings.Contains(statement.HTML, `href="`+link+`"`) {
		t.Errorf("the statement's HTML part does not link to %s", link)
	}

	// 5. The author opens the link and appeals.
	if code := author.navigate("open the appeal link", link); code != 200 {
		t.Fatalf("GET %s: status %d, want 200", link, code)
	}
	if q := author.text("blockquote.reported"); !strings.Contains(q, marker) {
		t.Errorf("the appeal page quotes %q, want the removed comment", q)
	}
	appeal := "I am quoting the councillor's own post on the town's website (" + marker + "); it is a fact about his commute, not an insult."
	author.do("write the appeal", typeText("textarea[name=body]", appeal))
	if res := author.submit("send the appeal", "form[action^='/appeals/'] button[type=submit]"); res.Status != 200 {
		t.Fatalf("after appealing: status %d for %s, want 200", res.Status, res.URL)
	}
	if got := author.text("section[role=status]"); !strings.Contains(got, "Your appeal was received") || !strings.Contains(got, appeal) ||
		!strings.Contains(got, "A moderator will look at the decision again") {
		t.Fatalf("after appealing the page says %q, want the confirmation with the appeal", got)
	}
	if n := eval[int](author, "look for the appeal form", `document.querySelectorAll("textarea[name=body]").length`); n != 0 {
		t.Errorf("after appealing the page still offers the appeal form")
	}

	// 6. The appeal is in the appeals queue; the moderator restores the comment.
	mod.navigate("open the appeals queue", s.base+"/moderation?queue=appeals")
	mod.do("wait for the appealed comment's card", chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#card-%d section.appeal", id))))
	if c := mod.card(id); !c.First || c.Status != "trash" || c.Appeal != appeal {
		t.Fatalf("card of the appealed comment: %+v, want the first card, in the trash, with the appeal %q", c, appeal)
	}
	saveScreenshot(t, t.TempDir(), "moderation-appeal.png", runStep(mod, "screenshot the appeals queue", chromedp.CaptureScreenshot()))
	outcome := "You are right: the post is his own and public (" + marker + "). The comment is back."
	mod.do("write the decision on the appeal", typeText(fmt.Sprintf("#appeal-reason-%d", id), outcome))
	if res := mod.submit("restore the comment", fmt.Sprintf("#card-%d section.appeal button[name=outcome][value=reverse]", id)); res.Status != 200 {
		t.Fatalf("after deciding the appeal: status %d for %s, want 200", res.Status, res.URL)
	}
	if n := mod.notice(); n != "Appeal decided: the comment is restored, and its author is told." {
		t.Errorf("after deciding the appeal, the console says %q", n)
	}
	if mod.card(id).Found {
		t.Errorf("the decided appeal is still in the appeals queue")
	}

	// 7. The comment is back for everyone, and the author is told.
	if shown, n := s.visible(visitor, "open the debate as a visitor after the appeal", marker); !shown || n != before+1 {
		t.Fatalf("after the appeal a visitor sees the comment: %v, heading %d comments; want it back, heading %d", shown, n, before+1)
	}
	if c := visitor.comment(id); c.Author != "Arno Vermeulen" || !strings.Contains(c.Body, "councillor") {
		t.Errorf("the restored comment as a visitor sees it: %+v", c)
	}
	mail := s.waitMailTo(mailCtx, 1, authorEmail, "appeal")
	for _, want := range []string{"restored your comment", outcome} {
		if !strings.Contains(mail.Text, want) {
			t.Errorf("the appeal's outcome mail lacks %q:\n%s", want, mail.Text)
		}
	}
	if strings.Contains(mail.Text, "/appeals/") {
		t.Errorf("the outcome mail offers an appeal again:\n%s", mail.Text)
	}
	author.navigate("open the appeal link again", link)
	if got := author.text("section[role=status]"); !strings.Contains(got, "your comment is restored") {
		t.Errorf("the appeal page, after the decision, says %q, want that the comment is restored", got)
	}
	t.Logf("moderation test took %v", time.Since(s.start).Round(time.Millisecond))
}

// containsLine reports whether one of lines contains want.
func containsLine(lines []string, want string) bool {
	for _, l := range lines {
		if strings.Contains(l, want) {
			return true
		}
	}
	return false
}
