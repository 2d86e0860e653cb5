package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parley-org/parley/internal/mail/mailtest"
)

var mailedLink = regexp.MustCompile(`https?://\S+/links/[a-z]+/[A-Za-z0-9_-]+(\?\S*)?`)

// text returns the text of the first element matching sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	return eval[string](b, "read the text of "+sel, fmt.Sprintf(`(document.querySelector(%s) || {textContent: ""}).textContent.trim()`, strconv.Quote(sel)))
}

// TestBrowserAccountAndConsole drives the account and console pages in
// Chromium: a reader signs up, confirms the address from the mail the
// in-test SMTP server received, signs in, comments and edits the comment;
// an editor uploads an image, writes a debate with the live preview,
// publishes it and finds it on the home page.
func TestBrowserAccountAndConsole(t *testing.T) {
	smtp := mailtest.New(t, mailtest.Options{})
	dir := t.TempDir()
	// Chromium fills forms faster than a person could.
	base, execPath, start := browserParley(t, "--data-dir", dir, "--smtp-url", smtp.URL(), "--post-rate", "0", "--min-fill-time=0")
	b := startBrowser(t, execPath, start)
	marker := strconv.FormatInt(time.Now().UnixNano(), 36)
	mailCtx, cancelMail := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancelMail()

	// 1. Sign up; the confirmation arrives by mail.
	const name, email, password = "Rosa Reader", "rosa@example.org", "tulips along the canal"
	b.navigate("open the sign-up page", base+"/signup")
	b.do("fill in the sign-up form",
		chromedp.SendKeys(chromedp.CSS("#name"), name),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
	)
	b.submit("sign up", "form.account-form button[type=submit]")
	if h := b.text("h1"); h != "Check your email" {
		t.Fatalf("after signing up the page says %q", h)
	}
	mails := smtp.Wait(mailCtx, 1)
	if len(mails) != 1 || mails[0].To[0] != email {
		t.Fatalf("got %d mails, want the confirmation to %s", len(mails), email)
	}
	link := mailedLink.FindString(mails[0].Text)
	if !strings.Contains(link, "/links/verify/") {
		t.Fatalf("confirmation mail has no verification link:\n%s", mails[0].Text)
	}

	// 2. Open the link and confirm: signed in, address confirmed.
	b.navigate("open the verification link", link)
	b.submit("confirm the address", "form.account-form button[type=submit]")
	if loc := b.location(); !strings.HasSuffix(loc, "/account?done=verify") {
		t.Fatalf("after confirming: at %s", loc)
	}
	if s := b.text("p.saved"); !strings.Contains(s, "your address is confirmed") {
		t.Errorf("account page says %q", s)
	}

	// 3. Sign out, and in again with the password.
	b.submit("sign out", "form[action='/signout'] button")
	b.navigate("open the sign-in page", base+"/signin?next=/debates/car-free-city-centres")
	b.do("fill in the sign-in form",
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
	)
	b.submit("sign in", "form[action='/signin'] button[type=submit]")
	if loc := b.location(); loc != base+"/debates/car-free-city-centres" {
		t.Fatalf("after signing in: at %s", loc)
	}

	// 4. Comment without typing a name or an address.
	if s := b.text("#comment-form .commenting-as"); !strings.Contains(s, name) {
		t.Fatalf("the comment form says %q, want it to name %s", s, name)
	}
	body := "Signed-in comment " + marker + ": more trees, fewer cars."
	b.do("write a comment", chromedp.SendKeys(chromedp.CSS("#comment-form #body"), body))
	b.submit("post the comment", "#comment-form button[type=submit]")
	_, id := b.postedID("post the comment")
	if c := b.comment(id); c.Author != name || !strings.Contains(c.Body, marker) {
		t.Fatalf("posted comment %d: %+v", id, c)
	}

	// 5. Edit it within the window: it shows as edited.
	edit := fmt.Sprintf("#comment-%d > article footer a.edit", id)
	b.submit("open the edit page", edit)
	b.do("wait for the edit page", chromedp.WaitVisible(chromedp.CSS("form textarea#body")))
	edited := "Edited comment " + marker + ": more trees, fewer cars, wider pavements."
	b.do("change the text", chromedp.SetValue(chromedp.CSS("textarea#body"), edited))
	b.submit("save the edit", "form.comment-form button[type=submit]")
	b.do("wait for the edited comment", chromedp.WaitVisible(chromedp.ID(fmt.Sprintf("comment-%d", id))))
	if c := b.comment(id); !strings.Contains(c.Body, "wider pavements") {
		t.Errorf("after editing, the comment reads %q", c.Body)
	}
	if mark := b.text(fmt.Sprintf("#comment-%d > article .edited", id)); mark != "edited" {
		t.Errorf("the edited comment is marked %q, want \"edited\"", mark)
	}
	b.submit("sign out", "form[action='/signout'] button")

	// 6. An editor, made on the command line, signs in with the printed link.
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"user", "create", "--data-dir", dir, "--email", "eddie@example.org", "--role", "editor", "--base-url", base}, noEnv, &out, &errOut); err != nil {
		t.Fatalf("user create: %v\n%s", err, errOut.String())
	}
	b.navigate("open the editor's sign-in link", mailedLink.FindString(out.String()))
	b.submit("sign in as the editor", "form.account-form button[type=submit]")

	// 7. Upload a hero image with its credit.
	img := filepath.Join(t.TempDir(), "hero.png")
	writePNG(t, img)
	credit := "Photo: Browser " + marker
	b.navigate("open the image library", base+"/admin/images")
	b.do("choose the image",
		chromedp.SetUploadFiles(chromedp.CSS("#image"), []string{img}),
		chromedp.SendKeys(chromedp.CSS("#credit"), credit),
	)
	b.submit("upload the image", "form[enctype='multipart/form-data'] button[type=submit]")
	if n := eval[int](b, "find the upload", fmt.Sprintf(`document.body.textContent.split(%s).length - 1`, strconv.Quote(credit))); n == 0 {
		t.Fatalf("the library does not list the upload credited %q", credit)
	}

	// 8. Write a debate with the live preview, choose the image and publish.
	title := "Browser debate " + marker
	b.navigate("open the new debate form", base+"/admin/debates/new")
	b.do("write the debate",
		chromedp.SendKeys(chromedp.CSS("#title"), title),
		chromedp.SendKeys(chromedp.CSS("#question"), "Should the square be car-free on Sundays?"),
		chromedp.SendKeys(chromedp.CSS("#body"), "The square is **busy** on Sundays."),
		chromedp.SendKeys(chromedp.CSS("#topics"), "cities, testing"),
	)
	b.do("wait for the live preview", chromedp.Poll[chromedp.Void](`(document.querySelector("#preview strong") || {}).textContent === "busy"`,
		chromedp.WithPollingTimeout(10*time.Second)))
	imageURL := eval[string](b, "pick the uploaded image", fmt.Sprintf(`(function () {
  var o = Array.from(document.querySelectorAll("#image option")).find(function (o) { return o.textContent.includes(%s); });
  if (!o) return "";
  document.querySelector("#image").value = o.value;
  return o.value;
})()`, strconv.Quote(credit)))
	if !strings.HasPrefix(imageURL, "/media/") {
		t.Fatalf("the image select has no option for the upload (got %q)", imageURL)
	}
	b.submit("publish the debate", "button[name=action][value=publish]")

	// 9. The debate is on the home page with its image.
	b.navigate("open the home page", base+"/")
	found := eval[bool](b, "find the debate on the home page", fmt.Sprintf(`(function () {
  var a = Array.from(document.querySelectorAll("a")).find(function (a) { return a.textContent.includes(%s); });
  var img = document.querySelector(%s);
  return !!a && !!img;
})()`, strconv.Quote(title), strconv.Quote(`img[src="`+imageURL+`"]`)))
	if !found {
		t.Errorf("the home page lacks the debate %q with its image %s", title, imageURL)
	}
	res, err := httpGet(base + imageURL)
	if err != nil || res != "public, max-age=31536000, immutable" {
		t.Errorf("the uploaded image is served with Cache-Control %q (%v)", res, err)
	}
}

// writePNG writes a small image with a pattern in it.
func writePNG(t *testing.T, path string) {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, 120, 63))
	for x := range 120 {
		for y := range 63 {
			m.Set(x, y, color.RGBA{uint8(x * 2), uint8(y * 4), 160, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// httpGet fetches url and returns its Cache-Control header.
func httpGet(url string) (string, error) {
	res, err := http.Get(url)
	if err != nil {
		return "", err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: status %d", url, res.StatusCode)
	}
	return res.Header.Get("Cache-Control"), nil
}
