package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// The reading tests: a phone reads the deepest replies at nearly the full
// width of its screen, and a reader who posts lands on their comment,
// marked, with a word on what became of it.

// TestBrowserPhoneDeepReplies opens the demo debate at a phone's width and
// measures the text of a reply four levels deep: it must keep at least 85%
// of the screen, and say whom it answers, since the indentation stops.
func TestBrowserPhoneDeepReplies(t *testing.T) {
	base, execPath, start := browserParley(t, "--data-dir", t.TempDir())
	b := startBrowser(t, execPath, start)

	type deepest struct {
		Found      bool    `json:"found"`
		Depth      int     `json:"depth"`
		ID         string  `json:"id"`
		Width      float64 `json:"width"`
		Screen     float64 `json:"screen"`
		Overflow   bool    `json:"overflow"`
		ReplyTo    string  `json:"replyTo"`
		ReplyShown bool    `json:"replyShown"`
		Chars      float64 `json:"chars"`
	}
	// The deepest comment on the page, the width of its text and whether
	// its "in reply to NAME" shows.
	const measure = `(function () {
  var best = null, depth = -1;
  document.querySelectorAll("li.comment").forEach(function (li) {
    var d = 0;
    for (var p = li.parentElement.closest("li.comment"); p; p = p.parentElement.closest("li.comment")) d++;
    if (d > depth && li.querySelector(":scope > article .body")) { best = li; depth = d; }
  });
  if (!best) return {found: false};
  var body = best.querySelector(":scope > article .body");
  var irt = best.querySelector(":scope > article .in-reply-to");
  var em = parseFloat(getComputedStyle(body).fontSize);
  return {
    found: true, depth: depth, id: best.id, width: body.getBoundingClientRect().width, screen: window.innerWidth,
    overflow: document.documentElement.scrollWidth > window.innerWidth,
    replyTo: irt ? irt.textContent.trim() : "", replyShown: !!irt && irt.getClientRects().length > 0,
    chars: body.getBoundingClientRect().width / (em * 0.5)
  };
})()`

	b.do("size the window as a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	if code := b.navigate("open the debate on a phone", base+"/debates/car-free-city-centres"); code != 200 {
		t.Fatalf("debate page: status %d", code)
	}
	b.do("wait for the thread", chromedp.WaitReady(chromedp.CSS("li.comment")))
	phone := eval[deepest](b, "measure the deepest reply", measure)
	if !phone.Found || phone.Depth < 3 {
		t.Fatalf("deepest comment: %+v, want one at depth 3 (the fourth level)", phone)
	}
	t.Logf("phone: %s at depth %d is %.0f px wide on a %.0f px screen (%.0f%%, about %.0f characters a line)",
		phone.ID, phone.Depth, phone.Width, phone.Screen, 100*phone.Width/phone.Screen, phone.Chars)
	if phone.Width < 0.85*phone.Screen {
		t.Errorf("a reply at depth %d is %.0f px wide on a %.0f px screen (%.0f%%), want at least 85%%",
			phone.Depth, phone.Width, phone.Screen, 100*phone.Width/phone.Screen)
	}
	if phone.Overflow {
		t.Error("the page scrolls sideways on a phone")
	}
	if !phone.ReplyShown || !strings.HasPrefix(phone.ReplyTo, "in reply to ") {
		t.Errorf("the deep reply says %q (shown: %v), want \"in reply to NAME\" shown", phone.ReplyTo, phone.ReplyShown)
	}

	// On a wide screen the nesting shows whom it answers; the words go.
	b.do("size the window as a desktop", chromedp.EmulateViewport(1280, 900))
	if code := b.navigate("open the debate on a desktop", base+"/debates/car-free-city-centres"); code != 200 {
		t.Fatalf("debate page: status %d", code)
	}
	b.do("wait for the thread", chromedp.WaitReady(chromedp.CSS("li.comment")))
	wide := eval[deepest](b, "measure the deepest reply", measure)
	if wide.ReplyShown {
		t.Errorf("on a wide screen the implied %q shows, want it hidden where indentation shows it", wide.ReplyTo)
	}

	// The demo's longest thread folds its last replies away; a link to one
	// of them opens the fold.
	type fold struct {
		Summary string `json:"summary"`
		Open    bool   `json:"open"`
		First   string `json:"first"`
	}
	const readFold = `(function () {
  var d = document.querySelector("li.more-replies > details");
  if (!d) return {summary: "", open: false, first: ""};
  var li = d.querySelector("li.comment");
  return {summary: d.querySelector("summary").textContent.trim(), open: d.open, first: li ? li.id : ""};
})()`
	f := eval[fold](b, "read the fold", readFold)
	if !regexp.MustCompile(`^Show \d+ more replies`).MatchString(f.Summary) || f.Open || f.First == "" {
		t.Fatalf("fold: %+v, want a closed \"Show N more replies\" holding comments", f)
	}
	id := strings.TrimPrefix(f.First, "comment-")
	if code := b.navigate("follow a link to a folded reply", base+"/comments/"+id); code != 200 {
		t.Fatalf("GET /comments/%s: status %d", id, code)
	}
	b.do("wait for the folded reply to show", chromedp.WaitVisible(chromedp.ID(f.First)))
	if f := eval[fold](b, "read the fold again", readFold); !f.Open {
		t.Errorf("the fold holding the linked reply is closed")
	}

	// The pages for finding more: an answer's own page (from its Share
	// link), a topic's, and a search. Each passes the accessibility check.
	share := eval[string](b, "read an answer's share link", `(document.querySelector(".expert-answer a.share") || {}).href || ""`)
	topic := eval[string](b, "read a topic link", `(document.querySelector(".debate-header a.topic") || {}).href || ""`)
	if share == "" || topic == "" {
		t.Fatalf("share link %q, topic link %q; want both on the debate page", share, topic)
	}
	for _, page := range []string{share, topic, base + "/search?q=bus+timetable"} {
		if code := b.navigate("open "+page, page); code != 200 {
			t.Errorf("GET %s: status %d", page, code)
		}
	}
	if n := eval[int](b, "count search results", `document.querySelectorAll(".search-results li mark").length`); n == 0 {
		t.Error("searching the demo for \"bus timetable\" marks nothing")
	}
}

