package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/parley-org/parley/internal/i18n"
	"github.com/parley-org/parley/internal/mail/mailtest"
)

// TestBrowserLanguages: a reader switches the site to German and reads a
// page, a form's problem and a mail in German; back in English, a comment
// written in Spanish is detected as Spanish, offers its translation, which
// appears in place labelled as a machine's with the original one click
// away, and an edit of the comment drops the translation made of its old
// words. The translations come from a real Apertium APy (.ci/apertium).
func TestBrowserLanguages(t *testing.T) {
	apy := os.Getenv("PARLEY_APERTIUM_URL")
	if apy == "" && os.Getenv("PARLEY_REQUIRE_APERTIUM") == "1" {
		t.Fatal("PARLEY_REQUIRE_APERTIUM=1 but PARLEY_APERTIUM_URL is not set")
	}
	de, en := i18n.Get("de"), i18n.English()
	if de == nil {
		t.Fatal("no German catalogue")
	}
	smtp := mailtest.New(t, mailtest.Options{})
	args := []string{"--data-dir", t.TempDir(), "--smtp-url", smtp.URL(), "--post-rate", "0", "--min-fill-time=0", "--detect-languages"}
	if apy != "" {
		args = append(args, "--translate-provider", "apertium", "--translate-url", apy)
	}
	base, execPath, start := browserParley(t, args...)
	b := startBrowser(t, execPath, start)
	mailCtx, cancelMail := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancelMail()

	// 1. The switcher, on every page: German, remembered.
	b.navigate("open the home page", base+"/")
	if lang := b.attrHere("html", "lang"); lang != "en" {
		t.Fatalf("the home page is in %q for a browser that asks for English", lang)
	}
	b.do("choose German", chromedp.SetValue(chromedp.CSS("#language-choice"), "de"))
	b.submit("switch the language", "form.language-switcher button[type=submit]")
	if lang := b.attrHere("html", "lang"); lang != "de" {
		t.Fatalf("after switching, the page is in %q", lang)
	}
	if got := b.text("nav[aria-label] a[href='/']"); got != de.T("Debates") {
		t.Errorf("the menu says %q, want %q", got, de.T("Debates"))
	}

	// 2. A form's problem, in German.
	b.navigate("open a debate in German", base+"/debates/votes-at-16")
	b.do("leave the comment empty", chromedp.SendKeys(chromedp.CSS("#comment-form #author_name"), "Rosa"),
		chromedp.SendKeys(chromedp.CSS("#comment-form #author_email"), "rosa@example.org"))
	b.submit("post an empty comment", "#comment-form button[type=submit]")
	if got := b.text("#comment-form .problem"); got != de.Message("Please write a comment.") {
		t.Errorf("the form says %q, want %q", got, de.Message("Please write a comment."))
	}

	// 3. A mail, in German: the confirmation of a new account.
	const name, email, password = "Lucía Lectora", "lucia@example.org", "olivos junto al canal"
	b.navigate("open the sign-up page", base+"/signup")
	b.do("fill in the sign-up form",
		chromedp.SendKeys(chromedp.CSS("#name"), name),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
	)
	b.submit("sign up", "form.account-form button[type=submit]")
	mails := smtp.Wait(mailCtx, 1)
	if len(mails) != 1 {
		t.Fatalf("got %d mails, want the confirmation", len(mails))
	}
	if want := de.T("Confirm your email address"); !strings.HasPrefix(mails[0].Subject, want) {
		t.Errorf("the confirmation's subject is %q, want it to start with %q", mails[0].Subject, want)
	}
	b.navigate("open the verification link", mailedLink.FindString(mails[0].Text))
	b.submit("confirm the address", "form.account-form button[type=submit]")

	// 4. Back to English; a comment in Spanish is detected as such.
	b.do("choose English", chromedp.SetValue(chromedp.CSS("#language-choice"), "en"))
	b.submit("switch back to English", "form.language-switcher button[type=submit]")
	b.navigate("open the debate in English", base+"/debates/votes-at-16")
	spanish := "Me parece bien cerrar el centro a los coches, pero el autobús tiene que ser más barato para las familias."
	b.do("write a comment in Spanish", chromedp.SendKeys(chromedp.CSS("#comment-form #body"), spanish))
	b.submit("post the Spanish comment", "#comment-form button[type=submit]")
	_, id := b.postedID("post the Spanish comment")
	body := fmt.Sprintf("#comment-%d > article > .body", id)
	if lang := b.attrHere(body, "lang"); lang != "es" {
		t.Fatalf("the Spanish comment is marked lang=%q", lang)
	}
	if got := b.text(fmt.Sprintf("#comment-%d > article .comment-language", id)); got != en.LanguageName("es") {
		t.Errorf("the comment's language reads %q", got)
	}
	if apy == "" {
		t.Skip("no Apertium APy for the translation part: set PARLEY_APERTIUM_URL (bash .ci/apertium starts one)")
	}

	// 5. "Translate from Spanish": in place, labelled, the original a click away.
	link := fmt.Sprintf("#comment-%d > article a.translate", id)
	if got := b.text(link); got != en.T("Translate from %s", en.LanguageName("es")) {
		t.Fatalf("the link reads %q", got)
	}
	first := b.translate(id, link)
	if first == "" || strings.Contains(first, "Me parece") {
		t.Fatalf("the translation reads %q", first)
	}
	if label := b.text(fmt.Sprintf("#comment-%d > article .translation-label", id)); label != en.T("Machine translation from %s.", en.LanguageName("es")) {
		t.Errorf("the translation is labelled %q", label)
	}
	b.do("show the original", chromedp.Click(chromedp.CSS(fmt.Sprintf("#comment-%d > article .translation button", id))))
	if visible := eval[bool](b, "is the original shown", fmt.Sprintf(`!document.querySelector(%q).hidden`, body)); !visible {
		t.Error("the original did not come back")
	}
	b.checkA11y("the translation in place")

	// 6. An edit drops the translation of the old words.
	b.navigate("open the edit page", fmt.Sprintf("%s/comments/%d/edit", base, id))
	b.do("change the text", chromedp.SetValue(chromedp.CSS("textarea#body"), "El tranvía es la mejor solución para la ciudad."))
	b.submit("save the edit", "form.comment-form button[type=submit]")
	second := b.translate(id, link)
	if second == first || !strings.Contains(strings.ToLower(second), "tram") {
		t.Errorf("after the edit the translation reads %q (before: %q)", second, first)
	}
}

// translate clicks a comment's "Translate" link and returns the text of
// the translation that appears in its place.
func (b *browser) translate(id int64, link string) string {
	b.t.Helper()
	b.do("wait for the comment", chromedp.WaitVisible(chromedp.CSS(link)))
	b.do("ask for the translation", chromedp.Click(chromedp.CSS(link)))
	sel := fmt.Sprintf("#comment-%d > article .translation .body", id)
	b.do("wait for the translation", chromedp.WaitVisible(chromedp.CSS(sel)))
	return b.text(sel)
}

// attrHere reads an attribute of the first element sel finds on the page
// open now.
func (b *browser) attrHere(sel, name string) string {
	b.t.Helper()
	return eval[string](b, "read "+name+" of "+sel, fmt.Sprintf(`(document.querySelector(%q) || {getAttribute: function () { return "" }}).getAttribute(%q) || ""`, sel, name))
}
