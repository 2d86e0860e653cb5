package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/parley-org/parley/internal/testnote"
)

// The browser test drives the real pages in headless Chromium: it posts a
// comment, replies to it with the inline form that app.js opens and with the
// reply page that works without JavaScript, and sends a form with a mistake.

// chromiumPath returns the Chromium binary, or skips the test when there is
// none. With PARLEY_REQUIRE_BROWSER set, as in CI, a missing browser fails.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	const msg = "chromium not installed; .ci/run installs it"
	if os.Getenv("PARLEY_REQUIRE_BROWSER") != "" {
		t.Fatal(msg + " (PARLEY_REQUIRE_BROWSER is set, so the browser test may not skip)")
	}
	testnote.Skip(t, "browser tests", testnote.NoChromium)
	return ""
}

// browser is one Chromium tab and the test that drives it.
type browser struct {
	t   *testing.T
	ctx context.Context // the tab's context, which has run once
	// noScript is set while the page runs without JavaScript.
	noScript bool
}

// javaScript turns the page's JavaScript on or off, as a reader's browser may.
func (b *browser) javaScript(on bool) {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on}); err != nil {
		b.t.Fatalf("turn JavaScript on=%v: %v", on, err)
	}
	b.noScript = !on
}

// stepTimeout bounds one step, so that a wait that cannot end (a click that
// posts nothing, a selector that never matches) fails well before the whole
// session's 90 seconds.
const stepTimeout = 30 * time.Second

// runStep runs one action with the step timeout and fails the test, naming the
// step, when it fails.
func runStep[T any](b *browser, step string, action chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		b.t.Fatalf("%s: %v", step, err)
	}
	return v
}

// do runs actions that return nothing, in order.
func (b *browser) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	runStep(b, step, chromedp.Steps(actions...))
}

// navigate opens url, checks the page with axe-core (browser_axe_test.go)
// and returns the status of the HTML document.
func (b *browser) navigate(step, url string) int64 {
	b.t.Helper()
	status := runStep(b, step+": open "+url, chromedp.NavigateResponse(url)).Status
	b.checkA11y(step)
	return status
}

// submit clicks a submit button, as a reader does, waits for the page
// that the post leads to (after any redirect) to load and checks it with
// axe-core.
func (b *browser) submit(step, button string) *network.Response {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(button)))
	if err != nil {
		b.t.Fatalf("%s: click %s and wait for the next page: %v", step, button, err)
	}
	b.checkA11y(step)
	return res
}

func (b *browser) location() string {
	b.t.Helper()
	return runStep(b, "read the location", chromedp.Location())
}

func (b *browser) value(sel string) string {
	b.t.Helper()
	return runStep(b, "read the value of "+sel, chromedp.Value(chromedp.CSS(sel)))
}

// eval evaluates a JavaScript expression in the page and decodes its value.
func eval[T any](b *browser, step, js string) T {
	b.t.Helper()
	return runStep(b, step, chromedp.Evaluate[T](js))
}

// commentInfo is what the page shows of one comment, read by commentJS.
type commentInfo struct {
	Found     bool   `json:"found"`
	Tag       string `json:"tag"`       // "li"
	Class     string `json:"class"`     // "comment"
	List      string `json:"list"`      // the list that holds it: "ol.thread"
	ParentLi  string `json:"parentLi"`  // the id of the comment it replies to, "" at the top level
	Author    string `json:"author"`    // the name shown
	Body      string `json:"body"`      // the text of its body
	Em        string `json:"em"`        // the text of the first <em> in its body
	ReplyLink string `json:"replyLink"` // the href of its Reply link
}

func commentJS(id int64) string {
	return fmt.Sprintf(`(function (id) {
  var li = document.getElementById("comment-" + id);
  if (!li) return {found: false};
  var body = li.querySelector(":scope > article .body");
  var em = body && body.querySelector("em");
  var author = li.querySelector(":scope > article .author");
  var list = li.parentElement;
  var outer = list.parentElement && list.parentElement.closest("li.comment");
  var reply = li.querySelector(":scope > article a.reply[data-reply-to='" + id + "']");
  return {
    found: true, tag: li.tagName.toLowerCase(), class: li.className,
    list: list.tagName.toLowerCase() + "." + list.className,
    parentLi: outer ? outer.id : "",
    author: author ? author.textContent : "",
    body: body ? body.textContent.trim() : "",
    em: em ? em.textContent : "",
    replyLink: reply ? reply.getAttribute("href") : ""
  };
})(%d)`, id)
}