// TestBrowserPostLandsOnComment posts comments and checks that the reader
// lands on each, marked, with a notice that says what became of it: held
// for a moderator, with the debate's rule that held it (more links than
// it publishes unchecked), or published. Times show in the reader's own
// time zone.
func TestBrowserPostLandsOnComment(t *testing.T) {
	// Chromium fills the form faster than a person could.
	base, execPath, start := browserParley(t, "--data-dir", t.TempDir(), "--min-fill-time=0")
	b := startBrowser(t, execPath, start)
	// The reader is in India: UTC+5:30 shows whether times are converted.
	if _, err := chromedp.Call(b.ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Kolkata"}); err != nil {
		t.Fatalf("set the time zone: %v", err)
	}
	debateURL := base + "/debates/car-free-city-centres"
	marker := strconv.FormatInt(time.Now().UnixNano(), 36)

	type landing struct {
		Hash       string  `json:"hash"`
		Class      string  `json:"class"`
		Note       string  `json:"note"`
		NoteTop    float64 `json:"noteTop"`
		NoteBottom float64 `json:"noteBottom"`
		View       float64 `json:"view"`
		Ring       string  `json:"ring"`
		Time       string  `json:"time"`
		TimeTitle  string  `json:"timeTitle"`
	}
	read := func(step string) (int64, landing) {
		t.Helper()
		_, id := b.postedID(step)
		b.do(step+": wait for the comment", chromedp.WaitVisible(chromedp.ID(fmt.Sprintf("comment-%d", id))))
		l := eval[landing](b, step+": read the landing", fmt.Sprintf(`(function (id) {
  var li = document.getElementById("comment-" + id);
  var note = li.querySelector(":scope > article .posted-note");
  var time = li.querySelector(":scope > article time");
  var r = note ? note.getBoundingClientRect() : {top: -1, bottom: -1};
  return {
    hash: location.hash, class: li.className + " " + li.querySelector(":scope > article").className, note: note ? note.textContent.trim() : "",
    noteTop: r.top, noteBottom: r.bottom, view: window.innerHeight,
    ring: getComputedStyle(li.querySelector(":scope > article")).boxShadow,
    time: time ? time.textContent.trim() : "", timeTitle: time ? time.title : ""
  };
})(%d)`, id))
		return id, l
	}
	post := func(step, name, email, body string) {
		t.Helper()
		b.do(step+": fill the form",
			chromedp.WaitVisible(chromedp.CSS("form#comment-form")),
			chromedp.SendKeys(chromedp.CSS("#comment-form #author_name"), name),
			chromedp.SendKeys(chromedp.CSS("#comment-form #author_email"), email),
			chromedp.SendKeys(chromedp.CSS("#comment-form #body"), body),
		)
		if res := b.submit(step, "#comment-form button[type=submit]"); res.Status != 200 {
			t.Fatalf("%s: status %d for %s", step, res.Status, res.URL)
		}
	}

	// 1. Three links, where the debate publishes two unchecked: held, and
	// told why in plain words.
	if code := b.navigate("open the debate", debateURL); code != 200 {
		t.Fatalf("GET %s: status %d", debateURL, code)
	}
	post("post with links", "Linda Links", "linda@example.org", "Held "+marker+": see the council's study https://example.org/study, "+
		"the bus timetable https://example.org/timetable and the survey https://example.org/survey before deciding.")
	id, l := read("post with links")
	t.Logf("held: %+v", l)
	if l.Hash != fmt.Sprintf("#comment-%d", id) || !strings.Contains(l.Class, "posted") || !strings.Contains(l.Class, "pending") {
		t.Errorf("landing: hash %q, class %q; want #comment-%d, marked posted and pending", l.Hash, l.Class, id)
	}
	if want := "Thank you. Your comment is waiting for a moderator because it has more links than this debate publishes without a check."; !strings.HasPrefix(l.Note, want) {
		t.Errorf("notice %q, want %q", l.Note, want)
	}
	if l.NoteTop < 0 || l.NoteBottom > l.View {
		t.Errorf("the notice is at %.0f–%.0f px of a %.0f px window, want it in view", l.NoteTop, l.NoteBottom, l.View)
	}
	if l.Ring == "" || l.Ring == "none" {
		t.Errorf("the comment is not marked: box-shadow %q", l.Ring)
	}

	// 2. An ordinary comment: published.
	if code := b.navigate("open the debate again", debateURL); code != 200 {
		t.Fatalf("GET %s: status %d", debateURL, code)
	}
	post("post after a while", "Patient Pia", "pia@example.org", "Published "+marker+": trams, then fewer cars.")
	id, l = read("post after a while")
	t.Logf("published: %+v", l)
	if l.Hash != fmt.Sprintf("#comment-%d", id) || !strings.Contains(l.Class, "posted") || strings.Contains(l.Class, "pending") {
		t.Errorf("landing: hash %q, class %q; want #comment-%d, marked posted", l.Hash, l.Class, id)
	}
	if l.Note != "Thank you: your comment is published." {
		t.Errorf("notice %q, want that it is published", l.Note)
	}
	if l.NoteTop < 0 || l.NoteBottom > l.View {
		t.Errorf("the notice is at %.0f–%.0f px of a %.0f px window, want it in view", l.NoteTop, l.NoteBottom, l.View)
	}
	if l.Ring == "" || l.Ring == "none" {
		t.Errorf("the comment is not marked: box-shadow %q", l.Ring)
	}
	// The time is the reader's own, with the UTC time as its tooltip.
	if !strings.HasSuffix(l.TimeTitle, " UTC") || !strings.Contains(l.Time, "GMT+5:30") {
		t.Errorf("time %q with title %q, want the time in the reader's zone (GMT+5:30) and the UTC time in the title", l.Time, l.TimeTitle)
	}

	// 3. Said once: coming back, the comment is there without the notice.
	if code := b.navigate("come back", debateURL); code != 200 {
		t.Fatalf("GET %s: status %d", debateURL, code)
	}
	if n := eval[int](b, "count notices", `document.querySelectorAll(".posted-note").length`); n != 0 {
		t.Errorf("%d notices on the next visit, want none", n)
	}
}
