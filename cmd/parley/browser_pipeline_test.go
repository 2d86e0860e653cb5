package main

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parley-org/parley/internal/mail/mailtest"
)

// The pipeline browser test drives the whole loop from a reader's comment
// to an expert's published answer in Chromium, against the real server,
// its SQLite database and the in-test SMTP server: a reader comments; an
// editor adds an expert with a contact address, picks the comment on the
// debate page, frames it and, from the board, finds the expert by name and
// sends it to them; the expert answers through the private link mailed to
// them; the editor edits the answer lightly and publishes it; and the
// reader finds it under their comment, having been told by mail. The
// editor works in the browser's first tab; the reader, the expert and a
// visitor each get a tab in a browser context of their own.

var (
	answerLink       = regexp.MustCompile(`https?://\S+/answer/[A-Za-z0-9_.~-]+`)
	publishedLink    = regexp.MustCompile(`https?://\S+/answers/(\d+)`)
	adminAnswerLink  = regexp.MustCompile(`https?://\S+/admin/answers/(\d+)`)
	expertSavedPath  = regexp.MustCompile(`/admin/experts/(\d+)\?saved=1$`)
	boardPickPath    = regexp.MustCompile(`/admin/debates/(\d+)/board\?pick=(\d+)$`)
	answerAnchorPath = regexp.MustCompile(`/debates/car-free-city-centres(\?after=\d+)?#answer-(\d+)$`)
)

// pipelineDebateTitle is the demo debate's title, as pages and mails show it.
const pipelineDebateTitle = "Car-free city centres: who is the street for?"

// boardQuestionInfo is what the editors' board shows of the question made
// of one comment.
type boardQuestionInfo struct {
	Found   bool     `json:"found"`
	ID      string   `json:"id"`      // "question-N"
	Stage   string   `json:"stage"`   // the section it is in: "stage-not-sent", …
	State   string   `json:"state"`   // its badge
	Framing string   `json:"framing"` // the framing line's text
	Comment string   `json:"comment"` // the quoted comment's text
	Choices []string `json:"choices"` // the send form's experts: "value|label|disabled"
	Asked   []string `json:"asked"`   // the "Experts asked" rows
	Edit    []string `json:"edit"`    // the links to the answer editor
}

func (b *browser) boardQuestion(commentID int64) boardQuestionInfo {
	b.t.Helper()
	return eval[boardQuestionInfo](b, fmt.Sprintf("read the board's question of comment %d", commentID), fmt.Sprintf(`(function (cid) {
  var a = Array.from(document.querySelectorAll("li[id^='question-'] blockquote.featured-comment footer a")).find(function (a) { return a.getAttribute("href") === "/comments/" + cid; });
  if (!a) return {found: false};
  var li = a.closest("li[id^='question-']");
  var stage = li.closest("section.board-stage");
  function text(el) { return el ? el.textContent.replace(/\s+/g, " ").trim() : ""; }
  return {
    found: true, id: li.id, stage: stage ? stage.id : "",
    state: text(li.querySelector(".state")),
    framing: text(li.querySelector(".framing")),
    comment: text(li.querySelector("blockquote.featured-comment > p")),
    choices: Array.from(li.querySelectorAll("input[name=expert_ids][type=checkbox]")).map(function (c) {
      return c.value + "|" + text(li.querySelector("label[for='" + c.id + "']")) + "|" + c.disabled;
    }),
    asked: Array.from(li.querySelectorAll("table.console-table tbody tr")).map(text),
    edit: Array.from(li.querySelectorAll("a[href^='/admin/answers/']")).map(function (a) { return a.getAttribute("href"); })
  };
})(%d)`, commentID))
}

// expertPage is what the expert's private link shows.
type expertPage struct {
	Title    string   `json:"title"`
	Framing  string   `json:"framing"`
	Comment  string   `json:"comment"`
	Forms    int      `json:"forms"` // answer textareas
	Status   string   `json:"status"`
	Versions []string `json:"versions"` // the headings of the two versions
	Sent     string   `json:"sent"`     // the expert's own text
	Edited   string   `json:"edited"`   // the editors' version
}