func (b *browser) comment(id int64) commentInfo {
	b.t.Helper()
	return eval[commentInfo](b, fmt.Sprintf("read comment %d", id), commentJS(id))
}

// countWith counts the comments whose own body contains text.
func (b *browser) countWith(text string) int {
	b.t.Helper()
	return eval[int](b, "count comments containing "+strconv.Quote(text), fmt.Sprintf(
		`Array.from(document.querySelectorAll("li.comment > article .body")).filter(function (el) { return el.textContent.includes(%s); }).length`,
		strconv.Quote(text)))
}

var commentsHeading = regexp.MustCompile(`^(\d+) comments?$`)

// commentCount returns the number in the heading over the thread, such as
// "33 comments".
func (b *browser) commentCount(step string) int {
	b.t.Helper()
	h := eval[string](b, step, `(document.getElementById("comments-title") || {textContent: ""}).textContent.trim()`)
	m := commentsHeading.FindStringSubmatch(h)
	if m == nil {
		b.t.Fatalf("%s: comments heading %q, want \"N comments\"", step, h)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

var commentLocation = regexp.MustCompile(`^http://[^/]+/debates/[a-z0-9-]+(\?after=\d+)?#comment-(\d+)$`)

// postedID returns the comment ID at the end of the location the post led to.
func (b *browser) postedID(step string) (string, int64) {
	b.t.Helper()
	loc := b.location()
	m := commentLocation.FindStringSubmatch(loc)
	if m == nil {
		b.t.Fatalf("%s: location %q, want the debate page ending in #comment-N", step, loc)
	}
	id, _ := strconv.ParseInt(m[2], 10, 64)
	return loc, id
}

// startBrowser starts headless Chromium with one tab for the test; it stops
// when the test ends, failing the test if a page threw an exception or broke
// the Content-Security-Policy. The whole session has 90 seconds.
func startBrowser(t *testing.T, execPath string, start time.Time) *browser {
	t.Helper()
	return startBrowserFor(t, execPath, start, 90*time.Second)
}

// browserParley starts Parley with args for a browser test (skipped with
// -short) and stops it when the test ends, printing its log if the test
// failed; execPath and start are what startBrowser takes. Cleanups run last
// first: the browsers', registered after this one, end before Parley does,
// so a console error is known when deciding to print the log.
func browserParley(t *testing.T, args ...string) (base, execPath string, start time.Time) {
	t.Helper()
	if testing.Short() {
		t.Skip("the browser test is slow; skipped with -short")
	}
	execPath = chromiumPath(t)
	start = time.Now()
	base, stop, logs := startParley(t, args...)
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("stop parley: %v", err)
		}
		if t.Failed() {
			t.Logf("parley's log:\n%s", logs.String())
		}
	})
	return base, execPath, start
}

// startBrowserFor is startBrowser for a session of the given length.
func startBrowserFor(t *testing.T, execPath string, start time.Time, session time.Duration) *browser {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), session)
	t.Cleanup(cancel)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc) // waits for Chromium to exit
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelTab)
	// Start Chromium with the session's context: the first action binds the
	// browser's life to the context it runs with, so it must not be a step's.
	if err := chromedp.Do(tabCtx); err != nil {
		t.Fatalf("start %s: %v", execPath, err)
	}
	b := &browser{t: t, ctx: tabCtx}
	t.Logf("parley and chromium started in %v", time.Since(start).Round(time.Millisecond))

	watchConsole(t, tabCtx, "the first browser")

	return b
}

// watchConsole keeps what the pages of a tab write to the console and
// fails the test at its end for an exception or a blocked script or style.
func watchConsole(t *testing.T, tabCtx context.Context, who string) {
	consoleCtx, stopConsole := context.WithCancel(tabCtx)
	messages := chromedp.Console(consoleCtx)
	var (
		mu   sync.Mutex
		seen []chromedp.ConsoleMessage
		end  = make(chan struct{})
	)
	go func() {
		defer close(end)
		for m, err := range messages {
			if err != nil {
				return
			}
			mu.Lock()
			seen = append(seen, m)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		stopConsole()
		<-end
		mu.Lock()
		defer mu.Unlock()
		for _, m := range seen {
			if m.IsException() || m.Source == "security" || strings.Contains(m.Text, "Content Security Policy") {
				t.Errorf("console of %s's tab: %s at %s:%d: %s", who, m.Type, m.URL, m.Line+1, m.Text)
			} else {
				t.Logf("console of %s's tab: %s at %s: %s", who, m.Type, m.URL, m.Text)
			}
		}
	})
}

