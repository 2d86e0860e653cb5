package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserPagesFit opens every public page and every console page, as a
// visitor and as an admin, at a desktop width and at a phone's, in headless
// Chromium: each page must answer 200, fit its width (nothing may make the
// page scroll sideways; wide tables scroll inside their own region) and pass
// axe-core (navigate checks it). With PARLEY_SCREENSHOTS set it keeps a
// screenshot of each.
func TestBrowserPagesFit(t *testing.T) {
	dir := t.TempDir()
	// No SMTP server: mail goes to the dev mailbox, which is one of the pages.
	base, execPath, start := browserParley(t, "--data-dir", dir, "--post-rate", "0", "--min-fill-time=0")
	b := startBrowserFor(t, execPath, start, 5*time.Minute)
	const slug = "car-free-city-centres"
	debate := base + "/debates/" + slug

	// An admin, made on the command line as an operator does.
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"user", "create", "--data-dir", dir, "--email", "ada.admin@example.org",
		"--name", "Ada Admin", "--role", "admin", "--base-url", base}, noEnv, &out, &errOut); err != nil {
		t.Fatalf("user create: %v\n%s", err, errOut.String())
	}
	signIn := mailedLink.FindString(out.String())

	// A visitor's comment with three links waits for a moderator, so the
	// queue has a card; a sign-in link asked for by mail fills the mailbox.
	b.navigate("open the debate", debate)
	b.do("write a comment with links",
		chromedp.SendKeys(chromedp.CSS("#comment-form #author_name"), "Vera Visitor"),
		chromedp.SendKeys(chromedp.CSS("#comment-form #author_email"), "vera@example.org"),
		chromedp.SetValue(chromedp.CSS("#comment-form #body"), "Three sources: https://example.org/a https://example.org/b https://example.org/c and a long-word-that-does-not-break-anywhere-at-all-in-any-column-at-all."),
	)
	b.submit("post the comment", "#comment-form button[type=submit]")
	b.navigate("open the sign-in page", base+"/signin")
	b.do("ask for a sign-in link", chromedp.SendKeys(chromedp.CSS("#link-email"), "ada.admin@example.org"))
	b.submit("ask for a sign-in link", "form[action='/links/signin'] button[type=submit]")

	firstComment := b.attr(debate, "li.comment", "id")
	commentID := strings.TrimPrefix(firstComment, "comment-")
	expert := b.attr(debate, "a.expert-name", "href")
	public := []string{
		"/", "/debates/" + slug, "/debates/public-algorithm-register", expert, "/privacy", "/signin", "/signup", "/reset",
		"/debates/" + slug + "/subscribe", "/comments/" + commentID + "/report", "/debates/" + slug + "/comments/" + commentID + "/reply",
	}
	b.checkPages("visitor", base, public)

	b.navigate("open the admin's sign-in link", signIn)
	b.submit("sign in as the admin", "form.account-form button[type=submit]")
	debateID := idIn(t, b.attr(base+"/admin", "a[href^='/admin/debates/']:not([href$='/new'])", "href"))
	answer := b.attr(base+"/admin/debates/"+debateID+"/board", "a[href^='/admin/answers/']", "href")
	expertID := idIn(t, b.attr(base+"/admin/experts", "a[href^='/admin/experts/']:not([href$='/new'])", "href"))
	held := idIn(t, b.attr(base+"/moderation", "li.mod-card", "id"))
	console := []string{
		"/admin", "/admin/debates/new", "/admin/debates/" + debateID, "/admin/debates/" + debateID + "/board", answer,
		"/admin/images", "/admin/experts", "/admin/experts/new", "/admin/experts/" + expertID,
		"/admin/partners", "/admin/partners/new", "/admin/tokens",
		"/admin/users", "/admin/mailbox", "/admin/mail", "/admin/design",
		"/moderation", "/moderation?queue=spam", "/moderation/comments/" + held, "/moderation/log", "/moderation/bans",
		"/moderation/debates/" + debateID + "/policy",
		"/account", "/expert/questions", "/debates/" + slug,
	}
	if _, err := os.Stat("../../internal/web/templates/admin_settings.html"); err == nil {
		console = append(console, "/admin/settings")
	}
	b.checkPages("admin", base, console)
	t.Logf("%d pages at two widths in %v", len(public)+len(console), time.Since(start).Round(time.Millisecond))
}

var lastNumber = regexp.MustCompile(`(\d+)$`)

// idIn returns the number at the end of an address or an element id.
func idIn(t *testing.T, s string) string {
	t.Helper()
	m := lastNumber.FindString(s)
	if m == "" {
		t.Fatalf("no number at the end of %q", s)
	}
	return m
}

// attr opens url and returns an attribute of the first element matching sel.
func (b *browser) attr(url, sel, name string) string {
	b.t.Helper()
	b.navigate("open "+url, url)
	v := eval[string](b, "read "+sel, fmt.Sprintf(`(function () { var el = document.querySelector(%q); return el ? el.getAttribute(%q) || "" : ""; })()`, sel, name))
	if v == "" {
		b.t.Fatalf("%s has no %s with a %s attribute", url, sel, name)
	}
	return v
}

// pageFit is how wide a page is against its window, and what sticks out.
type pageFit struct {
	Scroll   int      `json:"scroll"`
	Width    int      `json:"width"`
	Culprits []string `json:"culprits"`
}

// fitJS measures the document and lists the elements that reach past the
// window's right edge outside a region that scrolls or clips them.
const fitJS = `(function () {
  var w = document.documentElement.clientWidth, out = [];
  document.querySelectorAll("body *").forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= w + 1) return;
    for (var p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      var o = getComputedStyle(p).overflowX;
      if (o === "auto" || o === "scroll" || o === "hidden" || o === "clip") return;
    }
    var name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
      (typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).join(".") : "");
    out.push(name + " (to " + Math.round(r.right) + " px)");
  });
  return {scroll: document.documentElement.scrollWidth, width: w, culprits: out.slice(0, 8)};
})()`

// checkPages opens each path at 1280 and at 390 px wide and fails the test
// for a status other than 200 or a page wider than the window.
func (b *browser) checkPages(who, base string, paths []string) {
	b.t.Helper()
	shots := os.Getenv("PARLEY_SCREENSHOTS")
	if shots != "" {
		if err := os.MkdirAll(shots, 0o755); err != nil {
			b.t.Fatal(err)
		}
	}
	for _, width := range []int64{1280, 390} {
		b.do(fmt.Sprintf("make the window %d px wide", width), chromedp.EmulateViewport(width, 900))
		for _, p := range paths {
			step := fmt.Sprintf("%s opens %s at %d px", who, p, width)
			if code := b.navigate(step, base+p); code != 200 {
				b.t.Errorf("%s: status %d, want 200", step, code)
				continue
			}
			fit := eval[pageFit](b, step+": measure", fitJS)
			b.t.Logf("%s: scrollWidth %d", step, fit.Scroll)
			if fit.Scroll > fit.Width {
				b.t.Errorf("%s: the page is %d px wide in a %d px window; sticking out: %s", step, fit.Scroll, fit.Width, strings.Join(fit.Culprits, ", "))
			}
			if shots != "" {
				name := fmt.Sprintf("%s-%d%s.png", who, width, strings.NewReplacer("/", "_", "?", "_", "=", "_").Replace(p))
				png := runStep(b, step+": screenshot", chromedp.FullScreenshot(100))
				if err := os.WriteFile(filepath.Join(shots, name), png, 0o644); err != nil {
					b.t.Fatal(err)
				}
			}
		}
	}
	b.do("make the window desktop-wide again", chromedp.EmulateReset())
}