func (b *browser) expertPage(step string) expertPage {
	b.t.Helper()
	return eval[expertPage](b, step, `(function () {
  function text(sel) { var el = document.querySelector(sel); return el ? el.textContent.replace(/\s+/g, " ").trim() : ""; }
  return {
    title: text("h1"),
    framing: text(".answer-request .framing"),
    comment: text("blockquote.reader-comment"),
    forms: document.querySelectorAll("textarea[name=body]").length,
    status: text("section[role=status]"),
    versions: Array.from(document.querySelectorAll(".answer-versions h3")).map(function (h) { return h.textContent.trim(); }),
    sent: (document.querySelector("pre.submitted") || {textContent: ""}).textContent,
    edited: (document.querySelector("pre.edited") || {textContent: ""}).textContent
  };
})()`)
}

// TestBrowserExpertPipeline: a reader's comment becomes a question, an
// expert answers it through a mailed private link, the editors publish the
// answer lightly edited, and the reader finds it under the comment and in
// their mailbox.
func TestBrowserExpertPipeline(t *testing.T) {
	smtp := mailtest.New(t, mailtest.Options{})
	dir := t.TempDir()
	// Chromium fills forms faster than a person could, and every tab posts
	// from 127.0.0.1.
	base, execPath, start := browserParley(t, "--data-dir", dir, "--smtp-url", smtp.URL(), "--post-rate", "0", "--min-fill-time=0")
	s := &modSession{t: t, start: start, base: base, dir: dir, smtp: smtp}
	s.mod = startBrowser(t, execPath, start)
	editor := s.mod
	marker := strconv.FormatInt(time.Now().UnixNano(), 36)
	editorName, editorEmail := "Jonas Weber", "jonas.weber."+marker+"@example.org"
	s.signIn(editor, editorEmail, editorName, "editor")
	mailCtx, cancelMail := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancelMail()
	lap := start
	timing := func(what string) {
		t.Logf("%s: %v", what, time.Since(lap).Round(time.Millisecond))
		lap = time.Now()
	}
	timing("start and sign the editor in")

	// 1. A reader, without an account, comments on the demo debate and
	// gives their address.
	readerName, readerEmail := "Marta Kowalczyk", "marta.kowalczyk."+marker+"@example.org"
	comment := "I run a bookshop on Lange Straße (ref. " + marker + "). Half my customers drive in from the villages around the town; " +
		"if the centre closes to cars they will simply shop at the retail park by the motorway, and small shops like mine will empty out."
	reader := s.newTab("the reader")
	commentID := s.postAsGuest(reader, readerName, readerEmail, comment)
	if c := reader.comment(commentID); c.Author != readerName || !strings.Contains(c.Body, marker) {
		t.Fatalf("the reader's comment %d as posted: %+v", commentID, c)
	}
	timing("the reader comments")

	// 2. The editor adds an expert with a contact address in the console.
	expertName, expertTitle, expertAffiliation := "Dr Ines Albrecht", "Professor of urban economics", "University of Leipzig"
	expertEmail := "ines.albrecht." + marker + "@uni-leipzig.example"
	editor.navigate("open the new expert form", base+"/admin/experts/new")
	editor.do("fill in the expert's profile",
		typeText("#name", expertName),
		typeText("#title", expertTitle),
		typeText("#affiliation", expertAffiliation),
		typeText("#contact_email", expertEmail),
	)
	if res := editor.submit("save the expert", "form.console-form button[type=submit]"); res.Status != 200 {
		t.Fatalf("after saving the expert: status %d for %s, want 200", res.Status, res.URL)
	}
	m := expertSavedPath.FindStringSubmatch(editor.location())
	if m == nil {
		t.Fatalf("after saving the expert the editor is at %s, want /admin/experts/N?saved=1 (the form says %q)", editor.location(), editor.text(".form-problems"))
	}
	expertID := m[1]
	if saved, got := editor.text("p.saved"), editor.value("#contact_email"); saved != "Saved." || got != expertEmail {
		t.Errorf("the saved expert's page says %q with the contact address %q, want \"Saved.\" and %q", saved, got, expertEmail)
	}
	timing("the editor adds the expert")

	// 3. The editor opens the reader's comment on the debate page and adds
	// it to the questions with a framing line.
	editor.navigate("open the reader's comment as the editor", fmt.Sprintf("%s/comments/%d", base, commentID))
	pick := fmt.Sprintf("#comment-%d > article footer a.pick", commentID)
	editor.do("find the \"Add to questions\" link", chromedp.WaitVisible(chromedp.CSS(pick)))
	if label := editor.text(pick); label != "Add to questions" {
		t.Errorf("the editor's link under the comment reads %q, want \"Add to questions\"", label)
	}
	if res := editor.submit("follow \"Add to questions\"", pick); res.Status != 200 {
		t.Fatalf("the \"Add to questions\" link: status %d for %s, want 200", res.Status, res.URL)
	}
	m = boardPickPath.FindStringSubmatch(editor.location())
	if m == nil || m[2] != strconv.FormatInt(commentID, 10) {
		t.Fatalf("\"Add to questions\" led to %s, want the board with ?pick=%d", editor.location(), commentID)
	}
	boardURL := base + "/admin/debates/" + m[1] + "/board"
	if q := editor.text("#pick blockquote.featured-comment"); !strings.Contains(q, marker) || !strings.Contains(q, readerName) {
		t.Errorf("the pick form quotes %q, want the reader's comment with their name", q)
	}
	if focused := eval[string](editor, "read the focus", `document.activeElement ? document.activeElement.id : ""`); focused != "pick-framing" {
		t.Errorf("on the board opened by \"Add to questions\" the focus is on %q, not on the framing line", focused)
	}
	framing := readerName + " believes that closing the centre to cars would empty the small shops on the high street. Is she right?"
	editor.do("write the framing line", typeText("#pick-framing", framing))
	if res := editor.submit("add the comment to the questions", "#pick form button[type=submit]"); res.Status != 200 {
		t.Fatalf("after adding the question: status %d for %s, want 200", res.Status, res.URL)
	}
	if loc := editor.location(); !strings.HasPrefix(loc, boardURL+"?note=") || !strings.Contains(loc, "#question-") {
		t.Errorf("adding the question led to %s, want the board %s with a note and the new question's anchor", loc, boardURL)
	}
	q := editor.boardQuestion(commentID)
	if !q.Found || q.Stage != "stage-not-sent" || q.Framing != framing || !strings.Contains(q.Comment, marker) || len(q.Choices) != 0 {
		t.Fatalf("the board's new question: %+v, want it not yet sent, framed %q, quoting the comment, its send form closed", q, framing)
	}
	timing("the editor adds the question")

	// 4. The editor opens the question's send form, finds the expert by
	// name and sends the question to them.
	if res := editor.submit("open the send form", fmt.Sprintf("#%s a.send-link", q.ID)); res.Status != 200 {
		t.Fatalf("the \"Send to experts\" link: status %d for %s, want 200", res.Status, res.URL)
	}
	if focused := eval[string](editor, "read the focus", `document.activeElement ? document.activeElement.id : ""`); focused != "send-q" {
		t.Errorf("the send form opened with the focus on %q, not on the search for experts", focused)
	}
	editor.do("search for the expert", typeText("#send-q", "albrecht"))
	if res := editor.submit("search for the expert", "#send form[role=search] button[type=submit]"); res.Status != 200 {
		t.Fatalf("the search for experts: status %d for %s, want 200", res.Status, res.URL)
	}
	if q = editor.boardQuestion(commentID); q.Stage != "stage-not-sent" || len(q.Choices) == 0 {
		t.Fatalf("the question after searching for experts: %+v, want it not yet sent, with the experts found", q)
	}
	choice := ""
	for _, c := range q.Choices {
		if strings.HasPrefix(c, expertID+"|") {
			choice = c
		}
	}
	if want := expertID + "|" + expertName + ", " + expertTitle + "|false"; choice != want {
		t.Fatalf("the search for \"albrecht\" offers the new expert as %q, want %q (all: %q)", choice, want, q.Choices)
	}
	editor.do("choose the expert", chromedp.Click(chromedp.CSS(fmt.Sprintf("#%s input[name=expert_ids][value='%s']", q.ID, expertID))))
	if res := editor.submit("send the question", fmt.Sprintf("#%s form[action$='/send'] button[type=submit]", q.ID)); res.Status != 200 {
		t.Fatalf("after sending the question: status %d for %s, want 200", res.Status, res.URL)
	}
	if note := editor.text("p.saved[role=status]"); note != "Sent to "+expertName+"." {
		t.Errorf("after sending, the board says %q, want \"Sent to %s.\" (problem: %q)", note, expertName, editor.text(".form-problems"))
	}
	if q = editor.boardQuestion(commentID); q.Stage != "stage-awaiting" || len(q.Asked) != 1 || !strings.Contains(q.Asked[0], expertName) ||
		!strings.Contains(q.Asked[0], "Waiting") || !strings.Contains(q.Asked[0], "sent by "+editorName) {
		t.Errorf("the question after sending: %+v, want it awaiting an answer, with one request to %s, waiting, sent by %s", q, expertName, editorName)
	}
	ask := s.waitMailTo(mailCtx, 0, expertEmail, "A reader's question for you")
	for _, want := range []string{"Dear " + expertName, editorName + " of ", "“" + pipelineDebateTitle + "”", framing, "ref. " + marker} {
		if !strings.Contains(ask.Text, want) {
			t.Errorf("the mail to the expert lacks %q:\n%s", want, ask.Text)
		}
	}
	link := answerLink.FindString(ask.Text)
	if !strings.HasPrefix(link, base+"/answer/") {
		t.Fatalf("the mail to the expert has no private link to %s/answer/…:\n%s", base, ask.Text)
	}
	if !strings.Contains(ask.HTML, `href="`+link+`"`) {
		t.Errorf("the HTML part of the mail to the expert does not link to %s", link)
	}
	timing("the editor sends the question, the expert's mail arrives")

	// 5. The expert opens the link, sees the question in context, answers.
	expert := s.newTab("the expert")
	if code := expert.navigate("open the private link", link); code != 200 {
		t.Fatalf("GET %s: status %d, want 200", link, code)
	}
	p := expert.expertPage("read the question as the expert")
	if p.Title != pipelineDebateTitle || p.Framing != framing || !strings.Contains(p.Comment, "ref. "+marker) ||
		!strings.Contains(p.Comment, readerName) || p.Forms != 1 {
		t.Fatalf("the expert's page: %+v, want the debate's title %q, the framing %q, %s's comment and the answer form", p, pipelineDebateTitle, framing, readerName)
	}
	answer := "The evidence from European cities points the other way. When Ghent closed its centre to through traffic in 2017, " +
		"footfall on the main shopping streets rose within two years and fewer shops stood empty (" + marker + ").\n\n" +
		"Shops do lose some customers who used to drive in, but people on foot and on bicycles come more often and spend roughly as much a month. " +
		"The shops that suffer are mostly those selling bulky goods: they need a delivery and pick-up plan, not parking at the door."
	expert.do("write the answer", typeText("textarea#body", answer))
	if res := expert.submit("send the answer", "form[action^='/answer/'] button[type=submit]"); res.Status != 200 {
		t.Fatalf("after answering: status %d for %s, want 200", res.Status, res.URL)
	}
	if loc := expert.location(); loc != link {
		t.Errorf("answering led to %s, want back to the link %s", loc, link)
	}
	if p = expert.expertPage("read the page after answering"); p.Forms != 0 || !strings.Contains(p.Status, "Thank you: we received your answer") || p.Sent != answer {
		t.Fatalf("after answering, the expert's page: %+v, want the thanks and the answer as sent, without a form", p)
	}
	expert.navigate("open the private link again", link)
	if p = expert.expertPage("read the page again"); p.Forms != 0 || !strings.Contains(p.Status, "The editors will publish it") || p.Sent != answer || len(p.Versions) != 0 {
		t.Errorf("the link opened again: %+v, want the answer read-only, awaiting the editors, without versions", p)
	}
	told := s.waitMailTo(mailCtx, 0, editorEmail, expertName+" answered")
	m = adminAnswerLink.FindStringSubmatch(told.Text)
	if m == nil || !strings.HasPrefix(m[0], base+"/admin/answers/") || !strings.Contains(told.Text, framing) {
		t.Errorf("the editor's mail that the expert answered has no link to %s/admin/answers/N, or lacks the framing:\n%s", base, told.Text)
	}
	timing("the expert answers")

	// 6. The editor opens the answer from the board, edits it lightly and
	// publishes it.
	editor.navigate("open the board", boardURL)
	q = editor.boardQuestion(commentID)
	if q.Stage != "stage-answered" || len(q.Edit) != 1 {
		t.Fatalf("the question after the answer: %+v, want it answered, with one link to edit the draft", q)
	}
	answerID := strings.TrimPrefix(q.Edit[0], "/admin/answers/")
	if m != nil && m[1] != answerID {
		t.Errorf("the editor's mail links to answer %s, the board to %s", m[1], answerID)
	}
	if res := editor.submit("open the draft", fmt.Sprintf("#%s a[href='%s']", q.ID, q.Edit[0])); res.Status != 200 {
		t.Fatalf("the draft's link: status %d for %s, want 200", res.Status, res.URL)
	}
	if loc := editor.location(); loc != base+q.Edit[0] {
		t.Fatalf("the draft's link led to %s, want %s", loc, base+q.Edit[0])
	}
	if h, own, body := editor.text("h1"), editor.text(".mail-text"), editor.value("#body"); h != expertName+"'s answer" ||
		!strings.Contains(own, "Ghent") || body != answer {
		t.Fatalf("the answer editor: heading %q, the expert's own words %q, the editors' version %q; want %q and the answer as sent twice",
			h, own, body, expertName+"'s answer")
	}
	const leadIn = "What would she say?"
	edited := strings.Replace(answer, "roughly as much", "about as much", 1)
	editor.do("add the lead-in and change a word",
		typeText("#lead_in", leadIn),
		typeText("#body", edited),
		chromedp.Poll[chromedp.Void](`(document.querySelector("#preview") || {textContent: ""}).textContent.includes("about as much")`,
			chromedp.WithPollingTimeout(10*time.Second)),
	)
	if res := editor.submit("publish the answer", "button[name=action][value=publish]"); res.Status != 200 {
		t.Fatalf("after publishing: status %d for %s, want 200", res.Status, res.URL)
	}
	if note, want := editor.text("p.saved[role=status]"), "Published "+expertName+"'s answer under "+readerName+"'s comment. "+readerName+" is told by mail."; note != want {
		t.Errorf("after publishing, the board says %q, want %q (problems: %q)", note, want, editor.text(".form-problems"))
	}
	if q = editor.boardQuestion(commentID); q.Stage != "stage-published" {
		t.Errorf("the question after publishing: %+v, want it published", q)
	}
	timing("the editor publishes")

	// 7. The reader is told by mail, with a link to the answer.
	mail := s.waitMailTo(mailCtx, 0, readerEmail, "answered your comment")
	if !strings.Contains(mail.Subject, expertName) {
		t.Errorf("the reader's mail's subject %q does not name the expert", mail.Subject)
	}
	for _, want := range []string{"Dear " + readerName, expertName + ", " + expertTitle + ", has answered your comment in the debate “" + pipelineDebateTitle + "”",
		"about as much"} {
		if !strings.Contains(mail.Text, want) {
			t.Errorf("the reader's mail lacks %q:\n%s", want, mail.Text)
		}
	}
	m = publishedLink.FindStringSubmatch(mail.Text)
	if m == nil || m[0] != base+"/answers/"+answerID {
		t.Fatalf("the reader's mail links to %q, want %s/answers/%s:\n%s", m, base, answerID, mail.Text)
	}
	if !strings.Contains(mail.HTML, `href="`+m[0]+`"`) {
		t.Errorf("the HTML part of the reader's mail does not link to %s", m[0])
	}
	timing("the reader's mail arrives")

	// 8. A visitor follows the mail's link: the answer is under the reader's
	// comment, in its <li> after its article, with the expert's name and
	// title and the lead-in.
	visitor := s.newTab("a visitor")
	if code := visitor.navigate("open the answer's link as a visitor", m[0]); code != 200 {
		t.Fatalf("GET %s: status %d, want 200", m[0], code)
	}
	loc := visitor.location()
	if am := answerAnchorPath.FindStringSubmatch(loc); am == nil || am[2] != answerID {
		t.Errorf("the answer's link led to %s, want the debate page at #answer-%s", loc, answerID)
	}
	type shownAnswer struct {
		Found        bool   `json:"found"`
		Class        string `json:"class"`
		InLi         bool   `json:"inLi"`
		AfterArticle bool   `json:"afterArticle"`
		LeadIn       string `json:"leadIn"`
		Name         string `json:"name"`
		Title        string `json:"title"`
		Body         string `json:"body"`
		Comment      string `json:"comment"`
		Picks        int    `json:"picks"`
	}
	got := eval[shownAnswer](visitor, "read the published answer", fmt.Sprintf(`(function (aid, cid) {
  var ans = document.getElementById("answer-" + aid), li = document.getElementById("comment-" + cid);
  if (!ans || !li) return {found: false};
  var art = li.querySelector(":scope > article");
  function text(el) { return el ? el.textContent.replace(/\s+/g, " ").trim() : ""; }
  return {
    found: true, class: ans.className, inLi: ans.parentElement === li,
    afterArticle: !!art && !art.contains(ans) && !!(art.compareDocumentPosition(ans) & Node.DOCUMENT_POSITION_FOLLOWING),
    leadIn: text(ans.querySelector(".lead-in")),
    name: text(ans.querySelector(".expert-name")),
    title: text(ans.querySelector(".expert-title")),
    body: text(ans.querySelector(".body")),
    comment: text(art && art.querySelector(".body")),
    picks: document.querySelectorAll("a.pick").length
  };
})(%s, %d)`, answerID, commentID))
	if !got.Found || got.Class != "expert-answer" || !got.InLi || !got.AfterArticle {
		t.Fatalf("the published answer %s on the debate page: %+v, want a div.expert-answer in li#comment-%d after its article", answerID, got, commentID)
	}
	if got.LeadIn != leadIn || got.Name != expertName || got.Title != expertTitle+", "+expertAffiliation {
		t.Errorf("the published answer shows lead-in %q, name %q, title %q; want %q, %q, %q",
			got.LeadIn, got.Name, got.Title, leadIn, expertName, expertTitle+", "+expertAffiliation)
	}
	if !strings.Contains(got.Body, "about as much") || strings.Contains(got.Body, "roughly") || !strings.Contains(got.Body, marker) {
		t.Errorf("the published answer reads %q, want the editors' version", got.Body)
	}
	if !strings.Contains(got.Comment, "ref. "+marker) {
		t.Errorf("the comment the answer is under reads %q, want the reader's", got.Comment)
	}
	if got.Picks != 0 {
		t.Errorf("a visitor sees %d \"Add to questions\" links, want none", got.Picks)
	}
	page := loc[:strings.Index(loc, "#")]
	if _, served := get(t, page); !strings.Contains(served, `id="answer-`+answerID+`"`) {
		t.Errorf("the page %s served to a plain client lacks the answer %s", page, answerID)
	}
	saveScreenshot(t, t.TempDir(), "pipeline-answer.png", runStep(visitor, "screenshot the published answer", chromedp.CaptureScreenshot()))
	timing("the visitor finds the answer")

	// 9. The expert's link now shows what they sent beside what the
	// editors publish.
	expert.navigate("open the private link after publishing", link)
	p = expert.expertPage("read the versions")
	if strings.Join(p.Versions, " | ") != "What you sent | As published" || p.Sent != answer || p.Edited != edited {
		t.Errorf("the expert's page after publishing: %+v, want \"What you sent\" (%q) and \"As published\" (%q)", p, answer, edited)
	}
	if !strings.Contains(p.Status, "It is published") {
		t.Errorf("the expert's page after publishing says %q, want that the answer is published", p.Status)
	}
	if href := eval[string](expert, "read the link to the published answer", `(function () { var a = document.querySelector("section[role=status] a[href^='/answers/']"); return a ? a.getAttribute("href") : ""; })()`); href != "/answers/"+answerID {
		t.Errorf("the expert's page links to the published answer as %q, want /answers/%s", href, answerID)
	}
	saveScreenshot(t, t.TempDir(), "pipeline-expert.png", runStep(expert, "screenshot the expert's page", chromedp.FullScreenshot(100)))
	timing("the expert sees the versions")
	t.Logf("pipeline test took %v", time.Since(start).Round(time.Millisecond))
}