func TestBrowserCommentAndReply(t *testing.T) {

	// Chromium fills the form faster than a person could.
	base, execPath, start := browserParley(t, "--data-dir", t.TempDir(), "--min-fill-time=0")

	b := startBrowser(t, execPath, start)

	const slug = "car-free-city-centres"
	debateURL := base + "/debates/" + slug
	marker := strconv.FormatInt(time.Now().UnixNano(), 36)
	topMarker, jsReplyMarker, pageReplyMarker, invalidMarker := "top-"+marker, "jsreply-"+marker, "pagereply-"+marker, "invalid-"+marker

	// 1. The debate page, with its comment form.
	if code := b.navigate("open the debate", debateURL); code != 200 {
		t.Fatalf("GET %s: status %d, want 200", debateURL, code)
	}
	b.do("wait for the debate page",
		chromedp.WaitVisible(chromedp.CSS("form#comment-form")),
		chromedp.WaitReady(chromedp.CSS("li.comment")),
	)
	before := b.commentCount("read the comment count")
	if shown := eval[int](b, "count the comments", `document.querySelectorAll("li.comment").length`); before == 0 || shown == 0 {
		t.Fatalf("demo debate: heading counts %d comments and the page shows %d, want the demo's comments", before, shown)
	}

	// 2. Post a top-level comment with Markdown emphasis.
	topBody := "Browser check " + topMarker + ": bike lanes make the centre *much* calmer."
	b.do("fill the comment form",
		chromedp.SendKeys(chromedp.CSS("#comment-form #author_name"), "Bea Browser"),
		chromedp.SendKeys(chromedp.CSS("#comment-form #author_email"), "bea@example.org"),
		chromedp.SendKeys(chromedp.CSS("#comment-form #body"), topBody),
	)
	if got := b.value("#comment-form #body"); got != topBody {
		t.Fatalf("typed comment: got %q, want %q", got, topBody)
	}
	if res := b.submit("post the comment", "#comment-form button[type=submit]"); res.Status != 200 {
		t.Fatalf("after posting: status %d for %s, want 200 (the redirect's target)", res.Status, res.URL)
	}
	topLoc, parentID := b.postedID("post the comment")
	b.do("wait for the new comment", chromedp.WaitVisible(chromedp.ID(fmt.Sprintf("comment-%d", parentID))))
	top := b.comment(parentID)
	if !top.Found || top.Tag != "li" || top.Class != "comment" || top.List != "ol.thread" || top.ParentLi != "" {
		t.Fatalf("new comment %d: got %+v, want a top-level li.comment in ol.thread", parentID, top)
	}
	if !strings.Contains(top.Body, topMarker) || top.Em != "much" || strings.Contains(top.Body, "*") {
		t.Errorf("new comment body: got text %q with <em> %q, want it to contain %q and render *much* as <em>much</em>", top.Body, top.Em, topMarker)
	}
	if top.Author != "Bea Browser" {
		t.Errorf("new comment author: got %q, want %q", top.Author, "Bea Browser")
	}
	if n := b.countWith(topMarker); n != 1 {
		t.Errorf("comments containing %q: got %d, want 1", topMarker, n)
	}
	if got := b.commentCount("read the comment count"); got != before+1 {
		t.Errorf("comment count in the heading after posting: got %d, want %d", got, before+1)
	}
	replyPath := fmt.Sprintf("/debates/%s/comments/%d/reply", slug, parentID)
	if want := replyPath + "#reply-form"; top.ReplyLink != want {
		t.Errorf("Reply link of the new comment: got href %q, want %q", top.ReplyLink, want)
	}

	// 3. Reply with the inline form that app.js opens under the comment.
	inline := fmt.Sprintf("#comment-%d > form.comment-form", parentID)
	b.do("open the inline reply form",
		chromedp.Click(chromedp.CSS(fmt.Sprintf("#comment-%d > article a.reply[data-reply-to='%d']", parentID, parentID))),
		chromedp.WaitVisible(chromedp.CSS(inline+" textarea[name=body]")),
	)
	if loc := b.location(); loc != topLoc {
		t.Fatalf("clicking Reply navigated to %q, want to stay on %q with an inline form", loc, topLoc)
	}
	type inlineState struct {
		ParentID   string   `json:"parentId"`
		Button     string   `json:"button"`
		Focused    bool     `json:"focused"`
		MainForms  int      `json:"mainForms"`
		Duplicates []string `json:"duplicates"`
	}
	st := eval[inlineState](b, "read the inline form", fmt.Sprintf(`(function () {
  var form = document.querySelector(%q);
  var seen = {}, dup = [];
  document.querySelectorAll("[id]").forEach(function (el) { if (seen[el.id]) dup.push(el.id); seen[el.id] = true; });
  return {
    parentId: (form.querySelector("input[name=parent_id]") || {value: ""}).value,
    button: form.querySelector("button[type=submit]").textContent.trim(),
    focused: document.activeElement === form.querySelector("textarea[name=body]"),
    mainForms: document.querySelectorAll("form#comment-form").length,
    duplicates: dup
  };
})()`, inline))
	if want := strconv.FormatInt(parentID, 10); st.ParentID != want || st.Button != "Post reply" || !st.Focused || st.MainForms != 1 || len(st.Duplicates) != 0 {
		t.Errorf("inline reply form: got parent_id %q, button %q, textarea focused %v, %d form#comment-form, duplicate ids %q; "+
			"want parent_id %q, button \"Post reply\", focused textarea, 1 main form, no duplicate ids",
			st.ParentID, st.Button, st.Focused, st.MainForms, st.Duplicates, want)
	}
	jsReplyBody := "Inline reply " + jsReplyMarker + ": agreed, and buses get faster too."
	b.do("fill the inline reply form",
		chromedp.SendKeys(chromedp.CSS(inline+" input[name=author_name]"), "Rui Reply"),
		chromedp.SendKeys(chromedp.CSS(inline+" input[name=author_email]"), "rui@example.org"),
		chromedp.SendKeys(chromedp.CSS(inline+" textarea[name=body]"), jsReplyBody),
	)
	if got := b.value(inline + " textarea[name=body]"); got != jsReplyBody {
		t.Fatalf("typed inline reply: got %q, want %q", got, jsReplyBody)
	}
	if res := b.submit("post the inline reply", inline+" button[type=submit]"); res.Status != 200 {
		t.Fatalf("after posting the inline reply: status %d for %s, want 200", res.Status, res.URL)
	}
	_, jsReplyID := b.postedID("post the inline reply")
	b.do("wait for the inline reply",
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#comment-%d > ol.thread > li.comment#comment-%d", parentID, jsReplyID))))
	if r := b.comment(jsReplyID); r.List != "ol.thread" || r.ParentLi != fmt.Sprintf("comment-%d", parentID) || !strings.Contains(r.Body, jsReplyMarker) {
		t.Errorf("inline reply %d: got %+v, want it in an ol.thread inside li#comment-%d with %q", jsReplyID, r, parentID, jsReplyMarker)
	}
	if n := b.countWith(jsReplyMarker); n != 1 {
		t.Errorf("comments containing %q: got %d, want 1", jsReplyMarker, n)
	}

	// 4. Reply without JavaScript, on the reply page the Reply link leads to.
	b.javaScript(false)
	if code := b.navigate("open the reply page", base+replyPath); code != 200 {
		t.Fatalf("GET %s: status %d, want 200", replyPath, code)
	}
	b.do("wait for the reply page", chromedp.WaitVisible(chromedp.CSS("form#comment-form textarea#body")))
	type replyPage struct {
		Title    string `json:"title"`
		Parent   string `json:"parent"`
		ParentID string `json:"parentId"`
		Button   string `json:"button"`
	}
	rp := eval[replyPage](b, "read the reply page", `({
  title: document.querySelector("h1").textContent.trim(),
  parent: (document.querySelector(".reply-parent") || {textContent: ""}).textContent,
  parentId: (document.querySelector("#comment-form input[name=parent_id]") || {value: ""}).value,
  button: document.querySelector("#comment-form button[type=submit]").textContent.trim()
})`)
	if want := strconv.FormatInt(parentID, 10); rp.Title != "Reply to Bea Browser" || !strings.Contains(rp.Parent, topMarker) || rp.ParentID != want || rp.Button != "Post reply" {
		t.Errorf("reply page: got title %q, parent_id %q, button %q, parent shown %v; want \"Reply to Bea Browser\", %q, \"Post reply\", the parent comment shown",
			rp.Title, rp.ParentID, rp.Button, strings.Contains(rp.Parent, topMarker), want)
	}
	pageReplyBody := "Reply page " + pageReplyMarker + ": what about deliveries before ten?"
	b.do("fill the reply page's form",
		chromedp.SendKeys(chromedp.CSS("#comment-form #author_name"), "Noor NoScript"),
		chromedp.SendKeys(chromedp.CSS("#comment-form #author_email"), "noor@example.org"),
		chromedp.SendKeys(chromedp.CSS("#comment-form #body"), pageReplyBody),
	)
	if res := b.submit("post the reply page's form", "#comment-form button[type=submit]"); res.Status != 200 {
		t.Fatalf("after posting from the reply page: status %d for %s, want 200", res.Status, res.URL)
	}
	_, pageReplyID := b.postedID("post the reply page's form")
	b.do("wait for the reply page's reply",
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#comment-%d > ol.thread > li.comment#comment-%d", parentID, pageReplyID))))
	if r := b.comment(pageReplyID); r.List != "ol.thread" || r.ParentLi != fmt.Sprintf("comment-%d", parentID) || !strings.Contains(r.Body, pageReplyMarker) {
		t.Errorf("reply page's reply %d: got %+v, want it in an ol.thread inside li#comment-%d with %q", pageReplyID, r, parentID, pageReplyMarker)
	}
	order := eval[[]string](b, "read the replies' order", fmt.Sprintf(
		`Array.from(document.querySelectorAll("#comment-%d > ol.thread > li.comment")).map(function (li) { return li.id; })`, parentID))
	if want := []string{fmt.Sprintf("comment-%d", jsReplyID), fmt.Sprintf("comment-%d", pageReplyID)}; strings.Join(order, " ") != strings.Join(want, " ") {
		t.Errorf("replies under comment %d: got %q, want %q (oldest first)", parentID, order, want)
	}
	// Still without JavaScript, the Reply link is a plain link to that page.
	if res := b.submit("follow the Reply link without JavaScript", fmt.Sprintf("#comment-%d > article a.reply", parentID)); res.Status != 200 {
		t.Errorf("Reply link without JavaScript: status %d for %s, want 200", res.Status, res.URL)
	}
	if loc, want := b.location(), base+replyPath+"#reply-form"; loc != want {
		t.Errorf("Reply link without JavaScript: location %q, want %q", loc, want)
	}
	b.javaScript(true)

	// 5. A comment without an email address is refused, with the reason beside
	// the field and the text kept.
	if code := b.navigate("open the debate again", debateURL); code != 200 {
		t.Fatalf("GET %s: status %d, want 200", debateURL, code)
	}
	invalidBody := "Forgot my address " + invalidMarker + ".\nSecond line *stays*."
	b.do("fill the form without an email address",
		chromedp.WaitVisible(chromedp.CSS("form#comment-form")),
		chromedp.SendKeys(chromedp.CSS("#comment-form #author_name"), "Eve Emailless"),
		chromedp.SendKeys(chromedp.CSS("#comment-form #body"), invalidBody),
	)
	typed := b.value("#comment-form #body")
	if typed != invalidBody {
		t.Fatalf("typed comment: got %q, want %q", typed, invalidBody)
	}
	if res := b.submit("post without an email address", "#comment-form button[type=submit]"); res.Status != 422 {
		t.Errorf("posting without an email address: status %d, want 422", res.Status)
	}
	b.do("wait for the problem message", chromedp.WaitVisible(chromedp.CSS("#comment-form #author_email-problem")))
	type invalidForm struct {
		Alert        string   `json:"alert"`
		Problem      string   `json:"problem"`
		Problems     []string `json:"problems"`
		BesideEmail  bool     `json:"besideEmail"`
		FieldInvalid bool     `json:"fieldInvalid"`
		AriaInvalid  string   `json:"ariaInvalid"`
		DescribedBy  string   `json:"describedBy"`
		Name         string   `json:"name"`
		Focused      string   `json:"focused"`
		AlertTop     float64  `json:"alertTop"`
		ScrollY      float64  `json:"scrollY"`
		ViewHeight   float64  `json:"viewHeight"`
	}
	inv := eval[invalidForm](b, "read the refused form", `(function () {
  var email = document.getElementById("author_email");
  var problem = document.getElementById("author_email-problem");
  var alert = document.querySelector("#comment-form .form-problems[role=alert]");
  var field = email.closest(".field");
  return {
    alert: alert ? alert.textContent.trim() : "",
    problem: problem ? problem.textContent.trim() : "",
    problems: Array.from(document.querySelectorAll("#comment-form .problem")).map(function (p) { return p.id; }),
    besideEmail: !!(problem && field.contains(problem)),
    fieldInvalid: field.classList.contains("invalid"),
    ariaInvalid: email.getAttribute("aria-invalid") || "",
    describedBy: email.getAttribute("aria-describedby") || "",
    name: document.getElementById("author_name").value,
    focused: document.activeElement ? document.activeElement.tagName.toLowerCase() + (document.activeElement.id ? "#" + document.activeElement.id : "") : "",
    alertTop: alert ? alert.getBoundingClientRect().top : -1,
    scrollY: window.scrollY,
    viewHeight: window.innerHeight
  };
})()`)
	if want := "Please give your email address. It will never be shown."; inv.Problem != want || !inv.BesideEmail {
		t.Errorf("email problem: got %q (in the email field's .field: %v), want %q beside the email field", inv.Problem, inv.BesideEmail, want)
	}
	if !inv.FieldInvalid || inv.AriaInvalid != "true" || !strings.Contains(inv.DescribedBy, "author_email-problem") {
		t.Errorf("email field: got .invalid %v, aria-invalid %q, aria-describedby %q; want .invalid, \"true\" and a reference to author_email-problem",
			inv.FieldInvalid, inv.AriaInvalid, inv.DescribedBy)
	}
	if len(inv.Problems) != 1 || inv.Alert == "" {
		t.Errorf("refused form: got problems %q and alert %q, want only author_email-problem and a summary", inv.Problems, inv.Alert)
	}
	if got := b.value("#comment-form #body"); got != typed {
		t.Errorf("text after the refused post: got %q, want the typed %q", got, typed)
	}
	if inv.Name != "Eve Emailless" {
		t.Errorf("name after the refused post: got %q, want %q", inv.Name, "Eve Emailless")
	}
	if inv.AlertTop < 0 || inv.AlertTop > inv.ViewHeight {
		t.Logf("UI note: after the refused post the page is scrolled to %.0f and the form's problem summary is at %.0f px, outside the %.0f px viewport; focus is on %q",
			inv.ScrollY, inv.AlertTop, inv.ViewHeight, inv.Focused)
	}
	if n := b.countWith(invalidMarker); n != 0 {
		t.Errorf("comments containing the refused text on the error page: got %d, want 0", n)
	}
	shot := t.TempDir()
	saveScreenshot(t, shot, "refused-email.png", runStep(b, "screenshot the refused form", chromedp.CaptureScreenshot()))
	if _, page := get(t, debateURL); strings.Contains(page, invalidMarker) {
		t.Errorf("the debate page served to others contains the refused comment %q", invalidMarker)
	}

	// 6. The debate page after all that, whole.
	if code := b.navigate("open the debate for the screenshot", fmt.Sprintf("%s#comment-%d", debateURL, parentID)); code != 200 {
		t.Fatalf("GET %s: status %d, want 200", debateURL, code)
	}
	b.do("wait for the thread", chromedp.WaitVisible(chromedp.ID(fmt.Sprintf("comment-%d", pageReplyID))))
	if got := b.commentCount("read the comment count"); got != before+3 {
		t.Errorf("comment count in the heading at the end: got %d, want %d (the demo's %d and three new)", got, before+3, before)
	}
	if n := b.countWith(invalidMarker); n != 0 {
		t.Errorf("comments containing the refused text: got %d, want 0", n)
	}
	saveScreenshot(t, shot, "debate.png", runStep(b, "screenshot the debate", chromedp.FullScreenshot(100)))
	t.Logf("browser test took %v", time.Since(start).Round(time.Millisecond))
}

// saveScreenshot writes a PNG into dir, and into $PARLEY_SCREENSHOTS too when
// that is set.
func saveScreenshot(t *testing.T, dir, name string, png []byte) {
	t.Helper()
	if len(png) < 8 || string(png[1:4]) != "PNG" {
		t.Fatalf("screenshot %s: got %d bytes that are not a PNG, want a PNG", name, len(png))
	}
	dirs := []string{dir}
	if d := os.Getenv("PARLEY_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", p)
	}
}
